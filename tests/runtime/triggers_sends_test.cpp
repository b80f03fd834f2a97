// Triggers (delay, only during, cooldown, unless), sending (templates, merges, fallback,
// number policy, caps), choices, repeats, restart, from any, facts, actions and outcomes.
#include "runtime_support.hpp"

#include <nudge/error.hpp>

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

const std::string missed_call = R"(flow missed_call
timezone "Europe/Copenhagen"

field phone: phone
field restaurant: text

channel sms to phone from "4532100000"

window active_hours = mon-sun 10:00-22:00
list blocked = "+4533445566"

numbers DK
opt_out "STOP"

trigger call.missed as phone {
  delay 30s
  only during active_hours
  cooldown 30m
  unless phone in blocked
  start texted
}

final texted {
  send sms "Hej! Du ringede til {restaurant}. Svar med din bestilling."
}
)";

} // namespace

TEST_CASE("a missed call becomes an SMS 30 seconds later") {
    Rig rig("2026-06-05T18:00:00+02:00", missed_call);
    auto id = rig.engine.trigger("call.missed",
                                 {{"phone", "+4520123456"}, {"restaurant", "Pizzabaren"}})[0];
    CHECK(rig.out.sent().empty());
    CHECK(rig.engine.instance(id)->status == InstanceStatus::pending);
    rig.advance(29s);
    CHECK(rig.out.sent().empty());
    rig.advance(1s);
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.at(0) == "2026-06-05T18:00:30+02:00");
    CHECK(rig.out.sent()[0].text == "Hej! Du ringede til Pizzabaren. Svar med din bestilling.");
    CHECK(rig.out.sent()[0].from == "4532100000");
    CHECK(rig.engine.instance(id)->status == InstanceStatus::finished);
}

TEST_CASE("cooldown: one SMS per number per 30 minutes, counted from the last start") {
    Rig rig("2026-06-05T18:00:00+02:00", missed_call);
    Data call{{"phone", "+4520123456"}, {"restaurant", "Pizzabaren"}};
    CHECK(rig.engine.trigger("call.missed", call).size() == 1);
    rig.advance(10min);
    CHECK(rig.engine.trigger("call.missed", call).empty()); // suppressed: no new cooldown
    rig.advance(20min);
    CHECK(rig.engine.trigger("call.missed", call).size() == 1); // 30 min after the first start
    rig.advance(1min);
    CHECK(rig.out.sent().size() == 2);
    auto m = rig.engine.metrics("missed_call");
    CHECK(m.triggers == 3);
    CHECK(m.starts == 2);
    CHECK(m.suppressed.at("cooldown") == 1);
    auto s = rig.records("suppressed");
    REQUIRE(s.size() == 1);
    CHECK(s[0]->get("reason") == "cooldown");
}

TEST_CASE("outside active hours and blocked numbers start nothing") {
    Rig rig("2026-06-05T22:00:00+02:00", missed_call);
    CHECK(
        rig.engine.trigger("call.missed", {{"phone", "+4520123456"}, {"restaurant", "X"}}).empty());
    rig.until("2026-06-06T10:00:00+02:00");
    CHECK(
        rig.engine.trigger("call.missed", {{"phone", "+4533445566"}, {"restaurant", "X"}}).empty());
    auto m = rig.engine.metrics("missed_call");
    CHECK(m.suppressed.at("outside_window") == 1);
    CHECK(m.suppressed.at("unless") == 1);
    CHECK(m.starts == 0);
}

TEST_CASE("premium-rate and foreign numbers are refused under numbers DK") {
    Rig rig("2026-06-05T12:00:00+02:00", missed_call);
    rig.engine.trigger("call.missed", {{"phone", "+4590123456"}, {"restaurant", "X"}});
    rig.engine.trigger("call.missed", {{"phone", "+46701234567"}, {"restaurant", "X"}});
    rig.engine.trigger("call.missed", {{"phone", "+4520123456"}, {"restaurant", "X"}});
    rig.advance(1min);
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.out.sent()[0].to == "+4520123456");
    auto s = rig.records("suppressed");
    REQUIRE(s.size() == 2);
    CHECK(s[0]->get("reason") == "number_policy");
    CHECK(s[0]->get("why") == "premium_rate number in DK");
    CHECK(s[1]->get("reason") == "number_policy");
    CHECK(s[1]->get("why") == "mobile number in SE");
}

