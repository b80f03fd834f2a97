// Scenarios run against the engine: the fixtures pass, their timelines match the golden files
// byte for byte, and failing expectations name the step, the expected and the actual.

#include "test_support.hpp"

#include <nudge/scenario.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace nudge;

namespace {

std::filesystem::path fixtures() { return nudge::test::test_dir() / "scenarios"; }

std::string failures_of(const ScenarioResult& r) {
    std::string out = render(r.diagnostics);
    for (const auto& f : r.failures)
        out += f + "\n";
    return out;
}

std::string timeline_json(const ScenarioResult& r) {
    std::string out;
    for (const auto& record : r.timeline)
        out += to_json(record, r.zone) + "\n";
    return out;
}

// The sale fixture with one line changed, run as if it were next to the fixtures.
ScenarioResult run_changed(const std::string& from, const std::string& to) {
    auto text = nudge::test::read_text(fixtures() / "sale_confirmation.scenario.yaml");
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    return run_scenario(text, fixtures() / "changed.scenario.yaml");
}

bool any_failure_has(const ScenarioResult& r, const std::string& words) {
    INFO(failures_of(r));
    for (const auto& f : r.failures) {
        if (f.find(words) != std::string::npos) return true;
    }
    return false;
}

} // namespace

TEST_CASE("every scenario fixture passes") {
    for (auto name : {"sale_confirmation", "booking", "queue_callback", "missed_call"}) {
        CAPTURE(name);
        auto r = run_scenario_file(fixtures() / (std::string(name) + ".scenario.yaml"));
        CHECK_MESSAGE(r.ok, failures_of(r));
        CHECK(r.failures.empty());
        CHECK(r.steps > 5);
        CHECK_FALSE(r.timeline.empty());
    }
}

TEST_CASE("golden timelines, byte for byte, and the same on every run") {
    for (auto name : {"sale_confirmation", "booking"}) {
        CAPTURE(name);
        auto r = run_scenario_file(fixtures() / (std::string(name) + ".scenario.yaml"));
        REQUIRE_MESSAGE(r.ok, failures_of(r));
        auto json = timeline_json(r);
        auto golden = fixtures() / (std::string(name) + ".timeline.jsonl");
        if (nudge::test::updating_golden()) nudge::test::write_text(golden, json);
        CHECK(json == nudge::test::read_text(golden));
        auto again = run_scenario_file(fixtures() / (std::string(name) + ".scenario.yaml"));
        CHECK(timeline_json(again) == json);
    }
}

TEST_CASE("the zone comes from the flow and the timeline prints in it") {
    auto r = run_scenario_file(fixtures() / "sale_confirmation.scenario.yaml");
    CHECK(r.zone == "Europe/Oslo");
    auto b = run_scenario_file(fixtures() / "booking.scenario.yaml");
    CHECK(b.zone == "Europe/Stockholm");
    REQUIRE_FALSE(b.timeline.empty());
    CHECK(to_json(b.timeline.front(), b.zone).find("\"at\":\"2026-04-01T09:00:00+02:00\"") !=
          std::string::npos);
}

TEST_CASE("advance fires every deadline on the way, at its own time") {
    // One step of a whole day still sends the reminder at 09:00, not at the end of the day.
    auto r = run_changed("  - until: 2026-03-29T12:00:00\n", "  - advance: 1d\n");
    // Only the receipt, which the file expects at 12:00, now goes out at the end of the day:
    // its expect_sent fails, and so does the expect_no_sent after it.
    REQUIRE(r.failures.size() == 2);
    CHECK(any_failure_has(r, "step 13 (expect_sent, line 27)"));
    CHECK(any_failure_has(r, "step 14 (expect_no_sent, line 30)"));
    bool reminder = false;
    for (const auto& record : r.timeline) {
        if (record.kind == "sent" && record.get("text").find("Påminnelse") == 0) {
            CHECK(format_instant(record.at, "Europe/Oslo") == "2026-03-29T09:00:00+02:00");
            reminder = true;
        }
    }
    CHECK(reminder);
}

