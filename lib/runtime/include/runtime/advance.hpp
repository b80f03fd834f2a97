#pragma once
// Moving a FakeClock through an engine's deadlines: the one loop behind a scenario's `advance`,
// the bindings' advance (C API and Python) and the test rigs. Header-only, for nudge::Engine,
// nudge::DurableEngine and anything else with next_due() and run_due().

#include <nudge/clock.hpp>

#include <optional>

namespace nudge::detail {

// A clock that keeps finding due timers at the same instant would never let a move end.
inline constexpr int max_timer_runs = 1'000'000;

struct Advanced {
    int fired = 0;                // timers fired on the way
    std::optional<Instant> stuck; // a timer stayed due at this instant without firing
    bool runaway = false;         // max_runs runs of timers did not reach the target
    bool ok() const { return !stuck && !runaway; }
};

// Moves `clock` to `target` (a caller that must refuses a target in the past first), stopping
// at every deadline on the way to fire it at its own time; each run_due() is one step (a
// committed one on a DurableEngine). Stops early, saying why, when a timer stays due without
// firing or when `max_runs` runs have not reached the target (an `every` without `max`).
template <class E>
Advanced advance_clock(FakeClock& clock, E& engine, Instant target, int max_runs = max_timer_runs) {
    Advanced result;
    for (int run = 0; run < max_runs; ++run) {
        auto due = engine.next_due();
        if (!due || *due > target) {
            clock.set(target);
            result.fired += engine.run_due();
            return result;
        }
        if (*due > clock.now()) clock.set(*due);
        int n = engine.run_due();
        if (n == 0 && engine.next_due() == due) {
            result.stuck = due;
            return result;
        }
        result.fired += n;
    }
    result.runaway = true;
    return result;
}

} // namespace nudge::detail
