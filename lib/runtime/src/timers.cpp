// The timer queue: a binary heap on (due, seq), where every timer is kept. Setting and
// cancelling timers (by generation: cancelled ones are dropped when they come up, or when the
// queue is compacted), running what is due, and describing a queued timer.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

void Engine::Impl::add_timer(Inst& inst, Instant due, Timer t) {
    QueuedTimer q;
    q.due = due;
    q.seq = ++timer_seq;
    q.instance = inst.id;
    q.gen = t.kind == FireKind::send ? inst.send_gen : inst.timer_gen;
    q.kgen = inst.reminder_gen;
    ++pending_of(inst, t.kind);
    ++standing_timers;
    q.what = t;
    timers.push_back(q);
    std::push_heap(timers.begin(), timers.end(), Later{});
    if (options.index_timers) timer_index[inst.id].push_back(q);
}

// Takes the earliest timer off the queue.
QueuedTimer Engine::Impl::pop_timer() const {
    std::pop_heap(timers.begin(), timers.end(), Later{});
    QueuedTimer q = timers.back();
    timers.pop_back();
    if (options.index_timers) {
        if (auto it = timer_index.find(q.instance); it != timer_index.end()) {
            auto& v = it->second;
            v.erase(std::remove_if(v.begin(), v.end(),
                                   [&](const QueuedTimer& x) { return x.seq == q.seq; }),
                    v.end());
            if (v.empty()) timer_index.erase(it);
        }
    }
    return q;
}

// Whether a queued timer still stands (nothing cancelled it since it was set).
bool Engine::Impl::standing(const QueuedTimer& q, const Inst& inst) const {
    switch (q.what.kind) {
    case FireKind::send: return q.gen == inst.send_gen;
    case FireKind::reminder: return q.gen == inst.timer_gen && q.kgen == inst.reminder_gen;
    default: return q.gen == inst.timer_gen;
    }
}

bool Engine::Impl::standing(const QueuedTimer& q) const {
    const Inst* inst = instances.find(q.instance);
    return inst && standing(q, *inst);
}

// Drops cancelled timers from the top of the queue.
void Engine::Impl::prune() const {
    while (!timers.empty() && !standing(timers.front()))
        pop_timer();
}

std::uint16_t& Engine::Impl::pending_of(Inst& inst, FireKind kind) {
    switch (kind) {
    case FireKind::send: return inst.pending_sends;
    case FireKind::reminder: return inst.pending_reminders;
    default: return inst.pending_rest;
    }
}

// The instance's standing timers of one kind no longer stand (their generation moved on).
void Engine::Impl::dropped(std::uint16_t& pending) {
    standing_timers -= std::min<std::size_t>(pending, standing_timers);
    pending = 0;
}

// Every timer of the instance, deferred sends included.
void Engine::Impl::cancel_timers(Inst& inst) {
    ++inst.timer_gen;
    ++inst.send_gen;
    dropped(inst.pending_sends);
    dropped(inst.pending_reminders);
    dropped(inst.pending_rest);
    compact_timers();
}

// Every timer but the deferred sends.
void Engine::Impl::cancel_timers_but_sends(Inst& inst) {
    ++inst.timer_gen;
    dropped(inst.pending_reminders);
    dropped(inst.pending_rest);
    compact_timers();
}

void Engine::Impl::cancel_timer_kind(Inst& inst, FireKind kind) {
    if (kind == FireKind::send) {
        ++inst.send_gen;
        dropped(inst.pending_sends);
    } else if (kind == FireKind::reminder) {
        ++inst.reminder_gen;
        dropped(inst.pending_reminders);
    }
    compact_timers();
}

void Engine::Impl::compact_timers() {
    if (timers.size() <= standing_timers) return;
    const std::size_t cancelled = timers.size() - standing_timers;
    if (cancelled < compact_min || cancelled <= standing_timers) return;
    std::erase_if(timers, [&](const QueuedTimer& q) { return !standing(q); });
    std::make_heap(timers.begin(), timers.end(), Later{});
    if (timers.capacity() > 2 * timers.size()) timers.shrink_to_fit();
    standing_timers = timers.size();
    ++compactions;
    if (!options.index_timers) return;
    for (auto it = timer_index.begin(); it != timer_index.end();) {
        const Inst* inst = instances.find(it->first);
        std::erase_if(it->second,
                      [&](const QueuedTimer& q) { return !inst || !standing(q, *inst); });
        it = it->second.empty() ? timer_index.erase(it) : std::next(it);
    }
}

int Engine::Impl::run_due() {
    int fired = 0;
    for (prune(); !timers.empty() && timers.front().due <= now(); prune()) {
        QueuedTimer q = pop_timer();
        Inst& inst = *instances.find(q.instance);
        if (auto& pending = pending_of(inst, q.what.kind); pending > 0) {
            --pending;
            --standing_timers;
        }
        fire(inst, q.what);
        ++fired;
    }
    if (fired > 0) compact_timers(); // timers that fired no longer stand either
    return fired;
}

PendingTimer Engine::Impl::pending(const QueuedTimer& q) const {
    const Timer& t = q.what;
    PendingTimer p;
    p.instance = q.instance;
    p.due = q.due;
    switch (t.kind) {
    case FireKind::start: p.kind = to_string(TimerKind::start); break;
    case FireKind::handler: {
        const Handler& h = *t.handler;
        p.kind = to_string(h.kind == Handler::Kind::after ? TimerKind::after
                           : h.kind == Handler::Kind::at  ? TimerKind::at
                                                          : TimerKind::season);
        p.what = h.kind == Handler::Kind::after ? "after " + to_text(h.delay)
                 : h.kind == Handler::Kind::at  ? "at " + to_text(*h.at)
                                                : "at season " + h.season;
        p.what += " -> " + to_text(h.target);
        return p;
    }
    case FireKind::reminder: {
        p.kind = to_string(TimerKind::reminder);
        if (const Inst* inst = instances.find(q.instance))
            p.what = "reminder " + std::to_string(inst->reminder_index + 1);
        return p;
    }
    case FireKind::repeat:
        p.kind = to_string(TimerKind::every);
        p.what = "every " + to_text(t.repeat->interval);
        return p;
    case FireKind::send:
        p.kind = to_string(TimerKind::send);
        p.what = "send " + t.action->channel;
        return p;
    }
    p.what = "start";
    return p;
}

} // namespace nudge
