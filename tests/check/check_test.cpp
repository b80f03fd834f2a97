// check_flow on hand-built flows: one case per rule, plus "report everything in one run".
#include "builder.hpp"

#include <doctest/doctest.h>

using namespace nudge;
using namespace nudge::test;

namespace {

// The single diagnostic a flow gives; fails the test when there is not exactly one.
Diagnostic only(const Diagnostics& ds) {
    INFO(messages(ds));
    REQUIRE(ds.size() == 1);
    return *ds.begin();
}

} // namespace

TEST_CASE("the base flow is clean") {
    auto f = base_flow();
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(ds.empty());
}

TEST_CASE("duplicate names name the first line") {
    auto f = base_flow();
    f.facts.push_back({"phone", FieldType::duration, loc()});
    auto d = only(check_flow(f));
    CHECK(d.code == "duplicate-name");
    CHECK(d.message == "'phone' is already declared as a field on line 2");
    CHECK(d.file == "t.flow");
    CHECK(d.length == std::string("fact phone").size());

    f = base_flow();
    f.states.push_back(state("sale", true));
    CHECK(only(check_flow(f)).message.find("state 'sale' is already declared") == 0);

    f = base_flow();
    f.windows.push_back(f.windows[0]);
    f.keywords.push_back(f.keywords[0]);
    f.lists.push_back(f.lists[0]);
    f.channels.push_back(f.channels[0]);
    auto ds = check_flow(f);
    CHECK(codes(ds) == std::vector<std::string>(4, "duplicate-name"));
}

TEST_CASE("template variants: one per kind and one without") {
    auto f = base_flow();
    f.templates.push_back({"confirm", ChannelKind::email, "s", "x", loc(), {}, {}});
    f.templates.push_back({"confirm", std::nullopt, std::nullopt, "x", loc(), {}, {}});
    CHECK(check_flow(f).empty());
    f.templates.push_back({"confirm", ChannelKind::sms, std::nullopt, "y", loc(), {}, {}});
    f.templates.push_back({"confirm", std::nullopt, std::nullopt, "y", loc(), {}, {}});
    auto ds = check_flow(f);
    REQUIRE(ds.size() == 2);
    CHECK(ds.items()[0].message.find("already has an sms variant") != std::string::npos);
    CHECK(ds.items()[1].message.find("already has a variant without a kind") != std::string::npos);
}

TEST_CASE("unknown state with a suggestion, at the target") {
    auto f = base_flow();
    f.states.push_back(state("confirmed", true));
    st(f, "sale").handlers.push_back(on_reply("yes", "confirmd"));
    auto d = only(check_flow(f));
    CHECK(d.code == "unknown-state");
    CHECK(d.message == "unknown state 'confirmd', did you mean 'confirmed'?");
    CHECK(d.pos.line == st(f, "sale").handlers.back().target.loc.begin.line);
}

TEST_CASE("far names get no suggestion") {
    auto f = base_flow();
    f.triggers[0].start = "zzz";
    CHECK(only(check_flow(f)).message == "trigger 'sale.saved' starts in unknown state 'zzz'");
}

TEST_CASE("trigger references") {
    auto f = base_flow();
    f.triggers[0].only_during = "nighttime";
    f.triggers[0].key = "phon";
    f.triggers[0].unless = bin("in", name("phone"), name("blockd"));
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"unknown-field", "unknown-window", "unknown-list"});
    CHECK(ds.items()[0].message == "unknown field 'phon', did you mean 'phone'?");
    CHECK(ds.items()[2].message == "unknown list 'blockd', did you mean 'blocked'?");
}

TEST_CASE("optional trigger key is a warning") {
    auto f = base_flow();
    f.fields[0].optional = true;
    auto d = only(check_flow(f));
    CHECK(d.code == "optional-key");
    CHECK(d.severity == Severity::warning);
}

TEST_CASE("send references: channel, template, fallback, within") {
    auto f = base_flow();
    auto a = send("mail", "confrim");
    a.fallback = {"sms", "letter"};
    a.within = "daytme";
    st(f, "sale").actions.push_back(a);
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"unknown-channel", "unknown-template",
                                                "unknown-channel", "unknown-window"});
    CHECK(ds.items()[1].message == "unknown template 'confrim', did you mean 'confirm'?");
}

