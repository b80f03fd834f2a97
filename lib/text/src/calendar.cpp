// The public calendar queries (<nudge/calendar.hpp>) over the window and season arithmetic the
// engine uses, so a host's plan and the engine agree on every open day.
#include "text/time.hpp"

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
std::chrono::year_month_day on(std::chrono::year y, const MonthDay& md) {
    std::chrono::month m{static_cast<unsigned>(md.month)};
    std::chrono::year_month_day d{y, m, std::chrono::day{static_cast<unsigned>(md.day)}};
    if (d.ok()) return d;
    return std::chrono::year_month_day_last{y, std::chrono::month_day_last{m}};
}

} // namespace

std::vector<std::chrono::year_month_day> open_days(const FlowDef& flow, std::string_view window,
                                                   std::chrono::year_month_day first,
                                                   std::chrono::year_month_day last) {
    auto w = std::find_if(flow.windows.begin(), flow.windows.end(),
                          [&](const WindowDecl& d) { return d.name == window; });
    if (w == flow.windows.end())
        throw error("flow " + flow.name + " declares no window '" + std::string(window) + "'");
    const auto* z = zone_of(flow);
    std::vector<std::chrono::year_month_day> out;
    for (auto d = std::chrono::sys_days{first}; d <= std::chrono::sys_days{last};
         d += std::chrono::days{1}) {
        // The same count of days, read as a local day in the flow's zone.
        date::local_days local{date::days{d.time_since_epoch().count()}};
        auto begin = detail::resolve_local(date::local_seconds{local}, z);
        auto end = detail::resolve_local(date::local_seconds{local + date::days{1}}, z);
        auto open = detail::next_open(*w, begin, z);
        if (open && *open < end) out.emplace_back(d);
    }
    return out;
}

std::pair<std::chrono::year_month_day, std::chrono::year_month_day>
season_days(const FlowDef& flow, std::string_view season, std::chrono::year year) {
    auto s = std::find_if(flow.seasons.begin(), flow.seasons.end(),
                          [&](const SeasonDecl& d) { return d.name == season; });
    if (s == flow.seasons.end())
        throw error("flow " + flow.name + " declares no season '" + std::string(season) + "'");
    bool wraps = s->last.month < s->first.month ||
                 (s->last.month == s->first.month && s->last.day < s->first.day);
    return {on(year, s->first), on(wraps ? year + std::chrono::years{1} : year, s->last)};
}

} // namespace nudge
