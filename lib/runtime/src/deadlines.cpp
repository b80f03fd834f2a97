// Deadline arithmetic: when a state's `after`, `at` and `at season` deadlines fall
// (spread, windows), when the next reminder is due, and `within` windows deferring them.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

// The deadline moved into window `w` (when given): records the deferral.
Instant Engine::Impl::within(Inst& inst, Instant due, const std::optional<std::string>& w,
                             std::string_view what) {
    if (!w) return due;
    const auto& f = flows[inst.flow];
    auto it = f.windows.find(*w);
    if (it == f.windows.end()) return due;
    if (detail::is_open(*it->second, due, zone_of(inst))) return due;
    auto open = detail::next_open(*it->second, due, zone_of(inst));
    if (!open) {
        error(&inst, inst.flow, std::string(what) + ": window " + *w + " never opens");
        return due;
    }
    if (tracing())
        record(&inst, inst.flow, RecordKind::deferred,
               {{"what", std::string(what)},
                {"from", detail::format_instant(due, zone_of(inst))},
                {"to", detail::format_instant(*open, zone_of(inst))},
                {"why", "outside " + *w}});
    return *open;
}

void Engine::Impl::schedule_handlers(Inst& inst) {
    const auto& f = flows[inst.flow];
    auto z = zone_of(inst);
    each_handler(inst, [&](const Handler& h) {
        Timer t;
        t.kind = FireKind::handler;
        t.handler = &h;
        std::optional<Instant> due;
        switch (h.kind) {
        case Handler::Kind::after: due = detail::add(inst.entered, h.delay, z); break;
        case Handler::Kind::at: {
            // A `from any` deadline belongs to the whole run, not to the state just
            // entered: now() and the window functions in it count from the start, so
            // `next_close(W)` stays the close after the start in every state.
            const auto& any = f.def->from_any;
            bool flow_wide = !any.empty() && &h >= any.data() && &h < any.data() + any.size();
            InstScope scope(*this, inst,
                            flow_wide ? std::optional<Instant>(inst.started) : std::nullopt);
            auto v = detail::evaluate(*h.at, scope);
            detail::ValueContext tmp;
            due = detail::as_instant(v, ctx_of(inst, tmp));
            if (!due) error(&inst, inst.flow, "at " + to_text(*h.at) + ": no date");
            break;
        }
        case Handler::Kind::season: {
            auto s = f.seasons.find(h.season);
            if (s == f.seasons.end()) break;
            auto iv = detail::season_at_or_after(*s->second, now(), z);
            const WindowDecl* w = nullptr;
            if (h.within) {
                auto wi = f.windows.find(*h.within);
                if (wi != f.windows.end()) w = wi->second;
            }
            double fraction = 0;
            if (h.spread == Handler::Spread::evenly) {
                fraction = detail::stable_fraction(f.def->name + "/" + inst.key);
            } else if (h.spread == Handler::Spread::by_field) {
                fraction = detail::stable_fraction(f.def->name + "/" + inst.key);
                detail::ValueContext tmp;
                auto last = detail::as_instant(lookup(inst, h.spread_field), ctx_of(inst, tmp));
                if (last) {
                    // The same point of the season as last time, measured in the
                    // window's open time when there is one (so 30 % stays 30 %).
                    if (auto past = detail::season_containing(*s->second, *last, z)) {
                        fraction = detail::fraction_through(*past, *last, w, z);
                    }
                }
            }
            if (h.spread == Handler::Spread::none && !w) {
                due = iv.begin;
            } else {
                due = detail::spread_point(iv, fraction, w, z);
            }
            add_timer(inst, std::max(*due, now()), t);
            return false;
        }
        default: return false;
        }
        if (!due) return false;
        auto when = std::max(*due, now()); // a deadline already past fires at once
        when = within(inst, when, h.within, "deadline");
        add_timer(inst, when, t);
        return false;
    });
}

void Engine::Impl::schedule_reminder(Inst& inst) {
    cancel_timer_kind(inst, FireKind::reminder);
    if (inst.state < 0 || !inst.last.action) return;
    const auto& decl = flows[inst.flow].compiled->decl(static_cast<std::size_t>(inst.state));
    if (inst.reminder_index >= decl.reminders.size()) return;
    const auto& r = decl.reminders[inst.reminder_index];
    auto due =
        detail::add(r.from_first ? inst.last.first_at : inst.last.at, r.after, zone_of(inst));
    due = within(inst, std::max(due, now()), r.within, "reminder");
    Timer t;
    t.kind = FireKind::reminder;
    add_timer(inst, due, t);
}

} // namespace nudge