TEST_CASE("reply keyword sets: other and any are built in") {
    auto f = base_flow();
    st(f, "sale").handlers.push_back(on_reply("other", "inbox"));
    st(f, "sale").handlers.push_back(on_reply("any", "done"));
    CHECK(check_flow(f).empty());
    st(f, "sale").handlers.push_back(on_reply("yess", "done"));
    auto d = only(check_flow(f));
    CHECK(d.code == "unknown-keywords");
    CHECK(d.message == "unknown keyword set 'yess', did you mean 'yes'?");
}

TEST_CASE("inbox only on reply routes, restart anywhere") {
    auto f = base_flow();
    st(f, "sale").handlers.push_back(on_event("booking.moved", "restart"));
    st(f, "sale").handlers.push_back(after("3d", "restart"));
    CHECK(check_flow(f).empty());
    st(f, "sale").handlers.push_back(after("3d", "inbox"));
    CHECK(only(check_flow(f)).code == "bad-target");
    f.from_any.push_back(on_event("x.y", "inbox"));
    CHECK(check_flow(f).size() == 2);
}

TEST_CASE("season, spread field, remind via and within, cap channel, classifier sources") {
    auto f = base_flow();
    f.seasons.push_back({"winter", {10, 1}, {11, 8}, loc()});
    Handler h;
    h.kind = Handler::Kind::season;
    h.season = "wintr";
    h.spread = Handler::Spread::by_field;
    h.spread_field = "last_change";
    h.loc = loc();
    h.target = to("done");
    st(f, "sale").handlers.push_back(h);
    Reminder r;
    r.after = *parse_duration("2h");
    r.via = "email";
    r.within = "night";
    r.loc = loc();
    st(f, "sale").reminders.push_back(r);
    f.caps.push_back({"smss", 3, *parse_duration("24h"), loc()});
    f.classifiers.push_back({"kind", {"invoice"}, {{"service", {"service"}, loc()}}, loc()});
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"unknown-channel", "unknown-field",
                                                "unknown-season", "unknown-field", "unknown-window",
                                                "unknown-channel"});
}

TEST_CASE("spread by needs a date") {
    auto f = base_flow();
    f.seasons.push_back({"winter", {10, 1}, {11, 8}, loc()});
    Handler h;
    h.kind = Handler::Kind::season;
    h.season = "winter";
    h.spread = Handler::Spread::by_field;
    h.spread_field = "first_name";
    h.loc = loc();
    h.target = to("done");
    st(f, "sale").handlers.push_back(h);
    CHECK(only(check_flow(f)).code == "type-mismatch");
}

TEST_CASE("merge fields") {
    auto f = base_flow();
    st(f, "sale").actions.push_back(send_text("sms", "Hi {firstname}, {{literal}} {attempts}"));
    auto d = only(check_flow(f));
    CHECK(d.code == "unknown-merge-field");
    CHECK(d.message == "unknown merge field '{firstname}', did you mean 'first_name'?");

    f = base_flow();
    f.templates[0].text = "Hi {first_name";
    CHECK(only(check_flow(f)).code == "bad-template");
    f.templates[0].text = "Hi first_name}";
    CHECK(only(check_flow(f)).code == "bad-template");
    f.templates[0].text = "Hi {first name}";
    CHECK(only(check_flow(f)).code == "bad-template");
    f.templates[0].text = "{{}} {first_name}}}";
    CHECK(check_flow(f).empty());
    f.templates[0].subject = "For {plate}";
    CHECK(only(check_flow(f)).code == "unknown-merge-field");
}

TEST_CASE("classifiers and facts are merge fields and expression names") {
    auto f = base_flow();
    f.facts.push_back({"wait", FieldType::duration, loc()});
    f.classifiers.push_back({"kind", {"first_name"}, {{"service", {"service"}, loc()}}, loc()});
    f.templates[0].text = "{kind} {wait}";
    st(f, "sale").choices.push_back(choice(bin("==", name("kind"), str("service")), "done"));
    st(f, "sale").choices.push_back(choice(bin(">=", name("wait"), dur("1m")), "done"));
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(ds.empty());
}

