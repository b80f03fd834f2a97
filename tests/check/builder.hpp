#pragma once
// A tiny builder for hand-made FlowDefs, so that each checker test shows only what it breaks.
// Every node gets its own line, which keeps "first declared on line N" messages predictable.

#include <nudge/dsl.hpp>
#include <nudge/flow.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace nudge::test {

inline std::uint32_t next_line = 1;

inline Loc loc(std::uint32_t width = 10) {
    std::uint32_t l = next_line++;
    return {{l, 1}, {l, 1 + width}};
}

inline Expr ex(ExprKind kind, std::string text = {}, std::vector<Expr> args = {}) {
    Expr e;
    e.kind = kind;
    e.text = std::move(text);
    e.args = std::move(args);
    e.loc = {{99, 1}, {99, 5}};
    return e;
}
inline Expr name(std::string n) { return ex(ExprKind::field, std::move(n)); }
inline Expr str(std::string s) { return ex(ExprKind::string, std::move(s)); }
inline Expr num(double v) {
    auto e = ex(ExprKind::number);
    e.number = v;
    return e;
}
inline Expr boolean(bool v) {
    auto e = ex(ExprKind::boolean);
    e.boolean = v;
    return e;
}
inline Expr dur(std::string text) {
    auto e = ex(ExprKind::duration);
    e.duration = *parse_duration(text);
    return e;
}
inline Expr bin(std::string op, Expr a, Expr b) {
    return ex(ExprKind::binary, std::move(op), {std::move(a), std::move(b)});
}
inline Expr un(std::string op, Expr a) {
    return ex(ExprKind::unary, std::move(op), {std::move(a)});
}
inline Expr call(std::string f, std::vector<Expr> args = {}) {
    return ex(ExprKind::call, std::move(f), std::move(args));
}
inline Expr member(Expr base, std::string m) {
    return ex(ExprKind::member, std::move(m), {std::move(base)});
}
inline Expr list(std::vector<Expr> items) { return ex(ExprKind::list, {}, std::move(items)); }

inline Target to(std::string state) {
    Target t;
    if (state == "restart")
        t.kind = Target::Kind::restart;
    else if (state == "inbox")
        t.kind = Target::Kind::inbox;
    else
        t.state = std::move(state);
    t.loc = loc();
    return t;
}

inline FieldDecl field(std::string n, FieldType t, bool optional = false) {
    return {std::move(n), t, optional, loc()};
}

inline ChannelDecl channel(std::string n, ChannelKind k, std::string recipient,
                           std::optional<std::string> from = std::nullopt, bool literal = false) {
    return {std::move(n), k, std::move(recipient), literal, std::move(from), loc()};
}

inline Action send(std::string ch, std::string tmpl) {
    Action a;
    a.kind = Action::Kind::send;
    a.channel = std::move(ch);
    a.template_name = std::move(tmpl);
    a.loc = loc();
    return a;
}
inline Action send_text(std::string ch, std::string text) {
    Action a;
    a.kind = Action::Kind::send;
    a.channel = std::move(ch);
    a.inline_text = std::move(text);
    a.loc = loc();
    return a;
}
inline Action set(std::string f, Expr value) {
    Action a;
    a.kind = Action::Kind::set;
    a.name = std::move(f);
    a.value = std::move(value);
    a.loc = loc();
    return a;
}

inline Handler on_reply(std::string kw, std::string target) {
    Handler h;
    h.kind = Handler::Kind::reply;
    h.keywords = std::move(kw);
    h.loc = loc();
    h.target = to(std::move(target));
    return h;
}
inline Handler on_event(std::string ev, std::string target) {
    Handler h;
    h.kind = Handler::Kind::event;
    h.event = std::move(ev);
    h.loc = loc();
    h.target = to(std::move(target));
    return h;
}
inline Handler after(std::string d, std::string target) {
    Handler h;
    h.kind = Handler::Kind::after;
    h.delay = *parse_duration(d);
    h.loc = loc();
    h.target = to(std::move(target));
    return h;
}
inline Handler at(Expr when, std::string target) {
    Handler h;
    h.kind = Handler::Kind::at;
    h.at = std::move(when);
    h.loc = loc();
    h.target = to(std::move(target));
    return h;
}
inline Choice choice(std::optional<Expr> cond, std::string target) {
    return {std::move(cond), to(std::move(target)), loc()};
}

inline StateDecl state(std::string n, bool final = false) {
    StateDecl s;
    s.name = std::move(n);
    s.is_final = final;
    s.loc = loc();
    return s;
}

// A clean flow: phone + first_name, one sms channel from a number, one keyword set,
// `sale` sends and waits for yes, `done` is final.
inline FlowDef base_flow() {
    next_line = 1;
    FlowDef f;
    f.name = "t";
    f.loc = loc();
    f.source.file = "t.flow";
    f.timezone = "Europe/Oslo";
    f.fields.push_back(field("phone", FieldType::phone));
    f.fields.push_back(field("first_name", FieldType::text));
    f.fields.push_back(field("attempts", FieldType::number));
    f.fields.push_back(field("visit_at", FieldType::datetime));
    f.channels.push_back(channel("sms", ChannelKind::sms, "phone", "4570000000"));
    f.windows.push_back({"daytime", {*parse_window_slot("mon-sun 09:00-21:00")}, loc()});
    f.keywords.push_back({"yes", {"ja", "ok"}, loc()});
    f.lists.push_back({"blocked", {"+4512345678"}, loc()});
    f.templates.push_back(
        {"confirm", ChannelKind::sms, std::nullopt, "Hi {first_name}", loc(), {}, {}});
    TriggerDecl t;
    t.event = "sale.saved";
    t.key = "phone";
    t.start = "sale";
    t.loc = loc();
    f.triggers.push_back(t);
    auto sale = state("sale");
    sale.actions.push_back(send("sms", "confirm"));
    sale.handlers.push_back(on_reply("yes", "done"));
    f.states.push_back(sale);
    f.states.push_back(state("done", true));
    return f;
}

inline StateDecl& st(FlowDef& f, std::string_view n) {
    return *std::find_if(f.states.begin(), f.states.end(), [&](auto& s) { return s.name == n; });
}

inline std::vector<std::string> codes(const Diagnostics& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        out.push_back(d.code);
    return out;
}

inline std::string messages(const Diagnostics& ds) {
    std::string out;
    for (const auto& d : ds)
        out += d.code + ": " + d.message + "\n";
    return out;
}

inline bool has(const Diagnostics& ds, std::string_view code) {
    return std::any_of(ds.begin(), ds.end(), [&](auto& d) { return d.code == code; });
}

} // namespace nudge::test
