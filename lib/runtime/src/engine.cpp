// The engine (include/nudge/engine.hpp): the public members, a facade over Engine::Impl
// (engine_impl.hpp says which file holds which part). Semantics: DESIGN §5 and
// dsl/REFERENCE.md. Everything is deterministic: ids are sequential, timers fire in (deadline,
// order set) order, and every container that is iterated is ordered.
#include "engine_impl.hpp"

#include <nudge/error.hpp>

#include <algorithm>
#include <limits>

namespace nudge {

Engine::Engine(Clock& clock, Transport& transport, EngineOptions options)
    : impl_(std::make_unique<Impl>(clock, transport, options)) {}

Engine::~Engine() = default;

void Engine::load(const std::shared_ptr<const CompiledFlow>& flow) {
    if (!flow) throw error("no flow to load");
    if (impl_->flow_index(flow->flow().name)) {
        throw error("a flow named '" + flow->flow().name + "' is already loaded");
    }
    load_version(flow);
}

Migration Engine::migrate(std::string_view flow, bool dry_run) {
    return impl_->migrate(flow, dry_run);
}

int Engine::version(std::string_view flow) const {
    auto i = impl_->newest(flow);
    return i ? impl_->flows[*i].version : 0;
}

std::vector<std::uint64_t> Engine::trigger(std::string_view event, const Data& data) {
    impl_->retire();
    return impl_->trigger({}, event, data);
}

std::vector<std::uint64_t> Engine::trigger_for(std::string_view business, std::string_view event,
                                               const Data& data) {
    impl_->retire();
    return impl_->trigger(business, event, data);
}

int Engine::signal(std::string_view flow, std::string_view key, std::string_view event,
                   const Data& data) {
    impl_->retire();
    return impl_->signal(flow, key, event, data);
}

void Engine::reply(const Inbound& message) {
    impl_->retire();
    impl_->reply(message);
}

int Engine::run_due() {
    impl_->retire();
    return impl_->run_due();
}

std::optional<Instant> Engine::next_due() const {
    impl_->prune();
    if (impl_->timers.empty()) return std::nullopt;
    return impl_->timers.front().due;
}

void Engine::assign(std::uint64_t inbox_id, std::uint64_t instance, std::string_view by) {
    auto& in = impl_->inbox;
    if (inbox_id == 0 || inbox_id > in.size())
        throw error("no inbox message " + std::to_string(inbox_id));
    auto* inst = impl_->find_or_throw(instance);
    auto& item = in[inbox_id - 1];
    item.assigned_to = instance;
    Fields fields{{"inbox", std::to_string(inbox_id)},
                  {"from", item.message.from},
                  {"text", item.message.text}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record(inst, inst->flow, RecordKind::assigned, std::move(fields));
}

void Engine::close(std::uint64_t inbox_id, std::string_view note, std::string_view by) {
    auto& in = impl_->inbox;
    if (inbox_id == 0 || inbox_id > in.size())
        throw error("no inbox message " + std::to_string(inbox_id));
    auto& item = in[inbox_id - 1];
    item.handled_at = impl_->now();
    item.handled_by = std::string(by);
    item.note = std::string(note);
    Fields fields{{"inbox", std::to_string(inbox_id)},
                  {"from", item.message.from},
                  {"text", item.message.text},
                  {"note", item.note}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record_global(RecordKind::handled, std::move(fields));
}

void Engine::move(std::uint64_t instance, std::string_view state, std::string_view by) {
    auto& inst = *impl_->find_or_throw(instance);
    auto idx = impl_->flows[inst.flow].compiled->state_index(state);
    if (!idx)
        throw error("flow " + impl_->flows[inst.flow].def->name + " has no state '" +
                    std::string(state) + "'");
    if (inst.status == InstanceStatus::finished || inst.status == InstanceStatus::cancelled) {
        auto& f = impl_->flows[inst.flow];
        if (!impl_->active_id(f, inst.key)) f.active.emplace(key_hash(inst.key), inst.id);
    }
    Fields fields{{"state", std::string(state)}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record(&inst, inst.flow, RecordKind::moved, std::move(fields));
    impl_->enter(inst, *idx, by.empty() ? "moved by hand" : "moved by " + std::string(by));
    impl_->run_due();
}

bool Engine::send_by_hand(std::uint64_t instance, std::string_view channel, std::string_view text,
                          std::string_view by, std::optional<std::string> subject) {
    if (by.empty()) throw error("a message sent by hand names who sent it");
    if (impl_->instances.retired(instance))
        throw error("instance " + std::to_string(instance) + " has ended and left memory");
    auto& inst = *impl_->find_or_throw(instance);
    auto& f = impl_->flows[inst.flow];
    auto it = f.channels.find(channel);
    if (it == f.channels.end())
        throw error("flow " + f.def->name + " has no channel " + std::string(channel));
    const auto& ch = *it->second;
    auto to = impl_->recipient(inst, ch);
    if (to.empty()) throw error("instance " + std::to_string(instance) + " has no " + ch.to);
    if (text.empty()) throw error("the message is empty");
    auto body = impl_->render(inst, text, subject);
    if (!body.missing.empty()) {
        std::string names;
        for (const auto& m : body.missing)
            names += (names.empty() ? "{" : ", {") + m + "}";
        throw error("the message needs " + names + ", which instance " + std::to_string(instance) +
                    " has no value for; nothing was sent");
    }
    return impl_->deliver(inst, ch, to, std::move(subject), std::move(body.text), nullptr,
                          OnFailure::at_once, by);
}

void Engine::cancel(std::uint64_t instance, std::string_view reason, std::string_view by) {
    if (impl_->instances.retired(instance)) return; // it had ended
    auto& inst = *impl_->find_or_throw(instance);
    if (!impl_->live(inst)) return;
    impl_->finish(inst, InstanceStatus::cancelled);
    Fields fields{{"why", std::string(reason)}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record(&inst, inst.flow, RecordKind::cancelled, std::move(fields));
}

void Engine::report(const DeliveryReport& report) {
    // A report that comes after its instance ended and was retired changes nothing.
    if (impl_->instances.retired(report.instance)) return;
    auto* found = impl_->find_or_throw(report.instance);
    auto& inst = *found;
    if (report.delivered) {
        impl_->record(&inst, inst.flow, RecordKind::delivered,
                      {{"channel", report.channel},
                       {"to", report.to},
                       {"message", report.message_id},
                       {"detail", report.detail}});
        return;
    }
    impl_->failed(inst, {{"channel", report.channel},
                         {"to", report.to},
                         {"message", report.message_id},
                         {"error", report.detail}});
    impl_->after_failure(inst);
    impl_->run_due();
}

void Engine::suppress(std::string_view address, std::string_view source, std::string_view by,
                      std::string_view business) {
    std::string region = impl_->flows.empty() ? "" : impl_->flows.front().ctx.region;
    auto a = detail::canonical_address(address, region);
    auto key = Impl::scope_key(business, a);
    if (impl_->suppressed_index.count(key)) return;
    impl_->suppressed_index[key] = impl_->suppressions.size();
    impl_->suppressions.push_back({a, impl_->now(), std::string(source), std::string(business)});
    impl_->cancel_pending_sends(a, business);
    if (!by.empty()) {
        Fields fields{{"address", a}, {"reason", std::string(source)}, {"by", std::string(by)}};
        if (!business.empty()) fields.emplace_back("business", std::string(business));
        impl_->record_global(RecordKind::opt_out_added, std::move(fields));
    }
}

void Engine::note_settings(std::string_view flow,
                           const std::vector<std::pair<std::string, std::string>>& changes,
                           std::string_view by) {
    Fields fields{{"flow", std::string(flow)}, {"by", std::string(by)}};
    for (const auto& [name, value] : changes)
        fields.emplace_back(name, value);
    impl_->record_global(RecordKind::settings_changed, std::move(fields));
}

std::optional<std::string> Engine::unsuppress(std::string_view address, std::string_view reason,
                                              std::string_view by, std::string_view business) {
    std::string region = impl_->flows.empty() ? "" : impl_->flows.front().ctx.region;
    auto a = detail::canonical_address(address, region);
    auto it = impl_->suppressed_index.find(Impl::scope_key(business, a));
    if (it == impl_->suppressed_index.end()) return std::nullopt;
    auto& list = impl_->suppressions;
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(it->second));
    impl_->reindex_suppressions();
    Fields fields{{"address", a}, {"reason", std::string(reason)}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    if (!business.empty()) fields.emplace_back("business", std::string(business));
    impl_->record_global(RecordKind::opt_out_removed, std::move(fields));
    return a;
}

std::optional<InstanceView> Engine::instance(std::uint64_t id, bool with_history) const {
    const auto* inst = impl_->instances.find(id);
    if (!inst) return std::nullopt;
    return impl_->view(*inst, with_history);
}

std::vector<InstanceView> Engine::instances(std::string_view flow, std::string_view state) const {
    std::vector<InstanceView> out;
    for (const auto& inst : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        if (f.def->name != flow) continue;
        if (!state.empty() &&
            (inst.state < 0 ||
             f.compiled->states()[static_cast<std::size_t>(inst.state)].name != state))
            continue;
        out.push_back(impl_->view(inst));
    }
    return out;
}

std::map<std::string, std::size_t> Engine::state_counts(std::string_view flow) const {
    std::map<std::string, std::size_t> out;
    for (const auto& inst : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        if (inst.state < 0 || f.def->name != flow) continue;
        ++out[f.compiled->states()[static_cast<std::size_t>(inst.state)].name];
    }
    return out;
}

std::vector<InstanceView> Engine::instances_by_key(std::string_view key) const {
    std::vector<InstanceView> out;
    // The key as each flow's region spells a phone number, worked out once per region.
    std::map<std::string, std::string, std::less<>> canonical;
    for (const auto& inst : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        auto c = canonical.find(f.ctx.region);
        if (c == canonical.end())
            c = canonical.emplace(f.ctx.region, detail::canonical_address(key, f.ctx.region)).first;
        if (inst.key == key || inst.key == c->second) out.push_back(impl_->view(inst));
    }
    return out;
}

const std::vector<InboxItem>& Engine::inbox() const { return impl_->inbox; }
const std::vector<Suppression>& Engine::suppressions() const { return impl_->suppressions; }

FlowMetrics Engine::metrics(std::string_view flow) const {
    auto i = impl_->flow_index(flow);
    if (!i) throw error("no flow named '" + std::string(flow) + "'");
    FlowMetrics sum = impl_->flows[*i].metrics;
    for (std::size_t j = *i; j < impl_->flows.size(); ++j) {
        const auto& f = impl_->flows[j];
        if (f.def->name != flow) continue;
        for (std::size_t s = 0; s < f.entries.size(); ++s)
            if (f.entries[s] != 0) sum.entries[f.compiled->states()[s].name] += f.entries[s];
    }
    for (std::size_t j = *i + 1; j < impl_->flows.size(); ++j) {
        const auto& f = impl_->flows[j];
        if (f.def->name != flow) continue;
        const auto& m = f.metrics;
        sum.triggers += m.triggers;
        sum.starts += m.starts;
        sum.replies += m.replies;
        for (const auto& [k, n] : m.suppressed)
            sum.suppressed[k] += n;
        for (const auto& [k, n] : m.sends)
            sum.sends[k] += n;
        for (const auto& [k, n] : m.entries)
            sum.entries[k] += n;
        for (const auto& [k, o] : m.outcomes) {
            sum.outcomes[k].count += o.count;
            sum.outcomes[k].value += o.value;
        }
    }
    return sum;
}

std::vector<std::string> Engine::flows() const {
    std::vector<std::string> out;
    for (const auto& f : impl_->flows)
        if (std::find(out.begin(), out.end(), f.def->name) == out.end()) out.push_back(f.def->name);
    return out;
}

std::vector<PendingTimer> Engine::timers(std::uint64_t instance) const {
    std::vector<PendingTimer> out;
    const Inst* inst = impl_->instances.find(instance);
    if (!inst) return out;
    std::vector<QueuedTimer> standing;
    if (impl_->options.index_timers) {
        if (auto it = impl_->timer_index.find(instance); it != impl_->timer_index.end())
            for (const auto& q : it->second)
                if (impl_->standing(q, *inst)) standing.push_back(q);
    } else {
        for (const auto& q : impl_->timers) // the whole queue: slow, see EngineOptions
            if (q.instance == instance && impl_->standing(q, *inst)) standing.push_back(q);
    }
    std::sort(standing.begin(), standing.end(), [](const auto& a, const auto& b) {
        return a.due != b.due ? a.due < b.due : a.seq < b.seq;
    });
    for (const auto& q : standing)
        out.push_back(impl_->pending(q));
    return out;
}

EngineStats Engine::stats() const {
    EngineStats s;
    s.instances = impl_->instances.size();
    s.live = impl_->live_count;
    s.timers = impl_->standing_timers;
    s.queued_timers = impl_->timers.size();
    s.queue_compactions = impl_->compactions;
    s.inbox = impl_->inbox.size();
    s.suppressions = impl_->suppressions.size();
    s.retired = impl_->retired;
    return s;
}

std::map<std::string, Instant> Engine::last_starts(std::string_view flow) const {
    if (!impl_->newest(flow)) throw error("no flow named '" + std::string(flow) + "'");
    return impl_->starts_of(flow);
}

void Engine::keep_finished(std::size_t count) {
    if (count != std::numeric_limits<std::size_t>::max() &&
        impl_->options.keep_finished == std::numeric_limits<std::size_t>::max()) {
        // Noted from now on; the ones that ended before are noted now, oldest id first.
        for (const auto& inst : impl_->instances)
            if (!impl_->live(inst)) impl_->finished_ids.push_back(inst.id);
    }
    impl_->options.keep_finished = count;
}

void Engine::on_record(std::function<void(const Record&)> f) { impl_->observer = std::move(f); }
void Engine::on_emit(std::function<void(const Emitted&)> f) { impl_->emit_handler = std::move(f); }
void Engine::on_action(std::function<std::optional<Data>(const ActionCall&)> f) {
    impl_->action_handler = std::move(f);
}
void Engine::on_fact(std::function<std::optional<std::string>(const FactQuery&)> f) {
    impl_->fact_provider = std::move(f);
}
void Engine::on_error(std::function<void(const Record&)> f) { impl_->error_handler = std::move(f); }

} // namespace nudge
