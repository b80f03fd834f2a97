#pragma once
// Where the engine reads the time. Every decision the engine makes uses its clock; nothing
// reads the system time behind its back, so a FakeClock makes a run fully repeatable.
//
// Thread safety: the engine calls now() on the thread that drives it. A SystemClock may be
// shared by any number of engines and threads. A FakeClock is a plain value: move it (set,
// advance) only on the thread that drives the engines that read it, between their calls.
// parse_instant and format_instant keep no state and may be called from any thread.

#include <chrono>
#include <string_view>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// The engine's resolution is one second.
using Instant = std::chrono::sys_seconds;

class Clock {
public:
    virtual ~Clock() = default;
    virtual Instant now() const = 0;
};

// The real time, truncated to whole seconds.
class SystemClock final : public Clock {
public:
    Instant now() const override;
};

// A clock that only moves when told to: for tests, scenarios and simulations.
class FakeClock final : public Clock {
public:
    explicit FakeClock(Instant start = Instant{}) : now_(start) {}
    // "2026-03-28T20:55:00+01:00" or "…Z"; throws nudge::error when the text is not an instant.
    explicit FakeClock(std::string_view iso_instant);

    Instant now() const override { return now_; }
    void advance(std::chrono::seconds by) { now_ += by; }
    void set(Instant t) { now_ = t; }

private:
    Instant now_;
};

// Reads "2026-03-28T20:55:00+01:00", "…Z", or a local date-time / date read in `zone` (an IANA
// name, default UTC); throws nudge::error when the text or the zone is not valid.
Instant parse_instant(std::string_view text, std::string_view zone = "UTC");
// "2026-03-28T20:55:00+01:00" in the IANA zone `zone`.
std::string format_instant(Instant t, std::string_view zone = "UTC");

} // namespace nudge

#pragma GCC visibility pop
