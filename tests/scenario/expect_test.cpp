// Expectations against what a run produced, on hand-made values: consumption of the oldest
// match, and failure messages that say what was expected and what there was.
#include "expect.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nudge;
using namespace nudge::detail;

namespace {

Instant at(std::string_view text) {
    return resolve_instant(*parse_instant_text(text).instant, "UTC");
}

Message sms(std::string to, std::string text, std::string_view when) {
    Message m;
    m.flow = "sale_confirmation";
    m.channel = "sms";
    m.to = std::move(to);
    m.from = "4790000000";
    m.text = std::move(text);
    m.at = at(when);
    return m;
}

ScenarioValue v(std::string text) { return ScenarioValue{std::move(text), {}}; }

std::optional<InstantText> instant(std::string_view text) {
    auto t = parse_instant_text(text).instant;
    t->at = resolve_instant(*t, "UTC");
    return t;
}

bool has(const std::optional<std::string>& failure, const std::string& words) {
    REQUIRE(failure);
    INFO(*failure);
    return failure->find(words) != std::string::npos;
}

InstanceView instance(std::uint64_t id, std::string flow, std::string key, std::string state,
                      InstanceStatus status = InstanceStatus::waiting) {
    InstanceView i;
    i.id = id;
    i.flow = std::move(flow);
    i.key = std::move(key);
    i.state = std::move(state);
    i.status = status;
    return i;
}

} // namespace

TEST_CASE("addresses compare as written or, for phone numbers, by their digits") {
    CHECK(same_address("+4791234567", "+4791234567"));
    CHECK(same_address("4791234567", "+4791234567"));
    CHECK(same_address("004791234567", "+4791234567"));
    CHECK(same_address("+47 912 34 567", "+4791234567"));
    CHECK_FALSE(same_address("+4791234568", "+4791234567"));
    CHECK_FALSE(same_address("B-17", "B-18"));
    CHECK(same_address("B-17", "B-17"));
    CHECK_FALSE(same_address("kari@example.no", "+4791234567"));
}

TEST_CASE("expect_sent takes the oldest matching message not yet taken") {
    Observed seen;
    seen.sent = {sms("+4791234567", "Hei Kari!", "2026-03-28T19:55:30Z"),
                 sms("+4791234567", "Hei Kari!", "2026-03-28T21:55:30Z"),
                 sms("+4798765432", "Hei Ola!", "2026-03-28T21:55:30Z")};
    ExpectSentStep e;
    e.to = v("+4791234567");
    e.text_contains = v("Kari");
    CHECK_FALSE(expect_sent(e, seen, "UTC"));
    CHECK(seen.sent_taken == std::vector<bool>{true, false, false});
    // The same expectation again takes the second message, then there is none left.
    e.at = instant("2026-03-28T21:55:30Z");
    CHECK_FALSE(expect_sent(e, seen, "UTC"));
    CHECK(seen.sent_taken == std::vector<bool>{true, true, false});
    auto failure = expect_sent(e, seen, "Europe/Oslo");
    CHECK(has(failure, "expected a message with to +4791234567, at 2026-03-28T22:55:30+01:00, "
                       "text containing \"Kari\"; got none that matches"));
    CHECK(has(failure, "\n    sms to +4798765432 at 2026-03-28T22:55:30+01:00: \"Hei Ola!\"   "
                       "(differs in to, text)"));
    CHECK(failure->find("Hei Kari") == std::string::npos); // taken messages are not listed
}

TEST_CASE("expect_sent compares exactly what it is given") {
    Observed seen;
    Message mail = sms("kari@example.no", "Hei Kari,\nbilen din er klar.", "2026-03-28T10:00:00Z");
    mail.channel = "email";
    mail.subject = "Service";
    seen.sent = {mail};
    ExpectSentStep e;
    e.channel = v("email");
    e.subject = v("Servise");
    auto failure = expect_sent(e, seen, "UTC");
    CHECK(has(failure, "subject \"Service\": \"Hei Kari,\\nbilen din er klar.\"   (differs in "
                       "subject)"));
    e.subject = v("Service");
    e.text = v("Hei Kari,");
    CHECK(has(expect_sent(e, seen, "UTC"), "(differs in text)"));
    e.text = v("Hei Kari,\nbilen din er klar.");
    CHECK_FALSE(expect_sent(e, seen, "UTC"));
}

