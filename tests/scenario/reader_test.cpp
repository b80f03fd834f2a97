// The scenario reader: YAML to typed steps, and a positioned diagnostic for every mistake.
#include "model.hpp"
#include <nudge/engine.hpp>

#include <algorithm>
#include <doctest/doctest.h>

#include <string>

using namespace nudge;
using namespace nudge::detail;

namespace doctest {
template <> struct StringMaker<SourcePos> {
    static String convert(const SourcePos& p) {
        return (std::to_string(p.line) + ":" + std::to_string(p.column)).c_str();
    }
};
} // namespace doctest

namespace {

ReadScenario read(const std::string& yaml) { return read_scenario(yaml, "t.scenario.yaml"); }

// The one diagnostic a reading gave; fails the test when there is not exactly one.
Diagnostic only(const ReadScenario& r) {
    REQUIRE_MESSAGE(r.diagnostics.size() == 1, render(r.diagnostics));
    return r.diagnostics.items().front();
}

bool mentions(const Diagnostic& d, const std::string& words) {
    INFO(d.message);
    return d.message.find(words) != std::string::npos;
}

// The one diagnostic of `r` has `code`, sits at `pos` and says `words`.
void check_one(const ReadScenario& r, const std::string& code, SourcePos pos,
               const std::string& words) {
    auto d = only(r);
    CHECK(d.code == code);
    CHECK(d.pos == pos);
    CHECK(mentions(d, words));
}

const std::string head = "flows: [sale.flow]\nstart: 2026-03-28T20:55:00+01:00\n";

} // namespace

TEST_CASE("the example of the scenario keys reads into typed steps") {
    auto r = read(R"(flows: [sale.flow]                   # paths relative to the scenario file
start: 2026-03-28T20:55:00+01:00     # the fake clock's start
zone: Europe/Oslo                    # optional: how times without offset are read
steps:
  - trigger: sale.saved
    data: {phone: "+4791234567", first_name: Kari}
  - advance: 30s                     # fires everything due on the way, in order
  - until: 2026-03-29T09:00:00+02:00 # advance to an instant
  - expect_sent: {channel: sms, to: "+4791234567", at: 2026-03-28T20:55:30+01:00, text_contains: Kari}
  - reply: {from: "+4791234567", to: "4790000000", text: "Ja!"}
  - signal: {event: booking.confirmed, key: B-17, data: {}}
  - expect_state: {key: "+4791234567", state: confirmed}   # flow: needed when ambiguous
  - expect_inbox: {from: "+4791234567", reason: unmatched}
  - expect_event: {event: slot.freed, key: B-17}            # emitted to the host
  - expect_no_sent: true              # nothing sent that no expect_sent consumed
)");
    REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
    REQUIRE(r.scenario);
    const auto& s = *r.scenario;
    REQUIRE(s.flows.size() == 1);
    CHECK(s.flows[0].text == "sale.flow");
    CHECK(s.flows[0].span.pos == SourcePos{1, 9});
    REQUIRE(s.start);
    CHECK(s.start->offset == std::chrono::hours{1});
    CHECK(s.start->hour == 20);
    REQUIRE(s.zone);
    CHECK(s.zone->text == "Europe/Oslo");
    REQUIRE(s.steps.size() == 10);

    CHECK(s.steps[0].kind == "trigger");
    CHECK(s.steps[0].pos == SourcePos{5, 5});
    const auto& t = std::get<TriggerStep>(s.steps[0].body);
    CHECK(t.event.text == "sale.saved");
    REQUIRE(t.data.size() == 2);
    CHECK(t.data[0].first == "phone");
    CHECK(t.data[0].second.text == "+4791234567");
    CHECK(t.data[1].second.text == "Kari");

    const auto& a = std::get<AdvanceStep>(s.steps[1].body);
    CHECK(a.by == Duration{30, DurationUnit::s});
    CHECK(std::get<UntilStep>(s.steps[2].body).to.offset == std::chrono::hours{2});

    const auto& sent = std::get<ExpectSentStep>(s.steps[3].body);
    REQUIRE(sent.channel);
    CHECK(sent.channel->text == "sms");
    CHECK(sent.to->text == "+4791234567");
    REQUIRE(sent.at);
    CHECK(sent.at->minute == 55);
    CHECK(sent.at->second == 30);
    CHECK(sent.text_contains->text == "Kari");
    CHECK_FALSE(sent.text);
    CHECK_FALSE(sent.subject);

    const auto& reply = std::get<ReplyStep>(s.steps[4].body);
    CHECK(reply.from.text == "+4791234567");
    CHECK(reply.to->text == "4790000000");
    CHECK(reply.text.text == "Ja!");

    const auto& sig = std::get<SignalStep>(s.steps[5].body);
    CHECK(sig.event.text == "booking.confirmed");
    CHECK(sig.key.text == "B-17");
    CHECK_FALSE(sig.flow);
    CHECK(sig.data.empty());

    const auto& state = std::get<ExpectStateStep>(s.steps[6].body);
    CHECK(state.key.text == "+4791234567");
    CHECK(state.state->text == "confirmed");
    CHECK_FALSE(state.flow);

    const auto& inbox = std::get<ExpectInboxStep>(s.steps[7].body);
    CHECK(inbox.reason.text == "unmatched");
    CHECK_FALSE(inbox.text);

    const auto& event = std::get<ExpectEventStep>(s.steps[8].body);
    CHECK(event.event.text == "slot.freed");
    CHECK(event.key->text == "B-17");

    CHECK(std::holds_alternative<ExpectNoSentStep>(s.steps[9].body));
    CHECK(s.steps[9].pos.line == 15);
}

