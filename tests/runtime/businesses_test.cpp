// One flow run for several businesses on one engine: triggers addressed to a business, each
// business's values (defaults, sender, policy), a channel switched off, and opt-outs that hold
// for one business only.
#include "runtime_support.hpp"

#include <nudge/error.hpp>
#include <nudge/settings.hpp>

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

const std::string flow = R"(flow missed_call
timezone "Europe/Copenhagen"

field phone: phone
field restaurant: text

channel sms to phone from "4532100000"

window active_hours = mon-sun 10:00-22:00

numbers DK
opt_out "STOP"
settings restaurant, active_hours, numbers, sms, missed

template missed sms "Hej fra {restaurant}! Svar med din bestilling."

trigger call.missed as phone {
  delay 30s
  only during active_hours
  start texted
}

state texted {
  send sms missed
  on reply any -> ordered
  after 2h -> no_answer
}

final ordered
final no_answer
)";

std::shared_ptr<const CompiledFlow> for_business(const std::string& business,
                                                 const SettingValues& values) {
    auto r = apply_settings(*read_flow(flow, "missed_call.flow").flow, business, values);
    INFO(render(r.diagnostics, ""));
    REQUIRE(r.ok());
    return r.flow;
}

struct Chain : Rig {
    Chain() : Rig("2026-06-05T18:00:00+02:00") {
        engine.load(for_business(
            "roma", {{"restaurant", "Pizzeria Roma"}, {"sms", "on, from 4532100001"}}));
        engine.load(for_business("malmo", {{"restaurant", "Pizzeria Öresund"},
                                           {"numbers", "nordic"},
                                           {"active_hours", "mon-sun 11:00-23:30"},
                                           {"sms", "on, from 4532100002"}}));
    }
};

} // namespace

TEST_CASE("a trigger for a business starts that business's flow only, with its values") {
    Chain c;
    CHECK(c.engine.flows() == std::vector<std::string>{"missed_call@roma", "missed_call@malmo"});
    // Without a business nothing starts: every loaded flow runs for one.
    CHECK(c.engine.trigger("call.missed", {{"phone", "+4561234567"}}).empty());
    auto roma = c.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234567"}});
    REQUIRE(roma.size() == 1);
    auto malmo = c.engine.trigger_for("malmo", "call.missed", {{"phone", "+46701234567"}});
    REQUIRE(malmo.size() == 1);
    CHECK(c.engine.trigger_for("roma", "call.missed", {{"phone", "+46701234568"}}).size() == 1);
    CHECK(c.engine.trigger_for("nobody", "call.missed", {{"phone", "+4561234599"}}).empty());
    c.advance(30s);
    // The restaurant's name came from its settings (the field's default), the sender too; the
    // Swedish number was texted by the Nordic business and held back by the Danish one.
    REQUIRE(c.out.sent().size() == 2);
    CHECK(c.out.sent()[0].flow == "missed_call@roma");
    CHECK(c.out.sent()[0].from == "4532100001");
    CHECK(c.out.sent()[0].text == "Hej fra Pizzeria Roma! Svar med din bestilling.");
    CHECK(c.out.sent()[1].flow == "missed_call@malmo");
    CHECK(c.out.sent()[1].to == "+46701234567");
    CHECK(c.out.sent()[1].from == "4532100002");
    CHECK(c.out.sent()[1].text == "Hej fra Pizzeria Öresund! Svar med din bestilling.");
    CHECK(c.engine.metrics("missed_call@roma").suppressed.at("number_policy") == 1);
    // The data wins over the default.
    auto named = c.engine.trigger_for("roma", "call.missed",
                                      {{"phone", "+4561234500"}, {"restaurant", "Roma Nord"}});
    REQUIRE(named.size() == 1);
    c.advance(30s);
    CHECK(c.out.sent().back().text == "Hej fra Roma Nord! Svar med din bestilling.");
    // Each business's replies reach its own instance by the number they were sent from.
    c.engine.reply({"+4561234567", "4532100001", "2 margherita"});
    CHECK(c.state_of(roma[0]) == "ordered");
    CHECK(c.state_of(malmo[0]) == "texted");
}

