// Settings per business in the language: `settings`, field defaults, `channel … off`,
// `flow NAME for BUSINESS`, in both front ends and the printer; the checks on them; and
// apply_settings / settings_of (<nudge/settings.hpp>).
#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>
#include <nudge/settings.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using namespace nudge;

namespace {

const std::string flow_text = R"(flow missed_call
timezone "Europe/Copenhagen"

field phone: phone
field restaurant: text = "Restauranten"

channel sms to phone from "4532100000"
channel staff email to "orders@restaurant.example"

window active_hours = mon-sun 10:00-22:00
list blocked = "+4533445566"

numbers DK
settings restaurant, active_hours, cooldown, blocked, numbers, sms, staff, missed

template missed sms "Hej fra {restaurant}! Svar med din bestilling."

trigger call.missed as phone {
  delay 30s
  only during active_hours
  cooldown 30m
  unless phone in blocked
  start texted
}

state texted {
  send sms missed
  on reply any -> ordered
  after 2h -> no_answer
}

final ordered {
  send staff "Ny bestilling fra {phone}"
}

final no_answer
)";

FlowDef parsed(const std::string& text) {
    auto r = read_flow(text, "missed_call.flow");
    INFO(render(r.diagnostics, text));
    REQUIRE(r.ok());
    return *r.flow;
}

std::string errors_of(const std::string& text) {
    auto r = read_flow(text, "x.flow");
    std::string out;
    for (const auto& d : r.diagnostics)
        if (d.severity == Severity::error) out += d.code + ": " + d.message + "\n";
    return out;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

const Setting* find(const std::vector<Setting>& all, std::string_view name) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const Setting& s) { return s.name == name; });
    return it == all.end() ? nullptr : &*it;
}

} // namespace

TEST_CASE("settings, field defaults and channel off read and print in both front ends") {
    auto def = parsed(flow_text);
    REQUIRE(def.settings.size() == 8);
    CHECK(def.settings[0].name == "restaurant");
    CHECK(def.settings[0].loc.begin.line == 14);
    CHECK(def.fields[1].default_value == "Restauranten");
    CHECK_FALSE(def.channels[0].off);
    // The printer keeps them, and what it prints reads back the same.
    auto printed = format_flow(def);
    CHECK(printed.find("field restaurant: text = \"Restauranten\"") != std::string::npos);
    CHECK(printed.find("settings restaurant, active_hours, cooldown, blocked, numbers, sms, "
                       "staff, missed") != std::string::npos);
    CHECK(parsed(printed) == def);
    // The YAML twin says the same.
    auto yaml = flow_to_yaml(def);
    CHECK(yaml.find("restaurant:\n    type: text\n    default: Restauranten") != std::string::npos);
    CHECK(yaml.find("settings: [restaurant, active_hours, cooldown, blocked, numbers, sms, "
                    "staff, missed]") != std::string::npos);
    auto back = parse_flow_yaml(yaml, "missed_call.flow.yaml");
    INFO(render(back.diagnostics, yaml));
    REQUIRE(back.ok());
    CHECK(*back.flow == def);

    auto off = parsed(replaced(flow_text, "from \"4532100000\"", "from \"4532100000\" off"));
    CHECK(off.channels[0].off);
    CHECK(format_flow(off).find("channel sms to phone from \"4532100000\" off") !=
          std::string::npos);
    auto off_yaml = flow_to_yaml(off);
    CHECK(off_yaml.find("off: true") != std::string::npos);
    auto off_back = parse_flow_yaml(off_yaml, "x.flow.yaml");
    REQUIRE(off_back.ok());
    CHECK(*off_back.flow == off);
}