TEST_CASE("condition types") {
    auto f = base_flow();
    st(f, "sale").choices.push_back(choice(bin("+", name("attempts"), num(1)), "done"));
    auto d = only(check_flow(f));
    CHECK(d.code == "type-mismatch");
    CHECK(d.message == "'if' needs a bool, but 'attempts + 1' is a number");
}

TEST_CASE("expression rules that hold") {
    auto f = base_flow();
    f.fields.push_back(field("waited", FieldType::duration, true));
    f.fields.push_back(field("total", FieldType::money));
    f.fields.push_back(field("mail", FieldType::email));
    f.fields.push_back(field("day", FieldType::date));
    auto& s = st(f, "sale");
    auto ok = [&](Expr e) { s.choices.push_back(choice(std::move(e), "done")); };
    ok(bin("and", bin("==", member(name("phone"), "region"), str("DK")),
           bin("in", member(name("phone"), "type"), list({str("mobile"), str("fixed_line")}))));
    ok(bin(">", bin("+", bin("??", name("waited"), dur("0s")), dur("1m")), dur("2h")));
    ok(bin("<", call("now"), bin("-", name("visit_at"), dur("10d"))));
    ok(bin(">", bin("-", call("next_close", {name("daytime")}), call("now")), dur("1h")));
    ok(bin(">=", bin("+", name("total"), num(1)), num(100)));
    ok(un("not", bin("in", name("phone"), name("blocked"))));
    ok(bin("!=", name("mail"), str("")));
    ok(bin("==", name("phone"), str("+4512345678")));
    ok(bin("<", name("day"), bin("+", name("day"), dur("1mo"))));
    ok(bin(">", un("-", name("attempts")), num(-3)));
    s.handlers.push_back(at(bin("-", name("visit_at"), dur("10d")), "done"));
    s.handlers.push_back(at(call("next_open", {name("daytime")}), "done"));
    s.actions.push_back(set("attempts", bin("+", name("attempts"), num(1))));
    s.actions.push_back(set("phone", str("+4512345678")));
    auto fin = state("won", true);
    fin.outcome = Outcome{"won", name("total"), loc()};
    f.states.push_back(fin);
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(ds.empty());
}

TEST_CASE("expression rules that fail") {
    struct Case {
        Expr e;
        std::string code;
        std::string message;
    };
    std::vector<Case> cases = {
        {bin("and", name("attempts"), boolean(true)), "type-mismatch",
         "'and' needs a bool, but 'attempts' is a number"},
        {un("not", name("first_name")), "type-mismatch",
         "'not' needs a bool, but 'first_name' is a text"},
        {bin("<", name("first_name"), str("b")), "type-mismatch",
         "'<' needs two numbers, durations, dates or datetimes, but 'first_name < \"b\"' "
         "compares a text with a text"},
        {bin("==", name("attempts"), str("1")), "type-mismatch",
         "'==' needs like types, but 'attempts == \"1\"' compares a number with a text"},
        {bin("in", name("attempts"), name("blocked")), "type-mismatch",
         "'in' needs a text, phone or email on the left, but 'attempts' is a number"},
        {bin("in", name("phone"), name("first_name")), "type-mismatch",
         "'in' needs a list on the right, but 'first_name' is a text"},
        {bin("in", name("phone"), list({num(1)})), "type-mismatch",
         "list items must be text, but '1' is a number"},
        {bin("==", name("blocked"), str("x")), "type-mismatch",
         "list 'blocked' can only be used on the right of 'in'"},
        {bin("<", name("daytime"), call("now")), "type-mismatch",
         "window 'daytime' can only be used as the argument of next_open or next_close"},
        {bin("==", member(name("first_name"), "region"), str("DK")), "type-mismatch",
         "member 'region' needs a phone, but 'first_name' is a text"},
        {bin("==", member(name("phone"), "country"), str("DK")), "unknown-member",
         "a phone has no member 'country' (it has 'region' and 'type')"},
        {bin("<", call("tomorrow"), call("now")), "unknown-function",
         "unknown function 'tomorrow'"},
        {bin("<", call("now", {num(1)}), call("now")), "bad-arguments",
         "'now' takes no arguments, but 'now(1)' has 1"},
        {bin("<", call("next_open", {name("nighttime")}), call("now")), "unknown-window",
         "unknown window 'nighttime'"},
        {bin("<", call("next_open", {num(3)}), call("now")), "type-mismatch",
         "'next_open' needs a window name, but '3' is a number"},
        {bin(">", bin("+", name("first_name"), num(1)), num(2)), "type-mismatch",
         "'+' cannot combine a text with a number in 'first_name + 1'"},
        {bin(">", bin("??", name("attempts"), str("0")), num(2)), "type-mismatch",
         "'?"
         "?' needs the same type on both sides, but 'attempts' is a number and '\"0\"' is a "
         "text"},
        {bin("==", name("nme"), str("x")), "unknown-field", "unknown field 'nme'"},
    };
    for (auto& c : cases) {
        auto f = base_flow();
        st(f, "sale").choices.push_back(choice(c.e, "done"));
        auto ds = check_flow(f);
        INFO(to_text(c.e));
        INFO(messages(ds));
        REQUIRE(ds.size() == 1);
        CHECK(ds.begin()->code == c.code);
        CHECK(ds.begin()->message == c.message);
    }
}

