// Inputs that start or move instances: a trigger (data checks, key, window, cooldown,
// unless, opt-out and active checks, then the start) and a signal.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

// Refuses, before anything happens, data a flow that takes `event` cannot use: a value its
// field's type refuses, and (for a trigger) a required field missing or empty.
void Engine::Impl::check_data(std::string_view event, const Data& data, bool triggers,
                              std::string_view only_flow,
                              std::optional<std::string_view> business) const {
    for (const auto& f : flows) {
        if (f.superseded) continue;
        if (!only_flow.empty() && f.def->name != only_flow) continue;
        if (business && f.def->business != *business) continue;
        auto takes_as_key = [&](const std::string& field) {
            for (const auto& t : f.def->triggers)
                if (t.event == event && t.key == field) return true;
            return false;
        };
        bool takes = !triggers;
        for (const auto& t : f.def->triggers)
            takes = takes || t.event == event;
        if (!takes) continue;
        for (const auto& field : f.def->fields) {
            auto it = data.find(field.name);
            bool absent = it == data.end() || it->second.empty();
            if (absent && field.default_value && !field.default_value->empty()) continue;
            if (absent) {
                // A missing key starts nothing (no_key) instead.
                if (triggers && !field.optional && !takes_as_key(field.name))
                    throw data_error("flow " + f.def->name + " needs field " + field.name +
                                         " (declared without ?) when " + std::string(event) +
                                         " starts it",
                                     f.def->name, field.name);
                continue;
            }
            std::string why;
            auto slot = f.slot.find(field.name);
            if (slot == f.slot.end()) continue;
            if (!detail::read_value(f.slot_type[slot->second], it->second, f.ctx, why))
                throw data_error("flow " + f.def->name + ", field " + field.name + ": " + why,
                                 f.def->name, field.name);
        }
    }
}

std::vector<std::uint64_t> Engine::Impl::trigger(std::string_view business, std::string_view event,
                                                 const Data& data) {
    check_data(event, data, true, {}, business);
    std::vector<std::uint64_t> started;
    for (std::size_t fi = 0; fi < flows.size(); ++fi) {
        auto& f = flows[fi];
        if (f.superseded || f.def->business != business) continue;
        for (std::size_t ti = 0; ti < f.def->triggers.size(); ++ti) {
            const auto& t = f.def->triggers[ti];
            if (t.event != event) continue;
            if (auto id = start(fi, ti, data)) started.push_back(*id);
        }
    }
    run_due();
    return started;
}

// Where a cooldown `per FIELD` keeps the instance's last start: "FIELD=VALUE" ("" when
// the field has no value, so that nothing counts).
std::string Engine::Impl::cooldown_key(const std::string& field, const Inst& inst) const {
    auto value = text_of(inst, field);
    return value.empty() ? std::string() : field + "=" + value;
}

void Engine::Impl::suppressed_trigger(std::size_t fi, const TriggerDecl& t, const std::string& key,
                                      std::string reason, std::string why) {
    flows[fi].metrics.suppressed[reason]++;
    record(
        nullptr, fi, RecordKind::suppressed,
        {{"event", t.event}, {"key", key}, {"reason", std::move(reason)}, {"why", std::move(why)}});
}

