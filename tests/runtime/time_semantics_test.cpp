// DESIGN §5 "Time", "within", "Timers": through the engine, with exact instants.
#include "runtime_support.hpp"

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

const std::string reminder_flow = R"(flow sale
timezone "Europe/Oslo"

field phone: phone
field first_name: text

channel sms to phone from "4790000000"

window daytime = mon-sun 09:00-21:00
keywords yes = "ja", "ok"

trigger outcome.sale as phone {
  start sale
}

state sale {
  send sms "Hei {first_name}, svar JA for å bekrefte."
  on reply yes -> confirmed
  after 4d -> lapsed
  remind after 2h within daytime prefix "Påminnelse: "
}

final confirmed

final lapsed
)";

} // namespace

TEST_CASE("a reminder that would fall at 22:55 goes out at 09:00 the next day") {
    Rig rig("2026-05-12T20:55:00+02:00", reminder_flow);
    auto ids =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    REQUIRE(ids.size() == 1);
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.at(0, "Europe/Oslo") == "2026-05-12T20:55:00+02:00");
    rig.until("2026-05-13T08:59:59+02:00");
    CHECK(rig.out.sent().size() == 1);
    rig.until("2026-05-13T09:00:00+02:00");
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.at(1, "Europe/Oslo") == "2026-05-13T09:00:00+02:00");
    CHECK(rig.out.sent()[1].text == "Påminnelse: Hei Kari, svar JA for å bekrefte.");
    CHECK(rig.out.sent()[1].reminder);
    auto deferred = rig.records("deferred");
    REQUIRE(deferred.size() == 1);
    CHECK(deferred[0]->get("from") == "2026-05-12T22:55:00+02:00");
    CHECK(deferred[0]->get("to") == "2026-05-13T09:00:00+02:00");
    CHECK(deferred[0]->get("why") == "outside daytime");
}

TEST_CASE("a reminder repeats the message as it was sent, though a merged field changed since") {
    Rig rig("2026-05-12T10:00:00+02:00", reminder_flow);
    rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    rig.engine.signal("sale", "+4791234567", "name.corrected", {{"first_name", "Karin"}});
    rig.advance(2h);
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[1].text == "Påminnelse: Hei Kari, svar JA for å bekrefte.");
}

TEST_CASE("leaving a state cancels its timers") {
    Rig rig("2026-05-12T10:00:00+02:00", reminder_flow);
    auto id =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Ola"}})[0];
    rig.advance(30min);
    rig.engine.reply({"+4791234567", "4790000000", "ja"});
    CHECK(rig.state_of(id) == "confirmed");
    CHECK_FALSE(rig.engine.next_due().has_value());
    rig.advance(std::chrono::hours{24 * 5});
    CHECK(rig.out.sent().size() == 1); // no reminder after the answer
    CHECK(rig.state_of(id) == "confirmed");
}

namespace {
std::string day_flow(const std::string& step) {
    return R"(flow steps
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

trigger go as phone {
  start waiting
}

state waiting {
  after )" +
           step + R"( -> done
}

final done {
  send sms "Step done."
}
)";
}
} // namespace

TEST_CASE("a day across the spring DST change is 23 hours, across the autumn one 25") {
    {
        Rig rig("2026-03-28T12:00:00+01:00", day_flow("1d"));
        rig.engine.trigger("go", {{"phone", "+4520123456"}});
        REQUIRE(rig.engine.next_due().has_value());
        auto due = *rig.engine.next_due();
        CHECK(format_instant(due, "Europe/Copenhagen") == "2026-03-29T12:00:00+02:00");
        CHECK(due - rig.clock.now() == 23h);
    }
    {
        Rig rig("2026-10-24T12:00:00+02:00", day_flow("1d"));
        rig.engine.trigger("go", {{"phone", "+4520123456"}});
        auto due = *rig.engine.next_due();
        CHECK(format_instant(due, "Europe/Copenhagen") == "2026-10-25T12:00:00+01:00");
        CHECK(due - rig.clock.now() == 25h);
    }
    {
        // Exact units stay exact: 24h across the change is 24 hours.
        Rig rig("2026-03-28T12:00:00+01:00", day_flow("24h"));
        rig.engine.trigger("go", {{"phone", "+4520123456"}});
        CHECK(format_instant(*rig.engine.next_due(), "Europe/Copenhagen") ==
              "2026-03-29T13:00:00+02:00");
    }
}

