#pragma once
// The calendar a flow declares, for hosts that plan ahead: the days a window is open on and the
// days a season covers in a given year, in the flow's time zone. A recall import uses them to
// put the season's tyre changes into daily batches over the days the workshop sends on
// (examples/workshop-recall), so the plan and the flow can never disagree about a holiday.
//
// Thread safety: plain functions of their arguments that keep no state between calls; several
// threads may call them at once (time zone data is loaded once, safely).

#include <nudge/flow.hpp>

#include <chrono>
#include <string_view>
#include <utility>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// The local days from `first` to `last` (both included) on which window `window` of `flow` is
// open at some moment, in order. Throws nudge::error for a window the flow does not declare,
// or a zone date/tz does not know.
std::vector<std::chrono::year_month_day> open_days(const FlowDef& flow, std::string_view window,
                                                   std::chrono::year_month_day first,
                                                   std::chrono::year_month_day last);

// The first and last day of the occurrence of season `season` that begins in `year` (a
// season that wraps the new year ends in the next one). Throws nudge::error for a season the
// flow does not declare.
std::pair<std::chrono::year_month_day, std::chrono::year_month_day>
season_days(const FlowDef& flow, std::string_view season, std::chrono::year year);

} // namespace nudge

#pragma GCC visibility pop
