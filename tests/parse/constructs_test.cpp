// Each construct of dsl/REFERENCE.md produces the IR it should (spot checks of the fields).
#include <doctest/doctest.h>

#include <nudge/dsl.hpp>

#include <string>

using namespace nudge;

namespace {

FlowDef parse_ok(const std::string& text) {
    auto r = parse_flow_text(text, "test.flow");
    INFO(render(r.diagnostics, text));
    REQUIRE(r.diagnostics.empty());
    REQUIRE(r.flow.has_value());
    return *r.flow;
}

// A flow header plus `body`.
FlowDef parse_body(const std::string& body) { return parse_ok("flow t\n" + body); }

const StateDecl& only_state(const FlowDef& f) {
    REQUIRE(f.states.size() == 1);
    return f.states[0];
}

} // namespace

TEST_CASE("header: name, version, time zone") {
    auto f = parse_ok("flow sales_confirmation version 2 timezone \"Europe/Oslo\"");
    CHECK(f.name == "sales_confirmation");
    CHECK(f.version == 2);
    CHECK(f.timezone == "Europe/Oslo");
    CHECK(f.source.file == "test.flow");
    auto g = parse_ok("flow x");
    CHECK(g.version == 1);
    CHECK_FALSE(g.timezone.has_value());
}

TEST_CASE("fields and facts") {
    auto f = parse_body("field a: text\nfield b : email?\nfield c:duration\nfact w: duration");
    REQUIRE(f.fields.size() == 3);
    CHECK(f.fields[0].name == "a");
    CHECK(f.fields[0].type == FieldType::text);
    CHECK_FALSE(f.fields[0].optional);
    CHECK(f.fields[1].type == FieldType::email);
    CHECK(f.fields[1].optional);
    CHECK(f.fields[2].type == FieldType::duration);
    REQUIRE(f.facts.size() == 1);
    CHECK(f.facts[0].name == "w");
    CHECK(f.facts[0].type == FieldType::duration);
    for (auto t : {"text", "number", "money", "bool", "phone", "email", "date", "datetime",
                   "duration", "zone"}) {
        auto g = parse_body(std::string("field x: ") + t);
        CHECK(to_string(g.fields[0].type) == t);
    }
}

TEST_CASE("unknown field type is a builder diagnostic, the flow is still built") {
    auto r = parse_flow_text("flow t\nfield a: strng\n", "t.flow");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "unknown-type");
    CHECK(r.diagnostics.items()[0].pos == SourcePos{2, 10});
    CHECK(r.diagnostics.items()[0].length == 5);
    CHECK(r.flow.has_value());
}

TEST_CASE("channels") {
    auto f = parse_body("channel sms to phone from \"4790000000\"\n"
                        "channel email to email\n"
                        "channel workshop email to \"verksted@example.test\"\n"
                        "channel sms sms to x\n"
                        "channel hook webhook to url from \"Shop\"");
    REQUIRE(f.channels.size() == 5);
    CHECK(f.channels[0].name == "sms");
    CHECK(f.channels[0].kind == ChannelKind::sms);
    CHECK(f.channels[0].to == "phone");
    CHECK_FALSE(f.channels[0].to_is_literal);
    CHECK(f.channels[0].from == "4790000000");
    CHECK(f.channels[1].name == "email");
    CHECK_FALSE(f.channels[1].from.has_value());
    CHECK(f.channels[2].name == "workshop");
    CHECK(f.channels[2].kind == ChannelKind::email);
    CHECK(f.channels[2].to == "verksted@example.test");
    CHECK(f.channels[2].to_is_literal);
    CHECK(f.channels[3].name == "sms");
    CHECK(f.channels[4].kind == ChannelKind::webhook);
    CHECK(f.channels[4].from == "Shop");
}