TEST_CASE("Jan 31 + 1mo is the last day of February") {
    Rig rig("2026-01-31T10:00:00+01:00", day_flow("1mo"));
    rig.engine.trigger("go", {{"phone", "+4520123456"}});
    CHECK(format_instant(*rig.engine.next_due(), "Europe/Copenhagen") ==
          "2026-02-28T10:00:00+01:00");
    rig.until("2026-03-01T00:00:00+01:00");
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.at(0) == "2026-02-28T10:00:00+01:00");
}

TEST_CASE("a window that opens inside the spring-forward gap opens right after it") {
    Rig rig("2026-03-29T00:30:00+01:00", R"(flow night_send
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

window early = sun 02:30-04:00

trigger go as phone {
  start sent
}

final sent {
  send sms "Early bird message." within early
}
)");
    rig.engine.trigger("go", {{"phone", "+4520123456"}});
    CHECK(rig.out.sent().empty());
    rig.until("2026-03-29T12:00:00+02:00");
    REQUIRE(rig.out.sent().size() == 1);
    // 02:30 does not exist that night: clocks jump from 02:00 to 03:00.
    CHECK(rig.at(0) == "2026-03-29T03:00:00+02:00");
}

TEST_CASE("a deadline already past on entry fires at once") {
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
  on booking.confirmed -> confirmed
  at visit_at - 10d -> reminded
}

state reminded {
  send sms "Bekräfta ditt besök."
  on booking.confirmed -> confirmed
  at visit_at - 7d -> cancelled
}

final confirmed

final cancelled {
  emit slot.freed
}
)");
    // The visit is 5 days away: both deadlines have passed; each fires at once, in order.
    auto id = rig.engine.trigger("booking.created", {{"booking_id", "B-17"},
                                                     {"phone", "+46701234567"},
                                                     {"visit_at", "2026-06-06T09:00:00+02:00"}})[0];
    CHECK(rig.state_of(id) == "cancelled");
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.at(0, "Europe/Stockholm") == "2026-06-01T10:00:00+02:00");
    REQUIRE(rig.emitted.size() == 1);
    CHECK(rig.emitted[0].event == "slot.freed");
    CHECK(rig.emitted[0].key == "B-17");
}

TEST_CASE("same-instant timers fire in declaration order") {
    Rig rig("2026-06-01T10:00:00+02:00", R"(flow race
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

trigger go as phone {
  start waiting
}

state waiting {
  after 1h -> first
  after 60m -> second
}

final first

final second
)");
    auto id = rig.engine.trigger("go", {{"phone", "+4520123456"}})[0];
    rig.advance(2h);
    CHECK(rig.state_of(id) == "first");
}

TEST_CASE("a from any deadline counts from the start of the run, in every state") {
    Rig rig("2026-06-01T10:00:00+02:00", R"(flow table_hold
timezone "Europe/Copenhagen"

field booking_id: text
field phone: phone

channel sms to phone from "4570000000"

trigger hold.placed as booking_id {
  start held
}

state held {
  send sms "Your table is held for three days."
  on hold.renewed -> restart
  after 1h -> nudged
}

state nudged {
  send sms "Your table is still held."
  on hold.renewed -> restart
}

final expired

from any {
  at now() + 72h -> expired
}
)");
    auto a = rig.engine.trigger("hold.placed", {{"booking_id", "A"}, {"phone", "+4520123456"}})[0];
    auto b = rig.engine.trigger("hold.placed", {{"booking_id", "B"}, {"phone", "+4520123457"}})[0];
    // Both move to `nudged` an hour in; the deadline stays 72 h after the start, not the entry.
    rig.until("2026-06-01T11:00:00+02:00");
    CHECK(rig.state_of(a) == "nudged");
    // B renews at 20:00: a restart is a new run, so its deadline moves to 72 h after that.
    rig.until("2026-06-01T20:00:00+02:00");
    CHECK(rig.engine.signal("table_hold", "B", "hold.renewed") == 1);
    CHECK(rig.engine.instance(b)->started == parse_instant("2026-06-01T20:00:00+02:00"));
    rig.until("2026-06-04T09:59:59+02:00");
    CHECK(rig.state_of(a) == "nudged");
    rig.until("2026-06-04T10:00:00+02:00");
    CHECK(rig.state_of(a) == "expired");
    CHECK(rig.state_of(b) == "nudged");
    rig.until("2026-06-04T19:59:59+02:00");
    CHECK(rig.state_of(b) == "nudged");
    rig.until("2026-06-04T20:00:00+02:00");
    CHECK(rig.state_of(b) == "expired");
}

