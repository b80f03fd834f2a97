#pragma once
// The engine's timer types: what a timer does when it fires (Timer) and a timer as the queue
// holds it (QueuedTimer, ordered by Later). The queue itself is Engine::Impl's: timers.cpp.
#include <nudge/engine.hpp>

#include <cstdint>

namespace nudge {

// What a queued timer does when it fires (the host sees the finer TimerKind of engine.hpp).
enum class FireKind : std::uint8_t { start, handler, reminder, repeat, send };

// What a timer does when it fires.
struct Timer {
    FireKind kind = FireKind::handler;
    std::uint32_t repeat_index = 0;
    union {
        const Handler* handler = nullptr; // handler
        const Repeat* repeat;             // repeat
        const Action* action;             // send
    };
};

// A timer in the engine's queue: a binary heap on (due, seq). Cancelling one does not look for
// it: the instance's generation counters move on and the queue drops it when it comes up.
struct QueuedTimer {
    Instant due;
    std::uint64_t seq = 0; // ties fire in the order set
    std::uint64_t instance = 0;
    std::uint32_t gen = 0;  // the instance's timer_gen (send_gen for a deferred send)
    std::uint32_t kgen = 0; // the instance's reminder_gen, for a reminder
    Timer what;
};

struct Later {
    bool operator()(const QueuedTimer& a, const QueuedTimer& b) const {
        return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
};

} // namespace nudge