TEST_CASE("a settings name must refer to one declaration a business can set") {
    CHECK(errors_of(replaced(flow_text, "settings restaurant,", "settings texted, restaurant,")) ==
          "unknown-setting: 'texted' is not a window, season, list, template, channel or field of "
          "the flow, nor numbers, cooldown or delay\n");
    CHECK(errors_of(replaced(flow_text, "settings restaurant,", "settings blocked, restaurant,")) ==
          "duplicate-setting: setting 'blocked' is listed twice\n");
    CHECK(errors_of(replaced(flow_text, "  cooldown 30m\n", "")) ==
          "unknown-setting: no trigger of the flow has a cooldown to set\n");
    CHECK(errors_of(replaced(flow_text, "settings restaurant,", "settings delay, restaurant,")) ==
          "");
    CHECK(errors_of(replaced(replaced(flow_text, "  delay 30s\n", ""), "settings restaurant,",
                             "settings delay, restaurant,")) ==
          "unknown-setting: no trigger of the flow has a delay to set\n");
    auto both = replaced(flow_text, "list blocked", "list missed");
    both = replaced(both, "phone in blocked", "phone in missed");
    both = replaced(both, ", blocked,", ",");
    CHECK(errors_of(both) ==
          "unknown-setting: 'missed' names both a list and a template; rename one\n");
    auto twice = read_flow(
        replaced(flow_text, "settings restaurant,", "settings blocked, restaurant,"), "x.flow");
    REQUIRE(twice.diagnostics.size() >= 1);
    CHECK(twice.diagnostics.items()[0].code == "duplicate-setting");
    auto r = read_flow(replaced(flow_text, "settings restaurant,", "settings texted, restaurant,"),
                       "x.flow");
    CHECK(r.diagnostics.items()[0].code == "unknown-setting");
    REQUIRE(r.diagnostics.size() >= 1);
    CHECK(r.diagnostics.items()[0].pos.line == 14);
    CHECK(r.diagnostics.items()[0].pos.column == 10);
}

TEST_CASE("a field's default must read as its type") {
    auto text = replaced(flow_text, "field restaurant: text = \"Restauranten\"",
                         "field restaurant: text\nfield deposit: money = \"a lot\"");
    auto errors = errors_of(text);
    CHECK(errors.find("bad-default: field 'deposit' has the default \"a lot\", which is not a "
                      "number") != std::string::npos);
    CHECK(errors_of(replaced(text, "\"a lot\"", "\"250.00\"")).empty());
    auto r = read_flow(text, "x.flow");
    REQUIRE(r.diagnostics.size() >= 1);
    CHECK(r.diagnostics.items()[0].code == "bad-default");
}

TEST_CASE("settings_of gives each setting's value in its text form") {
    auto all = settings_of(parsed(flow_text));
    REQUIRE(all.size() == 8);
    CHECK(find(all, "restaurant")->value == "Restauranten");
    CHECK(find(all, "restaurant")->kind == SettingKind::field);
    CHECK(find(all, "active_hours")->value == "mon-sun 10:00-22:00");
    CHECK(find(all, "cooldown")->value == "30m");
    CHECK(find(all, "blocked")->value == "+4533445566");
    CHECK(find(all, "numbers")->value == "DK");
    CHECK(find(all, "sms")->value == "on, from 4532100000");
    CHECK(find(all, "staff")->value == "on, to orders@restaurant.example");
    CHECK(find(all, "missed")->kind == SettingKind::template_text);
}