TEST_CASE("a business's hours are its own") {
    Rig r("2026-06-05T22:30:00+02:00");
    r.engine.load(for_business("roma", {{"restaurant", "Roma"}}));
    r.engine.load(for_business(
        "malmo", {{"restaurant", "Öresund"}, {"active_hours", "mon-sun 11:00-23:30"}}));
    CHECK(r.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234567"}}).empty());
    CHECK(r.engine.metrics("missed_call@roma").suppressed.at("outside_window") == 1);
    CHECK(r.engine.trigger_for("malmo", "call.missed", {{"phone", "+4561234567"}}).size() == 1);
}

TEST_CASE("a channel switched off sends nothing and says why") {
    Rig r("2026-06-05T18:00:00+02:00");
    r.engine.load(for_business("roma", {{"restaurant", "Roma"}, {"sms", "off"}}));
    auto id = r.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234567"}});
    REQUIRE(id.size() == 1);
    r.advance(30s);
    CHECK(r.out.sent().empty());
    auto s = r.records("suppressed");
    REQUIRE(s.size() == 1);
    CHECK(s[0]->get("reason") == "channel_off");
    CHECK(s[0]->get("why") == "channel sms is off");
}

TEST_CASE("a STOP to one business's number opts out of that business only") {
    Chain c;
    auto roma = c.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234567"}});
    auto malmo = c.engine.trigger_for("malmo", "call.missed", {{"phone", "+4561234567"}});
    c.advance(30s);
    REQUIRE(c.out.sent().size() == 2);
    c.engine.reply({"+4561234567", "4532100001", "STOP"});
    REQUIRE(c.engine.suppressions().size() == 1);
    CHECK(c.engine.suppressions()[0].business == "roma");
    auto opted = c.records("opted_out");
    REQUIRE(opted.size() == 1);
    CHECK(opted[0]->get("business") == "roma");
    c.advance(3h);
    // A new call to each: Roma holds it back, Öresund texts.
    CHECK(c.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234567"}}).empty());
    CHECK(c.engine.metrics("missed_call@roma").suppressed.at("opted_out") == 1);
    CHECK(c.engine.trigger_for("malmo", "call.missed", {{"phone", "+4561234567"}}).size() == 1);
    c.advance(30s);
    CHECK(c.out.sent().back().flow == "missed_call@malmo");
    // The host can opt a number out of one business, or of all of them.
    c.engine.suppress("+4561234999", "host", "anna", "malmo");
    CHECK(c.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234999"}}).size() == 1);
    CHECK(c.engine.trigger_for("malmo", "call.missed", {{"phone", "+4561234999"}}).empty());
    c.engine.suppress("+4561234888", "host");
    CHECK(c.engine.trigger_for("roma", "call.missed", {{"phone", "+4561234888"}}).empty());
    CHECK(c.engine.trigger_for("malmo", "call.missed", {{"phone", "+4561234888"}}).empty());
    // Taking one off: only that business's entry.
    CHECK_FALSE(c.engine.unsuppress("+4561234999", "asked", "anna"));
    CHECK(c.engine.unsuppress("+4561234999", "asked", "anna", "malmo") == "+4561234999");
    (void)roma;
    (void)malmo;
}

TEST_CASE("a field's default fills what the trigger's data lacks") {
    auto text = flow;
    text.replace(text.find("field restaurant: text"), 22,
                 "field restaurant: text = \"Restauranten\"");
    Rig r("2026-06-05T18:00:00+02:00", text);
    // A required field with a default is not missing.
    auto id = r.engine.trigger("call.missed", {{"phone", "+4561234567"}});
    REQUIRE(id.size() == 1);
    r.advance(30s);
    REQUIRE(r.out.sent().size() == 1);
    CHECK(r.out.sent()[0].text == "Hej fra Restauranten! Svar med din bestilling.");
}