TEST_CASE("a missing merge value fails the send and on send.failed routes it") {
    Rig rig("2026-06-05T12:00:00+02:00", R"(flow notice
timezone "Europe/Copenhagen"

field phone: phone
field first_name: text?

channel sms to phone from "4570000000"

trigger customer.created as phone {
  start greeted
}

state greeted {
  send sms "Hej {first_name}, velkommen."
  after 1d -> done
}

final done

final broken

from any {
  on send.failed -> broken
}
)");
    auto id = rig.engine.trigger("customer.created", {{"phone", "+4520123456"}})[0];
    CHECK(rig.out.sent().empty());
    CHECK(rig.state_of(id) == "broken");
    auto f = rig.records("failed");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->get("error") == "missing merge value: first_name");
}

TEST_CASE("fallback channels are tried when the recipient is empty, templates per kind") {
    const std::string flow = R"(flow recall
timezone "Europe/Copenhagen"

field name: text
field phone: phone?
field email: email?
field plate: text

channel email to email from "service@autohuset.example"
channel sms to phone from "4570000000"

template invite email subject "Service for {plate}" "Kære {name}, {plate} skal til service."
template invite sms "Hej {name}, {plate} skal til service."

trigger vehicle.due as plate {
  start invited
}

final invited {
  send email invite fallback sms
}
)";
    Rig rig("2026-06-05T12:00:00+02:00", flow);
    rig.engine.trigger("vehicle.due", {{"name", "Jens"},
                                       {"email", "jens@example.dk"},
                                       {"plate", "AB12345"},
                                       {"phone", "+4520123456"}});
    rig.engine.trigger("vehicle.due",
                       {{"name", "Lise"}, {"plate", "CD67890"}, {"phone", "+4520654321"}});
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[0].channel == "email");
    CHECK(rig.out.sent()[0].subject == "Service for AB12345");
    CHECK(rig.out.sent()[0].text == "Kære Jens, AB12345 skal til service.");
    CHECK(rig.out.sent()[1].channel == "sms");
    CHECK(rig.out.sent()[1].text == "Hej Lise, CD67890 skal til service.");
}

TEST_CASE("caps: at most N messages per channel per period") {
    Rig rig("2026-06-05T12:00:00+02:00", R"(flow chatty
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

cap sms 2 per 24h

trigger go as phone {
  start a
}

state a {
  send sms "One."
  on step.done -> b
}

state b {
  send sms "Two."
  on step.done -> c
}

final c {
  send sms "Three."
}
)");
    // The steps move on host events, whose timing the compiler cannot know, so the flow
    // compiles (three timed steps inside 24h would be a cap-blocks-send error).
    rig.engine.trigger("go", {{"phone", "+4520123456"}});
    rig.advance(1h);
    CHECK(rig.engine.signal("", "+4520123456", "step.done") == 1);
    rig.advance(1h);
    CHECK(rig.engine.signal("", "+4520123456", "step.done") == 1);
    rig.advance(1h);
    CHECK(rig.out.sent().size() == 2);
    auto s = rig.records("suppressed");
    REQUIRE(s.size() == 1);
    CHECK(s[0]->get("reason") == "cap");
}