TEST_CASE("a failing expect_sent names the step, the expected and what was sent") {
    auto r = run_changed("      at: 2026-03-28T20:55:30+01:00\n",
                         "      at: 2026-03-28T20:56:00+01:00\n");
    CHECK_FALSE(r.ok);
    CHECK(r.diagnostics.empty());
    REQUIRE(r.failures.size() >= 1);
    CHECK(r.failures[0].rfind("step 3 (expect_sent, line 10): expected a message with channel "
                              "sms, to +4791234567, at 2026-03-28T20:56:00+01:00, text \"Hei "
                              "Kari!",
                              0) == 0);
    CHECK(any_failure_has(r, "\n    sms to +4791234567 at 2026-03-28T20:55:30+01:00: \"Hei Kari! "
                             "Takk for at du valgte sykkelservice. Svar JA for å bekrefte "
                             "bestillingen.\"   (differs in at)"));
    // The message it did not take is still there for expect_no_sent to find.
    CHECK(any_failure_has(r, "step 7 (expect_no_sent, line 21)"));
}

TEST_CASE("a failing expect_state says what the instance is instead") {
    auto r = run_changed("  - expect_state: {key: \"+4791234567\", state: sale, status: waiting}",
                         "  - expect_state: {key: \"+4791234567\", state: confirmed}");
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failures[0] == "step 4 (expect_state, line 15): expected instance #1 "
                           "(sale_confirmation, key \"+4791234567\") with state confirmed; got "
                           "state sale");
}

TEST_CASE("a reminder nobody expected fails expect_no_sent") {
    auto r = run_changed("  - expect_sent:\n      to: \"+4791234567\"\n      at: "
                         "2026-03-29T09:00:00+02:00\n      text_contains: \"Påminnelse: Hei "
                         "Kari!\"\n",
                         "");
    REQUIRE(r.failures.size() == 1);
    CHECK(any_failure_has(r, "(expect_no_sent, line 17): expected no messages besides those "
                             "expected earlier; got:\n    sms to +4791234567 at "
                             "2026-03-29T09:00:00+02:00: \"Påminnelse: Hei Kari!"));
}

TEST_CASE("mistakes in the file stop it before it runs") {
    auto r = run_changed("  - advance: 30s\n", "  - advance: 30 seconds\n");
    CHECK_FALSE(r.ok);
    CHECK(r.failures.empty());
    CHECK(r.timeline.empty());
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "bad-duration");
    CHECK(r.diagnostics.items()[0].file == (fixtures() / "changed.scenario.yaml").string());
    CHECK(r.diagnostics.items()[0].pos == SourcePos{9, 14});

    auto missing = run_scenario_file(fixtures() / "no-such.scenario.yaml");
    CHECK_FALSE(missing.ok);
    REQUIRE(missing.diagnostics.size() == 1);
    CHECK(missing.diagnostics.items()[0].code == "io");
}

TEST_CASE("actions answer for the host and facts change over time") {
    auto r = run_scenario_file(fixtures() / "missed_call.scenario.yaml");
    REQUIRE_MESSAGE(r.ok, failures_of(r));
    bool action = false;
    for (const auto& record : r.timeline)
        action = action || (record.kind == "action" && record.get("action") == "order.parse");
    CHECK(action);

    // Without the fact the repeat never offers anything.
    auto text = nudge::test::read_text(fixtures() / "queue_callback.scenario.yaml");
    auto facts = text.find("facts:");
    auto steps = text.find("steps:");
    text.erase(facts, steps - facts);
    auto q = run_scenario(text, fixtures() / "nofacts.scenario.yaml");
    CHECK(any_failure_has(q, "step 3 (expect_sent, line 10)"));
}

TEST_CASE("facts by instance key: each caller waits for their own estimate") {
    auto text = R"(flows: [queue_callback.flow]
start: 2026-02-10T10:00:00+01:00
facts:
  estimated_wait:
    by_key:
      "+4540506070": 30s
      "+4540506071":
        - {from: 2026-02-10T10:00:00+01:00, value: 3m}
        - {from: 2026-02-10T10:00:50+01:00, value: 20s}
steps:
  - trigger: call.queued
    data: {caller: "+4540506070"}
  - trigger: call.queued
    data: {caller: "+4540506071"}
  - trigger: call.queued
    data: {caller: "+4540506072"}
  - advance: 2m
  - expect_sent: {channel: voice, to: "+4540506071", at: 2026-02-10T10:00:30+01:00}
  - expect_no_sent: true
)";
    auto r = run_scenario(text, fixtures() / "by-key.scenario.yaml");
    CHECK_MESSAGE(r.ok, failures_of(r));

    // With a default, keys not listed get it.
    std::string with_default = text;
    with_default.replace(with_default.find("    by_key:"), 11, "    default: 5m\n    by_key:");
    auto d = run_scenario(with_default, fixtures() / "by-key.scenario.yaml");
    CHECK(any_failure_has(d, "voice to +4540506072 at 2026-02-10T10:00:30+01:00"));
}