TEST_CASE("the added keys: actions, facts and the further expectations") {
    auto r = read(head + R"(actions:
  order.parse: {order_total: "249", order_summary: "2 margherita"}
  order.log:
facts:
  estimated_wait: 2m
  queue_length:
    - {from: 2026-03-28T21:00:00+01:00, value: "4"}
    - {from: 2026-03-28T21:05:00, value: "0"}
steps:
  - expect_suppressed: {reason: cooldown, key: "+4528123456"}
  - expect_action: {action: order.parse, key: "+4528123456"}
  - expect_history: {key: B-17, kind: sent, channel: sms}
  - expect_state: {key: B-17, flow: booking, status: finished, outcome: cancelled}
  - expect_sent: {subject: Service, text: "Hej"}
)");
    REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
    const auto& s = *r.scenario;
    REQUIRE(s.actions.size() == 2);
    const auto& parse = s.actions.at("order.parse");
    REQUIRE(parse.size() == 2);
    CHECK(parse[0].first == "order_total");
    CHECK(parse[0].second.text == "249");
    CHECK(s.actions.at("order.log").empty());

    const auto& wait = s.facts.at("estimated_wait");
    REQUIRE(wait.all.size() == 1);
    CHECK_FALSE(wait.all[0].from);
    CHECK(wait.all[0].value.text == "2m");
    const auto& length = s.facts.at("queue_length");
    REQUIRE(length.all.size() == 2);
    REQUIRE(length.all[1].from);
    CHECK_FALSE(length.all[1].from->offset); // read in the zone later
    CHECK(length.all[1].value.text == "0");

    REQUIRE(s.steps.size() == 5);
    CHECK(std::get<ExpectSuppressedStep>(s.steps[0].body).reason.text == "cooldown");
    CHECK(std::get<ExpectActionStep>(s.steps[1].body).action.text == "order.parse");
    const auto& history = std::get<ExpectHistoryStep>(s.steps[2].body);
    CHECK(history.kind.text == "sent");
    REQUIRE(history.fields.size() == 1);
    CHECK(history.fields[0].first == "channel");
    CHECK(history.fields[0].second.text == "sms");
    const auto& state = std::get<ExpectStateStep>(s.steps[3].body);
    CHECK(state.flow->text == "booking");
    CHECK(state.status->text == "finished");
    CHECK(state.outcome->text == "cancelled");
    CHECK(std::get<ExpectSentStep>(s.steps[4].body).subject->text == "Service");
}

TEST_CASE("a single flow may be written without a list, the flows key is optional on request") {
    auto r = read("flows: sale.flow\nstart: 2026-03-28\nsteps: []\n");
    REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
    CHECK(r.scenario->flows.size() == 1);
    CHECK(r.scenario->start->hour == 0);
    CHECK(r.scenario->steps.empty());

    auto without = read_scenario("start: 2026-03-28\nsteps: []\n", "t.yaml", false);
    CHECK(without.diagnostics.empty());
    auto required = read_scenario("start: 2026-03-28\nsteps: []\n", "t.yaml", true);
    CHECK(mentions(only(required), "missing key 'flows'"));
}

