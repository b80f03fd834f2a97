#pragma once
// A hand-built FlowDef that uses every construct of the language, shared by the reader and
// writer tests.

#include <nudge/dsl.hpp>

#include "parse/fragments.hpp"

#include <doctest/doctest.h>

namespace doctest {
template <> struct StringMaker<nudge::SourcePos> {
    static String convert(const nudge::SourcePos& p) {
        return (std::to_string(p.line) + ":" + std::to_string(p.column)).c_str();
    }
};
} // namespace doctest

namespace nudge::test {

inline Expr expr(std::string_view text) {
    Diagnostics d;
    auto e = detail::parse_expression(text, "<test>", {1, 1}, d);
    REQUIRE_MESSAGE(e.has_value(), "test expression does not parse: ", std::string(text));
    return *e;
}

inline Duration dur(std::string_view text) { return parse_duration(text).value(); }

inline WindowSlot slot(std::string_view text) { return parse_window_slot(text).value(); }

inline Target to_state(std::string name) {
    Target t;
    t.state = std::move(name);
    return t;
}

inline Target to_kind(Target::Kind k) {
    Target t;
    t.kind = k;
    return t;
}

inline Action send(std::string channel, std::string tmpl) {
    Action a;
    a.kind = Action::Kind::send;
    a.channel = std::move(channel);
    a.template_name = std::move(tmpl);
    return a;
}

inline Action send_text(std::string channel, std::string text) {
    Action a;
    a.kind = Action::Kind::send;
    a.channel = std::move(channel);
    a.inline_text = std::move(text);
    return a;
}

inline Action named_action(Action::Kind k, std::string name) {
    Action a;
    a.kind = k;
    a.name = std::move(name);
    return a;
}

inline Handler on_reply(std::string words, Target t) {
    Handler h;
    h.kind = Handler::Kind::reply;
    h.keywords = std::move(words);
    h.target = std::move(t);
    return h;
}

inline Handler on_event(std::string event, Target t) {
    Handler h;
    h.kind = Handler::Kind::event;
    h.event = std::move(event);
    h.target = std::move(t);
    return h;
}

inline Handler after(std::string_view d, Target t) {
    Handler h;
    h.kind = Handler::Kind::after;
    h.delay = dur(d);
    h.target = std::move(t);
    return h;
}

// Every construct, each option used at least once.
inline FlowDef sample_flow() {
    FlowDef f;
    f.name = "sales_confirmation";
    f.version = 2;
    f.timezone = "Europe/Oslo";
    f.fields = {{"first_name", FieldType::text, false, {}},
                {"phone", FieldType::phone, false, {}},
                {"shop_email", FieldType::email, true, {}},
                {"visit_at", FieldType::datetime, false, {}},
                {"attempts", FieldType::number, false, {}},
                {"order_total", FieldType::money, false, {}},
                {"invoice_text", FieldType::text, false, {}},
                {"notes", FieldType::text, true, {}},
                {"last_tyre_change", FieldType::date, true, {}},
                {"home_zone", FieldType::zone, true, {}},
                {"waited", FieldType::duration, true, {}},
                {"vip", FieldType::boolean, false, {}}};
    f.facts = {{"estimated_wait", FieldType::duration, {}}};
    f.channels = {{"sms", ChannelKind::sms, "phone", false, "4790000000", {}},
                  {"email", ChannelKind::email, "shop_email", false, std::nullopt, {}},
                  {"workshop", ChannelKind::email, "verksted@x.test", true, std::nullopt, {}},
                  {"voice", ChannelKind::voice, "phone", false, std::nullopt, {}}};
    f.windows = {{"daytime", {slot("mon-sun 09:00-21:00")}, {}},
                 {"open_hours", {slot("mon-fri 08:00-16:00"), slot("sat 10:00-14:00")}, {}},
                 {"night", {slot("mon-sun 22:00-06:00")}, {}}};
    f.seasons = {{"winter_tyres", {10, 1}, {11, 8}, {}}, {"summer_tyres", {3, 14}, {4, 29}, {}}};
    f.keywords = {{"yes", {"ja", "ok", "yes", "bekrefter"}, {}}, {"no", {"nei", "no"}, {}}};
    f.lists = {{"suppliers", {"+4522334455", "+4588776655"}, {}}};
    f.numbers = NumberPolicy{NumberPolicy::Kind::regions, {"DK", "SE", "NO"}, {}, false};
    f.opt_out = {"STOP", "AFMELD"};
    f.caps = {{"sms", 3, dur("24h"), {}}};
    f.templates = {
        {"confirm", ChannelKind::sms, std::nullopt, "Hi {first_name}, reply JA to confirm.", {}},
        {"invite",
         ChannelKind::email,
         "Service for {first_name}",
         "Dear {first_name},\n\nyour car is due for service.\n",
         {}},
        {"plain", std::nullopt, std::nullopt, "Any channel: \"quoted\" text", {}}};
    f.classifiers = {
        {"visit_kind",
         {"invoice_text", "notes"},
         {{"service", {"service", "olieskift"}, {}}, {"tyres", {"hjulskift", "dækskifte"}, {}}},
         {}}};

    TriggerDecl t;
    t.event = "sale.saved";
    t.key = "phone";
    t.delay = dur("30s");
    t.only_during = "daytime";
    t.cooldown = dur("30m");
    t.unless = expr("phone in suppliers");
    t.start = "sale";
    TriggerDecl t2;
    t2.event = "booking.created";
    t2.key = "phone";
    t2.start = "screening";
    f.triggers = {t, t2};

    StateDecl sale;
    sale.name = "sale";
    sale.has_body = true;
    auto s1 = send("sms", "confirm");
    s1.fallback = {"email", "voice"};
    s1.within = "daytime";
    Action set;
    set.kind = Action::Kind::set;
    set.name = "attempts";
    set.value = expr("attempts + 1");
    sale.actions = {s1, named_action(Action::Kind::run, "order.parse"),
                    named_action(Action::Kind::emit, "slot.freed"), set,
                    send_text("sms", "Inline: text with # and {first_name}")};
    Repeat rep;
    rep.interval = dur("30s");
    rep.max = 20;
    rep.within = "open_hours";
    rep.while_cond = expr("estimated_wait >= 1m");
    rep.actions = {send_text("voice", "Press 1 to be called back.")};
    Repeat rep2;
    rep2.interval = dur("1h");
    rep2.actions = {named_action(Action::Kind::emit, "still.waiting")};
    sale.repeats = {rep, rep2};
    auto r_yes = on_reply("yes", to_state("confirmed"));
    r_yes.condition = expr("not vip or attempts < 3");
    auto ev = on_event("booking.confirmed", to_state("confirmed"));
    ev.condition = expr("(waited ?? 0s) + estimated_wait > 2h");
    auto aft = after("3d", to_state("lapsed"));
    aft.within = "daytime";
    Handler at;
    at.kind = Handler::Kind::at;
    at.at = expr("visit_at - 10d");
    at.within = "open_hours";
    at.target = to_state("reminded");
    Handler season;
    season.kind = Handler::Kind::season;
    season.season = "winter_tyres";
    season.spread = Handler::Spread::evenly;
    season.target = to_state("invite");
    Handler season2 = season;
    season2.spread = Handler::Spread::by_field;
    season2.spread_field = "last_tyre_change";
    season2.within = "open_hours";
    Handler season3 = season;
    season3.spread = Handler::Spread::none;
    season3.season = "summer_tyres";
    sale.handlers = {r_yes,
                     on_reply("no", to_state("declined")),
                     on_reply("other", to_kind(Target::Kind::inbox)),
                     ev,
                     on_event("booking.rescheduled", to_kind(Target::Kind::restart)),
                     aft,
                     at,
                     season,
                     season2,
                     season3};
    Reminder rem1;
    rem1.after = dur("2h");
    rem1.within = "daytime";
    rem1.via = "sms";
    rem1.prefix = "Husk: ";
    rem1.times = 2;
    Reminder rem2;
    rem2.after = dur("24h");
    Reminder rem3;
    rem3.after = dur("2d");
    rem3.prefix = "";
    sale.reminders = {rem1, rem2, rem3};

    StateDecl screening;
    screening.name = "screening";
    screening.has_body = true;
    Choice c1;
    c1.condition = expr("phone.region == \"DK\" and phone.type in [\"mobile\", \"fixed_line\"]");
    c1.target = to_state("sale");
    Choice c2;
    c2.condition = expr("next_open(daytime) < now() - 1h");
    c2.target = to_kind(Target::Kind::restart);
    Choice c3;
    c3.target = to_state("declined");
    screening.choices = {c1, c2, c3};

    StateDecl confirmed;
    confirmed.name = "confirmed";
    confirmed.is_final = true;
    confirmed.has_body = true;
    confirmed.actions = {send_text("sms", "Thanks, we got it.")};
    confirmed.outcome = Outcome{"converted", expr("order_total"), {}};

    StateDecl declined;
    declined.name = "declined";
    declined.is_final = true;
    declined.has_body = true;
    declined.outcome = Outcome{"lost", std::nullopt, {}};

    StateDecl lapsed;
    lapsed.name = "lapsed";
    lapsed.is_final = true;

    StateDecl empty_body;
    empty_body.name = "reminded";
    empty_body.is_final = true;
    empty_body.has_body = true;

    StateDecl invite;
    invite.name = "invite";
    invite.is_final = true;

    StateDecl completed;
    completed.name = "completed";
    completed.is_final = true;

    f.states = {sale, screening, confirmed, declined, lapsed, empty_body, invite, completed};
    Handler any_at;
    any_at.kind = Handler::Kind::at;
    any_at.at = expr("next_close(open_hours) + 1h");
    any_at.target = to_state("lapsed");
    f.from_any = {on_event("work.done", to_state("completed")), any_at};
    return f;
}

} // namespace nudge::test
