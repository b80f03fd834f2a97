// text/time.hpp (the text layer): windows, seasons, calendar steps and instant text, with exact
// instants.
#include <doctest/doctest.h>

#include "text/time.hpp"

using namespace nudge;
using namespace nudge::detail;
using namespace std::chrono_literals;

namespace {

const date::time_zone* cph() { return find_zone("Europe/Copenhagen"); }

Instant at(std::string_view s) {
    auto t = parse_instant(s, cph());
    REQUIRE(t.has_value());
    return *t;
}

std::string show(std::optional<Instant> t) { return t ? format_instant(*t, cph()) : "never"; }

WindowDecl window(std::initializer_list<const char*> slots) {
    WindowDecl w;
    w.name = "w";
    for (auto s : slots) {
        auto slot = parse_window_slot(s);
        REQUIRE(slot.has_value());
        w.slots.push_back(*slot);
    }
    return w;
}

} // namespace

TEST_CASE("zones: known names, unknown names give nullptr") {
    CHECK(find_zone("Europe/Oslo") != nullptr);
    CHECK(find_zone("UTC") != nullptr);
    CHECK(find_zone("Europe/Atlantis") == nullptr);
    CHECK(find_zone("") == nullptr);
}

TEST_CASE("instants: parse and format with offsets, Z, local times and dates") {
    CHECK(show(at("2026-03-28T20:55:00+01:00")) == "2026-03-28T20:55:00+01:00");
    CHECK(show(at("2026-07-01T08:00:00Z")) == "2026-07-01T10:00:00+02:00");
    CHECK(show(at("2026-07-01 10:00")) == "2026-07-01T10:00:00+02:00");
    CHECK(show(at("2026-07-01")) == "2026-07-01T00:00:00+02:00");
    CHECK(format_instant(at("2026-07-01T10:00:00+02:00"), nullptr) == "2026-07-01T08:00:00+00:00");
    CHECK_FALSE(parse_instant("2026-02-30", cph()).has_value());
    CHECK_FALSE(parse_instant("2026-07-01T25:00", cph()).has_value());
    CHECK_FALSE(parse_instant("yesterday", cph()).has_value());
    CHECK_FALSE(parse_instant("2026-07-01T10:00:00+2", cph()).has_value());
}

TEST_CASE("instants: RFC 3339 fractional seconds are read and dropped") {
    CHECK(show(at("2026-05-14T08:00:00.000Z")) == "2026-05-14T10:00:00+02:00");
    CHECK(show(at("2026-05-14T08:00:59.999Z")) == "2026-05-14T10:00:59+02:00");
    CHECK(show(at("2026-05-14T10:00:00.5+02:00")) == "2026-05-14T10:00:00+02:00");
    CHECK(show(at("2026-05-14T10:00:00.123456")) == "2026-05-14T10:00:00+02:00");
    CHECK_FALSE(parse_instant("2026-05-14T08:00:00.Z", cph()).has_value());
    CHECK_FALSE(parse_instant("2026-05-14T08:00.5Z", cph()).has_value());
}

TEST_CASE("calendar steps: DST days, month ends, leap years") {
    CHECK(show(add(at("2026-03-28T12:00:00+01:00"), {1, DurationUnit::d}, cph())) ==
          "2026-03-29T12:00:00+02:00");
    CHECK(show(add(at("2026-10-24T12:00:00+02:00"), {1, DurationUnit::d}, cph())) ==
          "2026-10-25T12:00:00+01:00");
    CHECK(show(add(at("2026-01-31T09:00:00+01:00"), {1, DurationUnit::mo}, cph())) ==
          "2026-02-28T09:00:00+01:00");
    CHECK(show(add(at("2028-01-31T09:00:00+01:00"), {1, DurationUnit::mo}, cph())) ==
          "2028-02-29T09:00:00+01:00");
    CHECK(show(add(at("2028-02-29T09:00:00+01:00"), {1, DurationUnit::y}, cph())) ==
          "2029-02-28T09:00:00+01:00");
    CHECK(show(add(at("2026-07-10T09:00:00+02:00"), {-10, DurationUnit::d}, cph())) ==
          "2026-06-30T09:00:00+02:00");
    CHECK(show(add(at("2026-03-28T02:30:00+01:00"), {1, DurationUnit::d}, cph())) ==
          "2026-03-29T03:00:00+02:00"); // 02:30 does not exist that night
    CHECK(show(add(at("2026-10-24T02:30:00+02:00"), {1, DurationUnit::d}, cph())) ==
          "2026-10-25T02:30:00+02:00"); // twice that night: the earlier
}