TEST_CASE("unknown keys are reported where they are, with the likely key") {
    SUBCASE("at the top") {
        auto d = only(read(head + "stpes:\n  - advance: 1h\nsteps: []\n"));
        CHECK(d.code == "unknown-key");
        CHECK(d.file == "t.scenario.yaml");
        CHECK(d.pos == SourcePos{3, 1});
        CHECK(d.length == 5);
        CHECK(mentions(d, "unknown key 'stpes' in the scenario; did you mean 'steps'?"));
    }
    SUBCASE("a step") {
        check_one(read(head + "steps:\n  - expect_send: {to: \"+4791234567\"}\n"), "unknown-key",
                  {4, 5}, "did you mean 'expect_sent'?");
    }
    SUBCASE("inside a step") {
        auto d = only(read(head + "steps:\n  - expect_sent: {channel: sms, text_contain: Kari}\n"));
        CHECK(d.pos == SourcePos{4, 33});
        CHECK(mentions(d, "unknown key 'text_contain' in 'expect_sent'; did you mean "
                          "'text_contains'?"));
    }
    SUBCASE("nothing close: the allowed keys are listed") {
        auto d = only(read(head + "steps:\n  - reply: {from: \"+4791234567\", text: Ja, "
                                  "colour: red}\n"));
        CHECK(mentions(d, "unknown key 'colour' in 'reply'; allowed: from, to, text"));
    }
    SUBCASE("duplicates") {
        auto d = only(read(head + "steps:\n  - reply: {from: a, text: Ja, text: Nei}\n"));
        CHECK(d.code == "duplicate-key");
        CHECK(d.pos == SourcePos{4, 32});
    }
}

TEST_CASE("instants that are not instants") {
    auto check = [](const std::string& text, const std::string& words, std::uint32_t column) {
        CAPTURE(text);
        auto r =
            read("flows: [a.flow]\nstart: 2026-03-28T20:55:00Z\nsteps:\n  - until: " + text + "\n");
        auto d = only(r);
        CHECK(d.code == "bad-instant");
        CHECK(d.pos == SourcePos{4, column});
        CHECK(mentions(d, words));
    };
    check("tomorrow", "expected an instant like 2026-03-28T20:55:00+01:00", 12);
    check("2026-13-01T10:00:00", "month 13 does not exist", 12);
    check("2026-02-30", "2026-02-30 is not a date", 12);
    check("2026-02-28T24:00:00", "time of day 24:00:00 does not exist", 12);
    check("2026-02-28T10:00:00+25:00", "offset +25:00 is out of range", 12);
    check("\"2026-02-28T10:00:00 CET\"", "saw '2026-02-28T10:00:00 CET'", 12);
    check("{at: 10}", "saw a map", 12);

    auto start = only(read("flows: [a.flow]\nstart: 28/03/2026\nsteps: []\n"));
    CHECK(start.pos == SourcePos{2, 8});
    CHECK(start.length == 10);
}

