// The public calendar queries (<nudge/calendar.hpp>) over the window and season arithmetic the
// engine uses, so a host's plan and the engine agree on every open day.
#include "time/time.hpp"

#include <nudge/calendar.hpp>
#include <nudge/error.hpp>

#include <algorithm>
#include <string>

namespace nudge {

namespace {

const date::time_zone* zone_of(const FlowDef& flow) {
    auto name = flow.timezone.value_or("UTC");
    const auto* z = detail::find_zone(name);
    if (!z) throw error("flow " + flow.name + ": unknown time zone '" + name + "'");
    return z;
}

// The day in `y`, or the month's last day when `y` has no such day (29 February).
date::year_month_day on(date::year y, const MonthDay& md) {
    date::year_month_day d{y, date::month{static_cast<unsigned>(md.month)},
                           date::day{static_cast<unsigned>(md.day)}};
    if (d.ok()) return d;
    return date::year_month_day_last{
        y, date::month_day_last{date::month{static_cast<unsigned>(md.month)}}};
}

} // namespace

std::vector<date::year_month_day> open_days(const FlowDef& flow, std::string_view window,
                                            date::year_month_day first, date::year_month_day last) {
    auto w = std::find_if(flow.windows.begin(), flow.windows.end(),
                          [&](const WindowDecl& d) { return d.name == window; });
    if (w == flow.windows.end())
        throw error("flow " + flow.name + " declares no window '" + std::string(window) + "'");
    const auto* z = zone_of(flow);
    std::vector<date::year_month_day> out;
    for (auto d = date::local_days{first}; d <= date::local_days{last}; d += date::days{1}) {
        auto begin = detail::resolve_local(date::local_seconds{d}, z);
        auto end = detail::resolve_local(date::local_seconds{d + date::days{1}}, z);
        auto open = detail::next_open(*w, begin, z);
        if (open && *open < end) out.emplace_back(d);
    }
    return out;
}

std::pair<date::year_month_day, date::year_month_day>
season_days(const FlowDef& flow, std::string_view season, date::year year) {
    auto s = std::find_if(flow.seasons.begin(), flow.seasons.end(),
                          [&](const SeasonDecl& d) { return d.name == season; });
    if (s == flow.seasons.end())
        throw error("flow " + flow.name + " declares no season '" + std::string(season) + "'");
    bool wraps = s->last.month < s->first.month ||
                 (s->last.month == s->first.month && s->last.day < s->first.day);
    return {on(year, s->first), on(wraps ? year + date::years{1} : year, s->last)};
}

} // namespace nudge
