// Triggers, states and `from any`: the names their statements use, their expressions, and the
// structural rules of states (finals do not wait, outcomes only on finals, `else` last).
#include "check/detail.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

void check_target(Checker& c, const Target& t, bool reply_route) {
    switch (t.kind) {
    case Target::Kind::restart: return;
    case Target::Kind::inbox:
        if (!reply_route) {
            c.error("bad-target", "'-> inbox' is only for reply routes ('on reply … -> inbox')",
                    t.loc.begin, span(t.loc));
        }
        return;
    case Target::Kind::state: resolve_state(c, t.state, t.loc.begin, span(t.loc)); return;
    }
}

void check_within(Checker& c, const std::optional<std::string>& within, const Loc& loc) {
    if (within) resolve_window(c, *within, loc.begin, span(loc));
}

void check_condition(Checker& c, const std::optional<Expr>& cond, std::string_view what) {
    if (cond) expect_type(c, *cond, {Ty::boolean}, what, "a bool");
}

void check_set(Checker& c, const Action& a) {
    auto it = c.values.find(a.name);
    if (it == c.values.end()) {
        resolve_value(c, a.name, a.loc.begin, span(a.loc));
        if (a.value) type_of(c, *a.value);
        return;
    }
    if (it->second.kind != ValueInfo::Kind::field) {
        c.error("unknown-field",
                "cannot set " + q(a.name) + ": it is a " +
                    (it->second.kind == ValueInfo::Kind::fact ? "fact" : "classifier") +
                    ", not a field",
                a.loc.begin, span(a.loc));
    }
    if (!a.value) return;
    Ty t = type_of(c, *a.value);
    if (t == Ty::none && it->second.kind == ValueInfo::Kind::field && !it->second.optional) {
        c.error("type-mismatch",
                "'set " + a.name + " = none' empties the field, but " + q(a.name) +
                    " is required (declare it with '?' to let it be empty)",
                a.value->loc.begin, span(a.value->loc));
        return;
    }
    if (t == Ty::unknown || it->second.type == Ty::unknown) return;
    if (!assignable(it->second.type, t)) {
        c.error("type-mismatch",
                "'set " + a.name + "' needs " + a_ty(it->second.type) + ", but " +
                    q(to_text(*a.value)) + " is " + a_ty(t),
                a.value->loc.begin, span(a.value->loc));
    }
}

void check_action(Checker& c, const Action& a) {
    switch (a.kind) {
    case Action::Kind::send:
        resolve_channel(c, a.channel, a.loc.begin, keyword_span("send", a.channel));
        if (a.inline_text) {
            check_merge_text(c, *a.inline_text, a.loc, a.text_loc);
        } else if (c.templates.find(a.template_name) == c.templates.end()) {
            c.error(
                "unknown-template",
                "unknown template " + q(a.template_name) +
                    c.suggest("template", a.template_name, [&] { return keys_of(c.templates); }),
                a.loc.begin, span(a.loc));
        }
        for (const auto& fb : a.fallback)
            resolve_channel(c, fb, a.loc.begin, span(a.loc));
        check_within(c, a.within, a.loc);
        return;
    case Action::Kind::set: check_set(c, a); return;
    case Action::Kind::run:
    case Action::Kind::emit: return;
    }
}