TEST_CASE("the instant forms, read in a zone") {
    using namespace std::chrono;
    auto at = [](std::string_view text, std::string_view zone) {
        auto syntax = parse_instant_text(text);
        REQUIRE_MESSAGE(syntax.instant, syntax.problem);
        return show_instant(resolve_instant(*syntax.instant, zone), "UTC");
    };
    CHECK(at("2026-03-28T20:55:00+01:00", "Asia/Tokyo") == "2026-03-28T19:55:00+00:00");
    CHECK(at("2026-03-28T20:55:00Z", "Europe/Oslo") == "2026-03-28T20:55:00+00:00");
    CHECK(at("2026-03-28T20:55:00-03:30", "UTC") == "2026-03-29T00:25:00+00:00");
    // RFC 3339 fractional seconds: read, and dropped (instants count whole seconds).
    CHECK(at("2026-05-14T08:00:00.000Z", "Europe/Oslo") == "2026-05-14T08:00:00+00:00");
    CHECK(at("2026-05-14T10:00:00.750+02:00", "UTC") == "2026-05-14T08:00:00+00:00");
    CHECK_FALSE(parse_instant_text("2026-05-14T08:00:00.Z").instant);
    CHECK(at("2026-03-28T20:55:00", "Europe/Oslo") == "2026-03-28T19:55:00+00:00");
    CHECK(at("2026-03-28 20:55", "Europe/Oslo") == "2026-03-28T19:55:00+00:00");
    CHECK(at("2026-07-01", "Europe/Stockholm") == "2026-06-30T22:00:00+00:00");
    // 02:30 does not happen on 29 March 2026 in Oslo: the first instant after the gap.
    CHECK(at("2026-03-29T02:30:00", "Europe/Oslo") == "2026-03-29T01:00:00+00:00");
    // 02:30 happens twice on 25 October 2026 in Copenhagen: the earlier one.
    CHECK(at("2026-10-25T02:30:00", "Europe/Copenhagen") == "2026-10-25T00:30:00+00:00");
    CHECK(show_instant(resolve_instant(*parse_instant_text("2026-10-25T12:00:00Z").instant, "UTC"),
                       "Europe/Copenhagen") == "2026-10-25T13:00:00+01:00");
}

TEST_CASE("calendar steps of the scenario clock follow the zone") {
    using namespace std::chrono;
    auto start = [](std::string_view text) {
        return resolve_instant(*parse_instant_text(text).instant, "Europe/Copenhagen");
    };
    auto plus = [&](std::string_view text, Duration d) {
        return show_instant(add_duration(start(text), d, "Europe/Copenhagen"), "Europe/Copenhagen");
    };
    auto t = start("2026-03-28T12:00:00");
    CHECK(add_duration(t, {1, DurationUnit::d}, "Europe/Copenhagen") - t == hours{23});
    auto u = start("2026-10-24T12:00:00");
    CHECK(add_duration(u, {1, DurationUnit::d}, "Europe/Copenhagen") - u == hours{25});
    CHECK(add_duration(t, {24, DurationUnit::h}, "Europe/Copenhagen") - t == hours{24});
    CHECK(plus("2026-01-31T09:00:00", {1, DurationUnit::mo}) == "2026-02-28T09:00:00+01:00");
    CHECK(plus("2028-01-31T09:00:00", {1, DurationUnit::mo}) == "2028-02-29T09:00:00+01:00");
    CHECK(plus("2026-03-01T09:00:00", {2, DurationUnit::w}) == "2026-03-15T09:00:00+01:00");
    CHECK(plus("2028-02-29T09:00:00", {1, DurationUnit::y}) == "2029-02-28T09:00:00+01:00");
    CHECK(plus("2026-03-28T02:30:00", {1, DurationUnit::d}) == "2026-03-29T03:00:00+02:00");
}

TEST_CASE("durations that are not durations") {
    for (std::string text : {"30 s", "2hours", "-1h", "1h30m", "soon"}) {
        CAPTURE(text);
        check_one(read(head + "steps:\n  - advance: " + text + "\n"), "bad-duration", {4, 14},
                  "expected a duration like 30s, 2h or 3d");
    }
    auto ok = read(head + "steps:\n  - advance: 1mo\n  - advance: 0s\n");
    CHECK(ok.diagnostics.empty());
}

