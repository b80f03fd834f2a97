// EngineOptions::keep_finished: finished instances are retired from memory, the rest of the
// engine's behaviour (ids, cooldowns, deferred sends, late reports) unchanged.
#include "runtime_support.hpp"

#include <nudge/error.hpp>

#include <stdexcept>

using namespace nudge;
using namespace std::chrono_literals;
using test::compiled;

namespace {

const std::string order_flow = R"(flow order
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4532100000"

window office = mon-sun 09:00-17:00
keywords yes = "ja"

trigger order.placed as phone {
  cooldown 1d
  start asked
}

state asked {
  send sms "Reply JA to confirm."
  on reply yes -> confirmed
  after 1h -> lapsed
}

final confirmed {
  send sms "Thanks, see you." within office
}

final lapsed
)";

struct Bounded {
    FakeClock clock;
    RecordingTransport out;
    Engine engine;
    static EngineOptions keeping(std::size_t keep) {
        EngineOptions o;
        o.keep_finished = keep;
        return o;
    }
    explicit Bounded(std::size_t keep, std::string_view start = "2026-05-12T10:00:00+02:00")
        : clock(start), engine(clock, out, keeping(keep)) {
        engine.load(compiled(order_flow));
    }
    std::uint64_t start(const std::string& phone) {
        auto ids = engine.trigger("order.placed", {{"phone", phone}});
        REQUIRE(ids.size() == 1);
        return ids.front();
    }
    void lapse_all() {
        clock.set(clock.now() + 2h);
        engine.run_due();
    }
};

std::string phone(int i) { return "+452000" + std::to_string(1000 + i); }

} // namespace

TEST_CASE("finished instances beyond keep_finished are retired, oldest first, ids never reused") {
    Bounded b(2);
    for (int i = 0; i < 5; ++i)
        b.start(phone(i));
    b.lapse_all(); // all five end in `lapsed`
    CHECK(b.engine.stats().instances == 5);
    auto next = b.start(phone(9)); // retires the three oldest finished ones
    CHECK(next == 6);
    auto stats = b.engine.stats();
    CHECK(stats.retired == 3);
    CHECK(stats.instances == 3); // two finished ones and the new live one
    CHECK(stats.live == 1);
    CHECK_FALSE(b.engine.instance(1).has_value());
    CHECK_FALSE(b.engine.instance(3).has_value());
    REQUIRE(b.engine.instance(4).has_value());
    CHECK(b.engine.instance(4)->state == "lapsed");
    b.engine.move(4, "asked"); // lives again, then ends again
    CHECK(b.engine.stats().live == 2);
    b.engine.cancel(4, "by hand");
    CHECK(b.engine.stats().live == 1);
    CHECK(b.engine.instances("order").size() == 3);

    // Asking for a retired one says it ended; a late report or a cancel changes nothing.
    CHECK_THROWS_WITH_AS(b.engine.move(2, "asked"),
                         doctest::Contains("has ended and is no longer held in memory"),
                         nudge::error);
    CHECK_THROWS_WITH_AS(b.engine.move(77, "asked"), "no instance 77", nudge::error);
    CHECK_NOTHROW(b.engine.cancel(2, "late"));
    DeliveryReport late;
    late.instance = 2;
    late.delivered = false;
    late.detail = "rejected by the SMSC";
    CHECK_NOTHROW(b.engine.report(late));
    CHECK(b.engine.stats().instances == 3);
}

TEST_CASE("a retired instance's cooldown still holds, in its own version and a newer one") {
    Bounded b(0);
    b.start(phone(1));
    b.lapse_all();
    b.start(phone(2)); // retires the first
    REQUIRE(b.engine.stats().retired == 1);
    CHECK(b.engine.trigger("order.placed", {{"phone", phone(1)}}).empty()); // cooldown 1d

    // A second version counts cooldowns from the starts of every version, retired ones too.
    auto text = order_flow;
    text.replace(text.find("after 1h"), 8, "after 2h");
    b.engine.load_version(compiled(text), 2);
    CHECK(b.engine.trigger("order.placed", {{"phone", phone(1)}}).empty());
    b.clock.set(b.clock.now() + 24h);
    CHECK(b.engine.trigger("order.placed", {{"phone", phone(1)}}).size() == 1);
}

TEST_CASE("an instance whose final still holds a deferred send is retired only after it went") {
    Bounded b(0, "2026-05-12T16:50:00+02:00");
    auto id = b.start(phone(1));
    b.clock.set(parse_instant("2026-05-12T17:10:00+02:00")); // the office has closed
    b.engine.reply({.from = phone(1), .to = "4532100000", .text = "ja"});
    REQUIRE(b.engine.instance(id)->state == "confirmed");
    b.clock.set(parse_instant("2026-05-12T20:00:00+02:00"));
    b.start(phone(2));
    CHECK(b.engine.instance(id).has_value()); // its thank-you waits for the office
    b.clock.set(parse_instant("2026-05-13T09:00:00+02:00"));
    b.engine.run_due(); // the thank-you goes; instance 2 lapses
    REQUIRE(b.out.sent().size() == 3);
    CHECK(b.out.sent()[2].text == "Thanks, see you.");
    b.start(phone(3));
    CHECK_FALSE(b.engine.instance(id).has_value());
    CHECK(b.engine.stats().retired == 2);
}

TEST_CASE("a steady population keeps the table bounded by the live ones plus keep_finished") {
    Bounded b(100);
    std::size_t most = 0;
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 200; ++i)
            b.start("+4530" + std::to_string(100000 + round * 200 + i));
        b.lapse_all();
        most = std::max(most, b.engine.stats().instances);
    }
    b.start("+4540000000");
    auto stats = b.engine.stats();
    std::size_t live = 0;
    for (const auto& v : b.engine.instances("order"))
        if (v.status == InstanceStatus::waiting || v.status == InstanceStatus::pending) ++live;
    CHECK(stats.live == live); // counted as statuses change, not by a walk
    CHECK(stats.live == 1);
    CHECK(stats.retired == 50 * 200 - 100);
    CHECK(stats.instances == 101);
    CHECK(most <= 200 + 100);
}

TEST_CASE("keep_finished set later retires the instances that ended before") {
    FakeClock clock("2026-05-12T10:00:00+02:00");
    RecordingTransport out;
    Engine engine(clock, out);
    engine.load(compiled(order_flow));
    for (int i = 0; i < 4; ++i)
        engine.trigger("order.placed", {{"phone", phone(i)}});
    clock.set(clock.now() + 2h);
    engine.run_due();
    engine.keep_finished(1);
    CHECK(engine.stats().instances == 4); // retired at the next input
    engine.run_due();
    CHECK(engine.stats().instances == 1);
    CHECK(engine.instance(4).has_value());
    CHECK(engine.stats().retired == 3);
}
