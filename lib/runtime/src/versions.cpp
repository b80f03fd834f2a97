// Flow versions and migration: the newest version of a name, active instances and
// starts across versions, and moving live instances to the newest version (rebind).
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

std::optional<std::size_t> Engine::Impl::flow_index(std::string_view name) const {
    for (std::size_t i = 0; i < flows.size(); ++i)
        if (flows[i].def->name == name) return i;
    return std::nullopt;
}

std::optional<std::size_t> Engine::Impl::newest(std::string_view name) const {
    for (std::size_t i = flows.size(); i-- > 0;)
        if (flows[i].def->name == name) return i;
    return std::nullopt;
}

// The live instance with `key` on any version of flow `fi`'s name.
std::optional<std::uint64_t> Engine::Impl::active_instance(std::size_t fi,
                                                           std::string_view key) const {
    const auto& f = flows[fi];
    if (auto id = active_id(f, key)) return id;
    if (f.version == 1) return std::nullopt;
    for (const auto& g : flows) {
        if (&g == &f || g.def->name != f.def->name) continue;
        if (auto id = active_id(g, key)) return id;
    }
    return std::nullopt;
}

// When each key last started an instance of any version of flow `name` (the instances'
// own start times: the same as the cooldown table, which only some flows keep).
// Instances retired from memory count through the cooldown tables of the versions that
// keep one.
std::map<std::string, Instant> Engine::Impl::starts_of(std::string_view name) const {
    std::map<std::string, Instant> out;
    for (const auto& f : flows) {
        if (f.def->name != name) continue;
        for (const auto& [key, at] : f.last_start) {
            auto [it, fresh] = out.emplace(key, at);
            if (!fresh && it->second < at) it->second = at;
        }
    }
    for (const auto& inst : instances) {
        if (flows[inst.flow].def->name != name) continue;
        auto [it, fresh] = out.emplace(inst.key, inst.started);
        if (!fresh && it->second < inst.started) it->second = inst.started;
    }
    return out;
}

// Trigger `ti` of flow `from` in flow `to`: the same position when it is on the same
// event, else the first on that event.
std::optional<std::size_t> Engine::Impl::map_trigger(std::size_t from, std::size_t ti,
                                                     std::size_t to) const {
    const auto& event = flows[from].def->triggers[ti].event;
    const auto& triggers = flows[to].def->triggers;
    if (ti < triggers.size() && triggers[ti].event == event) return ti;
    for (std::size_t i = 0; i < triggers.size(); ++i)
        if (triggers[i].event == event) return i;
    return std::nullopt;
}

Migration Engine::Impl::migrate(std::string_view name, bool dry_run) {
    auto to = newest(name);
    if (!to) throw nudge::error("no flow named '" + std::string(name) + "'");
    const auto& target = flows[*to];
    Migration m;
    m.flow = std::string(name);
    m.version = target.version;
    std::map<std::pair<int, std::string>, std::size_t> missing;
    std::vector<std::pair<Inst*, std::size_t>> moving; // with the trigger it maps to
    for (auto& inst : instances) {
        auto id = inst.id;
        const auto& from = flows[inst.flow];
        if (inst.flow == *to || !live(inst) || from.def->name != name) continue;
        std::string state = inst.state >= 0
                                ? from.compiled->states()[static_cast<std::size_t>(inst.state)].name
                                : "";
        auto trigger = map_trigger(inst.flow, inst.trigger, *to);
        if (inst.state >= 0 && !target.compiled->state_index(state)) {
            ++missing[{from.version, state}];
        } else if (!trigger) {
            ++missing[{from.version, "trigger on " + from.def->triggers[inst.trigger].event}];
        } else {
            m.moved.push_back({id, from.version, state});
            moving.emplace_back(&inst, *trigger);
        }
    }
    for (const auto& [what, n] : missing)
        m.missing.push_back({what.second, what.first, n});
    if (!m.missing.empty()) {
        m.moved.clear();
        return m;
    }
    if (dry_run) return m;
    for (auto& [inst, trigger] : moving)
        rebind(*inst, *to, trigger);
    run_due();
    return m;
}

