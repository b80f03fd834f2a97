// Tyre changes in daily batches: the import's plan (recall/batches.cpp) over the sending days
// the flow's own calendar gives, then the flow sending on those days. 400 recalls show it.
#include "recall/batches.hpp"

#include <nudge/nudge.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using recall::Date;

constexpr const char* zone = "Europe/Copenhagen";

const nudge::FlowDef& recall_flow() {
    static auto compiled = nudge::compile_file(WORKSHOP_RECALL_DIR "/workshop_recall.flow");
    REQUIRE(compiled.ok());
    return compiled.flow->flow();
}

Date day(std::string_view text) {
    auto d = recall::parse_date(text);
    REQUIRE(d);
    return *d;
}

// The summer season 2026's sending days, from the flow: weekdays 14 March to 29 April without
// Maundy Thursday, Good Friday and Easter Monday.
std::vector<Date> summer_2026() {
    return nudge::open_days(recall_flow(), "send_hours", day("2026-03-14"), day("2026-04-29"));
}

recall::SeasonOfYear summer() {
    return [](int year) {
        return nudge::season_days(recall_flow(), "summer_tyres", std::chrono::year{year});
    };
}

recall::Recall tyre_recall(int n, std::optional<std::string> last_change = std::nullopt) {
    recall::Recall r;
    r.kind = "summer_tyres";
    r.recall_id = "TT" + std::to_string(10000 + n) + "-summer_tyres";
    r.customer_no = "K" + std::to_string(20000 + n);
    r.data = {{"recall_id", r.recall_id},
              {"customer", "Kunde " + std::to_string(n)},
              {"plate", "TT " + std::to_string(10000 + n)},
              {"kind", "summer_tyres"},
              {"email", "kunde" + std::to_string(n) + "@example.dk"}};
    if (last_change) r.data["last_tyre_change"] = *last_change;
    return r;
}

std::vector<recall::Recall*> pointers(std::vector<recall::Recall>& rs) {
    std::vector<recall::Recall*> out;
    for (auto& r : rs)
        out.push_back(&r);
    return out;
}

// Counts every invitation by local day, after running the flow over the season.
class CountingTransport final : public nudge::Transport {
public:
    nudge::SendResult send(const nudge::Message& m) override {
        if (m.subject && m.subject->find(": tid til ") != std::string::npos)
            ++per_day[nudge::format_instant(m.at, zone).substr(0, 10)];
        return {};
    }
    std::map<std::string, int> per_day;
};

} // namespace

TEST_CASE("the season's sending days come from the flow's calendar") {
    auto days = summer_2026();
    CHECK(days.size() == 30);
    CHECK(days.front() == day("2026-03-16")); // 14 March is a Saturday
    CHECK(days.back() == day("2026-04-29"));
    for (auto closed : {"2026-04-02", "2026-04-03", "2026-04-06", "2026-03-21", "2026-04-05"})
        CHECK(std::find(days.begin(), days.end(), day(closed)) == days.end());
}