std::optional<std::uint64_t> Engine::Impl::start(std::size_t fi, std::size_t ti, const Data& data) {
    auto& f = flows[fi];
    const auto& t = f.def->triggers[ti];
    f.metrics.triggers++;
    Inst probe;
    probe.flow = static_cast<std::uint32_t>(fi);
    probe.values.assign(f.slot_type.size(), Value{});
    probe.id = 0;
    // Values are read before the instance exists; bad ones are reported on it.
    std::vector<std::string> problems;
    for (const auto& [name, text] : data) {
        auto it = f.slot.find(name);
        if (it == f.slot.end() || it->second >= f.def->fields.size()) continue;
        std::string why;
        auto v = detail::read_value(f.slot_type[it->second], text, f.ctx, why);
        if (!v) {
            problems.push_back("field " + name + ": " + why);
            continue;
        }
        probe.values[it->second] = std::move(*v);
    }
    for (const auto& [slot, value] : f.defaults)
        if (probe.values[slot].empty()) probe.values[slot] = value;
    refresh_derived(probe);
    auto key = text_of(probe, t.key);
    if (key.empty()) {
        suppressed_trigger(fi, t, key, "no_key", "no value for " + t.key);
        return std::nullopt;
    }
    if (t.only_during) {
        auto wi = f.windows.find(*t.only_during);
        if (wi != f.windows.end() && !detail::is_open(*wi->second, now(), zone_of(probe))) {
            suppressed_trigger(fi, t, key, "outside_window", "outside " + *t.only_during);
            return std::nullopt;
        }
    }
    if (t.cooldown) {
        auto it =
            f.last_start.find(t.cooldown_per.empty() ? key : cooldown_key(t.cooldown_per, probe));
        if (it != f.last_start.end() &&
            now() < detail::add(it->second, *t.cooldown, zone_of(probe))) {
            suppressed_trigger(fi, t, key, "cooldown",
                               "started " + detail::format_instant(it->second, f.ctx.zone) +
                                   ", cooldown " + to_text(*t.cooldown));
            return std::nullopt;
        }
    }
    if (t.unless) {
        InstScope scope(*this, probe);
        if (detail::holds(*t.unless, scope)) {
            suppressed_trigger(fi, t, key, "unless", "unless " + to_text(*t.unless));
            return std::nullopt;
        }
    }
    for (std::size_t ci = 0; !suppressions.empty() && ci < f.chans.size(); ++ci) {
        auto address = address_of(probe, ci);
        if (!address.empty() && opted_out(fi, address)) {
            suppressed_trigger(fi, t, key, "opted_out",
                               recipient(probe, f.def->channels[ci]) + " opted out");
            return std::nullopt;
        }
    }
    if (auto running = active_instance(fi, key)) {
        suppressed_trigger(fi, t, key, "active",
                           "instance " + std::to_string(*running) + " is running");
        return std::nullopt;
    }
    Inst& inst = instances.add(std::move(probe));
    ++live_count; // pending until its first state
    auto id = inst.id;
    inst.key = key;
    inst.trigger = static_cast<std::uint32_t>(ti);
    inst.started = now();
    inst.entered = now();
    if (f.keeps_trigger_data) inst.more().trigger_data = data;
    inst.status = InstanceStatus::pending;
    index_addresses(inst);
    f.active.emplace(key_hash(key), id);
    if (f.keeps_starts) {
        f.last_start[key] = now();
        for (const auto& field : f.cooldown_fields)
            if (auto ck = cooldown_key(field, inst); !ck.empty()) f.last_start[ck] = now();
    }
    f.metrics.starts++;
    if (tracing()) record(&inst, fi, RecordKind::started, {{"event", t.event}, {"key", key}});
    for (auto& p : problems)
        error(&inst, fi, std::move(p));
    if (t.delay && (t.delay->count != 0)) {
        Timer timer;
        timer.kind = FireKind::start;
        add_timer(inst, detail::add(now(), *t.delay, zone_of(inst)), timer);
    } else if (auto idx = f.compiled->state_index(t.start)) {
        enter(inst, *idx, tracing() ? "trigger " + t.event : std::string());
    }
    return id;
}

int Engine::Impl::signal(std::string_view flow, std::string_view key, std::string_view event,
                         const Data& data) {
    if (!data.empty()) check_data(event, data, false, flow);
    std::vector<std::uint64_t> ids;
    for (std::size_t fi = 0; fi < flows.size(); ++fi) {
        auto& f = flows[fi];
        if (!flow.empty() && f.def->name != flow) continue;
        auto running = active_id(f, key);
        if (!running) running = active_id(f, detail::canonical_address(key, f.ctx.region));
        if (running) ids.push_back(*running);
    }
    std::sort(ids.begin(), ids.end());
    int moved = 0;
    for (auto id : ids) {
        auto& inst = *instances.find(id);
        if (!live(inst)) continue; // a pending start takes `from any` event routes too
        Fields fields{{"event", std::string(event)}};
        for (const auto& [k, v] : data)
            fields.emplace_back(k, v);
        if (tracing()) record(&inst, inst.flow, RecordKind::received, std::move(fields));
        if (take_event(inst, event, data)) ++moved;
    }
    run_due();
    return moved;
}

} // namespace nudge