TEST_CASE("windows: slots, day ranges, 24:00, wrap") {
    auto f = parse_body("window w = mon-fri 08:00-16:00, sat 10:00-14:00, sun 00:00-24:00\n"
                        "window night = mon-sun 22:00-06:00");
    REQUIRE(f.windows.size() == 2);
    auto& s = f.windows[0].slots;
    REQUIRE(s.size() == 3);
    CHECK(s[0].first_day == Weekday::mon);
    CHECK(s[0].last_day == Weekday::fri);
    CHECK(s[0].open_minute == 480);
    CHECK(s[0].close_minute == 960);
    CHECK(s[1].first_day == Weekday::sat);
    CHECK(s[1].last_day == Weekday::sat);
    CHECK(s[2].close_minute == 1440);
    CHECK(f.windows[1].slots[0].open_minute == 22 * 60);
    CHECK(f.windows[1].slots[0].close_minute == 6 * 60);
    CHECK(to_text(s[1]) == "sat 10:00-14:00");
}

TEST_CASE("seasons") {
    auto f = parse_body("season winter = 10-01..11-08\nseason leap = 02-29..03-01");
    REQUIRE(f.seasons.size() == 2);
    CHECK(f.seasons[0].first == MonthDay{10, 1});
    CHECK(f.seasons[0].last == MonthDay{11, 8});
    CHECK(to_text(f.seasons[1]) == "02-29..03-01");
}

TEST_CASE("keywords, lists, policy") {
    auto f = parse_body("keywords yes = \"ja\", \"ok\" , \"yes\"\nlist s = \"+4522\"\n"
                        "numbers [DK, SE]\nopt_out \"STOP\", \"AFMELD\"\ncap sms 3 per 24h\n"
                        "cap email 1 per 1mo");
    REQUIRE(f.keywords.size() == 1);
    CHECK(f.keywords[0].words == std::vector<std::string>{"ja", "ok", "yes"});
    CHECK(f.lists[0].items == std::vector<std::string>{"+4522"});
    REQUIRE(f.numbers.has_value());
    CHECK(f.numbers->kind == NumberPolicy::Kind::regions);
    CHECK(f.numbers->regions == std::vector<std::string>{"DK", "SE"});
    CHECK(f.opt_out == std::vector<std::string>{"STOP", "AFMELD"});
    REQUIRE(f.caps.size() == 2);
    CHECK(f.caps[0].channel == "sms");
    CHECK(f.caps[0].count == 3);
    CHECK(f.caps[0].per == Duration{24, DurationUnit::h});
    CHECK(f.caps[1].per == Duration{1, DurationUnit::mo});
    CHECK(parse_body("numbers all").numbers->kind == NumberPolicy::Kind::all);
    CHECK(parse_body("numbers nordic").numbers->kind == NumberPolicy::Kind::nordic);
    auto dk = parse_body("numbers DK").numbers;
    CHECK(dk->kind == NumberPolicy::Kind::regions);
    CHECK(dk->regions == std::vector<std::string>{"DK"});
    CHECK_FALSE(dk->every_kind);
    auto every = parse_body("numbers all, every kind").numbers;
    CHECK(every->kind == NumberPolicy::Kind::all);
    CHECK(every->every_kind);
    CHECK(parse_body("numbers [DK, SE] , every kind").numbers->every_kind);
}

TEST_CASE("reminders: from first counts from the message's first sending") {
    auto f = parse_body("state s {\n  send sms \"hi\"\n  remind after 2h within day\n"
                        "  remind after 24h from first within day prefix \"Last: \"\n}\n");
    REQUIRE(f.states.size() == 1);
    REQUIRE(f.states[0].reminders.size() == 2);
    CHECK_FALSE(f.states[0].reminders[0].from_first);
    CHECK(f.states[0].reminders[1].from_first);
    CHECK(f.states[0].reminders[1].within == "day");
    auto text = format_flow(f);
    CHECK(text.find("remind after 24h from first within day prefix \"Last: \"") !=
          std::string::npos);
}

TEST_CASE("templates: kind, subject, both string forms") {
    auto f = parse_body("template a \"Hi {x}\"\n"
                        "template a sms \"Tab\\there \\\"q\\\" \\\\ \\n\"\n"
                        "template a email subject \"S {p}\" \"\"\"\nDear {x},\n\n  bye\n\"\"\"\n"
                        "template sms \"named sms\"");
    REQUIRE(f.templates.size() == 4);
    CHECK_FALSE(f.templates[0].kind.has_value());
    CHECK(f.templates[0].text == "Hi {x}");
    CHECK(f.templates[1].kind == ChannelKind::sms);
    CHECK(f.templates[1].text == "Tab\there \"q\" \\ \n");
    CHECK(f.templates[2].kind == ChannelKind::email);
    CHECK(f.templates[2].subject == "S {p}");
    CHECK(f.templates[2].text == "Dear {x},\n\n  bye\n");
    CHECK(f.templates[3].name == "sms");
    CHECK_FALSE(f.templates[3].kind.has_value());
}

