#pragma once
// Small helpers for building FlowDefs by hand in tests, with source positions by line so that
// comment attachment can be tested without the text parser.

#include <nudge/flow.hpp>

#include <string>
#include <vector>

namespace nudge::test {

// A node written on one line (or from line `first` to line `last`, the closing brace).
inline Loc lines(std::uint32_t first, std::uint32_t last = 0) {
    if (last == 0) return Loc{{first, 1}, {first, 60}};
    return Loc{{first, 1}, {last, 2}};
}

inline Comment own_line(std::uint32_t line, std::string text, std::uint32_t column = 1) {
    return Comment{{line, column}, std::move(text), true};
}

inline Comment same_line(std::uint32_t line, std::string text) {
    return Comment{{line, 70}, std::move(text), false};
}

inline Expr field_ref(std::string name) {
    Expr e;
    e.kind = ExprKind::field;
    e.text = std::move(name);
    return e;
}

inline Expr duration_lit(std::int64_t count, DurationUnit unit) {
    Expr e;
    e.kind = ExprKind::duration;
    e.duration = {count, unit};
    return e;
}

inline Expr binary(std::string op, Expr l, Expr r) {
    Expr e;
    e.kind = ExprKind::binary;
    e.text = std::move(op);
    e.args = {std::move(l), std::move(r)};
    return e;
}

inline FieldDecl field(std::string name, FieldType t, Loc loc = {}, bool optional = false) {
    return FieldDecl{std::move(name), t, optional, loc};
}

inline ChannelDecl channel(ChannelKind kind, std::string to, std::optional<std::string> from,
                           Loc loc = {}) {
    ChannelDecl c;
    c.name = std::string(to_string(kind));
    c.kind = kind;
    c.to = std::move(to);
    c.from = std::move(from);
    c.loc = loc;
    return c;
}

inline Target to_state(std::string s) { return Target{Target::Kind::state, std::move(s), {}}; }

inline Action send_text(std::string channel, std::string text, Loc loc = {}) {
    Action a;
    a.kind = Action::Kind::send;
    a.channel = std::move(channel);
    a.inline_text = std::move(text);
    a.loc = loc;
    return a;
}

inline Action send_template(std::string channel, std::string name, Loc loc = {}) {
    Action a;
    a.kind = Action::Kind::send;
    a.channel = std::move(channel);
    a.template_name = std::move(name);
    a.loc = loc;
    return a;
}

inline Handler on_reply(std::string keywords, std::string target, Loc loc = {}) {
    Handler h;
    h.kind = Handler::Kind::reply;
    h.keywords = std::move(keywords);
    h.target = target == "inbox" ? Target{Target::Kind::inbox, "", {}} : to_state(target);
    h.loc = loc;
    return h;
}

inline Handler on_event(std::string event, std::string target, Loc loc = {}) {
    Handler h;
    h.kind = Handler::Kind::event;
    h.event = std::move(event);
    h.target = target == "restart" ? Target{Target::Kind::restart, "", {}} : to_state(target);
    h.loc = loc;
    return h;
}

inline Handler after(Duration d, std::string target, Loc loc = {}) {
    Handler h;
    h.kind = Handler::Kind::after;
    h.delay = d;
    h.target = to_state(std::move(target));
    h.loc = loc;
    return h;
}

inline StateDecl state(std::string name, Loc loc = {}) {
    StateDecl s;
    s.name = std::move(name);
    s.has_body = true;
    s.loc = loc;
    return s;
}

inline StateDecl final_state(std::string name, Loc loc = {}, bool has_body = false) {
    StateDecl s;
    s.name = std::move(name);
    s.is_final = true;
    s.has_body = has_body;
    s.loc = loc;
    return s;
}

inline TriggerDecl trigger(std::string event, std::string key, std::string start, Loc loc = {}) {
    TriggerDecl t;
    t.event = std::move(event);
    t.key = std::move(key);
    t.start = std::move(start);
    t.loc = loc;
    return t;
}

} // namespace nudge::test
