// Windows with closed days and `not during`: sends wait through holidays and quiet hours.
#include "runtime_support.hpp"

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

const std::string shop = R"(flow pickup
timezone "Europe/Oslo"

field phone: phone

channel sms to phone from "4790000000"

window daytime = not during mon-sun 21:00-08:00
window shop = mon-fri 09:00-17:00 closed on 12-24, 12-25, 12-26, 2026-12-31

trigger order.ready as phone {
  start ready
}

state ready {
  send sms "Your order is ready for pickup." within shop
  after 10d -> thanked
}

final thanked {
  send sms "Thanks for shopping with us." within daytime
}
)";

} // namespace

TEST_CASE("a send within a window with closed days waits until the shop opens again") {
    // Wednesday 23 December, after closing: Thursday to Saturday are closed days or the
    // weekend, so the message goes on Monday the 28th at nine.
    Rig r("2026-12-23T18:00:00+01:00", shop);
    REQUIRE(r.engine.trigger("order.ready", {{"phone", "+4791234567"}}).size() == 1);
    CHECK(r.out.sent().empty());
    r.until("2026-12-29T00:00:00+01:00");
    REQUIRE(r.out.sent().size() >= 1);
    CHECK(r.at(0, "Europe/Oslo") == "2026-12-28T09:00:00+01:00");
}

TEST_CASE("a send within a not-during window waits out the quiet hours") {
    // Ten days after 22:30 on Monday 14 December is 22:30 on the 24th: quiet hours, so the
    // thanks waits until eight the next morning (the closed days are the shop window's only).
    Rig r("2026-12-14T22:30:00+01:00", shop);
    REQUIRE(r.engine.trigger("order.ready", {{"phone", "+4791234567"}}).size() == 1);
    r.until("2026-12-15T12:00:00+01:00");
    REQUIRE(r.out.sent().size() == 1);
    CHECK(r.at(0, "Europe/Oslo") == "2026-12-15T09:00:00+01:00");
    CHECK(r.out.sent()[0].text == "Your order is ready for pickup.");
    r.until("2026-12-25T09:00:00+01:00");
    REQUIRE(r.out.sent().size() == 2);
    CHECK(r.at(1, "Europe/Oslo") == "2026-12-25T08:00:00+01:00");
    CHECK(r.out.sent()[1].text == "Thanks for shopping with us.");
}
