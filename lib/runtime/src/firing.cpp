// What a timer does when it fires: a delayed start enters the start state, a deadline
// takes its route, a reminder sends the last message again, a repeat ticks, a deferred send
// goes out.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

void Engine::Impl::fire(Inst& inst, const Timer& t) {
    auto& f = flows[inst.flow];
    switch (t.kind) {
    case FireKind::start: {
        const auto& trig = f.def->triggers[inst.trigger];
        auto idx = f.compiled->state_index(trig.start);
        // (A migrated instance's new trigger may have no delay.)
        if (idx) enter(inst, *idx, trig.delay ? "delay " + to_text(*trig.delay) : "delay");
        return;
    }
    case FireKind::handler: {
        const Handler& h = *t.handler;
        std::string label;
        if (tracing()) {
            label = h.kind == Handler::Kind::after ? "after " + to_text(h.delay)
                    : h.kind == Handler::Kind::at  ? "at " + to_text(*h.at)
                                                   : "at season " + h.season;
        }
        if (tracing())
            record(&inst, inst.flow, RecordKind::timer,
                   {{"timer", label}, {"target", to_text(h.target)}});
        go(inst, h.target, label);
        return;
    }
    case FireKind::reminder: {
        if (inst.state < 0 || !inst.last.action) return;
        const auto& decl = f.compiled->decl(static_cast<std::size_t>(inst.state));
        if (inst.reminder_index >= decl.reminders.size()) return;
        const auto& r = decl.reminders[inst.reminder_index];
        const auto* last_ch = &f.def->channels[inst.last.channel];
        std::string channel = r.via.value_or(last_ch->name);
        auto ci = f.channels.find(channel);
        if (ci != f.channels.end()) {
            auto to = recipient(inst, *ci->second);
            std::string prefix = r.prefix ? *r.prefix : std::string(default_reminder_prefix);
            auto [text, subject] = last_message(inst);
            std::vector<std::string> missing;
            // Via another kind of channel: that channel's variant of the same template.
            const Action* source = inst.last.action;
            if (source && !source->inline_text && last_ch->kind != ci->second->kind) {
                if (const auto* tmpl = find_template(f, source->template_name, ci->second->kind)) {
                    subject = tmpl->subject;
                    auto body = render(inst, tmpl->text, subject);
                    text = std::move(body.text);
                    missing = std::move(body.missing);
                }
            }
            if (ci->second->kind != ChannelKind::email) subject.reset();
            if (to.empty()) {
                failed(inst, {{"channel", channel}, {"error", "no " + ci->second->to}});
            } else if (!missing.empty()) {
                std::string names;
                for (const auto& m : missing)
                    names += (names.empty() ? "" : ", ") + m;
                failed(inst, {{"channel", channel}, {"error", "missing merge value: " + names}});
            } else {
                deliver(inst, *ci->second, to, std::move(subject), prefix + text, nullptr,
                        OnFailure::at_once);
            }
        }
        if (++inst.reminder_count >= std::max(r.times, 1)) {
            inst.reminder_index++;
            inst.reminder_count = 0;
        }
        // Reminders count from the last outbound message: this one.
        inst.last.at = now();
        if (live(inst)) schedule_reminder(inst);
        after_failure(inst);
        return;
    }
    case FireKind::repeat: {
        const Repeat& r = *t.repeat;
        auto& count = inst.more().repeat_count[t.repeat_index];
        InstScope scope(*this, inst);
        bool go_on = !r.while_cond || detail::holds(*r.while_cond, scope);
        if (go_on && (!r.max || count < *r.max)) {
            { // `within` deferred the tick when it was set, so the window is open now
                ++count;
                auto epoch = inst.epoch;
                // Its sends leave the reminders and `on send.failed` to the tick, below.
                for (const auto& a : r.actions) {
                    run_action(inst, a);
                    if (inst.epoch != epoch || !live(inst)) break;
                }
                if (inst.epoch != epoch || !live(inst)) return;
                schedule_reminder(inst);
                after_failure(inst);
                if (inst.epoch != epoch || !live(inst)) return;
            }
        }
        if (!r.max || count < *r.max) {
            Timer next = t;
            add_timer(
                inst,
                within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"),
                next);
        }
        return;
    }
    case FireKind::send: {
        send(inst, *t.action); // its reminders and `on send.failed` follow here
        if (live(inst) && inst.status == InstanceStatus::waiting) schedule_reminder(inst);
        after_failure(inst);
        return;
    }
    }
}

} // namespace nudge
