// Transitions: entering a state (its actions, outcome, choices, then its deadlines,
// reminders and reply routes), leaving one, going to a route's target, events, restarts and
// finishing. The recursion guard against livelocks is here (enter).
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

namespace {

bool is_reply_handler(const Handler& h) { return h.kind == Handler::Kind::reply; }

} // namespace

bool Engine::Impl::waits_for_replies(const Inst& inst) const {
    bool any = false;
    each_handler(inst, [&](const Handler& h) { return any = is_reply_handler(h); });
    return any;
}

void Engine::Impl::leave_state(Inst& inst) {
    cancel_timers(inst);
    unregister_routes(inst);
}

void Engine::Impl::finish(Inst& inst, InstanceStatus status) {
    if (options.keep_finished != std::numeric_limits<std::size_t>::max())
        finished_ids.push_back(inst.id);
    if (status == InstanceStatus::finished) {
        // A final's deferred sends (`send … within office`) still go out.
        cancel_timers_but_sends(inst);
        unregister_routes(inst);
    } else {
        leave_state(inst);
    }
    unindex_addresses(inst);
    if (live(inst)) --live_count;
    inst.status = status;
    auto& f = flows[inst.flow];
    clear_active(f, inst);
}

void Engine::Impl::go(Inst& inst, const Target& target, std::string_view why,
                      const Data* event_data) {
    if (target.kind == Target::Kind::restart) {
        // Start over with the event's data on top of what the instance started with.
        Data data = inst.extra ? inst.extra->trigger_data : Data{};
        if (event_data)
            for (const auto& [k, v] : *event_data)
                data[k] = v;
        restart(inst, data, why);
        return;
    }
    if (target.kind == Target::Kind::inbox) return;
    auto idx = flows[inst.flow].compiled->state_index(target.state);
    if (!idx) {
        error(&inst, inst.flow, "unknown state " + target.state);
        return;
    }
    enter(inst, *idx, why);
}

void Engine::Impl::restart(Inst& inst, const Data& data, std::string_view why) {
    auto& f = flows[inst.flow];
    leave_state(inst);
    record(&inst, inst.flow, RecordKind::restarted, {{"why", std::string(why)}});
    inst.started = now(); // a new run: `from any` deadlines count from here
    unindex_addresses(inst);
    inst.values.assign(f.slot_type.size(), Value{});
    if (f.keeps_trigger_data) inst.more().trigger_data = data;
    merge_data(inst, data);
    index_addresses(inst);
    inst.last = Outbound{};
    const auto& t = f.def->triggers[inst.trigger];
    auto idx = f.compiled->state_index(t.start);
    if (idx) enter(inst, *idx, "restart");
}

void Engine::Impl::enter(Inst& inst, std::size_t state, std::string_view why) {
    if (entering > 64) {
        error(&inst, inst.flow, "more than 64 immediate steps: stopped (a livelock?)");
        return;
    }
    ++entering;
    run_entry(inst, state, why);
    --entering;
}

