// Expression types (dsl/REFERENCE.md, "Expressions"). Each operand error is reported once and
// the operand becomes Ty::unknown, so one typo does not cascade into a page of mismatches.
#include "check/detail.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

bool text_like(Ty t) { return t == Ty::text || t == Ty::phone || t == Ty::email; }
bool ordered(Ty t) {
    return t == Ty::number || t == Ty::duration || t == Ty::date || t == Ty::datetime;
}

std::string shown(const Expr& e) { return q(to_text(e)); }

void mismatch(Checker& c, const Expr& at, std::string message) {
    c.error("type-mismatch", std::move(message), at.loc.begin, span(at.loc));
}

// A bare name that is not a value: lists and windows are only allowed in their own places.
Ty type_of_name(Checker& c, const Expr& e, bool allow_list, bool allow_window) {
    if (c.values.count(e.text) != 0) return c.values.find(e.text)->second.type;
    bool is_list = c.lists.count(e.text) != 0;
    bool is_window = c.windows.count(e.text) != 0;
    if (is_list) {
        if (allow_list) return Ty::list_name;
        mismatch(c, e, "list " + q(e.text) + " can only be used on the right of 'in'");
        return Ty::unknown;
    }
    if (is_window) {
        if (allow_window) return Ty::window;
        mismatch(c, e,
                 "window " + q(e.text) +
                     " can only be used as the argument of next_open or next_close");
        return Ty::unknown;
    }
    if (allow_window) {
        resolve_window(c, e.text, e.loc.begin, span(e.loc));
        return Ty::unknown;
    }
    if (allow_list) {
        auto names = [&] {
            std::vector<std::string> out = keys_of(c.values);
            for (const auto& [k, v] : c.lists)
                out.push_back(k);
            return out;
        };
        c.error("unknown-list",
                "unknown list " + q(e.text) + c.suggest("value or list", e.text, names),
                e.loc.begin, span(e.loc));
        return Ty::unknown;
    }
    resolve_value(c, e.text, e.loc.begin, span(e.loc));
    return Ty::unknown;
}

Ty type_of_call(Checker& c, const Expr& e) {
    static const std::vector<std::string> functions = {"now", "next_open", "next_close"};
    if (std::find(functions.begin(), functions.end(), e.text) == functions.end()) {
        c.error("unknown-function", "unknown function " + q(e.text) + suggestion(e.text, functions),
                e.loc.begin, span(e.loc));
        for (const auto& a : e.args)
            type_of(c, a);
        return Ty::unknown;
    }
    std::size_t wanted = e.text == "now" ? 0 : 1;
    if (e.args.size() != wanted) {
        c.error("bad-arguments",
                q(e.text) + " takes " +
                    (wanted == 0 ? std::string("no arguments") : std::string("one window")) +
                    ", but " + shown(e) + " has " + std::to_string(e.args.size()),
                e.loc.begin, span(e.loc));
        return Ty::datetime;
    }
    if (wanted == 1) {
        const auto& arg = e.args[0];
        if (arg.kind == ExprKind::field) {
            type_of_name(c, arg, false, true);
        } else {
            Ty t = type_of(c, arg);
            if (t != Ty::unknown) {
                mismatch(c, arg,
                         q(e.text) + " needs a window name, but " + shown(arg) + " is " + a_ty(t));
            }
        }
    }
    return Ty::datetime;
}

Ty type_of_in(Checker& c, const Expr& e) {
    Ty left = type_of(c, e.args[0]);
    const auto& rhs = e.args[1];
    Ty right = rhs.kind == ExprKind::field ? type_of_name(c, rhs, true, false) : type_of(c, rhs);
    if (left != Ty::unknown && !text_like(left)) {
        mismatch(c, e.args[0],
                 "'in' needs a text, phone or email on the left, but " + shown(e.args[0]) + " is " +
                     a_ty(left));
    }
    if (right != Ty::unknown && right != Ty::list && right != Ty::list_name) {
        mismatch(c, rhs,
                 "'in' needs a list on the right, but " + shown(rhs) + " is " + a_ty(right));
    }
    return Ty::boolean;
}