TEST_CASE("at, set, outcome, while and event conditions") {
    auto f = base_flow();
    auto& s = st(f, "sale");
    s.handlers.push_back(at(name("first_name"), "done"));
    s.actions.push_back(set("attempts", str("x")));
    s.actions.push_back(set("nope", num(1)));
    Repeat r;
    r.interval = *parse_duration("30s");
    r.while_cond = num(1);
    r.loc = loc();
    s.repeats.push_back(r);
    auto ev = on_event("x.y", "done");
    ev.condition = str("x");
    s.handlers.push_back(ev);
    auto fin = state("won", true);
    fin.outcome = Outcome{"won", name("first_name"), loc()};
    f.states.push_back(fin);
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"type-mismatch", "unknown-field", "type-mismatch",
                                                "type-mismatch", "type-mismatch", "type-mismatch"});
    CHECK(ds.items()[0].message == "'set attempts' needs a number, but '\"x\"' is a text");
    CHECK(ds.items()[3].message == "'at' needs a date or datetime, but 'first_name' is a text");
}

TEST_CASE("channel recipient type") {
    auto f = base_flow();
    f.channels.push_back(channel("mail", ChannelKind::email, "first_name"));
    f.channels.push_back(channel("post", ChannelKind::letter, "first_name"));
    f.channels.push_back(channel("ops", ChannelKind::email, "ops@example.test", {}, true));
    f.channels.push_back(channel("voice", ChannelKind::voice, "phon"));
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"type-mismatch", "unknown-field"});
    CHECK(ds.items()[0].message ==
          "an email channel needs an email recipient, but 'first_name' is a text");
}

TEST_CASE("structure of states") {
    auto f = base_flow();
    auto& done = st(f, "done");
    done.handlers.push_back(after("1d", "sale"));
    Reminder r;
    r.after = *parse_duration("1h");
    r.loc = loc();
    done.reminders.push_back(r);
    done.choices.push_back(choice(std::nullopt, "sale"));
    auto& sale = st(f, "sale");
    sale.outcome = Outcome{"x", std::nullopt, loc()};
    sale.choices.push_back(choice(std::nullopt, "done"));
    sale.choices.push_back(choice(boolean(true), "done"));
    sale.choices.push_back(choice(std::nullopt, "done"));
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"outcome-not-final", "bad-choice", "bad-choice",
                                                "final-has-handlers", "final-has-handlers",
                                                "final-has-handlers"});
}

TEST_CASE("reserved names") {
    auto f = base_flow();
    f.states.push_back(state("inbox", true));
    f.keywords.push_back({"other", {"x"}, loc()});
    CHECK(codes(check_flow(f)) == std::vector<std::string>{"reserved-name", "reserved-name"});
}

TEST_CASE("header: version and zone") {
    auto f = base_flow();
    f.version = 0;
    f.timezone = "Europe/Olso";
    auto ds = check_flow(f);
    CHECK(codes(ds) == std::vector<std::string>{"bad-version", "unknown-zone"});
    f.version = 3;
    f.timezone = "America/Argentina/Buenos_Aires";
    CHECK(check_flow(f).empty());
    f.timezone = "UTC";
    CHECK(check_flow(f).empty());
}

