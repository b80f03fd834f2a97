// Seasons with spreading, classifiers, the recipient's own time zone, transport refusals,
// repeats inside a window, reminders via another channel, and a throwing host handler.
#include "runtime_support.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

using namespace nudge;
using namespace nudge::test;

namespace {

const std::string tyre_flow = R"(flow tyres
timezone "Europe/Copenhagen"

field phone: phone
field last_change: date?

channel sms to phone from "4570000000"

window open_hours = mon-fri 08:00-16:00
season winter_tyres = 10-01..11-08

trigger vehicle.imported as phone {
  start waiting
}

state waiting {
  at season winter_tyres spread evenly within open_hours -> invited
}

final invited {
  send sms "Winter is coming: book your tyre change."
}
)";

const std::string by_field_flow = R"(flow tyres
timezone "Europe/Copenhagen"

field phone: phone
field last_change: date

channel sms to phone from "4570000000"

window open_hours = mon-fri 08:00-16:00
season winter_tyres = 10-01..11-08

trigger vehicle.imported as phone {
  start waiting
}

state waiting {
  at season winter_tyres spread by last_change within open_hours -> invited
}

final invited {
  send sms "Time for winter tyres again."
}
)";

std::string phone_number(int i) {
    std::string n = "+452010";
    auto digits = std::to_string(1000 + i);
    n += digits;
    return n;
}

std::vector<Instant> send_times(const RecordingTransport& out) {
    std::vector<Instant> times;
    for (const auto& m : out.sent())
        times.push_back(m.at);
    return times;
}

} // namespace

TEST_CASE("spread evenly: stable points across the whole season, only in open hours") {
    auto run = [] {
        Rig rig("2026-06-01T10:00:00+02:00", tyre_flow);
        for (int i = 0; i < 80; ++i)
            rig.engine.trigger("vehicle.imported", {{"phone", phone_number(i)}});
        rig.until("2026-11-10T00:00:00+01:00");
        return send_times(rig.out);
    };
    auto times = run();
    REQUIRE(times.size() == 80);
    CHECK(run() == times); // reruns give the same times

    auto begin = parse_instant("2026-10-01T00:00:00+02:00");
    auto end = parse_instant("2026-11-09T00:00:00+01:00");
    auto z = date::locate_zone("Europe/Copenhagen");
    std::array<int, 4> quarter{};
    for (auto t : times) {
        CHECK(t >= begin);
        CHECK(t < end);
        auto local = z->to_local(t);
        auto day = date::floor<date::days>(local);
        auto wd = date::weekday{day};
        CHECK(wd != date::Saturday);
        CHECK(wd != date::Sunday);
        auto tod = date::make_time(local - day);
        CHECK(tod.hours().count() >= 8);
        CHECK(tod.hours().count() < 16);
        auto q = static_cast<std::size_t>(4 * (t - begin).count() / (end - begin).count());
        quarter[std::min<std::size_t>(q, 3)]++;
    }
    // 80 keys over four stretches of the season: none empty, none holding half.
    for (int n : quarter) {
        CHECK(n >= 8);
        CHECK(n <= 40);
    }
}

TEST_CASE("spread by a date field: the same point of the season as last time") {
    Rig rig("2026-06-01T10:00:00+02:00", by_field_flow);
    // 2025-10-20 (a Monday) began the 14th of 28 working days of the 2025 season: 13/28 of its
    // open hours had passed. 2026's season has 27 working days of 8 h; 13/28 of them is
    // 361,028 s of open time = 12 working days and 4 h 17 m 8 s: Monday 19 October, 12:17:08.
    auto id = rig.engine.trigger("vehicle.imported",
                                 {{"phone", "+4520123456"}, {"last_change", "2025-10-20"}})[0];
    // A date outside any season says nothing about a point in it: spread evenly instead.
    rig.engine.trigger("vehicle.imported",
                       {{"phone", "+4520123457"}, {"last_change", "2025-06-02"}});
    rig.until("2026-11-10T00:00:00+01:00");
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[1].to == "+4520123456");
    CHECK(rig.at(1) == "2026-10-19T12:17:08+02:00");

    Rig evenly("2026-06-01T10:00:00+02:00", tyre_flow);
    evenly.engine.trigger("vehicle.imported", {{"phone", "+4520123457"}});
    evenly.until("2026-11-10T00:00:00+01:00");
    REQUIRE(evenly.out.sent().size() == 1);
    CHECK(rig.out.sent()[0].to == "+4520123457");
    CHECK(rig.at(0) == evenly.at(0));
    CHECK(rig.state_of(id) == "invited");
}