TEST_CASE("values of the wrong kind") {
    SUBCASE("steps is not a list") {
        check_one(read(head + "steps: {advance: 1h}\n"), "expected-list", {3, 8},
                  "expected a list of steps for 'steps', saw a map");
    }
    SUBCASE("a step is not a map") {
        check_one(read(head + "steps:\n  - advance\n"), "expected-map", {4, 5},
                  "expected a step like '- advance: 30s'");
    }
    SUBCASE("expect_sent is a scalar") {
        auto d = only(read(head + "steps:\n  - expect_sent: sms\n"));
        CHECK(d.code == "expected-map");
        CHECK(mentions(d, "expected a map for 'expect_sent', saw 'sms'"));
    }
    SUBCASE("data is a list") {
        auto d = only(read(head + "steps:\n  - trigger: sale.saved\n    data: [a, b]\n"));
        CHECK(d.pos == SourcePos{5, 11});
        CHECK(mentions(d, "expected a map for 'data', saw a list"));
    }
    SUBCASE("a data value is a map") {
        auto d = only(read(head + "steps:\n  - trigger: sale.saved\n    data: {phone: {a: 1}}\n"));
        CHECK(d.code == "expected-scalar");
        CHECK(mentions(d, "expected a single value for 'phone', saw a map"));
    }
    SUBCASE("flows is a map") {
        auto d = only(read("flows: {a: b}\nstart: 2026-03-28\nsteps: []\n"));
        CHECK(mentions(d, "expected a list of flow files for 'flows', saw a map"));
    }
    SUBCASE("an event name with a space") {
        auto d = only(read(head + "steps:\n  - trigger: sale saved\n"));
        CHECK(d.code == "bad-value");
        CHECK(mentions(d, "expected an event name like sale.saved"));
    }
    SUBCASE("expect_no_sent takes true") {
        auto d = only(read(head + "steps:\n  - expect_no_sent: false\n"));
        CHECK(mentions(d, "expected 'expect_no_sent: true', saw 'false'"));
    }
    SUBCASE("a status that does not exist") {
        auto d = only(read(head + "steps:\n  - expect_state: {key: a, status: finishd}\n"));
        CHECK(d.pos == SourcePos{4, 36});
        CHECK(mentions(d, "unknown status 'finishd'; did you mean 'finished'?"));
    }
    SUBCASE("an inbox reason that does not exist") {
        auto d = only(read(head + "steps:\n  - expect_inbox: {from: a, reason: unmached}\n"));
        CHECK(mentions(d, "unknown inbox reason 'unmached'; did you mean 'unmatched'?"));
    }
    SUBCASE("a history kind that does not exist") {
        auto d = only(read(head + "steps:\n  - expect_history: {key: a, kind: snet}\n"));
        CHECK(mentions(d, "unknown history kind 'snet'; did you mean 'sent'?"));
    }
    SUBCASE("every kind of record can be expected") {
        // One list (nudge::record_kinds()): kinds the engine records and the reader did not
        // know (migrated, delivered, handled, …) can no longer drift apart.
        REQUIRE(record_kinds().size() >= 28);
        for (auto kind : record_kinds()) {
            auto name = std::string(to_string(kind));
            CAPTURE(name);
            auto r = read(head + "steps:\n  - expect_history: {key: a, kind: " + name + "}\n");
            REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
            CHECK(std::get<ExpectHistoryStep>(r.scenario->steps.at(0).body).kind.text == name);
        }
    }
    SUBCASE("every status and every inbox reason can be expected") {
        for (auto status : instance_statuses()) {
            auto name = std::string(to_string(status));
            CAPTURE(name);
            auto r = read(head + "steps:\n  - expect_state: {key: a, status: " + name + "}\n");
            REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
            CHECK(instance_status(name) == status);
        }
        REQUIRE(inbox_reasons().size() == 4);
        for (auto reason : inbox_reasons()) {
            auto name = std::string(to_string(reason));
            CAPTURE(name);
            auto r = read(head + "steps:\n  - expect_inbox: {from: a, reason: " + name + "}\n");
            REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
            CHECK(inbox_reason(name) == reason);
        }
        CHECK_FALSE(instance_status("finishd"));
        CHECK_FALSE(inbox_reason("unmached"));
    }
    SUBCASE("expect_no_history is read like expect_history") {
        auto d = only(read(head + "steps:\n  - expect_no_history: {key: a, kind: matchd}\n"));
        CHECK(mentions(d, "unknown history kind 'matchd'; did you mean 'matched'?"));
        auto r = read(head + "steps:\n  - expect_no_history: {key: a, kind: matched, route: x}\n");
        REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
        const auto& h = std::get<ExpectHistoryStep>(r.scenario->steps.at(0).body);
        CHECK(h.absent);
        CHECK(h.kind.text == "matched");
        REQUIRE(h.fields.size() == 1);
        CHECK(h.fields[0].first == "route");
    }
    SUBCASE("a zone the tz database does not know") {
        auto d = only(read(head + "zone: Europe/Osloo\nsteps: []\n"));
        CHECK(d.code == "unknown-zone");
        CHECK(d.pos == SourcePos{3, 7});
    }
}

