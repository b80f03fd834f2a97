// The instance table's upkeep: finding an instance, retiring finished ones from memory,
// and an instance as the host sees it (InstanceView).
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

// Frees finished instances beyond EngineOptions::keep_finished, oldest finish first. Called
// only where no instance is being worked on (at the start of a trigger, event, reply or
// timer run). One with a deferred send still standing waits for it.
void Engine::Impl::retire() {
    std::size_t waiting = 0;
    while (finished_ids.size() > options.keep_finished && waiting < finished_ids.size()) {
        auto id = finished_ids.front();
        finished_ids.pop_front();
        Inst* inst = instances.find(id);
        if (!inst || live(*inst)) continue; // moved back by hand: noted when it ends again
        if (inst->pending_sends + inst->pending_reminders + inst->pending_rest > 0) {
            finished_ids.push_back(id);
            ++waiting;
            continue;
        }
        if (options.index_timers) timer_index.erase(id);
        instances.erase(id);
        ++retired;
    }
}

Inst* Engine::Impl::find_or_throw(std::uint64_t id) {
    if (Inst* inst = instances.find(id)) return inst;
    if (instances.retired(id))
        throw nudge::error(
            "instance " + std::to_string(id) +
            " has ended and is no longer held in memory (EngineOptions::keep_finished)");
    throw nudge::error("no instance " + std::to_string(id));
}

InstanceView Engine::Impl::view(const Inst& inst, bool with_history) const {
    InstanceView v;
    const auto& f = flows[inst.flow];
    v.id = inst.id;
    v.flow = f.def->name;
    v.version = f.version;
    v.key = inst.key;
    if (inst.state >= 0) v.state = f.compiled->states()[static_cast<std::size_t>(inst.state)].name;
    v.status = inst.status;
    v.started = inst.started;
    v.entered = inst.entered;
    v.fields = field_data(inst);
    if (inst.outcome) v.outcome = *inst.outcome;
    if (inst.extra) v.outcome_value = inst.extra->outcome_value;
    if (with_history && inst.extra) v.history = inst.extra->history;
    return v;
}

} // namespace nudge