TEST_CASE("an instance entering during the season is invited at once when its point has passed") {
    Rig rig("2026-10-28T10:00:00+01:00", by_field_flow);
    rig.engine.trigger("vehicle.imported",
                       {{"phone", "+4520123456"}, {"last_change", "2025-10-06"}});
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.at(0) == "2026-10-28T10:00:00+01:00");
}

TEST_CASE("classifiers label an instance by keywords in its text fields") {
    Rig rig("2026-03-02T10:00:00+01:00", R"(flow visits
timezone "Europe/Copenhagen"

field phone: phone
field invoice_text: text
field note: text?

channel sms to phone from "4570000000"

classify visit_kind from invoice_text, note {
  service: "service", "olieskift";
  inspection: "syn", "synstjek";
  tyres: "hjulskift", "dækskifte"
}

trigger visit.imported as phone {
  start sorted
}

state sorted {
  if visit_kind == "service" -> service
  if visit_kind == "inspection" -> inspection
  if visit_kind == "tyres" -> tyres
  else -> other
}

final service {
  send sms "Your car has had its {visit_kind}."
}

final inspection

final tyres

final other
)");
    auto start = [&](std::string phone, std::string text, std::string note = "") {
        Data d{{"phone", std::move(phone)}, {"invoice_text", std::move(text)}};
        if (!note.empty()) d["note"] = std::move(note);
        return rig.engine.trigger("visit.imported", d).at(0);
    };
    auto a = start("+4520000001", "Olieskift og nyt luftfilter");
    auto b = start("+4520000002", "Bilen klargjort til SYN");
    auto c = start("+4520000003", "Dækskifte, sommerhjul på");
    auto d = start("+4520000004", "Vask og støvsugning");
    auto e = start("+4520000005", "Vask", "kunden bad også om synstjek");
    // A label's keywords must occur as whole words: "synonym" is not "syn".
    auto f = start("+4520000006", "Nyt synonym for bremser");
    // Two labels match: the first declared wins.
    auto g = start("+4520000007", "Service og hjulskift");
    CHECK(rig.state_of(a) == "service");
    CHECK(rig.state_of(b) == "inspection");
    CHECK(rig.state_of(c) == "tyres");
    CHECK(rig.state_of(d) == "other");
    CHECK(rig.state_of(e) == "inspection");
    CHECK(rig.state_of(f) == "other");
    CHECK(rig.state_of(g) == "service");
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[0].text == "Your car has had its service.");
    CHECK(rig.engine.instance(a)->fields.at("visit_kind") == "service");
}

