#pragma once
// The bindings' `advance` (C API and Python, nudge::Engine and nudge::DurableEngine alike): the
// library's advance_clock, with its stops turned into nudge::error.

#include <nudge/clock.hpp>
#include <nudge/error.hpp>

#include "runtime/advance.hpp"

namespace nudge::bindings {

// Returns how many timers fired. Throws nudge::error for a target in the past, and for a timer
// that stays due without firing (instead of looping).
template <class E> int advance_to(FakeClock& clock, E& engine, Instant target) {
    if (target < clock.now()) throw error("the clock cannot move backwards");
    auto moved = detail::advance_clock(clock, engine, target);
    if (moved.stuck)
        throw error("a timer stays due at " + format_instant(*moved.stuck) + " without firing");
    if (moved.runaway)
        throw error("too many timers fired in one advance; is an 'every' without 'max' running?");
    return moved.fired;
}

} // namespace nudge::bindings
