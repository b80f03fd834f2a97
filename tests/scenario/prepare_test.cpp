// Before a scenario runs: its flows are loaded, its zone chosen, its instants resolved and the
// names it uses checked against the flows. None of this needs the engine.
#include "prepare.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace nudge;
using namespace nudge::detail;

namespace {

std::filesystem::path fixtures() { return nudge::test::test_dir() / "scenarios"; }

// A scenario as if it were a file next to the fixture flows.
PreparedScenario prepare(const std::string& yaml,
                         const std::vector<std::filesystem::path>& overrides = {}) {
    return prepare_scenario(yaml, fixtures() / "t.scenario.yaml", overrides);
}

const Diagnostic* find_code(const Diagnostics& ds, std::string_view code) {
    auto it =
        std::find_if(ds.begin(), ds.end(), [&](const Diagnostic& d) { return d.code == code; });
    return it == ds.end() ? nullptr : &*it;
}

bool mentions(const Diagnostic* d, const std::string& words) {
    REQUIRE(d != nullptr);
    INFO(d->message);
    return d->message.find(words) != std::string::npos;
}

// A scratch folder for flows the fixtures do not have.
struct Scratch {
    std::filesystem::path dir;
    Scratch() {
        dir = std::filesystem::temp_directory_path() /
              ("nudge-prepare-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::create_directories(dir);
    }
    ~Scratch() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    std::filesystem::path write(const std::string& name, const std::string& text) {
        nudge::test::write_text(dir / name, text);
        return dir / name;
    }
};

const std::string plain_flow = R"(flow plain

field phone: phone

channel sms to phone from "4570000000"

trigger call.missed as phone {
  start texted
}

final texted {
  send sms "Hej"
}
)";

} // namespace

TEST_CASE("the zone comes from the first flow, and times without offset are read in it") {
    auto p = prepare(R"(flows: [sale_confirmation.flow, booking.flow]
start: 2026-03-28T20:55:00
steps:
  - until: 2026-03-29T09:00:00
  - expect_sent: {at: 2026-03-29T09:00:00+02:00}
)");
    REQUIRE_MESSAGE(p.ok(), render(p.diagnostics));
    CHECK(p.diagnostics.empty());
    CHECK(p.zone == "Europe/Oslo");
    REQUIRE(p.flows.size() == 2);
    CHECK(p.flows[1]->flow().name == "booking_confirmation");
    CHECK(show_instant(p.scenario.start->at, "UTC") == "2026-03-28T19:55:00+00:00");
    // The day after, Oslo is on summer time.
    const auto& until = std::get<UntilStep>(p.scenario.steps[0].body);
    CHECK(show_instant(until.to.at, "UTC") == "2026-03-29T07:00:00+00:00");
    const auto& sent = std::get<ExpectSentStep>(p.scenario.steps[1].body);
    CHECK(sent.at->at == until.to.at);
}

TEST_CASE("an explicit zone wins, a flow without a zone means UTC") {
    auto p = prepare("flows: [sale_confirmation.flow]\nzone: Europe/Stockholm\nstart: "
                     "2026-01-10T08:00:00\nsteps: []\n");
    REQUIRE(p.ok());
    CHECK(p.zone == "Europe/Stockholm");
    CHECK(show_instant(p.scenario.start->at, "UTC") == "2026-01-10T07:00:00+00:00");

    Scratch scratch;
    auto flow = scratch.write("plain.flow", plain_flow);
    auto q = prepare("start: 2026-01-10T08:00:00\nsteps: []\n", {flow});
    REQUIRE_MESSAGE(q.ok(), render(q.diagnostics));
    CHECK(q.zone == "UTC");
    CHECK(show_instant(q.scenario.start->at, "UTC") == "2026-01-10T08:00:00+00:00");
}

TEST_CASE("flows given from outside replace the file's flows") {
    auto p = prepare("flows: [nowhere.flow]\nstart: 2026-01-10\nsteps: []\n",
                     {fixtures() / "booking.flow"});
    REQUIRE_MESSAGE(p.ok(), render(p.diagnostics));
    REQUIRE(p.flows.size() == 1);
    CHECK(p.flows[0]->flow().name == "booking_confirmation");
    CHECK(p.zone == "Europe/Stockholm");
}

