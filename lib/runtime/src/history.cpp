// Records: the history an instance keeps, and the observer and error hooks they reach.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

void Engine::Impl::record(Inst* inst, std::size_t flow, RecordKind kind, Fields fields) {
    bool is_error = kind == RecordKind::error || kind == RecordKind::failed;
    if (!tracing() && !(is_error && error_handler)) return;
    Record r;
    r.at = now();
    r.instance = inst ? inst->id : 0;
    r.flow = flows[flow].def->name;
    r.kind = to_string(kind);
    r.fields = std::move(fields);
    if (observer) call_safely([&] { observer(r); }, inst, flow, "observer");
    if (is_error && error_handler) {
        auto handler = error_handler;
        try {
            handler(r);
        } catch (...) {}
    }
    if (inst && options.keep_history) inst->more().history.push_back(std::move(r));
}

// A record not about one instance or flow (a person's change to the inbox or the
// suppression list): it reaches the observer only.
void Engine::Impl::record_global(RecordKind kind, Fields fields) {
    if (!observer) return;
    Record r;
    r.at = now();
    r.kind = to_string(kind);
    r.fields = std::move(fields);
    try {
        observer(r);
    } catch (...) {} // an observer's failure does not undo a person's action
}

void Engine::Impl::error(Inst* inst, std::size_t flow, std::string what) {
    record(inst, flow, RecordKind::error, {{"error", std::move(what)}});
}

} // namespace nudge
