#pragma once
#include <chrono>
#include <date/tz.h>
#include <nudge/flow.hpp>
namespace nudge::detail {
using Instant = std::chrono::sys_seconds;
const date::time_zone* find_zone(std::string_view name);
Instant add(Instant t, const Duration& d, const date::time_zone* z);
Instant resolve_local(date::local_seconds lt, const date::time_zone* z);
bool is_open(const WindowDecl& w, Instant t, const date::time_zone* z);
std::optional<Instant> next_open(const WindowDecl& w, Instant t, const date::time_zone* z);
std::optional<Instant> next_close(const WindowDecl& w, Instant t, const date::time_zone* z);
struct Interval {
    Instant begin;
    Instant end;
    friend bool operator==(const Interval&, const Interval&) = default;
};
Interval season_at_or_after(const SeasonDecl& s, Instant t, const date::time_zone* z);
std::optional<Interval> season_containing(const SeasonDecl& s, Instant t, const date::time_zone* z);
double stable_fraction(std::string_view key);
Instant spread_point(const Interval& iv, double fraction, const WindowDecl* within,
                     const date::time_zone* z);
// Where `t` lies in the interval, 0 at its start and 1 at its end, counting only the window's
// open time when `within` is given: the inverse of spread_point.
double fraction_through(const Interval& iv, Instant t, const WindowDecl* within,
                        const date::time_zone* z);
std::optional<Instant> parse_instant(std::string_view text, const date::time_zone* default_zone);
std::string format_instant(Instant t, const date::time_zone* z);
date::year_month_day local_date(Instant t, const date::time_zone* z);
std::optional<date::year_month_day> parse_date(std::string_view text);
std::string format_seconds(std::int64_t seconds);
} // namespace nudge::detail