TEST_CASE("windows are half open, wrap midnight and skip the DST gap") {
    auto day = window({"mon-sun 09:00-21:00"});
    CHECK(is_open(day, at("2026-05-12T09:00:00+02:00"), cph()));
    CHECK_FALSE(is_open(day, at("2026-05-12T21:00:00+02:00"), cph()));
    CHECK(show(next_open(day, at("2026-05-12T22:55:00+02:00"), cph())) ==
          "2026-05-13T09:00:00+02:00");
    CHECK(show(next_close(day, at("2026-05-12T10:00:00+02:00"), cph())) ==
          "2026-05-12T21:00:00+02:00");

    auto night = window({"mon-fri 22:00-06:00"});
    CHECK(is_open(night, at("2026-05-12T23:30:00+02:00"), cph())); // tuesday night
    CHECK(
        is_open(night, at("2026-05-16T05:00:00+02:00"), cph())); // friday's night, saturday morning
    CHECK_FALSE(is_open(night, at("2026-05-16T23:00:00+02:00"), cph())); // saturday night
    CHECK(show(next_open(night, at("2026-05-16T07:00:00+02:00"), cph())) ==
          "2026-05-18T22:00:00+02:00");

    auto weekend = window({"fri-mon 10:00-14:00"});
    CHECK(is_open(weekend, at("2026-05-17T11:00:00+02:00"), cph()));       // sunday
    CHECK_FALSE(is_open(weekend, at("2026-05-13T11:00:00+02:00"), cph())); // wednesday

    auto gap = window({"sun 02:30-04:00"});
    CHECK(show(next_open(gap, at("2026-03-29T00:30:00+01:00"), cph())) ==
          "2026-03-29T03:00:00+02:00");

    WindowDecl never;
    CHECK_FALSE(next_open(never, at("2026-05-12T10:00:00+02:00"), cph()).has_value());
}

TEST_CASE("seasons: occurrences, wrapping the year end, containing") {
    SeasonDecl winter{"winter_tyres", {10, 1}, {11, 8}, {}};
    auto iv = season_at_or_after(winter, at("2026-06-01T12:00:00+02:00"), cph());
    CHECK(show(iv.begin) == "2026-10-01T00:00:00+02:00");
    CHECK(show(iv.end) == "2026-11-09T00:00:00+01:00");
    auto inside = season_at_or_after(winter, at("2026-10-20T12:00:00+02:00"), cph());
    CHECK(inside == iv);
    auto next = season_at_or_after(winter, at("2026-11-10T12:00:00+01:00"), cph());
    CHECK(show(next.begin) == "2027-10-01T00:00:00+02:00");

    SeasonDecl dark{"dark", {12, 1}, {2, 29}, {}};
    auto c = season_containing(dark, at("2027-01-15T12:00:00+01:00"), cph());
    REQUIRE(c.has_value());
    CHECK(show(c->begin) == "2026-12-01T00:00:00+01:00");
    CHECK(show(c->end) == "2027-03-01T00:00:00+01:00"); // Feb 29 clamps to Feb 28 in 2027
    CHECK_FALSE(season_containing(dark, at("2027-06-15T12:00:00+02:00"), cph()).has_value());
}