TEST_CASE("a business's values make the flow it runs, named FLOW@BUSINESS") {
    auto def = parsed(flow_text);
    SettingValues values{{"restaurant", "Pizzeria Roma"},
                         {"active_hours", "mon-fri 11:00-21:00, sat 12:00-22:00"},
                         {"cooldown", "1h"},
                         {"blocked", "+4511111111\n+4522222222\n"},
                         {"numbers", "all, every kind"},
                         {"sms", "on, from 4532100002"},
                         {"staff", "off, to roma@restaurant.example"},
                         {"missed", "Ciao fra {restaurant}!"}};
    auto r = apply_settings(def, "roma", values);
    INFO(render(r.diagnostics, ""));
    REQUIRE(r.ok());
    const auto& f = r.flow->flow();
    CHECK(f.name == "missed_call@roma");
    CHECK(f.business == "roma");
    CHECK(base_name(f) == "missed_call");
    CHECK(f.fields[1].default_value == "Pizzeria Roma");
    REQUIRE(f.windows[0].slots.size() == 2);
    CHECK(to_text(f.windows[0].slots[1]) == "sat 12:00-22:00");
    CHECK(f.triggers[0].cooldown == Duration{1, DurationUnit::h});
    CHECK(f.lists[0].items == std::vector<std::string>{"+4511111111", "+4522222222"});
    REQUIRE(f.numbers);
    CHECK(f.numbers->kind == NumberPolicy::Kind::all);
    CHECK(f.numbers->every_kind);
    CHECK(f.channels[0].from == "4532100002");
    CHECK_FALSE(f.channels[0].off);
    CHECK(f.channels[1].off);
    CHECK(f.channels[1].to == "roma@restaurant.example");
    CHECK(f.templates[0].text == "Ciao fra {restaurant}!");
    // What was not set stays; the flow itself is unchanged.
    CHECK(f.states == def.states);
    CHECK(def.name == "missed_call");
    // It prints as `flow missed_call for roma`, and reads back as the same flow.
    auto printed = format_flow(f);
    CHECK(printed.starts_with("flow missed_call for roma\n"));
    CHECK(parsed(printed) == f);
    auto yaml = flow_to_yaml(f);
    CHECK(yaml.starts_with("flow: missed_call\nbusiness: roma\n"));
    auto back = parse_flow_yaml(yaml, "x.flow.yaml");
    REQUIRE(back.ok());
    CHECK(back.flow->name == "missed_call@roma");
    // settings_of reads the business's values back.
    auto all = settings_of(f);
    CHECK(find(all, "blocked")->value == "+4511111111\n+4522222222");
    CHECK(find(all, "staff")->value == "off, to roma@restaurant.example");
    CHECK(find(all, "numbers")->value == "all, every kind");
    // Without a business, the values apply to the flow itself (a scenario's settings).
    auto plain = apply_settings(def, "", {{"numbers", "nordic"}});
    REQUIRE(plain.ok());
    CHECK(plain.flow->flow().name == "missed_call");
    CHECK(plain.flow->flow().numbers->kind == NumberPolicy::Kind::nordic);
}

TEST_CASE("a business's window setting may close on its holidays and name its quiet hours") {
    auto def = parsed(flow_text);
    auto r = apply_settings(
        def, "roma",
        {{"active_hours", "not during mon-sun 22:00-11:00 closed on 12-24, 2026-12-31"}});
    INFO(render(r.diagnostics, ""));
    REQUIRE(r.ok());
    const auto& w = r.flow->flow().windows[0];
    CHECK(w.not_during);
    CHECK(w.closed == std::vector<ClosedDay>{{0, 12, 24}, {2026, 12, 31}});
    CHECK(find(settings_of(r.flow->flow()), "active_hours")->value ==
          "not during mon-sun 22:00-11:00 closed on 12-24, 2026-12-31");
    auto bad =
        apply_settings(def, "roma", {{"active_hours", "mon-fri 11:00-21:00 closed on 12-32"}});
    CHECK_FALSE(bad.ok());
}

TEST_CASE("a business's value that does not fit is refused, naming the business and setting") {
    auto def = parsed(flow_text);
    auto message = [&](SettingValues values) {
        auto r = apply_settings(def, "roma", values);
        CHECK_FALSE(r.ok());
        CHECK(r.flow == nullptr);
        std::string out;
        for (const auto& d : r.diagnostics)
            out += d.code + ": " + d.message + "\n";
        return out;
    };
    CHECK(message({{"opening", "mon 10:00-12:00"}}) ==
          "unknown-setting: business roma's settings: flow missed_call has no setting "
          "'opening' (its settings: restaurant, active_hours, cooldown, blocked, numbers, sms, "
          "staff, missed)\n");
    CHECK(message({{"active_hours", "weekdays 9-5"}}) ==
          "bad-setting: business roma's settings, active_hours: expected slots such as "
          "\"mon-fri 08:00-16:00, sat 10:00-14:00\", but \"weekdays 9-5\" is not one\n");
    CHECK(message({{"numbers", "denmark"}})
              .find("bad-setting: business roma's settings, "
                    "numbers: expected all, nordic or two-letter") == 0);
    CHECK(message({{"cooldown", "half an hour"}}) ==
          "bad-setting: business roma's settings, cooldown: expected a duration such as 30m, "
          "saw \"half an hour\"\n");
    CHECK(message({{"sms", "maybe"}})
              .starts_with("bad-setting: business roma's settings, sms: "
                           "expected on or off"));
    CHECK(message({{"sms", "on, to +4512345678"}}).starts_with("bad-setting"));
    // A value that reads but breaks the flow: the checker's error, said for the business.
    CHECK(message({{"missed", "Hej {first_name}!"}})
              .find("with business roma's settings: unknown merge field '{first_name}'") !=
          std::string::npos);
    CHECK(message({{"sms", "on, from \"Pizzeria Roma Vesterbro\""}})
              .find("with business roma's settings:") != std::string::npos);
    // A business's name is a name; a flow with a business cannot get another.
    auto bad_name = apply_settings(def, "Roma Vesterbro", {});
    REQUIRE_FALSE(bad_name.ok());
    CHECK(bad_name.diagnostics.items()[0].message.find("saw 'Roma Vesterbro'") !=
          std::string::npos);
    auto roma = apply_settings(def, "roma", {});
    REQUIRE(roma.ok());
    auto twice = apply_settings(roma.flow->flow(), "milano", {});
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.diagnostics.items()[0].message ==
          "flow missed_call@roma already has a business's settings applied");
}