// A state's entry: its actions, then (a final) the outcome, or the first choice that holds,
// or its deadlines, reminders and reply routes. The sends among its actions leave
// `on send.failed` and the reminders to it.
void Engine::Impl::run_entry(Inst& inst, std::size_t state, std::string_view why) {
    auto& f = flows[inst.flow];
    leave_state(inst);
    const auto& decl = f.compiled->decl(state);
    inst.state = static_cast<std::int32_t>(state);
    if (!live(inst)) ++live_count; // a finished instance moved by hand
    inst.status = InstanceStatus::waiting;
    index_addresses(inst); // a finished instance moved by hand lives again
    inst.entered = now();
    ++inst.epoch;
    inst.last = Outbound{};
    inst.reminder_index = 0;
    inst.reminder_count = 0;
    if (!decl.repeats.empty() || inst.extra)
        inst.more().repeat_count.assign(decl.repeats.size(), 0);
    inst.send_failed = false;
    f.entries[state]++;
    if (tracing())
        record(&inst, inst.flow, RecordKind::entered,
               {{"state", decl.name}, {"why", std::string(why)}});
    auto epoch = inst.epoch;

    for (const auto& a : decl.actions) {
        run_action(inst, a);
        if (inst.epoch != epoch || !live(inst)) return;
    }
    if (decl.is_final) {
        if (decl.outcome) {
            inst.outcome = &decl.outcome->label;
            Fields fields{{"outcome", decl.outcome->label}};
            auto& m = f.metrics.outcomes[decl.outcome->label];
            m.count++;
            if (decl.outcome->value) {
                InstScope scope(*this, inst);
                auto v = detail::evaluate(*decl.outcome->value, scope);
                if (v.kind == Value::Kind::number) {
                    inst.more().outcome_value = v.number;
                    m.value += v.number;
                    fields.emplace_back("value", detail::value_text(v, FieldType::money, f.ctx));
                }
            }
            record(&inst, inst.flow, RecordKind::outcome, std::move(fields));
        }
        finish(inst, InstanceStatus::finished);
        if (tracing()) record(&inst, inst.flow, RecordKind::finished, {{"state", decl.name}});
        return;
    }
    if (inst.send_failed && take_event(inst, "send.failed", failure_data(inst))) return;
    for (std::size_t i = 0; i < decl.repeats.size(); ++i) {
        const auto& r = decl.repeats[i];
        Timer t;
        t.kind = FireKind::repeat;
        t.repeat = &r;
        t.repeat_index = i;
        add_timer(inst,
                  within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"),
                  t);
    }
    {
        InstScope scope(*this, inst);
        for (const auto& c : decl.choices) {
            if (!c.condition || detail::holds(*c.condition, scope)) {
                record(&inst, inst.flow, RecordKind::matched,
                       {{"route", c.condition ? "if " + to_text(*c.condition) : "else"},
                        {"target", to_text(c.target)}});
                go(inst, c.target, "choice");
                return;
            }
        }
    }
    schedule_handlers(inst);
    schedule_reminder(inst);
    if (waits_for_replies(inst)) register_routes(inst);
}

void Engine::Impl::run_action(Inst& inst, const Action& a) {
    auto& f = flows[inst.flow];
    switch (a.kind) {
    case Action::Kind::send: {
        if (a.within) {
            auto wi = f.windows.find(*a.within);
            if (wi != f.windows.end() && !detail::is_open(*wi->second, now(), zone_of(inst))) {
                auto when = within(inst, now(), a.within, "send " + a.channel);
                Timer t;
                t.kind = FireKind::send;
                t.action = &a;
                add_timer(inst, when, t);
                return;
            }
        }
        send(inst, a);
        return;
    }
    case Action::Kind::run: {
        record(&inst, inst.flow, RecordKind::action, {{"action", a.name}});
        if (!action_handler) return;
        ActionCall call{a.name,           f.def->name,
                        inst.id,          inst.key,
                        field_data(inst), inst.extra ? inst.extra->last_reply : std::string()};
        std::optional<Data> answer;
        auto handler = action_handler;
        if (call_safely([&] { answer = handler(call); }, &inst, inst.flow, "action " + a.name) &&
            answer && !answer->empty()) {
            merge_data(inst, *answer);
            Fields fields;
            for (const auto& [k, v] : *answer)
                fields.emplace_back(k, v);
            record(&inst, inst.flow, RecordKind::set, std::move(fields));
        }
        return;
    }
    case Action::Kind::emit: {
        record(&inst, inst.flow, RecordKind::emitted, {{"event", a.name}});
        if (!emit_handler) return;
        Emitted e{a.name, f.def->name, inst.id, inst.key, field_data(inst), now()};
        auto handler = emit_handler;
        call_safely([&] { handler(e); }, &inst, inst.flow, "emit " + a.name);
        return;
    }
    case Action::Kind::set: {
        if (!a.value) return;
        InstScope scope(*this, inst);
        keep(inst, a.name, detail::evaluate(*a.value, scope));
        return;
    }
    }
}

bool Engine::Impl::take_event(Inst& inst, std::string_view event, const Data& data) {
    inst.send_failed = false;
    if (!data.empty()) merge_data(inst, data);
    const Handler* chosen = nullptr;
    InstScope scope(*this, inst);
    each_handler(inst, [&](const Handler& h) {
        if (h.kind != Handler::Kind::event || h.event != event) return false;
        if (h.condition && !detail::holds(*h.condition, scope)) return false;
        chosen = &h;
        return true;
    });
    if (!chosen) return false;
    if (tracing())
        record(&inst, inst.flow, RecordKind::matched,
               {{"route", "on " + std::string(event)}, {"target", to_text(chosen->target)}});
    go(inst, chosen->target, tracing() ? "on " + std::string(event) : std::string(), &data);
    return true;
}

} // namespace nudge