// `on reply SET as FIELD`: a number test keeps the number in a number field; a keyword set,
// `other` and `any` keep the reply's text in a text field.
void check_capture(Checker& c, const Handler& h) {
    if (h.capture.empty()) return;
    auto pos = h.capture_loc.begin.line ? h.capture_loc.begin : h.loc.begin;
    auto length = h.capture_loc.begin.line ? span(h.capture_loc) : span(h.loc);
    auto it = c.values.find(h.capture);
    if (it == c.values.end()) {
        resolve_value(c, h.capture, pos, length);
        return;
    }
    if (it->second.kind != ValueInfo::Kind::field) {
        c.error("unknown-field",
                "cannot keep the reply in " + q(h.capture) + ": it is a " +
                    (it->second.kind == ValueInfo::Kind::fact ? "fact" : "classifier") +
                    ", not a field",
                pos, length);
        return;
    }
    bool number = false;
    bool pattern = false;
    bool day = false;
    bool moment = false;
    if (auto k = c.keywords.find(h.keywords); k != c.keywords.end()) {
        number = k->second->match == KeywordMatch::number;
        pattern = k->second->match == KeywordMatch::pattern;
        day = k->second->match == KeywordMatch::date;
        moment = k->second->match == KeywordMatch::time;
    } else if (h.keywords != "other" && h.keywords != "any") {
        return; // unknown set: already reported
    }
    auto field = std::find_if(c.flow.fields.begin(), c.flow.fields.end(),
                              [&](const FieldDecl& d) { return d.name == h.capture; });
    FieldType wanted = number   ? FieldType::number
                       : day    ? FieldType::date
                       : moment ? FieldType::datetime
                                : FieldType::text;
    if (field == c.flow.fields.end() || field->type == wanted) return;
    c.error("type-mismatch",
            "'on reply " + h.keywords + " as " + h.capture + "' keeps " +
                (number    ? "the number the reply holds, so it needs a number field"
                 : day     ? "the date the reply holds, so it needs a date field"
                 : moment  ? "the time the reply names, so it needs a datetime field"
                 : pattern ? "what its pattern found, so it needs a text field"
                           : "the reply's text, so it needs a text field") +
                ", but " + q(h.capture) + " is " +
                (field->type == FieldType::money ? std::string("a money")
                                                 : a_ty(type_of_field(field->type))) +
                " field",
            pos, length);
}

void check_handler(Checker& c, const Handler& h) {
    switch (h.kind) {
    case Handler::Kind::reply:
        if (h.keywords != "other" && h.keywords != "any" &&
            c.keywords.find(h.keywords) == c.keywords.end()) {
            auto names = [&] {
                auto out = keys_of(c.keywords);
                out.push_back("other");
                out.push_back("any");
                return out;
            };
            c.error("unknown-keywords",
                    "unknown keyword set " + q(h.keywords) +
                        c.suggest("keywords", h.keywords, names),
                    h.loc.begin, keyword_span("on reply", h.keywords));
        }
        check_capture(c, h);
        check_condition(c, h.condition, "the reply condition");
        break;
    case Handler::Kind::event: check_condition(c, h.condition, "the event condition"); break;
    case Handler::Kind::after: break;
    case Handler::Kind::at:
        if (h.at) expect_type(c, *h.at, {Ty::date, Ty::datetime}, "'at'", "a date or datetime");
        break;
    case Handler::Kind::season:
        resolve_season(c, h.season, h.loc.begin, keyword_span("at season", h.season));
        if (h.spread == Handler::Spread::by_field) {
            if (const auto* v = resolve_value(c, h.spread_field, h.loc.begin, span(h.loc))) {
                if (v->type != Ty::date && v->type != Ty::datetime) {
                    c.error("type-mismatch",
                            "'spread by' needs a date or datetime, but " + q(h.spread_field) +
                                " is " + a_ty(v->type),
                            h.loc.begin, span(h.loc));
                }
            }
        }
        break;
    }
    check_within(c, h.within, h.loc);
    check_target(c, h.target, h.kind == Handler::Kind::reply);
}

std::string handler_word(const Handler& h) {
    switch (h.kind) {
    case Handler::Kind::reply: return "'on reply'";
    case Handler::Kind::event: return "'on " + h.event + "'";
    case Handler::Kind::after: return "'after'";
    case Handler::Kind::at: return "'at'";
    case Handler::Kind::season: return "'at season'";
    }
    return "a handler";
}

