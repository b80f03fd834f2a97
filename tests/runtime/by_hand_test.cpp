// Messages a person sends by hand (Engine::send_by_hand): from any state, merge fields from the
// instance, the channel's rules, and the state's own message and reminders left alone.
#include "runtime_support.hpp"

#include <nudge/error.hpp>

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

const std::string sale = R"(flow sale
timezone "Europe/Oslo"

field phone: phone
field first_name: text
field product: text?

channel sms to phone from "4790000000"
channel quiet sms to phone from "4790000001" off

opt_out "STOP"

template confirm sms "Hei {first_name}, svar JA for å bekrefte."
template call_me sms "Hei {first_name}, ring oss gjerne om {product}."

trigger sale.saved as phone {
  start waiting
}

state waiting {
  send sms confirm
  on reply any -> done
  after 3d -> lapsed
  remind after 2h
}

final done
final lapsed
)";

} // namespace

TEST_CASE("a person sends a message from any state, merged from the instance") {
    Rig r("2026-03-02T10:00:00+01:00", sale);
    auto id = r.engine.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    REQUIRE(id.size() == 1);
    REQUIRE(r.out.sent().size() == 1);
    r.advance(30min);
    CHECK(r.engine.send_by_hand(id[0], "sms", "Hei {first_name}, vi ringer deg i kveld.", "anna"));
    REQUIRE(r.out.sent().size() == 2);
    CHECK(r.out.sent()[1].text == "Hei Kari, vi ringer deg i kveld.");
    CHECK_FALSE(r.out.sent()[1].reminder);
    auto sent = r.records("sent");
    REQUIRE(sent.size() == 2);
    CHECK(sent[1]->get("by") == "anna");
    CHECK(r.state_of(id[0]) == "waiting");
    // The reminder still repeats the state's own message, two hours after it.
    r.advance(90min);
    REQUIRE(r.out.sent().size() == 3);
    CHECK(r.out.sent()[2].reminder);
    CHECK(r.out.sent()[2].text == "Reminder: Hei Kari, svar JA for å bekrefte.");
    CHECK(r.at(2, "Europe/Oslo") == "2026-03-02T12:00:00+01:00");
    // A finished instance can still be written to.
    r.engine.reply({"+4791234567", "4790000000", "ja"});
    CHECK(r.state_of(id[0]) == "done");
    CHECK(r.engine.send_by_hand(id[0], "sms", "Takk!", "anna"));
    CHECK(r.out.sent().back().text == "Takk!");
}

TEST_CASE("a message by hand that cannot go out says why, and sends nothing") {
    Rig r("2026-03-02T10:00:00+01:00", sale);
    auto id = r.engine.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    REQUIRE(id.size() == 1);
    auto refused = [&](auto&& f) {
        std::string message;
        try {
            f();
        } catch (const nudge::error& e) {
            message = e.what();
        }
        return message;
    };
    CHECK(refused([&] {
              r.engine.send_by_hand(id[0], "sms", "Om {product}: ring oss.", "anna");
          }) == "the message needs {product}, which instance 1 has no value for; nothing was sent");
    CHECK(refused([&] { r.engine.send_by_hand(id[0], "email", "Hei", "anna"); }) ==
          "flow sale has no channel email");
    CHECK(refused([&] { r.engine.send_by_hand(id[0], "sms", "", "anna"); }) ==
          "the message is empty");
    CHECK(refused([&] { r.engine.send_by_hand(id[0], "sms", "Hei", ""); }) ==
          "a message sent by hand names who sent it");
    CHECK(refused([&] { r.engine.send_by_hand(99, "sms", "Hei", "anna"); }).find("99") !=
          std::string::npos);
    CHECK(r.out.sent().size() == 1);
    // The channel's rules hold: switched off, or the customer opted out.
    CHECK_FALSE(r.engine.send_by_hand(id[0], "quiet", "Hei", "anna"));
    CHECK(r.records("suppressed").back()->get("reason") == "channel_off");
    r.engine.reply({"+4791234567", "4790000000", "STOP"});
    CHECK_FALSE(r.engine.send_by_hand(id[0], "sms", "Hei", "anna"));
    CHECK(r.records("suppressed").back()->get("reason") == "opted_out");
    CHECK(r.out.sent().size() == 1);
}
