// <nudge/calendar.hpp>: the open days of a flow's window and the days of its seasons, as a
// host that plans ahead sees them.
#include <nudge/calendar.hpp>
#include <nudge/compile.hpp>
#include <nudge/error.hpp>

#include <doctest/doctest.h>

using namespace nudge;
using std::chrono::April;
using std::chrono::March;
using std::chrono::year;
using std::chrono::year_month_day;

namespace {
constexpr year_month_day ymd(int y, std::chrono::month m, unsigned d) {
    return {year{y}, m, std::chrono::day{d}};
}
} // namespace

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
    auto days = open_days(flow(), "send_hours", ymd(2026, March, 30), ymd(2026, April, 12));
    // Monday 30 March to Sunday 12 April 2026: Maundy Thursday, Good Friday and Easter Monday
    // are closed; the weekends are not in the window.
    std::vector<year_month_day> expected{
        ymd(2026, March, 30), ymd(2026, March, 31), ymd(2026, April, 1), ymd(2026, April, 7),
        ymd(2026, April, 8),  ymd(2026, April, 9),  ymd(2026, April, 10)};
    CHECK(days == expected);
}

TEST_CASE("a window open only after midnight still counts the day it opens on") {
    // 18:00-02:00 on every day: every day has an open moment, also the one the DST change
    // shortens.
    auto days = open_days(flow(), "evenings", ymd(2026, March, 28), ymd(2026, March, 30));
    CHECK(days.size() == 3);
}

TEST_CASE("season days in a year, also for a season across the new year") {
    auto [first, last] = season_days(flow(), "summer_tyres", year{2026});
    CHECK(first == ymd(2026, March, 14));
    CHECK(last == ymd(2026, April, 29));
    auto [w1, w2] = season_days(flow(), "winter_season", year{2026});
    CHECK(w1 == ymd(2026, std::chrono::November, 15));
    CHECK(w2 == ymd(2027, std::chrono::February, 28)); // no 29 February in 2027
}

TEST_CASE("an unknown window or season is an error naming it") {
    CHECK_THROWS_WITH_AS(open_days(flow(), "night", ymd(2026, March, 1), ymd(2026, March, 2)),
                         "flow tyres declares no window 'night'", nudge::error);
    CHECK_THROWS_WITH_AS(season_days(flow(), "spring", year{2026}),
                         "flow tyres declares no season 'spring'", nudge::error);
}