TEST_CASE("triple-quoted text is raw and keeps a first line that is not empty") {
    auto f = parse_body("template a \"\"\"no \\n escape\"\"\"");
    CHECK(f.templates[0].text == "no \\n escape");
}

TEST_CASE("classifiers") {
    auto f = parse_body("classify kind from invoice, notes {\n service: \"service\", \"olie\";\n"
                        " tyres: \"hjul\";\n}");
    REQUIRE(f.classifiers.size() == 1);
    auto& c = f.classifiers[0];
    CHECK(c.name == "kind");
    CHECK(c.sources == std::vector<std::string>{"invoice", "notes"});
    REQUIRE(c.rules.size() == 2);
    CHECK(c.rules[0].label == "service");
    CHECK(c.rules[0].keywords == std::vector<std::string>{"service", "olie"});
    CHECK(c.rules[1].keywords == std::vector<std::string>{"hjul"});
}

TEST_CASE("trigger block") {
    auto f = parse_body("trigger sale.saved.now as phone {\n delay 30s only during daytime\n"
                        " cooldown 1mo unless phone in suppliers start sale }");
    REQUIRE(f.triggers.size() == 1);
    auto& t = f.triggers[0];
    CHECK(t.event == "sale.saved.now");
    CHECK(t.key == "phone");
    CHECK(t.delay == Duration{30, DurationUnit::s});
    CHECK(t.only_during == "daytime");
    CHECK(t.cooldown == Duration{1, DurationUnit::mo});
    REQUIRE(t.unless.has_value());
    CHECK(to_text(*t.unless) == "phone in suppliers");
    CHECK(t.start == "sale");
}

TEST_CASE("trigger statements: duplicates and a missing start are diagnostics") {
    auto r = parse_flow_text("flow t\ntrigger a as k {\n delay 1s\n delay 2s\n}\n", "t.flow");
    REQUIRE(r.flow.has_value());
    REQUIRE(r.diagnostics.size() == 2);
    CHECK(r.diagnostics.items()[0].code == "duplicate-statement");
    CHECK(r.diagnostics.items()[0].pos == SourcePos{4, 2});
    CHECK(r.diagnostics.items()[1].code == "missing-start");
    CHECK(r.diagnostics.items()[1].pos == SourcePos{2, 1});
}

TEST_CASE("states and finals, has_body") {
    auto f =
        parse_body("state s { }\nfinal a\nfinal b { }\nfinal c {\n outcome won value x + 1\n}");
    REQUIRE(f.states.size() == 4);
    CHECK_FALSE(f.states[0].is_final);
    CHECK(f.states[0].has_body);
    CHECK(f.states[1].is_final);
    CHECK_FALSE(f.states[1].has_body);
    CHECK(f.states[2].has_body);
    REQUIRE(f.states[3].outcome.has_value());
    CHECK(f.states[3].outcome->label == "won");
    CHECK(to_text(*f.states[3].outcome->value) == "x + 1");
    CHECK_FALSE(parse_body("final a { outcome lost }").states[0].outcome->value.has_value());
}

TEST_CASE("actions") {
    auto f = parse_body("state s {\n send sms confirm\n send email invite fallback sms, voice "
                        "within office\n send sms \"inline {x}\" within office\n"
                        " do \"order.parse\"\n emit slot.freed\n set n = n + 1\n}");
    auto& a = only_state(f).actions;
    REQUIRE(a.size() == 6);
    CHECK(a[0].kind == Action::Kind::send);
    CHECK(a[0].channel == "sms");
    CHECK(a[0].template_name == "confirm");
    CHECK_FALSE(a[0].inline_text.has_value());
    CHECK(a[1].fallback == std::vector<std::string>{"sms", "voice"});
    CHECK(a[1].within == "office");
    CHECK(a[2].inline_text == "inline {x}");
    CHECK(a[2].template_name.empty());
    CHECK(a[2].within == "office");
    CHECK(a[3].kind == Action::Kind::run);
    CHECK(a[3].name == "order.parse");
    CHECK(a[4].kind == Action::Kind::emit);
    CHECK(a[4].name == "slot.freed");
    CHECK(a[5].kind == Action::Kind::set);
    CHECK(a[5].name == "n");
    CHECK(to_text(*a[5].value) == "n + 1");
}

