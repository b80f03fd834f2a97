// The host wiring on the real flow: reply → parser → order.parsed / order.unclear.
#include "order_desk.hpp"

#include <nudge/nudge.hpp>

#include <doctest/doctest.h>

using namespace std::chrono_literals;

namespace {

struct Restaurant {
    nudge::FakeClock clock{"2026-06-05T18:00:00+02:00"};
    nudge::RecordingTransport out;
    nudge::Engine engine{clock, out};
    missed_call::OrderDesk desk{engine};

    Restaurant() {
        auto flow = nudge::compile_file(MISSED_CALL_FLOW);
        REQUIRE(flow.ok());
        engine.load(flow.flow);
    }
    void missed_call(const std::string& phone) {
        engine.trigger("call.missed", {{"phone", phone}, {"restaurant", "Pizzabaren Vesterbro"}});
        clock.advance(30s);
        engine.run_due();
    }
    std::string state(const std::string& phone) const {
        auto found = engine.instances_by_key(phone);
        return found.empty() ? "" : found.back().state;
    }
};

} // namespace

TEST_CASE("a clear order is confirmed with its summary and total") {
    Restaurant r;
    r.missed_call("+4520123456");
    REQUIRE(r.out.sent().size() == 1);
    r.desk.reply({"+4520123456", "4532100000", "2 margherita og 1 cola tak"});
    CHECK(r.state("+4520123456") == "ordered");
    REQUIRE(r.out.sent().size() == 2);
    CHECK(r.out.sent().back().text ==
          "Tak! Vi har modtaget: 2 x margherita, 1 x cola. I alt 195,00 kr. Vi sender en SMS, "
          "når maden er klar.");
    auto done = r.engine.instances_by_key("+4520123456").back();
    CHECK(done.outcome == "converted");
    CHECK(done.outcome_value == doctest::Approx(195));
}

TEST_CASE("an unclear order is asked for again, then confirmed") {
    Restaurant r;
    r.missed_call("+4520123457");
    r.desk.reply({"+4520123457", "4532100000", "det sædvanlige"});
    CHECK(r.state("+4520123457") == "unclear");
    CHECK(r.out.sent().back().text.find("antal og ret") != std::string::npos);
    r.clock.advance(2min);
    r.desk.reply({"+4520123457", "4532100000", "1 calzone"});
    CHECK(r.state("+4520123457") == "ordered");
    REQUIRE(r.desk.parsed().size() == 2);
    CHECK(r.desk.parsed()[0].second.unclear);
    CHECK(r.desk.parsed()[1].second.summary() == "1 x calzone");
}

TEST_CASE("two unclear orders go to a person") {
    Restaurant r;
    r.missed_call("+4520123458");
    r.desk.reply({"+4520123458", "4532100000", "noget med kylling"});
    r.desk.reply({"+4520123458", "4532100000", "2 sushi"});
    CHECK(r.state("+4520123458") == "manual");
}