TEST_CASE("cancelled deadlines a year ahead do not pile up in the timer queue") {
    Rig rig("2026-01-05T08:00:00+01:00", R"(flow recall
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"
keywords yes = "ja"

trigger car.serviced as phone {
  start waiting
}

state waiting {
  send sms "Time for the yearly check? Reply JA and we will call you."
  on reply yes -> booked
  after 400d -> lapsed
}

final booked

final lapsed
)");
    // 6,000 customers a minute apart, so every deadline is a different instant.
    constexpr int n = 6000;
    std::vector<std::uint64_t> ids;
    for (int i = 0; i < n; ++i) {
        auto started =
            rig.engine.trigger("car.serviced", {{"phone", "+45201" + std::to_string(10000 + i)}});
        REQUIRE(started.size() == 1);
        ids.push_back(started[0]);
        rig.clock.advance(std::chrono::minutes(1));
    }
    auto before = rig.engine.stats();
    CHECK(before.instances == n);
    CHECK(before.live == n);
    CHECK(before.timers == n);
    CHECK(before.queued_timers == n);
    CHECK(before.queue_compactions == 0);

    // Two in three book: their deadlines are cancelled, 400 days before they would come up.
    for (int i = 0; i < n; ++i)
        if (i % 3 != 0)
            rig.engine.reply({"+45201" + std::to_string(10000 + i), "4570000000", "Ja"});
    auto after = rig.engine.stats();
    CHECK(after.live == n / 3);
    CHECK(after.timers == n / 3);
    std::size_t listed = 0;
    for (auto id : ids) {
        for (const auto& t : rig.engine.timers(id)) {
            ++listed;
            CHECK(timer_kind(t.kind) == TimerKind::after); // a name from the one list
        }
    }
    CHECK(listed == after.timers);
    REQUIRE(timer_kinds().size() == 7);
    for (auto kind : timer_kinds())
        CHECK(timer_kind(to_string(kind)) == kind);
    CHECK_FALSE(timer_kind("remind"));
    CHECK(after.queue_compactions >= 1);
    CHECK(after.queued_timers < 2 * after.timers + 1024); // 6,000 without the rebuild

    // The standing deadlines still fire each at its own instant, in deadline order.
    rig.until("2027-02-14T08:00:00+01:00");
    std::vector<std::uint64_t> lapsed;
    for (const auto* r : rig.records("entered"))
        if (r->get("state") == "lapsed") lapsed.push_back(r->instance);
    REQUIRE(lapsed.size() == n / 3);
    for (std::size_t k = 0; k < lapsed.size(); ++k) {
        const auto id = ids[3 * k];
        CHECK(lapsed[k] == id);
        auto v = rig.engine.instance(id, false);
        REQUIRE(v.has_value());
        CHECK(v->entered == v->started + std::chrono::hours(24 * 400));
    }
    auto end = rig.engine.stats();
    CHECK(end.live == 0);
    CHECK(end.timers == 0);
    CHECK(end.queued_timers == 0);
}

TEST_CASE("advance_clock fires each deadline at its own time and stops at the target") {
    Rig rig("2026-03-02T09:00:00+01:00", R"(flow t
field phone: phone
channel sms to phone from "4570000000"
trigger call.missed as phone { start a }
state a {
  send sms "one"
  after 1h -> b
}
state b {
  send sms "two"
  after 1h -> c
}
final c
)");
    rig.engine.trigger("call.missed", {{"phone", "+4520123456"}});
    auto target = parse_instant("2026-03-02T10:30:00+01:00");
    auto moved = detail::advance_clock(rig.clock, rig.engine, target);
    CHECK(moved.ok());
    CHECK(moved.fired == 1);
    CHECK(rig.clock.now() == target);
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(format_instant(rig.out.sent()[1].at, "Europe/Copenhagen") == "2026-03-02T10:00:00+01:00");
    // A cap on runs that cannot reach the target says so.
    auto capped =
        detail::advance_clock(rig.clock, rig.engine, parse_instant("2026-03-03T00:00:00+01:00"), 0);
    CHECK(capped.runaway);
}