TEST_CASE("choices, facts, repeats with while and max, and outcomes with values") {
    Rig rig("2026-06-05T12:00:00+02:00", R"(flow queue
timezone "Europe/Copenhagen"

field caller: phone
field order_total: money?
fact estimated_wait: duration

channel voice to caller

trigger call.queued as caller {
  start screening
}

state screening {
  if caller.region == "DK" and caller.type in ["mobile", "fixed_line"] -> queued
  else -> no_offer
}

state queued {
  every 30s max 3 while estimated_wait >= 1m {
    send voice "Tryk 1 for at blive ringet op."
  }
  on key.pressed -> callback
}

final callback {
  outcome kept value order_total
}

final no_offer
)");
    std::string wait = "5m";
    rig.engine.on_fact([&](const FactQuery& q) -> std::optional<std::string> {
        CHECK(q.fact == "estimated_wait");
        return wait;
    });
    auto a = rig.engine.trigger("call.queued", {{"caller", "+4520123456"}})[0];
    auto b = rig.engine.trigger("call.queued", {{"caller", "+4590123456"}})[0];
    CHECK(rig.state_of(a) == "queued");
    CHECK(rig.state_of(b) == "no_offer");
    rig.advance(60s);
    CHECK(rig.out.sent().size() == 2);
    wait = "30s";
    rig.advance(30s);
    CHECK(rig.out.sent().size() == 2); // the estimate fell under a minute
    wait = "2m";
    rig.advance(5min);
    CHECK(rig.out.sent().size() == 3); // max 3 runs (one was skipped by while)
    rig.engine.signal("", "+4520123456", "key.pressed", {{"order_total", "249.50"}});
    CHECK(rig.state_of(a) == "callback");
    auto m = rig.engine.metrics("queue");
    CHECK(m.outcomes.at("kept").count == 1);
    CHECK(m.outcomes.at("kept").value == doctest::Approx(249.5));
    CHECK(m.entries.at("queued") == 1);
    CHECK(m.sends.at("voice") == 3);
}

TEST_CASE("restart starts over with the event's data, from any applies to every state") {
    Rig rig("2026-06-01T10:00:00+02:00", R"(flow booking
timezone "Europe/Stockholm"

field booking_id: text
field phone: phone
field visit_at: datetime

channel sms to phone from "46700000000"

trigger booking.created as booking_id {
  start notified
}

state notified {
  send sms "Ditt besök {visit_at} är bokat."
  on booking.rescheduled -> restart
  at visit_at - 10d -> reminded
}

state reminded {
  send sms "Bekräfta ditt besök {visit_at}."
  at visit_at - 7d -> cancelled
}

final cancelled {
  emit slot.freed
}

final removed

from any {
  on booking.deleted -> removed
}
)");
    auto id = rig.engine.trigger("booking.created", {{"booking_id", "B-1"},
                                                     {"phone", "+46701234567"},
                                                     {"visit_at", "2026-07-01T09:00:00+02:00"}})[0];
    CHECK(rig.out.sent()[0].text == "Ditt besök 2026-07-01 09:00 är bokat.");
    rig.advance(24h);
    CHECK(rig.engine.signal("booking", "B-1", "booking.rescheduled",
                            {{"booking_id", "B-1"},
                             {"phone", "+46701234567"},
                             {"visit_at", "2026-08-03T13:00:00+02:00"}}) == 1);
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[1].text == "Ditt besök 2026-08-03 13:00 är bokat.");
    CHECK(format_instant(*rig.engine.next_due(), "Europe/Stockholm") ==
          "2026-07-24T13:00:00+02:00");
    rig.until("2026-07-25T00:00:00+02:00");
    CHECK(rig.state_of(id) == "reminded");
    CHECK(rig.engine.signal("booking", "B-1", "booking.deleted") == 1);
    CHECK(rig.state_of(id) == "removed");
    CHECK(rig.engine.instances("booking", "removed").size() == 1);
}

TEST_CASE("host actions may answer with fields, emits reach the host, cancel stops an instance") {
    Rig rig("2026-06-05T12:00:00+02:00", R"(flow order
timezone "Europe/Copenhagen"

field phone: phone
field order_total: money?

channel sms to phone from "4532100000"

trigger call.missed as phone {
  start asked
}

state asked {
  send sms "Svar med din bestilling."
  on reply any -> parsing
  after 2h -> lapsed
}

state parsing {
  do "order.parse"
  if order_total != 0 -> ordered
  else -> lapsed
}

final ordered {
  send sms "Tak! I alt {order_total} kr."
  emit order.created
  outcome converted value order_total
}

final lapsed
)");
    rig.engine.on_action([](const ActionCall& c) -> std::optional<Data> {
        CHECK(c.action == "order.parse");
        CHECK(c.last_reply == "2 margherita");
        return Data{{"order_total", "198"}};
    });
    auto id = rig.engine.trigger("call.missed", {{"phone", "+4520123456"}})[0];
    rig.engine.reply({"+4520123456", "4532100000", "2 margherita"});
    CHECK(rig.state_of(id) == "ordered");
    CHECK(rig.out.sent().back().text == "Tak! I alt 198.00 kr.");
    REQUIRE(rig.emitted.size() == 1);
    CHECK(rig.emitted[0].fields.at("order_total") == "198.00");
    CHECK(rig.engine.instance(id)->outcome_value == doctest::Approx(198));

    auto other = rig.engine.trigger("call.missed", {{"phone", "+4520654321"}})[0];
    rig.engine.cancel(other, "customer called back");
    CHECK(rig.engine.instance(other)->status == InstanceStatus::cancelled);
    CHECK_FALSE(rig.engine.next_due().has_value());
}