TEST_CASE("every") {
    auto f = parse_body("state s {\n every 30s max 20 within open while w >= 1m {\n"
                        "  send voice offer\n  emit offered\n }\n every 1h { do \"x\" }\n"
                        " send sms after_every\n}");
    auto& s = only_state(f);
    REQUIRE(s.repeats.size() == 2);
    auto& r = s.repeats[0];
    CHECK(r.interval == Duration{30, DurationUnit::s});
    CHECK(r.max == 20);
    CHECK(r.within == "open");
    CHECK(to_text(*r.while_cond) == "w >= 1m");
    REQUIRE(r.actions.size() == 2);
    CHECK(r.actions[1].name == "offered");
    CHECK_FALSE(s.repeats[1].max.has_value());
    CHECK_FALSE(s.repeats[1].within.has_value());
    REQUIRE(s.actions.size() == 1); // the repeat's actions stay in the repeat
    CHECK(s.actions[0].template_name == "after_every");
}

TEST_CASE("choices") {
    auto f = parse_body("state s {\n if a == 1 -> x\n if not b -> restart\n else -> y\n}");
    auto& c = only_state(f).choices;
    REQUIRE(c.size() == 3);
    CHECK(to_text(*c[0].condition) == "a == 1");
    CHECK(c[0].target.state == "x");
    CHECK(c[1].target.kind == Target::Kind::restart);
    CHECK_FALSE(c[2].condition.has_value());
    CHECK(c[2].target.state == "y");
}

TEST_CASE("handlers") {
    auto f = parse_body(
        "state s {\n on reply yes -> ok\n on reply other -> inbox\n on reply any if x -> s\n"
        " on booking.rescheduled -> restart\n on wait.updated if a > 2h -> b\n"
        " on reply.received -> r\n"
        " after 3d -> lapsed\n after 2h within day -> c\n"
        " at visit_at - 10d within day -> d\n at next_close(open) + 1h -> e\n"
        " at season winter -> f\n at season winter spread evenly within day -> g\n"
        " at season winter spread by last_change -> h\n at season - 1d -> i\n}");
    auto& h = only_state(f).handlers;
    REQUIRE(h.size() == 14);
    CHECK(h[0].kind == Handler::Kind::reply);
    CHECK(h[0].keywords == "yes");
    CHECK(h[0].target.state == "ok");
    CHECK(h[1].keywords == "other");
    CHECK(h[1].target.kind == Target::Kind::inbox);
    CHECK(h[2].keywords == "any");
    CHECK(to_text(*h[2].condition) == "x");
    CHECK(h[3].kind == Handler::Kind::event);
    CHECK(h[3].event == "booking.rescheduled");
    CHECK(h[3].target.kind == Target::Kind::restart);
    CHECK(to_text(*h[4].condition) == "a > 2h");
    CHECK(h[5].kind == Handler::Kind::event);
    CHECK(h[5].event == "reply.received");
    CHECK(h[6].kind == Handler::Kind::after);
    CHECK(h[6].delay == Duration{3, DurationUnit::d});
    CHECK_FALSE(h[6].within.has_value());
    CHECK(h[7].within == "day");
    CHECK(h[8].kind == Handler::Kind::at);
    CHECK(to_text(*h[8].at) == "visit_at - 10d");
    CHECK(h[8].within == "day");
    CHECK(to_text(*h[9].at) == "next_close(open) + 1h");
    CHECK(h[10].kind == Handler::Kind::season);
    CHECK(h[10].season == "winter");
    CHECK(h[10].spread == Handler::Spread::none);
    CHECK(h[11].spread == Handler::Spread::evenly);
    CHECK(h[11].within == "day");
    CHECK(h[12].spread == Handler::Spread::by_field);
    CHECK(h[12].spread_field == "last_change");
    CHECK(h[13].kind == Handler::Kind::at);
    CHECK(to_text(*h[13].at) == "season - 1d");
}