TEST_CASE("expect_state checks for no outcome with 'none', and refuses an empty outcome") {
    auto r = read(head + "steps:\n  - expect_state: {key: a, outcome: none}\n");
    REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
    CHECK(std::get<ExpectStateStep>(r.scenario->steps[0].body).outcome->text == no_outcome);

    check_one(read(head + "steps:\n  - expect_state: {key: a, outcome: \"\"}\n"), "bad-value",
              {4, 37}, "empty outcome; write 'outcome: none'");
}

TEST_CASE("facts per instance key, with or without a default") {
    auto r = read(head + R"(facts:
  estimated_wait:
    by_key: {q-1: 30s, "+4540506070": 3m}
    default: 1m
  queue_length:
    by_key:
      q-1:
        - {from: 2026-03-28T21:00:00, value: 2}
        - {from: 2026-03-28T21:05:00, value: 0}
steps: []
)");
    REQUIRE_MESSAGE(r.diagnostics.empty(), render(r.diagnostics));
    const auto& wait = r.scenario->facts.at("estimated_wait");
    REQUIRE(wait.by_key.size() == 2);
    CHECK(wait.of("q-1").at(0).value.text == "30s");
    CHECK(wait.of("+4540506070").at(0).value.text == "3m");
    CHECK(wait.of("q-9").at(0).value.text == "1m");
    const auto& length = r.scenario->facts.at("queue_length");
    CHECK(length.of("q-1").size() == 2);
    CHECK(length.of("q-2").empty()); // no default: unknown for every other key

    SUBCASE("a key the per-key form does not have") {
        check_one(read(head + "facts:\n  w:\n    by_key: {a: 1m}\n    defualt: 2m\nsteps: []\n"),
                  "unknown-key", {6, 5},
                  "unknown key 'defualt' in fact 'w'; did you mean 'default'?");
    }
    SUBCASE("a default alone") {
        check_one(read(head + "facts:\n  w: {default: 2m}\nsteps: []\n"), "missing-key", {4, 6},
                  "missing key 'by_key' in fact 'w'");
    }
    SUBCASE("by_key is not a map") {
        check_one(read(head + "facts:\n  w:\n    by_key: [a, b]\nsteps: []\n"), "expected-map",
                  {5, 13}, "expected a map for 'by_key' of fact 'w', saw a list");
    }
    SUBCASE("by_key names no key") {
        auto d = only(read(head + "facts:\n  w:\n    by_key: {}\nsteps: []\n"));
        CHECK(d.code == "missing-value");
        CHECK(d.pos == SourcePos{5, 5});
    }
    SUBCASE("a key's value is missing or a map") {
        auto r2 = read(head + "facts:\n  w:\n    by_key:\n      a:\n      b: {x: 1}\nsteps: []\n");
        REQUIRE(r2.diagnostics.size() == 2);
        CHECK(r2.diagnostics.items()[0].code == "missing-value");
        CHECK(r2.diagnostics.items()[0].pos == SourcePos{6, 7});
        CHECK(r2.diagnostics.items()[1].code == "expected-scalar");
        CHECK(r2.diagnostics.items()[1].pos == SourcePos{7, 10});
    }
    SUBCASE("a change of a key's value without its instant") {
        check_one(
            read(head + "facts:\n  w:\n    by_key:\n      a:\n        - {value: 2}\nsteps: []\n"),
            "missing-key", {7, 11}, "missing key 'from' in a change of fact 'w' for key 'a'");
    }
}