TEST_CASE("400 tyre recalls go out in even daily batches, never above the cap") {
    // 300 customers without a change last season and 100 whose change was spread over last
    // summer's season (one every few days).
    std::vector<recall::Recall> rs;
    for (int n = 0; n < 300; ++n)
        rs.push_back(tyre_recall(n));
    for (int n = 300; n < 400; ++n) {
        auto change =
            std::chrono::sys_days{day("2025-03-14")} + std::chrono::days{(n - 300) * 46 / 100};
        rs.push_back(tyre_recall(n, recall::format_date(Date{change})));
    }
    recall::BatchPlanner planner(16);
    auto days = summer_2026();
    auto placed = planner.place(pointers(rs), days, summer());
    CHECK(placed.unplaced.empty());
    CHECK(placed.placed.size() == 400);
    // The order of last season holds: who changed on its first day is in the first batch, who
    // came two days before its end is in one of the last two.
    CHECK(rs[300].data.at("send_on") == "2026-03-16");
    CHECK(rs[399].data.at("send_on") >= "2026-04-28");

    // The flow sends each invitation on its planned day, at 08:00.
    nudge::FakeClock clock{nudge::parse_instant("2026-03-02T06:00", zone)};
    CountingTransport out;
    nudge::Engine engine{clock, out};
    engine.load(nudge::compile_file(WORKSHOP_RECALL_DIR "/workshop_recall.flow").flow);
    for (const auto& r : rs) {
        nudge::Data data(r.data.begin(), r.data.end());
        REQUIRE(engine.trigger("recall.planned", data).size() == 1);
    }
    auto end = nudge::parse_instant("2026-05-01T00:00", zone);
    while (auto next = engine.next_due()) {
        if (*next >= end) break;
        clock.set(*next);
        engine.run_due();
    }

    int total = 0;
    int fewest = 1000;
    int most = 0;
    std::set<Date> sending(days.begin(), days.end());
    // Not a structured binding: clang 15 cannot capture one in INFO's lambda.
    for (const auto& entry : out.per_day) {
        const std::string& d = entry.first;
        int n = entry.second;
        INFO(d);
        CHECK(sending.count(day(d)) == 1); // no weekend, no Easter day
        total += n;
        fewest = std::min(fewest, n);
        most = std::max(most, n);
    }
    CHECK(total == 400);
    CHECK(out.per_day.size() == days.size()); // every sending day has its batch
    CHECK(most <= 16);
    CHECK(most - fewest <= 1); // 400 over 30 days: 13 or 14 a day
}

TEST_CASE("a customer is recalled at the same point of the season as last year's change") {
    std::vector<recall::Recall> rs{tyre_recall(1, "2025-03-20"), tyre_recall(2, "2025-04-20"),
                                   tyre_recall(3, "2024-04-28")};
    recall::BatchPlanner planner(10);
    planner.place(pointers(rs), summer_2026(), summer());
    // 20 March 2025 was 6 days into a 47-day season: 6/47 of 30 sending days is the fourth,
    // 19 March. 20 April was 37 days in: the 24th sending day, 21 April. A change on 28 April
    // 2024 counts in its own year's season, 45 days into 47: the 29th sending day, 28 April.
    CHECK(rs[0].data.at("send_on") == "2026-03-19");
    CHECK(rs[1].data.at("send_on") == "2026-04-21");
    CHECK(rs[2].data.at("send_on") == "2026-04-28");
}

TEST_CASE("a full batch moves a customer to the nearest day with room, later first") {
    std::vector<recall::Recall> rs{tyre_recall(1, "2025-03-20"), tyre_recall(2, "2025-03-20"),
                                   tyre_recall(3, "2025-03-20")};
    recall::BatchPlanner planner(1);
    planner.place(pointers(rs), summer_2026(), summer());
    CHECK(rs[0].data.at("send_on") == "2026-03-19");
    CHECK(rs[1].data.at("send_on") == "2026-03-20");
    CHECK(rs[2].data.at("send_on") == "2026-03-18");
}

TEST_CASE("an earlier import's batches count towards the cap") {
    recall::BatchPlanner planner(2);
    std::vector<Date> days{day("2026-03-16"), day("2026-03-17")};
    std::vector<recall::Recall> first{tyre_recall(1), tyre_recall(2), tyre_recall(3)};
    CHECK(planner.place(pointers(first), days, summer()).unplaced.empty());
    std::vector<recall::Recall> later{tyre_recall(4), tyre_recall(5)};
    auto placed = planner.place(pointers(later), days, summer());
    // Four days' worth of room (2 × 2) for five recalls: the last one is named, not squeezed in.
    CHECK(placed.placed.size() == 1);
    REQUIRE(placed.unplaced.size() == 1);
    CHECK(planner.load().at(day("2026-03-16")) == 2);
    CHECK(planner.load().at(day("2026-03-17")) == 2);
}

TEST_CASE("a daily cap below one is refused") {
    CHECK_THROWS_AS(recall::BatchPlanner(0), std::invalid_argument);
}