TEST_CASE("expect_state with outcome none: the instance has no outcome") {
    auto passes =
        run_changed("  - expect_state: {key: \"+4791234567\", state: sale, status: waiting}",
                    "  - expect_state: {key: \"+4791234567\", state: sale, outcome: none}");
    CHECK_MESSAGE(passes.ok, failures_of(passes));

    auto fails = run_changed("outcome: confirmed_sale}", "outcome: none}");
    REQUIRE(fails.failures.size() == 1);
    CHECK(any_failure_has(fails, "with state confirmed, status finished, outcome none; got state "
                                 "confirmed, status finished, outcome confirmed_sale"));
}

TEST_CASE("flows given from outside replace the file's flows") {
    ScenarioOptions options;
    options.flows = {fixtures() / "sale_confirmation.flow"};
    auto text = nudge::test::read_text(fixtures() / "sale_confirmation.scenario.yaml");
    text.replace(text.find("flows: [sale_confirmation.flow]"), 31, "");
    auto r = run_scenario(text, "elsewhere/x.scenario.yaml", options);
    CHECK_MESSAGE(r.ok, failures_of(r));
}

TEST_CASE("a refused trigger fails its step unless the step says refused") {
    // No first_name: the sale flow requires it.
    auto r = run_changed("data: {phone: \"+4791234567\", first_name: Kari, product: sykkelservice}",
                         "data: {phone: \"+4791234567\", product: sykkelservice}");
    CHECK_FALSE(r.ok);
    CHECK(any_failure_has(r, "step 1 (trigger, line 7): the engine refused it: flow "
                             "sale_confirmation needs field first_name"));
    // The rest of the scenario still ran (and failed: nothing started).
    CHECK(any_failure_has(r, "expected a message"));

    auto ok = run_changed("  - advance: 30s\n",
                          "  - trigger: sale.saved\n"
                          "    data: {phone: \"+4791234568\", product: sykkelservice}\n"
                          "    refused: needs field first_name\n"
                          "  - advance: 30s\n");
    CHECK_MESSAGE(ok.ok, failures_of(ok));
    auto wrong = run_changed("  - advance: 30s\n",
                             "  - trigger: sale.saved\n"
                             "    data: {phone: \"+4791234568\", first_name: Ola, product: x}\n"
                             "    refused: needs field first_name\n"
                             "  - advance: 30s\n");
    CHECK(any_failure_has(wrong, "expected the engine to refuse the trigger (needs field "
                                 "first_name); it took it"));
}

TEST_CASE("an error record nobody expected fails the scenario") {
    // `at` on an optional date-time that is empty cannot set a deadline: an error on the instance.
    auto dir = std::filesystem::temp_directory_path() / "nudge-unexpected-error";
    std::filesystem::create_directories(dir);
    {
        std::ofstream(dir / "visit.flow") << R"(flow visit
timezone "Europe/Stockholm"

field id: text
field visit_at: datetime?

channel letter to id

trigger visit.booked as id {
  start booked
}

state booked {
  at visit_at -> done
}

final done
)";
    }
    std::string base = "flows: [visit.flow]\nstart: 2026-03-02T10:00:00+01:00\nsteps:\n"
                       "  - trigger: visit.booked\n    data: {id: V-1}\n"
                       "  - expect_state: {key: V-1, state: booked}\n";
    auto r = run_scenario(base, dir / "x.scenario.yaml");
    CHECK_FALSE(r.ok);
    CHECK(any_failure_has(r, "instance #1 (visit) recorded an error no step expected"));
    CHECK(any_failure_has(r, "at visit_at: no date"));
    auto expected =
        run_scenario(base + "  - expect_history: {key: V-1, kind: error, error: \"at visit_at: no "
                            "date\"}\n",
                     dir / "x.scenario.yaml");
    CHECK_MESSAGE(expected.ok, failures_of(expected));
    std::filesystem::remove_all(dir);
}