TEST_CASE("missing keys and steps that say too much or too little") {
    SUBCASE("start and steps") {
        auto r = read("flows: [a.flow]\n");
        REQUIRE(r.diagnostics.size() == 2);
        CHECK(mentions(r.diagnostics.items()[0], "missing key 'start'"));
        CHECK(mentions(r.diagnostics.items()[1], "missing key 'steps'"));
        CHECK(r.diagnostics.items()[0].pos == SourcePos{1, 1});
    }
    SUBCASE("a reply without text") {
        check_one(read(head + "steps:\n  - reply: {from: \"+4791234567\"}\n"), "missing-key",
                  {4, 12}, "missing key 'text' in 'reply'");
    }
    SUBCASE("an empty value") {
        auto d =
            only(read(head + "steps:\n  - reply:\n      from: \"+4791234567\"\n      text:\n"));
        CHECK(d.code == "missing-value");
        CHECK(d.pos == SourcePos{6, 7});
    }
    SUBCASE("two things in one step") {
        check_one(read(head + "steps:\n  - advance: 1h\n    expect_no_sent: true\n"),
                  "one-thing-per-step", {5, 5},
                  "a step does one thing; saw 'advance' and 'expect_no_sent'");
    }
    SUBCASE("data without a trigger") {
        auto d = only(read(head + "steps:\n  - data: {a: b}\n"));
        CHECK(mentions(d, "'data' needs a 'trigger' in the same step"));
    }
    SUBCASE("data beside another step") {
        auto d = only(read(head + "steps:\n  - signal: {event: a.b, key: k}\n    data: {a: b}\n"));
        CHECK(mentions(d, "'data' belongs to a 'trigger' step"));
    }
    SUBCASE("text and text_contains") {
        auto d = only(read(head + "steps:\n  - expect_sent: {text: Hei, text_contains: Hei}\n"));
        CHECK(d.code == "conflicting-keys");
    }
    SUBCASE("expect_state that checks nothing") {
        auto d = only(read(head + "steps:\n  - expect_state: {key: a}\n"));
        CHECK(mentions(d, "expect_state checks nothing"));
    }
    SUBCASE("a fact change without a value") {
        auto d = only(read(head + "facts:\n  wait:\n    - {from: 2026-03-28}\nsteps: []\n"));
        CHECK(mentions(d, "missing key 'value' in a change of fact 'wait'"));
    }
}

TEST_CASE("every mistake is reported, not only the first") {
    auto r = read(R"(flows: [a.flow]
start: 2026-03-28T20:55:00+01:00
steps:
  - advance: 30 s
  - until: yesterday
  - expect_snt: {}
  - reply: {from: a}
)");
    REQUIRE(r.diagnostics.size() == 4);
    CHECK(r.diagnostics.items()[0].pos.line == 4);
    CHECK(r.diagnostics.items()[1].pos.line == 5);
    CHECK(r.diagnostics.items()[2].pos.line == 6);
    CHECK(r.diagnostics.items()[3].pos.line == 7);
    REQUIRE(r.scenario);
    CHECK(r.scenario->steps.empty());
}

TEST_CASE("files that are not scenarios at all") {
    SUBCASE("broken YAML") {
        auto d = only(read(head + "steps:\n  - expect_sent: {channel: sms\n"));
        CHECK(d.code == "yaml-syntax");
        CHECK(d.pos.line >= 4);
        CHECK(mentions(d, "'{' is not closed"));
    }
    SUBCASE("empty") {
        auto d = only(read(""));
        CHECK(d.code == "expected-map");
    }
    SUBCASE("a list") {
        auto r = read("- advance: 1h\n");
        CHECK(only(r).code == "expected-map");
        CHECK_FALSE(r.scenario);
    }
    SUBCASE("two documents") {
        auto r = read(head + "steps: []\n---\nsteps: []\n");
        CHECK(mentions(only(r), "one YAML document"));
    }
    SUBCASE("aliases that expand beyond the file") {
        std::string yaml = head + "actions:\n  a.b: &a {x: [1]}\n";
        yaml += "steps: &s0 [*a, *a, *a]\n";
        auto r = read(yaml);
        CHECK(r.diagnostics.size() == 4); // the answer's list, and each step is no step
        std::string bomb = head + "steps:\n  - &l0 [x, x, x, x, x, x, x, x]\n";
        for (int i = 1; i < 8; ++i) {
            bomb += "  - &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
                    std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + "]\n";
        }
        auto big = read(bomb);
        CHECK(big.diagnostics.error_count() <= 101);
        CHECK(big.diagnostics.error_count() >= 8);
    }
}

TEST_CASE("the documented key lists") {
    CHECK(scenario_top_keys() == std::vector<std::string>{"flows", "start", "zone", "steps",
                                                          "actions", "facts", "settings"});
    CHECK(scenario_step_keys().size() == 17);
    CHECK(std::count(scenario_step_keys().begin(), scenario_step_keys().end(), "expect_no_inbox") ==
          1);
    CHECK(scenario_step_keys().back() == "expect_no_history");
    CHECK(std::count(scenario_step_keys().begin(), scenario_step_keys().end(), "assign") == 1);
    CHECK(scenario_step_keys().front() == "trigger");
}