TEST_CASE("flows that are missing, broken or loaded twice") {
    SUBCASE("missing") {
        auto p = prepare("flows: [sale_confirmation.flow, salg.flow]\nstart: 2026-01-10\n"
                         "steps: []\n");
        CHECK_FALSE(p.ok());
        const auto* d = find_code(p.diagnostics, "missing-flow");
        CHECK(mentions(d, "cannot read flow file '"));
        CHECK(mentions(d, "salg.flow'"));
        CHECK(d->file == (fixtures() / "t.scenario.yaml").string());
        CHECK(d->pos == SourcePos{1, 33});
        CHECK(d->length == 9);
    }
    SUBCASE("with errors") {
        Scratch scratch;
        auto flow =
            scratch.write("broken.flow", "flow broken\n\nstate s {\n  after 1d -> nowhere\n}\n");
        auto p = prepare("start: 2026-01-10\nsteps: []\n", {flow});
        CHECK_FALSE(p.ok());
        const auto* d = find_code(p.diagnostics, "flow-errors");
        CHECK(mentions(d, "broken.flow' has "));
        // The flow's own diagnostics come along, naming the flow file.
        auto in_flow = std::find_if(p.diagnostics.begin(), p.diagnostics.end(),
                                    [&](const Diagnostic& x) { return x.file == flow.string(); });
        CHECK(in_flow != p.diagnostics.end());
    }
    SUBCASE("twice") {
        auto p = prepare("flows: [booking.flow, ./booking.flow]\nstart: 2026-01-10\nsteps: []\n");
        CHECK(mentions(find_code(p.diagnostics, "duplicate-flow"),
                       "a flow called 'booking_confirmation' is already loaded"));
    }
    SUBCASE("none") {
        auto p = prepare("flows: []\nstart: 2026-01-10\nsteps: []\n");
        CHECK_FALSE(p.ok());
    }
}

TEST_CASE("until may not turn the clock back") {
    auto p = prepare(R"(flows: [booking.flow]
start: 2026-04-01T09:00:00+02:00
steps:
  - advance: 2d
  - until: 2026-04-02T12:00:00
)");
    const auto* d = find_code(p.diagnostics, "until-in-past");
    CHECK(mentions(d, "until 2026-04-02T12:00:00+02:00 is before the clock's time at this step "
                      "(2026-04-03T09:00:00+02:00)"));
    CHECK(d->pos == SourcePos{5, 12});

    auto far = prepare("flows: [booking.flow]\nstart: 2026-04-01\nsteps:\n  - advance: 101y\n");
    CHECK(mentions(find_code(far.diagnostics, "bad-duration"), "more than 100 years"));
}

TEST_CASE("names the flows do not have") {
    auto p = prepare(R"(flows: [sale_confirmation.flow, booking.flow]
start: 2026-04-01T09:00:00
steps:
  - expect_state: {key: "+4791234567", state: confirmd}
  - expect_state: {key: B-17, flow: booking_confirmation, state: sale}
  - expect_state: {key: B-17, flow: booking, state: confirmed}
  - expect_state: {key: B-17, outcome: confirmed_sael}
  - expect_sent: {channel: smss}
)");
    CHECK(p.diagnostics.error_count() == 5);
    CHECK(mentions(find_code(p.diagnostics, "unknown-state"),
                   "no flow has a state 'confirmd', did you mean 'confirmed'?"));
    auto second = std::find_if(p.diagnostics.begin(), p.diagnostics.end(),
                               [](const Diagnostic& d) { return d.pos.line == 5; });
    REQUIRE(second != p.diagnostics.end());
    CHECK(second->message.find("flow 'booking_confirmation' has no state 'sale'") !=
          std::string::npos);
    CHECK(mentions(find_code(p.diagnostics, "unknown-flow"),
                   "no loaded flow is called 'booking' (known: sale_confirmation, "
                   "booking_confirmation)"));
    CHECK(mentions(find_code(p.diagnostics, "unknown-outcome"), "did you mean 'confirmed_sale'?"));
    CHECK(mentions(find_code(p.diagnostics, "unknown-channel"),
                   "no flow has a channel 'smss', did you mean 'sms'?"));
}

TEST_CASE("events, fields, facts and actions no flow uses are warnings") {
    auto p = prepare(R"(flows: [queue_callback.flow]
start: 2026-02-10T10:00:00
facts:
  estimated_wiat: 2m
actions:
  order.parse: {order_total: "249"}
steps:
  - trigger: call.queued
    data: {callr: "+4540506070"}
  - trigger: call.queue
  - signal: {event: key.presed, key: "+4540506070"}
  - expect_action: {action: order.parse}
)");
    CHECK(p.ok());
    CHECK(p.diagnostics.warning_count() == 6);
    CHECK(mentions(find_code(p.diagnostics, "unknown-field"),
                   "no flow started by 'call.queued' has a field 'callr', did you mean 'caller'?"));
    CHECK(mentions(find_code(p.diagnostics, "unknown-trigger"),
                   "no flow starts on 'call.queue', did you mean 'call.queued'?"));
    CHECK(mentions(find_code(p.diagnostics, "unknown-event"), "did you mean 'key.pressed'?"));
    CHECK(
        mentions(find_code(p.diagnostics, "unknown-fact"), "no flow has a fact 'estimated_wiat'"));
    CHECK(find_code(p.diagnostics, "unknown-action") != nullptr);
}