// Moves one instance to flow `to` in the state of the same name (the rule is in
// dsl/REFERENCE.md, "Flow versions"): nothing is entered, fields carry over by name,
// timers of the state are set again from the new version's declarations.
void Engine::Impl::rebind(Inst& inst, std::size_t to, std::size_t trigger) {
    auto& from = flows[inst.flow];
    auto& target = flows[to];
    std::vector<Value> values(target.slot_type.size(), Value{});
    std::vector<std::string> dropped;
    for (std::size_t i = 0; i < target.def->fields.size(); ++i) {
        const auto& fd = target.def->fields[i];
        auto old = from.slot.find(fd.name);
        if (old == from.slot.end() || old->second >= from.def->fields.size() ||
            inst.values[old->second].empty())
            continue;
        if (from.slot_type[old->second] == fd.type) {
            values[i] = inst.values[old->second];
            continue;
        }
        // A field whose type changed is read again from its text.
        detail::ValueContext tmp;
        auto text = detail::value_text(inst.values[old->second], from.slot_type[old->second],
                                       ctx_of(inst, tmp));
        std::string why;
        if (auto v = detail::read_value(fd.type, text, target.ctx, why)) {
            values[i] = std::move(*v);
        } else {
            dropped.push_back("field " + fd.name + ": " + why + " (dropped by the migration)");
        }
    }
    // A pending start (the only timer of an instance without a state) and deferred sends
    // keep their deadlines; every other timer goes.
    if (inst.state >= 0) cancel_timers_but_sends(inst);
    unregister_routes(inst);
    clear_active(from, inst);
    target.active.emplace(key_hash(inst.key), inst.id);
    std::string state =
        inst.state >= 0 ? from.compiled->states()[static_cast<std::size_t>(inst.state)].name : "";
    int from_version = from.version;
    // The last message as it was sent, kept whole: its action and channel are the old
    // version's.
    if (inst.last.action) {
        auto [text, subject] = last_message(inst);
        const auto& old_channel = from.def->channels[inst.last.channel].name;
        auto ci = target.channels.find(old_channel);
        if (ci == target.channels.end()) {
            inst.last = Outbound{};
        } else {
            inst.last.channel =
                static_cast<std::uint32_t>(ci->second - target.def->channels.data());
            inst.last.rendered =
                std::make_unique<std::pair<std::string, std::optional<std::string>>>(
                    std::move(text), std::move(subject));
        }
    }
    bool was_indexed = inst.indexed;
    unindex_addresses(inst);
    inst.flow = static_cast<std::uint32_t>(to);
    inst.trigger = static_cast<std::uint32_t>(trigger);
    inst.values = std::move(values);
    refresh_derived(inst);
    if (was_indexed) index_addresses(inst);
    record(&inst, to, RecordKind::migrated,
           {{"from", std::to_string(from_version)},
            {"to", std::to_string(target.version)},
            {"state", state}});
    for (auto& d : dropped)
        error(&inst, to, std::move(d));
    if (inst.state < 0) return; // the delayed start enters the new version's start state
    auto idx = *target.compiled->state_index(state);
    inst.state = static_cast<std::int32_t>(idx);
    const auto& decl = target.compiled->decl(idx);
    if (!decl.repeats.empty() || inst.extra)
        inst.more().repeat_count.resize(decl.repeats.size(), 0);
    for (std::size_t i = 0; i < decl.repeats.size(); ++i) {
        const auto& r = decl.repeats[i];
        if (r.max && inst.more().repeat_count[i] >= *r.max) continue;
        Timer t;
        t.kind = FireKind::repeat;
        t.repeat = &r;
        t.repeat_index = static_cast<std::uint32_t>(i);
        add_timer(inst,
                  within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"),
                  t);
    }
    schedule_handlers(inst); // `after` counts from when the state was entered
    schedule_reminder(inst);
    if (waits_for_replies(inst)) register_routes(inst);
}

} // namespace nudge
