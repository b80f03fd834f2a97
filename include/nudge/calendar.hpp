#pragma once
// The calendar a flow declares, for hosts that plan ahead: the days a window is open on and the
// days a season covers in a given year, in the flow's time zone. A recall import uses them to
// put the season's tyre changes into daily batches over the days the workshop sends on
// (examples/workshop-recall), so the plan and the flow can never disagree about a holiday.

#include <nudge/flow.hpp>

#include <date/date.h>

#include <string_view>
#include <utility>
#include <vector>

namespace nudge {

// The local days from `first` to `last` (both included) on which window `window` of `flow` is
// open at some moment, in order. Throws nudge::error for a window the flow does not declare,
// or a zone date/tz does not know.
std::vector<date::year_month_day> open_days(const FlowDef& flow, std::string_view window,
                                            date::year_month_day first, date::year_month_day last);

// The first and last day of the occurrence of season `season` that begins in `year` (a
// season that wraps the new year ends in the next one). Throws nudge::error for a season the
// flow does not declare.
std::pair<date::year_month_day, date::year_month_day>
season_days(const FlowDef& flow, std::string_view season, date::year year);

} // namespace nudge
