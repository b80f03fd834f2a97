// <nudge/calendar.hpp>: the open days of a flow's window and the days of its seasons, as a
// host that plans ahead sees them.
#include <nudge/calendar.hpp>
#include <nudge/compile.hpp>
#include <nudge/error.hpp>

#include <doctest/doctest.h>

using namespace nudge;
using date::April;
using date::March;
using date::operator""_y;
using date::operator""_d;

namespace {

const char* tyres = R"(flow tyres
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570203040"

window send_hours = mon-fri 08:00-16:00 closed on 12-24, 2026-04-02, 2026-04-03, 2026-04-06
window evenings = mon-sun 18:00-02:00
season summer_tyres = 03-14..04-29
season winter_season = 11-15..02-29

trigger go as phone {
  start done
}

final done
)";

FlowDef flow() {
    auto r = compile_source(tyres, "tyres.flow");
    REQUIRE(r.ok());
    return r.flow->flow();
}

} // namespace

TEST_CASE("open days skip weekends and closed days, in the flow's zone") {
    auto days = open_days(flow(), "send_hours", 2026_y / March / 30_d, 2026_y / April / 12_d);
    // Monday 30 March to Sunday 12 April 2026: Maundy Thursday, Good Friday and Easter Monday
    // are closed; the weekends are not in the window.
    std::vector<date::year_month_day> expected{
        2026_y / March / 30_d, 2026_y / March / 31_d, 2026_y / April / 1_d, 2026_y / April / 7_d,
        2026_y / April / 8_d,  2026_y / April / 9_d,  2026_y / April / 10_d};
    CHECK(days == expected);
}

TEST_CASE("a window open only after midnight still counts the day it opens on") {
    // 18:00-02:00 on every day: every day has an open moment, also the one the DST change
    // shortens.
    auto days = open_days(flow(), "evenings", 2026_y / March / 28_d, 2026_y / March / 30_d);
    CHECK(days.size() == 3);
}

TEST_CASE("season days in a year, also for a season across the new year") {
    auto [first, last] = season_days(flow(), "summer_tyres", 2026_y);
    CHECK(first == 2026_y / March / 14_d);
    CHECK(last == 2026_y / April / 29_d);
    auto [w1, w2] = season_days(flow(), "winter_season", 2026_y);
    CHECK(w1 == 2026_y / date::November / 15_d);
    CHECK(w2 == 2027_y / date::February / 28_d); // no 29 February in 2027
}

TEST_CASE("an unknown window or season is an error naming it") {
    CHECK_THROWS_WITH_AS(open_days(flow(), "night", 2026_y / March / 1_d, 2026_y / March / 2_d),
                         "flow tyres declares no window 'night'", nudge::error);
    CHECK_THROWS_WITH_AS(season_days(flow(), "spring", 2026_y),
                         "flow tyres declares no season 'spring'", nudge::error);
}