TEST_CASE("a reply without 'to' goes to the one sender number") {
    auto p = prepare(R"(flows: [sale_confirmation.flow]
start: 2026-02-10T10:00:00
steps:
  - reply: {from: "+4791234567", text: Ja}
)");
    REQUIRE_MESSAGE(p.ok(), render(p.diagnostics));
    CHECK(std::get<ReplyStep>(p.scenario.steps[0].body).to->text == "4790000000");

    auto two = prepare(R"(flows: [sale_confirmation.flow, booking.flow]
start: 2026-02-10T10:00:00
steps:
  - reply: {from: "+4791234567", text: Ja}
)");
    CHECK(mentions(find_code(two.diagnostics, "missing-key"),
                   "reply needs 'to': the flows have several sender numbers (4790000000, "
                   "46701234567)"));

    auto none = prepare(R"(flows: [queue_callback.flow]
start: 2026-02-10T10:00:00
steps:
  - reply: {from: "+4540506070", text: "1"}
)");
    CHECK(mentions(find_code(none.diagnostics, "missing-key"), "no channel of the flows"));
}

TEST_CASE("fact changes are read in the zone") {
    auto p = prepare(R"(flows: [queue_callback.flow]
start: 2026-02-10T10:00:00
facts:
  estimated_wait:
    - {from: 2026-02-10T10:00:00, value: 4m}
    - {from: 2026-02-10T10:01:10, value: 40s}
steps: []
)");
    REQUIRE(p.ok());
    const auto& changes = p.scenario.facts.at("estimated_wait").all;
    CHECK(show_instant(changes[1].from->at, "UTC") == "2026-02-10T09:01:10+00:00");
}

TEST_CASE("every scenario fixture reads and checks cleanly") {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(fixtures())) {
        auto name = entry.path().filename().string();
        if (name.size() < 14 || name.substr(name.size() - 14) != ".scenario.yaml") continue;
        CAPTURE(name);
        auto p = prepare_scenario(nudge::test::read_text(entry.path()), entry.path());
        CHECK_MESSAGE(p.diagnostics.empty(), render(p.diagnostics));
        ++count;
    }
    CHECK(count >= 4);
}

TEST_CASE("a scenario's settings apply to its flow, and bad ones are refused where written") {
    Scratch scratch;
    auto text = plain_flow;
    text.replace(text.find("trigger"), 0, "settings sms\n\n");
    auto flow = scratch.write("plain.flow", text);
    auto p = prepare("start: 2026-01-10\nsettings:\n  plain: {sms: \"on, from 4570000001\"}\n"
                     "steps: []\n",
                     {flow});
    REQUIRE_MESSAGE(p.ok(), render(p.diagnostics));
    REQUIRE(p.flows.size() == 1);
    CHECK(p.flows[0]->flow().name == "plain");
    CHECK(p.flows[0]->flow().channels[0].from == "4570000001");

    auto bad = prepare("start: 2026-01-10\nsettings:\n  plain: {sms: maybe}\nsteps: []\n", {flow});
    CHECK_FALSE(bad.ok());
    const auto* d = find_code(bad.diagnostics, "bad-setting");
    CHECK(mentions(d, "sms: expected on or off"));
    CHECK(d->pos == SourcePos{3, 3});

    auto unknown =
        prepare("start: 2026-01-10\nsettings:\n  plane: {sms: off}\nsteps: []\n", {flow});
    CHECK(mentions(find_code(unknown.diagnostics, "unknown-flow"),
                   "'settings' names flow 'plane', which the scenario does not load"));
}

TEST_CASE("'outcome: none' when a flow has an outcome called none is ambiguous") {
    Scratch scratch;
    auto flow = scratch.write("none.flow", R"(flow nothing

field phone: phone

channel sms to phone from "4570000000"

trigger call.missed as phone {
  start texted
}

final texted {
  send sms "Hej"
  outcome none
}
)");
    auto p = prepare(R"(start: 2026-01-10
steps:
  - trigger: {event: call.missed, data: {phone: "+4520123456"}}
  - expect_state: {key: "+4520123456", outcome: none}
)",
                     {flow});
    INFO(render(p.diagnostics));
    const auto* d = find_code(p.diagnostics, "ambiguous-outcome");
    CHECK(mentions(d, "checks for no outcome"));
    CHECK(d->severity == Severity::warning);
}
