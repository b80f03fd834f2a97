#pragma once
// The bindings' `advance`: moves a fake clock to a target instant, stopping at every deadline on
// the way to fire it at its own time, as a scenario's `advance` does. One copy for the C API and
// the Python module, for nudge::Engine and nudge::DurableEngine alike (each run of timers is one
// committed step on a DurableEngine).

#include <nudge/clock.hpp>
#include <nudge/error.hpp>

namespace nudge::bindings {

// `E` has next_due() and run_due(). Returns how many timers fired. Throws nudge::error for a
// target in the past, and for a timer that stays due without firing (instead of looping).
template <class E> int advance_to(FakeClock& clock, E& engine, Instant target) {
    if (target < clock.now()) throw error("the clock cannot move backwards");
    int fired = 0;
    for (int step = 0; step < 1000000; ++step) {
        auto due = engine.next_due();
        if (!due || *due > target) {
            clock.set(target);
            return fired + engine.run_due();
        }
        if (*due > clock.now()) clock.set(*due);
        int n = engine.run_due();
        if (n == 0 && engine.next_due() == due)
            throw error("a timer stays due at " + format_instant(*due) + " without firing");
        fired += n;
    }
    throw error("too many timers fired in one advance; is an 'every' without 'max' running?");
}

} // namespace nudge::bindings