TEST_CASE("expect_sent with nothing sent says so") {
    Observed seen;
    ExpectSentStep e;
    e.channel = v("sms");
    CHECK(has(expect_sent(e, seen, "UTC"),
              "expected a message with channel sms; got none that matches. Messages sent and "
              "not yet expected: none"));
}

TEST_CASE("expect_no_sent fails on messages nobody expected, once") {
    Observed seen;
    seen.sent = {sms("+4791234567", "Hei Kari!", "2026-03-28T19:55:30Z")};
    CHECK(has(expect_no_sent(seen, "UTC"),
              "expected no messages besides those expected earlier; got:\n    sms to "
              "+4791234567 at 2026-03-28T19:55:30+00:00: \"Hei Kari!\""));
    CHECK_FALSE(expect_no_sent(seen, "UTC"));
    seen.sent.push_back(sms("+4791234567", "Påminnelse: Hei Kari!", "2026-03-29T07:00:00Z"));
    CHECK(expect_no_sent(seen, "UTC"));
}

TEST_CASE("expect_inbox, expect_event and expect_action consume like expect_sent") {
    Observed seen;
    InboxItem item;
    item.message = {"+4791234567", "4790000000", "Okei"};
    item.reason = "unmatched";
    item.at = at("2026-03-29T08:00:00Z");
    seen.inbox = {item};
    ExpectInboxStep in{v("4791234567"), v("unmatched"), v("Okei")};
    CHECK_FALSE(expect_inbox(in, seen, "UTC"));
    CHECK(has(expect_inbox(in, seen, "UTC"), "inbox entries not yet expected: none"));
    ExpectInboxStep other{v("+4791234567"), v("ambiguous"), std::nullopt};
    seen.inbox_taken.assign(1, false);
    CHECK(has(expect_inbox(other, seen, "UTC"),
              "expected an inbox entry from +4791234567 with reason ambiguous; inbox entries not "
              "yet expected:\n    from +4791234567 to 4790000000 at 2026-03-29T08:00:00+00:00 "
              "(unmatched): \"Okei\""));

    // expect_no_inbox: an entry nobody handled fails it; assigned or closed, it holds.
    CHECK(has(expect_no_inbox(seen, "UTC"),
              "expected no message waiting in the inbox for a person (each assigned or closed); "
              "waiting:\n    from +4791234567 to 4790000000 at 2026-03-29T08:00:00+00:00 "
              "(unmatched): \"Okei\""));
    seen.inbox[0].assigned_to = 7;
    CHECK_FALSE(expect_no_inbox(seen, "UTC"));
    seen.inbox[0].assigned_to.reset();
    seen.inbox[0].handled_at = at("2026-03-29T09:00:00Z");
    CHECK_FALSE(expect_no_inbox(seen, "UTC"));

    Emitted freed;
    freed.event = "slot.freed";
    freed.key = "B-17";
    freed.flow = "booking_confirmation";
    seen.emitted = {freed};
    CHECK(has(expect_event({v("slot.freed"), v("B-18"), {}}, seen),
              "expected the event slot.freed for key \"B-18\" to be emitted; events emitted and "
              "not yet expected:\n    slot.freed for key \"B-17\" (flow booking_confirmation)"));
    // Fields the event must carry: a wrong value names what it carried.
    seen.emitted[0].fields = {{"technician", "Lars"}, {"visit_at", "2026-11-03 10:00"}};
    CHECK(has(expect_event({v("slot.freed"), v("B-17"), {{"technician", v("Maja")}}}, seen),
              "expected the event slot.freed for key \"B-17\" with technician \"Maja\" to be "
              "emitted; events emitted and not yet expected:\n    slot.freed for key \"B-17\" "
              "(flow booking_confirmation), technician \"Lars\""));
    CHECK_FALSE(expect_event({v("slot.freed"), v("B-17"), {{"technician", v("Lars")}}}, seen));
    CHECK(expect_event({v("slot.freed"), std::nullopt, {}}, seen));

    ActionCall call;
    call.action = "order.parse";
    call.key = "+4528123456";
    call.flow = "missed_call";
    seen.actions = {call, call};
    CHECK_FALSE(expect_action({v("order.parse"), std::nullopt}, seen));
    CHECK_FALSE(expect_action({v("order.parse"), v("+4528123456")}, seen));
    CHECK(has(expect_action({v("order.parse"), std::nullopt}, seen),
              "expected the action order.parse to be asked for; actions asked for and not yet "
              "expected: none"));
}