void check_final_body(Checker& c, const StateDecl& s) {
    auto say = [&](const std::string& what, const Loc& loc) {
        c.error("final-has-handlers",
                "final state " + q(s.name) + " cannot " + what + ": an instance ends there",
                loc.begin, span(loc));
    };
    for (const auto& r : s.repeats)
        say("repeat ('every')", r.loc);
    for (const auto& ch : s.choices)
        say("have choices ('if'/'else')", ch.loc);
    for (const auto& h : s.handlers) {
        say("wait for " + handler_word(h), h.loc);
    }
    for (const auto& r : s.reminders)
        say("have reminders", r.loc);
}

void check_choices(Checker& c, const StateDecl& s) {
    const Choice* else_seen = nullptr;
    for (const auto& ch : s.choices) {
        if (else_seen) {
            c.error("bad-choice",
                    ch.condition ? "'if' after 'else' in state " + q(s.name) +
                                       " can never be taken: 'else' must come last"
                                 : "state " + q(s.name) + " has a second 'else' (first on line " +
                                       std::to_string(else_seen->loc.begin.line) + ")",
                    ch.loc.begin, span(ch.loc));
        }
        if (!ch.condition && !else_seen) else_seen = &ch;
        check_condition(c, ch.condition, "'if'");
        check_target(c, ch.target, false);
    }
}

} // namespace

void check_triggers(Checker& c) {
    for (const auto& t : c.flow.triggers) {
        // The trigger's Loc starts at `trigger`; underline up to the key.
        auto head = keyword_span("trigger", t.event + " as " + t.key);
        if (const auto* v = resolve_value(c, t.key, t.loc.begin, head)) {
            if (v->kind != ValueInfo::Kind::field) {
                c.error("unknown-field",
                        "trigger key " + q(t.key) + " must be a field, but it is a " +
                            (v->kind == ValueInfo::Kind::fact ? "fact" : "classifier"),
                        t.loc.begin, head);
            } else if (v->optional) {
                c.warning("optional-key",
                          "trigger key " + q(t.key) +
                              " may be empty; an event without it starts nothing",
                          t.loc.begin, head);
            }
        }
        check_within(c, t.only_during, t.loc);
        if (!t.cooldown_per.empty()) {
            if (const auto* v = resolve_value(c, t.cooldown_per, t.loc.begin, head);
                v && v->kind != ValueInfo::Kind::field)
                c.error("unknown-field",
                        "a cooldown counts per field, but " + q(t.cooldown_per) + " is a " +
                            (v->kind == ValueInfo::Kind::fact ? "fact" : "classifier"),
                        t.loc.begin, head);
        }
        check_condition(c, t.unless, "'unless'");
        // The IR keeps no position for `start NAME`, so the message names the trigger.
        if (c.states.find(t.start) == c.states.end()) {
            c.error("unknown-state",
                    "trigger " + q(t.event) + " starts in unknown state " + q(t.start) +
                        c.suggest("state", t.start, [&] { return keys_of(c.states); }),
                    t.loc.begin, head);
        }
    }
}

void check_states(Checker& c) {
    for (const auto& s : c.flow.states) {
        if (s.is_final) check_final_body(c, s);
        if (s.outcome && !s.is_final) {
            c.error("outcome-not-final",
                    "state " + q(s.name) + " is not final, so it cannot name an outcome",
                    s.outcome->loc.begin, span(s.outcome->loc));
        }
        for (const auto& a : s.actions)
            check_action(c, a);
        for (const auto& r : s.repeats) {
            check_within(c, r.within, r.loc);
            check_condition(c, r.while_cond, "'while'");
            for (const auto& a : r.actions)
                check_action(c, a);
        }
        check_choices(c, s);
        for (const auto& h : s.handlers)
            check_handler(c, h);
        for (const auto& r : s.reminders) {
            check_within(c, r.within, r.loc);
            if (r.via) resolve_channel(c, *r.via, r.loc.begin, span(r.loc));
        }
        if (s.outcome && s.outcome->value) {
            expect_type(c, *s.outcome->value, {Ty::number}, "'outcome … value'",
                        "a number or money");
        }
    }
    for (const auto& h : c.flow.from_any)
        check_handler(c, h);
}

} // namespace nudge::detail