Ty type_of_binary(Checker& c, const Expr& e) {
    const std::string& op = e.text;
    if (e.args.size() != 2) return Ty::unknown;
    if (op == "in") return type_of_in(c, e);
    Ty l = type_of(c, e.args[0]);
    Ty r = type_of(c, e.args[1]);
    if (op == "and" || op == "or") {
        for (std::size_t i = 0; i < 2; ++i) {
            Ty t = i == 0 ? l : r;
            if (t != Ty::unknown && t != Ty::boolean) {
                mismatch(c, e.args[i],
                         q(op) + " needs a bool, but " + shown(e.args[i]) + " is " + a_ty(t));
            }
        }
        return Ty::boolean;
    }
    if (l == Ty::unknown || r == Ty::unknown) {
        if (op == "??") return l;
        if (op == "+" || op == "-") return Ty::unknown;
        return Ty::boolean;
    }
    if (op == "??") {
        if (!assignable(l, r)) {
            mismatch(c, e.args[1],
                     "'?"
                     "?' needs the same type on both sides, but " +
                         shown(e.args[0]) + " is " + a_ty(l) + " and " + shown(e.args[1]) + " is " +
                         a_ty(r));
        }
        return l;
    }
    if (op == "==" || op == "!=") {
        // `none` asks whether a value is empty, whatever its type (a list never is).
        bool ok = (l == r && l != Ty::list) || (l == Ty::text && (text_like(r) || r == Ty::zone)) ||
                  (r == Ty::text && (text_like(l) || l == Ty::zone)) ||
                  (l == Ty::none && r != Ty::list && r != Ty::list_name && r != Ty::window) ||
                  (r == Ty::none && l != Ty::list && l != Ty::list_name && l != Ty::window);
        if (!ok) {
            mismatch(c, e,
                     q(op) + " needs like types, but " + shown(e) + " compares " + a_ty(l) +
                         " with " + a_ty(r));
        }
        return Ty::boolean;
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
        if (l != r || !ordered(l)) {
            mismatch(c, e,
                     q(op) + " needs two numbers, durations, dates or datetimes, but " + shown(e) +
                         " compares " + a_ty(l) + " with " + a_ty(r));
        }
        return Ty::boolean;
    }
    if (op == "+" || op == "-") {
        if (l == r && (l == Ty::number || l == Ty::duration)) return l;
        if ((l == Ty::date || l == Ty::datetime) && r == Ty::duration) return l;
        if (op == "+" && l == Ty::duration && (r == Ty::date || r == Ty::datetime)) return r;
        if (op == "-" && l == r && (l == Ty::date || l == Ty::datetime)) return Ty::duration;
        mismatch(c, e,
                 q(op) + " cannot combine " + a_ty(l) + " with " + a_ty(r) + " in " + shown(e));
        return Ty::unknown;
    }
    c.error("type-mismatch", "unknown operator " + q(op), e.loc.begin, span(e.loc));
    return Ty::unknown;
}

} // namespace

bool assignable(Ty field, Ty value) {
    if (field == value) return true;
    if (value == Ty::none) return true; // empties the field (set: only an optional one)
    // A text literal may stand for a phone, e-mail or zone name; it is validated when used.
    return value == Ty::text && (field == Ty::phone || field == Ty::email || field == Ty::zone);
}

Ty type_of(Checker& c, const Expr& e) {
    switch (e.kind) {
    case ExprKind::string: return Ty::text;
    case ExprKind::number: return Ty::number;
    case ExprKind::boolean: return Ty::boolean;
    case ExprKind::none: return Ty::none;
    case ExprKind::duration: return Ty::duration;
    case ExprKind::field: return type_of_name(c, e, false, false);
    case ExprKind::member: {
        if (e.args.empty()) return Ty::unknown;
        Ty base = type_of(c, e.args[0]);
        if (base == Ty::unknown) return Ty::unknown;
        if (base != Ty::phone) {
            mismatch(c, e,
                     "member " + q(e.text) + " needs a phone, but " + shown(e.args[0]) + " is " +
                         a_ty(base));
            return Ty::unknown;
        }
        if (e.text != "region" && e.text != "type") {
            c.error("unknown-member",
                    "a phone has no member " + q(e.text) + " (it has 'region' and 'type')" +
                        suggestion(e.text, {"region", "type"}),
                    e.loc.begin, span(e.loc));
            return Ty::unknown;
        }
        return Ty::text;
    }
    case ExprKind::call: return type_of_call(c, e);
    case ExprKind::list: {
        for (const auto& item : e.args) {
            Ty t = type_of(c, item);
            if (t != Ty::unknown && t != Ty::text) {
                mismatch(c, item, "list items must be text, but " + shown(item) + " is " + a_ty(t));
            }
        }
        return Ty::list;
    }
    case ExprKind::unary: {
        if (e.args.empty()) return Ty::unknown;
        Ty t = type_of(c, e.args[0]);
        if (t == Ty::unknown) return e.text == "not" ? Ty::boolean : Ty::unknown;
        if (e.text == "not") {
            if (t != Ty::boolean) {
                mismatch(c, e.args[0],
                         "'not' needs a bool, but " + shown(e.args[0]) + " is " + a_ty(t));
            }
            return Ty::boolean;
        }
        if (t != Ty::number && t != Ty::duration) {
            mismatch(c, e,
                     "'-' needs a number or duration, but " + shown(e.args[0]) + " is " + a_ty(t));
            return Ty::unknown;
        }
        return t;
    }
    case ExprKind::binary: return type_of_binary(c, e);
    }
    return Ty::unknown;
}

void expect_type(Checker& c, const Expr& e, std::initializer_list<Ty> wanted, std::string_view what,
                 std::string_view wanted_text) {
    Ty t = type_of(c, e);
    if (t == Ty::unknown) return;
    if (std::find(wanted.begin(), wanted.end(), t) != wanted.end()) return;
    mismatch(c, e,
             std::string(what) + " needs " + std::string(wanted_text) + ", but " + shown(e) +
                 " is " + a_ty(t));
}

} // namespace nudge::detail