TEST_CASE("spreading: a stable fraction, inside the season and the window") {
    CHECK(stable_fraction("workshop/AB12345") == stable_fraction("workshop/AB12345"));
    CHECK(stable_fraction("a") != stable_fraction("b"));
    CHECK(stable_fraction("AB12345") == doctest::Approx(0.8676863333).epsilon(1e-9));
    CHECK(stable_fraction("") == doctest::Approx(0.9576734252).epsilon(1e-9));
    for (auto key : {"x", "AB12345", "+4520123456"}) {
        auto f = stable_fraction(key);
        CHECK(f >= 0.0);
        CHECK(f < 1.0);
    }
    SeasonDecl winter{"winter_tyres", {10, 1}, {11, 8}, {}};
    auto iv = season_at_or_after(winter, at("2026-06-01T12:00:00+02:00"), cph());
    CHECK(spread_point(iv, 0.0, nullptr, cph()) == iv.begin);
    CHECK(show(spread_point(iv, 0.5, nullptr, cph())) == "2026-10-20T12:30:00+02:00");
    auto hours = window({"mon-fri 08:00-16:00"});
    auto p = spread_point(iv, 0.5, &hours, cph());
    CHECK(is_open(hours, p, cph()));
    CHECK(p > iv.begin);
    CHECK(p < iv.end);
    CHECK(show(spread_point(iv, 0.0, &hours, cph())) == "2026-10-01T08:00:00+02:00");
}

TEST_CASE("fraction_through is the inverse of spread_point") {
    SeasonDecl winter{"winter_tyres", {10, 1}, {11, 8}, {}};
    auto iv = season_at_or_after(winter, at("2026-06-01T12:00:00+02:00"), cph());
    auto hours = window({"mon-fri 08:00-16:00"});
    CHECK(fraction_through(iv, iv.begin, nullptr, cph()) == 0.0);
    CHECK(fraction_through(iv, iv.end, nullptr, cph()) == 1.0);
    CHECK(fraction_through(iv, at("2026-10-20T12:30:00+02:00"), nullptr, cph()) ==
          doctest::Approx(0.5).epsilon(1e-6));
    // Closed time adds nothing: Saturday noon is as far as Friday 16:00.
    CHECK(fraction_through(iv, at("2026-10-03T12:00:00+02:00"), &hours, cph()) ==
          fraction_through(iv, at("2026-10-02T16:00:00+02:00"), &hours, cph()));
    for (double f : {0.1, 0.37, 0.5, 0.93}) {
        auto p = spread_point(iv, f, &hours, cph());
        CHECK(fraction_through(iv, p, &hours, cph()) == doctest::Approx(f).epsilon(1e-5));
    }
}

TEST_CASE("durations print compactly") {
    CHECK(format_seconds(0) == "0s");
    CHECK(format_seconds(30) == "30s");
    CHECK(format_seconds(5400) == "1h 30m");
    CHECK(format_seconds(2 * 86400 + 4 * 3600) == "2d 4h");
}

TEST_CASE("not during: a window open whenever its slots are not, across days and weeks") {
    auto quiet = window({"mon-sun 21:00-08:00"});
    quiet.not_during = true;
    CHECK(is_open(quiet, at("2026-05-12T08:00:00+02:00"), cph()));
    CHECK(is_open(quiet, at("2026-05-12T20:59:00+02:00"), cph()));
    CHECK_FALSE(is_open(quiet, at("2026-05-12T21:00:00+02:00"), cph()));
    CHECK_FALSE(is_open(quiet, at("2026-05-13T03:00:00+02:00"), cph()));
    CHECK(show(next_open(quiet, at("2026-05-12T22:30:00+02:00"), cph())) ==
          "2026-05-13T08:00:00+02:00");
    CHECK(show(next_close(quiet, at("2026-05-12T10:00:00+02:00"), cph())) ==
          "2026-05-12T21:00:00+02:00");
    // Not during the weekend: open from Monday 00:00 to Saturday 00:00, one span.
    auto weekdays = window({"sat-sun 00:00-24:00"});
    weekdays.not_during = true;
    CHECK(show(next_open(weekdays, at("2026-05-16T12:00:00+02:00"), cph())) ==
          "2026-05-18T00:00:00+02:00");
    CHECK(show(next_close(weekdays, at("2026-05-18T00:00:00+02:00"), cph())) ==
          "2026-05-23T00:00:00+02:00");
    // It is the same window as its complement written as slots.
    auto same = window({"mon-sun 08:00-21:00"});
    for (auto t = at("2026-03-27T00:00:00+01:00"); t < at("2026-04-02T00:00:00+02:00"); t += 17min)
        CHECK(is_open(quiet, t, cph()) == is_open(same, t, cph()));
}