TEST_CASE("a zone field moves the instance's windows and days into the recipient's zone") {
    Rig rig("2026-06-05T08:30:00+02:00", R"(flow reminder
timezone "Europe/Copenhagen"

field phone: phone
field home_zone: zone?

channel sms to phone from "4570000000"

window daytime = mon-sun 09:00-20:00

trigger booking.made as phone {
  start booked
}

state booked {
  send sms "Your booking is registered." within daytime
  after 1d -> done
}

final done
)");
    auto here = rig.engine.trigger("booking.made", {{"phone", "+4520000001"}})[0];
    auto away = rig.engine.trigger(
        "booking.made", {{"phone", "+4520000002"}, {"home_zone", "America/New_York"}})[0];
    rig.until("2026-06-06T12:00:00+02:00");
    REQUIRE(rig.out.sent().size() == 2);
    // 09:00 in Copenhagen, then 09:00 in New York (15:00 in Copenhagen).
    CHECK(rig.out.sent()[0].to == "+4520000001");
    CHECK(rig.at(0) == "2026-06-05T09:00:00+02:00");
    CHECK(rig.out.sent()[1].to == "+4520000002");
    CHECK(rig.at(1, "America/New_York") == "2026-06-05T09:00:00-04:00");
    CHECK(rig.state_of(here) == "done");
    CHECK(rig.state_of(away) == "done");
    auto deferred = rig.records("deferred");
    REQUIRE(deferred.size() == 2);
    CHECK(deferred[1]->get("to") == "2026-06-05T09:00:00-04:00");
}

TEST_CASE("a send the transport refuses is recorded and on send.failed routes it") {
    Rig rig("2026-06-05T12:00:00+02:00", R"(flow notice
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

trigger customer.created as phone {
  start greeted
}

state greeted {
  send sms "Welcome aboard."
  on send.failed -> undeliverable
  after 1d -> done
}

final done

final undeliverable
)");
    rig.out.refuse_next(1);
    auto refused = rig.engine.trigger("customer.created", {{"phone", "+4520000001"}})[0];
    auto fine = rig.engine.trigger("customer.created", {{"phone", "+4520000002"}})[0];
    CHECK(rig.state_of(refused) == "undeliverable");
    CHECK(rig.state_of(fine) == "greeted");
    auto f = rig.records("failed");
    REQUIRE(f.size() == 1);
    CHECK(f[0]->instance == refused);
    CHECK(f[0]->get("to") == "+4520000001");
    CHECK_FALSE(f[0]->get("error").empty());
    CHECK(rig.engine.metrics("notice").sends.at("sms") == 1);
}

TEST_CASE("every … within: a tick due outside the window waits for its opening") {
    Rig rig("2026-06-05T18:30:00+02:00", R"(flow nag
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

window daytime = mon-sun 09:00-20:00

trigger invoice.overdue as phone {
  start overdue
}

state overdue {
  every 1h max 3 within daytime {
    send sms "Your invoice is overdue."
  }
  on invoice.paid -> paid
}

final paid
)");
    auto id = rig.engine.trigger("invoice.overdue", {{"phone", "+4520000001"}})[0];
    rig.until("2026-06-07T00:00:00+02:00");
    REQUIRE(rig.out.sent().size() == 3);
    CHECK(rig.at(0) == "2026-06-05T19:30:00+02:00");
    CHECK(rig.at(1) == "2026-06-06T09:00:00+02:00"); // 20:30 is outside daytime
    CHECK(rig.at(2) == "2026-06-06T10:00:00+02:00");
    CHECK(rig.state_of(id) == "overdue");
    CHECK(rig.engine.signal("nag", "+4520000001", "invoice.paid") == 1);
    CHECK(rig.state_of(id) == "paid");
}

TEST_CASE("reminders: counted with times, via another channel, prefixed") {
    Rig rig("2026-06-01T10:00:00+02:00", R"(flow recall
timezone "Europe/Copenhagen"

field phone: phone
field mail: email

channel email to mail from "service@example.dk"
channel sms to phone from "4570000000"

trigger service.due as mail {
  start invited
}

state invited {
  send email "Your car is due for service. Book a time on our site."
  on booking.made -> booked
  after 30d -> follow_up
  remind after 7d via sms prefix "Reminder: " times 2
}

final booked

final follow_up
)");
    auto id = rig.engine.trigger("service.due",
                                 {{"phone", "+4520000001"}, {"mail", "kunde@example.dk"}})[0];
    rig.until("2026-07-02T00:00:00+02:00");
    REQUIRE(rig.out.sent().size() == 3);
    CHECK(rig.out.sent()[0].channel == "email");
    CHECK(rig.out.sent()[1].channel == "sms");
    CHECK(rig.out.sent()[1].to == "+4520000001");
    CHECK(rig.out.sent()[1].reminder);
    CHECK(rig.out.sent()[1].text ==
          "Reminder: Your car is due for service. Book a time on our site.");
    CHECK(rig.at(1) == "2026-06-08T10:00:00+02:00");
    CHECK(rig.at(2) == "2026-06-15T10:00:00+02:00");
    CHECK(rig.state_of(id) == "follow_up");
    CHECK(rig.engine.instances_by_key("kunde@example.dk").size() == 1);
}