TEST_CASE("windows, seasons, caps, regions, empty words") {
    auto f = base_flow();
    auto slot = *parse_window_slot("mon 10:00-10:00");
    slot.loc = loc();
    f.windows.push_back({"never", {slot}, loc()});
    f.windows.push_back({"night", {*parse_window_slot("mon-sun 22:00-06:00")}, loc()});
    f.seasons.push_back({"bad", {2, 30}, {13, 1}, loc()});
    f.seasons.push_back({"leap", {2, 29}, {3, 1}, loc()});
    f.caps.push_back({"sms", 0, *parse_duration("1h"), loc()});
    f.numbers = NumberPolicy{NumberPolicy::Kind::regions, {"DK", "se", "NOR"}, loc(), false};
    f.keywords.push_back({"no", {"nei", ""}, loc()});
    f.lists.push_back({"empty", {" "}, loc()});
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) == std::vector<std::string>{"empty-window-slot", "bad-season", "bad-season",
                                                "empty-word", "empty-word", "bad-region",
                                                "bad-region", "bad-cap"});
    CHECK(ds.items()[1].message == "season 'bad' has '02-30', which is not a day of the year");
}

TEST_CASE("sms senders") {
    struct Case {
        std::string from;
        std::vector<std::string> messages;
    };
    std::vector<Case> cases = {
        {"4570000000", {}},
        {"+4570000000", {}},
        {"12345", {}},
        {"Autohuset", {}},
        {"Bil 24", {}},
        {"1234", {"sender \"1234\" has 4 digits, but a phone number sender needs 5 to 15"}},
        {"+1234567890123456",
         {"sender \"+1234567890123456\" has 16 digits, but a phone number sender needs 5 to 15"}},
        {"+45 70 00",
         {"sender \"+45 70 00\" is not a phone number: only digits may follow '+' "
          "(no spaces)"}},
        {"Bilhuset Ærø",
         {"sender \"Bilhuset Ærø\" has 'Æ', but a text sender may only use A-Z, a-z, 0-9 and "
          "space",
          "sender \"Bilhuset Ærø\" has 12 characters, but a text sender needs 3 to 11"}},
        {"Auto-Huset",
         {"sender \"Auto-Huset\" has '-', but a text sender may only use A-Z, "
          "a-z, 0-9 and space"}},
        {"AB", {"sender \"AB\" has 2 characters, but a text sender needs 3 to 11"}},
        {"Autohuset Nord",
         {"sender \"Autohuset Nord\" has 14 characters, but a text sender needs 3 to 11"}},
    };
    for (const auto& c : cases) {
        auto f = base_flow();
        f.channels.push_back(channel("alerts", ChannelKind::sms, "phone", c.from));
        auto ds = check_flow(f);
        INFO(c.from);
        INFO(messages(ds));
        REQUIRE(ds.size() == c.messages.size());
        for (std::size_t i = 0; i < c.messages.size(); ++i) {
            CHECK(ds.items()[i].code == "invalid-sender");
            CHECK(ds.items()[i].message == c.messages[i]);
        }
    }
}

TEST_CASE("replies need a number sender") {
    auto f = base_flow();
    f.channels[0].from = "Autohuset";
    auto d = only(check_flow(f));
    CHECK(d.code == "reply-without-number");

    f = base_flow();
    f.channels.push_back(channel("brand", ChannelKind::sms, "phone", "Autohuset"));
    st(f, "sale").actions[0].channel = "brand";
    d = only(check_flow(f));
    CHECK(d.code == "reply-to-text-sender");
    CHECK(d.message == "replies cannot reach state 'sale': it sends on 'brand', whose sender "
                       "\"Autohuset\" is a name, not a number");

    // One send from a number is enough.
    st(f, "sale").actions.push_back(send_text("sms", "or reply here"));
    CHECK(check_flow(f).empty());
}

TEST_CASE("every problem of a flow is reported in one run") {
    auto f = base_flow();
    f.triggers[0].start = "sael";
    f.templates[0].text = "Hi {frist_name}";
    st(f, "sale").choices.push_back(choice(name("attempts"), "done"));
    auto ds = check_flow(f);
    INFO(messages(ds));
    CHECK(codes(ds) ==
          std::vector<std::string>{"unknown-merge-field", "unknown-state", "type-mismatch"});
}
