// The shipped clocks and the public instant helpers.
#include <nudge/clock.hpp>
#include <nudge/error.hpp>

#include "text/time.hpp"

namespace nudge {

Instant SystemClock::now() const {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

FakeClock::FakeClock(std::string_view iso_instant) : now_(parse_instant(iso_instant)) {}

Instant parse_instant(std::string_view text, std::string_view zone) {
    const auto* z = detail::find_zone(zone);
    if (!z) throw error("unknown time zone '" + std::string(zone) + "'");
    auto t = detail::parse_instant(text, z);
    if (!t) {
        throw error("'" + std::string(text) +
                    "' is not an instant (expected e.g. 2026-03-28T20:55:00+01:00)");
    }
    return *t;
}

std::string format_instant(Instant t, std::string_view zone) {
    const auto* z = detail::find_zone(zone);
    return detail::format_instant(t, z);
}

} // namespace nudge