TEST_CASE("reminders: options in any order") {
    auto f = parse_body("state s {\n remind after 2h within day prefix \"Husk: \"\n"
                        " remind after 24h times 2 via email within day\n"
                        " remind after 1d prefix \"\" times 3\n}");
    auto& r = only_state(f).reminders;
    REQUIRE(r.size() == 3);
    CHECK(r[0].after == Duration{2, DurationUnit::h});
    CHECK(r[0].within == "day");
    CHECK(r[0].prefix == "Husk: ");
    CHECK(r[0].times == 1);
    CHECK_FALSE(r[0].via.has_value());
    CHECK(r[1].times == 2);
    CHECK(r[1].via == "email");
    CHECK(r[1].within == "day");
    CHECK(r[2].prefix == "");
    CHECK(r[2].times == 3);
}

TEST_CASE("reminder options given twice are reported, each at most once") {
    auto r =
        parse_flow_text("flow t\nstate s {\n remind after 2h times 2 via sms times 3\n}", "t.flow");
    REQUIRE(r.flow.has_value());
    REQUIRE(r.diagnostics.size() == 1);
    auto& d = r.diagnostics.items()[0];
    CHECK(d.code == "duplicate-option");
    CHECK(d.pos == SourcePos{3, 34});
    CHECK(d.length == 7);
}

TEST_CASE("outcome in a state that is not final is reported") {
    auto r = parse_flow_text("flow t\nstate s { outcome won }", "t.flow");
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "outcome-not-final");
}

TEST_CASE("from any, several blocks appended") {
    auto f = parse_body("state a { after 1d -> b }\nfrom any { on work.done -> c }\nfinal b\n"
                        "from any {\n after 30d -> b\n at x -> c\n}");
    REQUIRE(f.from_any.size() == 3);
    CHECK(f.from_any[0].event == "work.done");
    CHECK(f.from_any[1].kind == Handler::Kind::after);
    CHECK(f.from_any[2].kind == Handler::Kind::at);
    CHECK(f.from_any_loc.begin == SourcePos{3, 1});
    CHECK(f.states[0].handlers.size() == 1);
}

TEST_CASE("names that are words of the language elsewhere") {
    auto f = parse_body("field value: number\nfield start: text\nfield season: date\n"
                        "state s {\n set value = value + 1\n at season + 1d -> start\n}\n"
                        "final start");
    CHECK(f.fields[0].name == "value");
    CHECK(to_text(*f.states[0].handlers[0].at) == "season + 1d");
    CHECK(f.states[0].handlers[0].target.state == "start");
}

TEST_CASE("layout is free: one line, newlines anywhere") {
    auto a = parse_ok("flow t field p: phone channel sms to p trigger x as p { start s } "
                      "state s { send sms \"hi\" after 1d -> d } final d");
    auto b = parse_ok("flow\nt\nfield\np\n:\nphone\nchannel\nsms\nto\np\ntrigger\nx\nas\np\n{\n"
                      "start\ns\n}\nstate\ns\n{\nsend\nsms\n\"hi\"\nafter\n1d\n->\nd\n}\nfinal\nd");
    CHECK(a == b);
}

TEST_CASE("durations are one token, 1mo is a month, not 1m and o") {
    auto f = parse_body("state s { after 1mo -> a after 1m -> b after 2w -> c after 1y -> d "
                        "after 45s -> e after 3d -> f after 12h -> g }");
    auto& h = only_state(f).handlers;
    REQUIRE(h.size() == 7);
    CHECK(h[0].delay == Duration{1, DurationUnit::mo});
    CHECK(h[1].delay == Duration{1, DurationUnit::m});
    CHECK(h[2].delay == Duration{2, DurationUnit::w});
    CHECK(h[3].delay == Duration{1, DurationUnit::y});
    CHECK(h[4].delay == Duration{45, DurationUnit::s});
    CHECK(h[5].delay == Duration{3, DurationUnit::d});
    CHECK(h[6].delay == Duration{12, DurationUnit::h});
    CHECK_FALSE(parse_flow_text("flow t state s { after 1 mo -> a }").ok());
    CHECK_FALSE(parse_flow_text("flow t state s { after 1mox -> a }").ok());
}
