// Replies read for what they mean: yes, no and a date, in the flow's language.
#include "runtime_support.hpp"

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

const std::string visit = R"(flow visit
timezone "Europe/Copenhagen"

field phone: phone
field new_day: date?

channel sms to phone from "4570000000"

keywords agree = yes
keywords refuse = no
keywords other_day = date

template moved sms "Tak! Vi flytter besøget til {new_day | day}."

trigger visit.booked as phone {
  start asked
}

state asked {
  send sms "Passer tiden? Svar ja eller nej, eller skriv en anden dag."
  on reply agree -> confirmed
  on reply refuse -> declined
  on reply other_day as new_day -> moved
  on reply other -> inbox
}

final confirmed
final declined
final moved {
  send sms moved
}
)";

} // namespace

TEST_CASE("a reply is read as yes, no or a date in the flow's language") {
    Rig r("2026-04-10T10:00:00+02:00", visit); // a Friday
    auto a = r.engine.trigger("visit.booked", {{"phone", "+4520000001"}})[0];
    auto b = r.engine.trigger("visit.booked", {{"phone", "+4520000002"}})[0];
    auto c = r.engine.trigger("visit.booked", {{"phone", "+4520000003"}})[0];
    auto d = r.engine.trigger("visit.booked", {{"phone", "+4520000004"}})[0];
    auto e = r.engine.trigger("visit.booked", {{"phone", "+4520000005"}})[0];
    r.engine.reply({"+4520000001", "4570000000", "Jep, det passer"});
    r.engine.reply({"+4520000002", "4570000000", "Nej desværre"});
    r.engine.reply({"+4520000003", "4570000000", "Kan vi tage den 14. maj?"});
    r.engine.reply({"+4520000004", "4570000000", "ikke ok"});
    r.engine.reply({"+4520000005", "4570000000", "måske"});
    CHECK(r.state_of(a) == "confirmed");
    CHECK(r.state_of(b) == "declined");
    CHECK(r.state_of(c) == "moved");
    CHECK(r.engine.instance(c)->fields.at("new_day") == "2026-05-14");
    CHECK(r.out.sent().back().text == "Tak! Vi flytter besøget til torsdag 14. maj.");
    CHECK(r.state_of(d) == "declined");
    CHECK(r.state_of(e) == "asked"); // to the inbox
    CHECK(r.engine.inbox().size() == 1);
}

TEST_CASE("a weekday in a reply is the next such day after today, in the recipient's zone") {
    // 23:30 UTC on Thursday is 01:30 on Friday in Copenhagen: "fredag" is a week on.
    Rig r("2026-04-09T23:30:00Z", visit);
    auto id = r.engine.trigger("visit.booked", {{"phone", "+4520000001"}})[0];
    r.engine.reply({"+4520000001", "4570000000", "fredag"});
    CHECK(r.engine.instance(id)->fields.at("new_day") == "2026-04-17");
}

TEST_CASE("a time test keeps a moment: the reply's time on its date, or the next such time") {
    Rig r("2026-04-10T10:00:00+02:00", R"(flow call_back
timezone "Europe/Copenhagen"

field phone: phone
field call_at: datetime?

channel sms to phone from "4570000000"

keywords when = time

trigger call.missed as phone {
  start asked
}

state asked {
  send sms "Hvornår må vi ringe? Skriv et tidspunkt."
  on reply when as call_at -> planned
  on reply other -> inbox
}

final planned {
  send sms "Vi ringer {call_at | day} kl. {call_at | time}."
}
)");
    auto a = r.engine.trigger("call.missed", {{"phone", "+4520000001"}})[0];
    auto b = r.engine.trigger("call.missed", {{"phone", "+4520000002"}})[0];
    auto c = r.engine.trigger("call.missed", {{"phone", "+4520000003"}})[0];
    r.engine.reply({"+4520000001", "4570000000", "kl. 14.30"});   // later today
    r.engine.reply({"+4520000002", "4570000000", "kl 9"});        // 09:00 has passed: tomorrow
    r.engine.reply({"+4520000003", "4570000000", "14/5 kl. 10"}); // a date and a time
    CHECK(r.engine.instance(a)->fields.at("call_at") == "2026-04-10 14:30");
    CHECK(r.engine.instance(b)->fields.at("call_at") == "2026-04-11 09:00");
    CHECK(r.engine.instance(c)->fields.at("call_at") == "2026-05-14 10:00");
    CHECK(r.out.sent().back().text == "Vi ringer torsdag 14. maj kl. 10.00.");
}