TEST_CASE("a throwing host handler becomes an error record and reaches the error handler") {
    Rig rig("2026-06-01T10:00:00+02:00", R"(flow orders
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

trigger order.received as phone {
  start parsing
}

state parsing {
  do "order.parse"
  on order.parsed -> done
  after 1h -> done
}

final done
)");
    std::vector<std::string> errors;
    rig.engine.on_error([&](const Record& r) { errors.push_back(std::string(r.get("error"))); });
    rig.engine.on_action([](const ActionCall&) -> std::optional<Data> {
        throw std::runtime_error("parser offline");
    });
    std::vector<std::uint64_t> ids;
    CHECK_NOTHROW(ids = rig.engine.trigger("order.received", {{"phone", "+4520000001"}}));
    REQUIRE(ids.size() == 1);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("parser offline") != std::string::npos);
    CHECK(rig.state_of(ids[0]) == "parsing"); // the instance goes on
    rig.advance(std::chrono::hours(1));
    CHECK(rig.state_of(ids[0]) == "done");
}

TEST_CASE("a reminder via another kind of channel uses that channel's variant of the template") {
    Rig rig("2026-04-13T08:00:00+02:00", R"(flow recall
timezone "Europe/Copenhagen"

field phone: phone
field mail: email
field plate: text

channel email to mail from "service@example.dk"
channel sms to phone from "4570000000"

template invite email subject "Service for {plate}" "Dear customer, {plate} is due for service."
template invite sms "{plate} is due for service. Book: https://book.example/s"

trigger service.due as mail {
  start invited
}

state invited {
  send email invite
  after 30d -> follow_up
  remind after 7d via sms
}

final follow_up
)");
    rig.engine.trigger(
        "service.due",
        {{"phone", "+4520000001"}, {"mail", "kunde@example.dk"}, {"plate", "AB 12 345"}});
    rig.until("2026-04-21T00:00:00+02:00");
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[0].subject == "Service for AB 12 345");
    CHECK(rig.out.sent()[1].channel == "sms");
    CHECK_FALSE(rig.out.sent()[1].subject.has_value());
    CHECK(rig.out.sent()[1].text ==
          "Reminder: AB 12 345 is due for service. Book: https://book.example/s");
}

TEST_CASE("a set record prints an instant as the timeline does, a merge prints it short") {
    Rig rig("2026-02-10T10:00:00+01:00", R"(flow queue
timezone "Europe/Copenhagen"

field caller: phone
field opened_at: datetime
field closes_at: datetime?

channel sms to caller from "4570000000"

trigger call.queued as caller {
  start queued
}

state queued {
  set closes_at = opened_at + 8h
  send sms "We close at {closes_at}."
  on call.answered -> answered
}

final answered
)");
    rig.engine.trigger("call.queued",
                       {{"caller", "+4540506070"}, {"opened_at", "2026-02-10T08:00:00+01:00"}});
    auto sets = rig.records("set");
    REQUIRE(sets.size() == 1);
    CHECK(sets[0]->get("closes_at") == "2026-02-10T16:00:00+01:00");
    REQUIRE(rig.out.sent().size() == 1);
    CHECK(rig.out.sent()[0].text == "We close at 2026-02-10 16:00.");
}