TEST_CASE("the same inputs give the same timeline, byte for byte") {
    auto run = [] {
        Rig rig("2026-06-05T18:00:00+02:00", missed_call);
        for (int i = 0; i < 20; ++i) {
            rig.engine.trigger("call.missed", {{"phone", "+45201234" + std::to_string(10 + i % 7)},
                                               {"restaurant", "Pizzabaren"}});
            rig.advance(std::chrono::seconds{97 * (i + 1)});
        }
        std::string out;
        for (const auto& r : rig.timeline)
            out += to_json(r, "Europe/Copenhagen") + "\n";
        return out;
    };
    auto a = run();
    CHECK(a == run());
    CHECK(a.find("\"kind\":\"sent\"") != std::string::npos);
}

TEST_CASE("a delayed start takes from any event routes, which cancel the start") {
    const std::string flow = R"(flow delayed
timezone "Europe/Copenhagen"

field phone: phone
field note: text?

channel sms to phone from "4532100000"

trigger call.missed as phone {
  delay 30s
  start texted
}

state texted {
  send sms "We missed your call."
  on reply any -> done
  on call.noted -> done
  after 2h -> done
}

final done

final called_back

from any {
  on call.returned if note != "later" -> called_back
  on reply any -> done
  after 1m -> done
}
)";
    Rig rig("2026-06-05T18:00:00+02:00", flow);
    auto id = rig.engine.trigger("call.missed", {{"phone", "+4520123456"}})[0];
    REQUIRE(rig.engine.instance(id)->status == InstanceStatus::pending);

    // A state's own event route and `from any`'s replies and timers do not apply yet.
    CHECK(rig.engine.signal("delayed", "+4520123456", "call.noted") == 0);
    rig.engine.reply({"+4520123456", "4532100000", "hello"});
    CHECK(rig.engine.inbox().back().reason == "unmatched");
    // A `from any` event route does; its data is merged first, so the condition sees it.
    CHECK(rig.engine.signal("delayed", "+4520123456", "call.returned", {{"note", "later"}}) == 0);
    CHECK(rig.engine.instance(id)->status == InstanceStatus::pending);
    rig.advance(10s);
    CHECK(rig.engine.signal("delayed", "+4520123456", "call.returned", {{"note", "done"}}) == 1);
    CHECK(rig.state_of(id) == "called_back");
    CHECK(rig.engine.instance(id)->status == InstanceStatus::finished);
    // The pending start is cancelled: nothing enters texted, nothing is sent.
    CHECK_FALSE(rig.engine.next_due().has_value());
    rig.advance(5min);
    CHECK(rig.out.sent().empty());
    CHECK(rig.records("entered").size() == 1);

    // Without the signal the start comes as before and `from any` applies from then on.
    Rig plain("2026-06-05T18:00:00+02:00", flow);
    auto other = plain.engine.trigger("call.missed", {{"phone", "+4520123456"}})[0];
    plain.advance(30s);
    CHECK(plain.state_of(other) == "texted");
    CHECK(plain.out.sent().size() == 1);
    plain.advance(1min);
    CHECK(plain.state_of(other) == "done");
}