TEST_CASE("closed days shut a window all day, every year or once") {
    auto office = window({"mon-fri 08:00-16:00"});
    office.closed = {*parse_closed_day("12-24"), *parse_closed_day("12-25"),
                     *parse_closed_day("12-26"), *parse_closed_day("2026-12-31")};
    // Thursday 2026-12-24 and Friday 25th are closed: the next opening is Monday the 28th.
    CHECK_FALSE(is_open(office, at("2026-12-24T10:00:00+01:00"), cph()));
    CHECK(show(next_open(office, at("2026-12-23T17:00:00+01:00"), cph())) ==
          "2026-12-28T08:00:00+01:00");
    CHECK(is_open(office, at("2026-12-30T10:00:00+01:00"), cph()));
    CHECK_FALSE(is_open(office, at("2026-12-31T10:00:00+01:00"), cph())); // once, in 2026
    CHECK(is_open(office, at("2027-12-31T10:00:00+01:00"), cph()));       // not in 2027
    CHECK_FALSE(is_open(office, at("2027-12-24T10:00:00+01:00"), cph())); // every year
    // A night slot is cut at midnight where a closed day begins, and opens again after it.
    auto night = window({"mon-sun 22:00-06:00"});
    night.closed = {*parse_closed_day("12-24")};
    CHECK(show(next_close(night, at("2026-12-23T23:00:00+01:00"), cph())) ==
          "2026-12-24T00:00:00+01:00");
    CHECK(show(next_open(night, at("2026-12-24T00:00:00+01:00"), cph())) ==
          "2026-12-25T00:00:00+01:00");
    // A month of closed days: the search goes past its ten-day horizon.
    auto summer = window({"mon-fri 08:00-16:00"});
    for (int d = 1; d <= 31; ++d)
        summer.closed.push_back({2026, 7, d});
    CHECK(show(next_open(summer, at("2026-06-30T17:00:00+02:00"), cph())) ==
          "2026-08-03T08:00:00+02:00");
}

TEST_CASE("closed days and window bodies in text") {
    CHECK(to_text(*parse_closed_day("02-29")) == "02-29");
    CHECK(to_text(*parse_closed_day("2028-02-29")) == "2028-02-29");
    CHECK_FALSE(parse_closed_day("2026-02-29"));
    CHECK_FALSE(parse_closed_day("13-01"));
    CHECK_FALSE(parse_closed_day("12-32"));
    CHECK_FALSE(parse_closed_day("1224"));
    std::string why;
    auto w = parse_window_body("not during mon-sun 21:00-08:00 closed on 12-24, 2026-12-31", why);
    REQUIRE(w.has_value());
    CHECK(w->not_during);
    CHECK(w->slots.size() == 1);
    CHECK(w->closed.size() == 2);
    CHECK(window_body_text(*w) == "not during mon-sun 21:00-08:00 closed on 12-24, 2026-12-31");
    CHECK_FALSE(parse_window_body("mon-fri 08:00-16:00 closed on 12-33", why));
    CHECK(why.find("12-33") != std::string::npos);
    CHECK_FALSE(parse_window_body("mon-fri 8-16", why));
}