TEST_CASE("a season is a setting") {
    // The workshop recall seed: tyre changes are recalled in two seasons, and a workshop may
    // choose another period.
    const std::string tyres = R"(flow tyres
timezone "Europe/Copenhagen"

field email: email

channel email to email from "shop@example.dk"

window send_hours = mon-fri 08:00-16:00
season summer_tyres = 03-14..04-29

settings summer_tyres

trigger recall.planned as email {
  start due
}

state due {
  at season summer_tyres within send_hours -> invited
}

final invited {
  send email "Time for summer tyres."
}
)";
    auto def = parsed(tyres);
    auto all = settings_of(def);
    REQUIRE(all.size() == 1);
    CHECK(all[0].kind == SettingKind::season);
    CHECK(all[0].value == "03-14..04-29");

    auto r = apply_settings(def, "north", {{"summer_tyres", "04-01..05-15"}});
    INFO(render(r.diagnostics));
    REQUIRE(r.ok());
    CHECK(r.flow->flow().seasons[0].first == MonthDay{4, 1});
    CHECK(r.flow->flow().seasons[0].last == MonthDay{5, 15});
    CHECK(settings_of(r.flow->flow())[0].value == "04-01..05-15");
    // A leap day is a day a season may begin on.
    CHECK(apply_settings(def, "leap", {{"summer_tyres", "02-29..04-30"}}).ok());

    for (const char* bad : {"04-01", "04-31..05-15", "4-1..5-15", "13-01..05-15", "spring"}) {
        INFO(bad);
        auto refused = apply_settings(def, "north", {{"summer_tyres", bad}});
        CHECK_FALSE(refused.ok());
        REQUIRE(refused.diagnostics.size() >= 1);
        CHECK(refused.diagnostics.items()[0].message ==
              std::string("business north's settings, summer_tyres: expected the first and last "
                          "day as MM-DD..MM-DD (10-01..11-08), saw \"") +
                  bad + "\"");
    }
}

TEST_CASE("the delay before a trigger's start is a setting") {
    // The missed-call seed lists the delay before the SMS among a restaurant's settings.
    auto def = parsed(replaced(flow_text, "settings restaurant,", "settings delay, restaurant,"));
    auto all = settings_of(def);
    CHECK(find(all, "delay")->kind == SettingKind::delay);
    CHECK(find(all, "delay")->value == "30s");
    auto r = apply_settings(def, "roma", {{"delay", "2m"}});
    INFO(render(r.diagnostics));
    REQUIRE(r.ok());
    REQUIRE(r.flow->flow().triggers[0].delay.has_value());
    CHECK(to_text(*r.flow->flow().triggers[0].delay) == "2m");
    CHECK(find(settings_of(r.flow->flow()), "delay")->value == "2m");
    auto bad = apply_settings(def, "roma", {{"delay", "soon"}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.diagnostics.items()[0].message ==
          "business roma's settings, delay: expected a duration such as 30s, saw \"soon\"");
}