TEST_CASE("expect_suppressed reads suppressions off the timeline") {
    Observed seen;
    Record started{at("2026-05-06T10:00:00Z"), 1, "missed_call", "started", {{"key", "+4528"}}};
    Record cooldown{at("2026-05-06T10:10:00Z"),
                    0,
                    "missed_call",
                    "suppressed",
                    {{"event", "call.missed"}, {"key", "+4528123456"}, {"reason", "cooldown"}}};
    Record opted{at("2026-05-06T10:11:00Z"),
                 1,
                 "missed_call",
                 "suppressed",
                 {{"channel", "sms"}, {"reason", "opted_out"}}};
    seen.timeline = {started, cooldown, opted};
    auto key_of = [](std::uint64_t id) { return id == 1 ? std::string("+4528123456") : ""; };
    CHECK_FALSE(expect_suppressed({v("cooldown"), v("+4528123456")}, seen, "UTC", key_of));
    // Records about an instance get its key.
    CHECK_FALSE(expect_suppressed({v("opted_out"), v("+4528123456")}, seen, "UTC", key_of));
    CHECK(has(expect_suppressed({v("cooldown"), std::nullopt}, seen, "UTC", key_of),
              "expected a suppression with reason cooldown; suppressions not yet expected: none"));
    seen.timeline_taken.assign(3, false);
    CHECK(has(expect_suppressed({v("window"), std::nullopt}, seen, "UTC", key_of),
              "\n    2026-05-06T10:10:00+00:00 suppressed event=\"call.missed\" "
              "key=\"+4528123456\" reason=\"cooldown\"\n    2026-05-06T10:11:00+00:00 suppressed "
              "channel=\"sms\" reason=\"opted_out\" (key \"+4528123456\")"));
}

TEST_CASE("expect_state looks at the newest instance of the one flow with the key") {
    std::vector<InstanceView> both = {
        instance(1, "sale_confirmation", "+4791234567", "lapsed", InstanceStatus::finished),
        instance(4, "sale_confirmation", "+4791234567", "sale"),
        instance(2, "booking_confirmation", "+4791234567", "notified")};
    ExpectStateStep e;
    e.key = v("+4791234567");
    e.state = v("sale");
    CHECK(has(expect_state(e, both),
              "key \"+4791234567\" has instances in flows sale_confirmation and "
              "booking_confirmation; say which with 'flow:'"));
    e.flow = v("sale_confirmation");
    CHECK_FALSE(expect_state(e, both));
    e.status = v("finished");
    e.outcome = v("confirmed_sale");
    CHECK(has(expect_state(e, both),
              "expected instance #4 (sale_confirmation, key \"+4791234567\") with state sale, "
              "status finished, outcome confirmed_sale; got state sale, status waiting, outcome "
              "(none)"));
    e.flow = v("missed_call");
    CHECK(has(expect_state(e, both), "no instance has key \"+4791234567\" in flow missed_call"));
    CHECK(has(expect_state(e, {}), "no instance has key"));
}

TEST_CASE("expect_history finds an entry with the given fields") {
    auto i = instance(3, "booking_confirmation", "B-17", "reminded");
    i.history = {
        {at("2026-04-01T07:00:00Z"), 3, "booking_confirmation", "entered", {{"state", "notified"}}},
        {at("2026-04-13T06:00:00Z"), 3, "booking_confirmation", "entered", {{"state", "reminded"}}},
    };
    ExpectHistoryStep e;
    e.key = v("B-17");
    e.kind = v("entered");
    e.fields = {{"state", v("reminded")}};
    CHECK_FALSE(expect_history(e, {i}, "UTC"));
    e.fields = {{"state", v("cancelled")}};
    CHECK(has(expect_history(e, {i}, "UTC"),
              "expected a history entry entered state=\"cancelled\" on instance #3 "
              "(booking_confirmation); its history:\n    2026-04-01T07:00:00+00:00 entered "
              "state=\"notified\""));

    // expect_no_history: the same match, the other way round.
    e.absent = true;
    CHECK_FALSE(expect_history(e, {i}, "UTC"));
    e.fields = {{"state", v("reminded")}};
    CHECK(has(expect_history(e, {i}, "UTC"),
              "expected no history entry entered state=\"reminded\" on instance #3 "
              "(booking_confirmation); found 2026-04-13T06:00:00+00:00 entered "
              "state=\"reminded\""));
    e.kind = v("matched");
    e.fields.clear();
    CHECK_FALSE(expect_history(e, {i}, "UTC"));
}