TEST_CASE("data is checked on arrival: a bad value or a missing required field starts nothing") {
    const std::string flow = R"(flow booking
timezone "Europe/Stockholm"

field booking_id: text
field phone: phone?
field visit_at: datetime
field note: text?

channel sms to phone from "46700000000"

trigger booking.created as booking_id {
  start booked
}

state booked {
  on booking.moved -> booked
  at visit_at -> done
}

final done
)";
    Rig rig("2026-03-02T10:00:00+01:00", flow);
    // Fractional seconds, as JavaScript and Python write them, are a date and time.
    auto ok = rig.engine.trigger("booking.created",
                                 {{"booking_id", "B-1"}, {"visit_at", "2026-03-09T08:00:00.000Z"}});
    CHECK(ok.size() == 1);
    CHECK(rig.engine.state_counts("booking") == std::map<std::string, std::size_t>{{"booked", 1}});
    auto refused = [&](const Data& data, const std::string& field, const std::string& words) {
        try {
            rig.engine.trigger("booking.created", data);
            FAIL("the trigger was taken");
        } catch (const data_error& e) {
            CHECK(e.flow() == "booking");
            CHECK(e.field() == field);
            INFO(e.what());
            CHECK(std::string(e.what()).find(words) != std::string::npos);
        }
    };
    refused({{"booking_id", "B-2"}, {"visit_at", "next tuesday"}}, "visit_at", "is not a date");
    refused({{"booking_id", "B-3"}}, "visit_at", "needs field visit_at");
    refused({{"booking_id", "B-4"}, {"visit_at", ""}}, "visit_at", "needs field visit_at");
    // Nothing started, nothing was recorded for the refused ones.
    CHECK(rig.engine.stats().live == 1);
    for (const auto& r : rig.timeline)
        CHECK(r.kind != "error");
    // The key is the exception: without it the trigger starts nothing and says so.
    CHECK(rig.engine.trigger("booking.created", {{"visit_at", "2026-03-09T08:00:00Z"}}).empty());
    CHECK(rig.engine.metrics("booking").suppressed.at("no_key") == 1);
    // An event's values are checked too (types only).
    CHECK_THROWS_AS(rig.engine.signal("booking", "B-1", "booking.moved", {{"visit_at", "soon"}}),
                    data_error);
    CHECK(rig.engine.signal("booking", "B-1", "booking.moved",
                            {{"visit_at", "2026-03-10T08:00:00+01:00"}}) == 1);
}

TEST_CASE("a cooldown per field counts across keys") {
    const std::string survey = R"(flow survey
timezone "Europe/Copenhagen"

field order_id: text
field phone: phone?

channel sms to phone from "4532100000"

trigger order.delivered as order_id {
  cooldown 30d per phone
  start asked
}

final asked {
  send sms "How did we do? Reply 0-10."
}
)";
    // The text and YAML forms say the same, and print back as written.
    auto parsed = read_flow(survey, "survey.flow");
    REQUIRE(parsed.ok());
    CHECK(parsed.flow->triggers[0].cooldown_per == "phone");
    CHECK(format_flow(*parsed.flow).find("  cooldown 30d per phone\n") != std::string::npos);
    auto yaml = flow_to_yaml(*parsed.flow);
    CHECK(yaml.find("cooldown_per: phone") != std::string::npos);
    auto back = parse_flow_yaml(yaml, "survey.flow.yaml");
    REQUIRE(back.ok());
    CHECK(*back.flow == *parsed.flow);
    auto bad = read_flow(survey.substr(0, survey.find("per phone")) + "per fone\n" +
                             survey.substr(survey.find("per phone") + 9),
                         "survey.flow");
    CHECK(bad.diagnostics.has_errors());

    Rig r("2026-06-01T10:00:00+02:00", survey);
    CHECK(r.engine.trigger("order.delivered", {{"order_id", "A1"}, {"phone", "+4520123456"}})
              .size() == 1);
    // Another order for the same phone within 30 days starts nothing; another phone does.
    CHECK(r.engine.trigger("order.delivered", {{"order_id", "A2"}, {"phone", "+4520123456"}})
              .empty());
    CHECK(r.records("suppressed").back()->get("reason") == "cooldown");
    CHECK(r.engine.trigger("order.delivered", {{"order_id", "A3"}, {"phone", "+4520999999"}})
              .size() == 1);
    // No phone: nothing to count by, so nothing holds it back.
    CHECK(r.engine.trigger("order.delivered", {{"order_id", "A4"}}).size() == 1);
    CHECK(r.engine.trigger("order.delivered", {{"order_id", "A5"}}).size() == 1);
    r.until("2026-07-01T10:00:01+02:00");
    CHECK(r.engine.trigger("order.delivered", {{"order_id", "A6"}, {"phone", "+4520123456"}})
              .size() == 1);
}
