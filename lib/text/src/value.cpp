// Runtime values and expression evaluation (dsl/REFERENCE.md, "Expressions").
#include "text/value.hpp"

#include "text/phone.hpp"
#include "text/time.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace nudge::detail {

Value Value::of_text(std::string s) {
    Value v;
    v.kind = Kind::text;
    v.text = std::move(s);
    return v;
}
Value Value::of_number(double n) {
    Value v;
    v.kind = Kind::number;
    v.number = n;
    return v;
}
Value Value::of_bool(bool b) {
    Value v;
    v.kind = Kind::boolean;
    v.boolean = b;
    return v;
}
Value Value::of_instant(Instant t) {
    Value v;
    v.kind = Kind::instant;
    v.instant = t;
    return v;
}
Value Value::of_date(date::sys_days d) {
    Value v;
    v.kind = Kind::date;
    v.day = d;
    return v;
}
Value Value::of_seconds(std::int64_t s) {
    Value v;
    v.kind = Kind::duration;
    v.seconds = s;
    return v;
}
Value Value::of_duration(const Duration& d) {
    Value v;
    v.kind = Kind::duration;
    if (auto exact = exact_seconds(d)) {
        v.seconds = *exact;
    } else {
        static constexpr std::int64_t day = 86400;
        std::int64_t per = d.unit == DurationUnit::d    ? day
                           : d.unit == DurationUnit::w  ? 7 * day
                           : d.unit == DurationUnit::mo ? 30 * day
                                                        : 365 * day;
        v.seconds = d.count * per;
        v.calendar = d;
    }
    return v;
}

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return std::string(s);
}

std::optional<double> read_number(std::string_view s) {
    std::string t(s);
    std::replace(t.begin(), t.end(), ',', '.'); // "249,50" as written in Scandinavia
    double out = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (ec != std::errc{} || p != t.data() + t.size() || !std::isfinite(out)) return std::nullopt;
    return out;
}

std::string number_text(double n, bool money) {
    if (!money && std::floor(n) == n && std::fabs(n) < 1e15) {
        return std::to_string(static_cast<long long>(n));
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", n);
    std::string s = buf;
    if (!money) {
        while (!s.empty() && s.back() == '0')
            s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    return s;
}

std::string two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

std::string date_text(date::year_month_day ymd) {
    return std::to_string(static_cast<int>(ymd.year())) + "-" +
           two(static_cast<unsigned>(ymd.month())) + "-" + two(static_cast<unsigned>(ymd.day()));
}

} // namespace

std::optional<Value> read_value(FieldType type, std::string_view raw, const ValueContext& ctx,
                                std::string& why) {
    auto text = trim(raw);
    if (text.empty()) return Value{};
    switch (type) {
    case FieldType::text:
    case FieldType::email: return Value::of_text(text);
    case FieldType::zone:
        if (!find_zone(text)) {
            why = "unknown time zone '" + text + "'";
            return std::nullopt;
        }
        return Value::of_text(text);
    case FieldType::phone: {
        auto e164 = valid_e164(text, ctx.region);
        if (!e164) return Value::of_text(text);
        auto v = Value::of_text(std::move(*e164));
        v.canonical = true;
        return v;
    }
    case FieldType::number:
    case FieldType::money:
        if (auto n = read_number(text)) return Value::of_number(*n);
        why = "'" + text + "' is not a number";
        return std::nullopt;
    case FieldType::boolean:
        if (text == "true" || text == "yes" || text == "1") return Value::of_bool(true);
        if (text == "false" || text == "no" || text == "0") return Value::of_bool(false);
        why = "'" + text + "' is not true or false";
        return std::nullopt;
    case FieldType::date:
        if (auto d = parse_date(text)) return Value::of_date(date::sys_days{*d});
        why = "'" + text + "' is not a date (YYYY-MM-DD)";
        return std::nullopt;
    case FieldType::datetime:
        if (auto t = parse_instant(text, ctx.zone)) return Value::of_instant(*t);
        why = "'" + text + "' is not a date and time (2026-04-10T09:00:00+02:00)";
        return std::nullopt;
    case FieldType::duration: {
        if (auto d = parse_duration(text)) return Value::of_duration(*d);
        if (auto n = read_number(text); n && std::floor(*n) == *n)
            return Value::of_seconds(static_cast<std::int64_t>(*n));
        why = "'" + text + "' is not a duration (30s, 5m, 2h, 3d)";
        return std::nullopt;
    }
    }
    return Value::of_text(text);
}

std::string value_text(const Value& v, FieldType type, const ValueContext& ctx) {
    if (v.kind == Value::Kind::number) return number_text(v.number, type == FieldType::money);
    return value_text(v, ctx);
}

std::string value_text(const Value& v, const ValueContext& ctx) {
    switch (v.kind) {
    case Value::Kind::empty: return {};
    case Value::Kind::text: return v.text;
    case Value::Kind::number: return number_text(v.number, false);
    case Value::Kind::boolean: return v.boolean ? "true" : "false";
    case Value::Kind::instant: {
        auto s = format_instant(v.instant, ctx.zone); // 2026-04-10T09:00:00+02:00
        return s.substr(0, 10) + " " + s.substr(11, 5);
    }
    case Value::Kind::date: return date_text(date::year_month_day{v.day});
    case Value::Kind::duration:
        if (v.calendar) return to_text(*v.calendar);
        return format_seconds(v.seconds);
    case Value::Kind::list: {
        std::string out;
        for (const auto& i : v.items) {
            if (!out.empty()) out += ", ";
            out += value_text(i, ctx);
        }
        return out;
    }
    }
    return {};
}

std::string formatted_text(const Value& v, FieldType type, const ValueContext& ctx,
                           const LocaleFormat& locale, std::optional<MergeFormat> format) {
    switch (v.kind) {
    case Value::Kind::number: {
        auto f =
            format.value_or(type == FieldType::money ? MergeFormat::money : MergeFormat::number);
        if (format_fits_number(f)) return locale.number(v.number, f);
        break;
    }
    case Value::Kind::instant: {
        auto f = format.value_or(MergeFormat::datetime);
        if (format_fits_number(f)) break;
        auto local = ctx.zone ? ctx.zone->to_local(v.instant)
                              : date::local_seconds{v.instant.time_since_epoch()};
        return locale.local(local, f);
    }
    case Value::Kind::date: {
        auto f = format.value_or(MergeFormat::date);
        if (!format_fits_date(f)) break;
        return locale.local(date::local_seconds{date::local_days{v.day.time_since_epoch()}}, f);
    }
    default: break;
    }
    return value_text(v, type, ctx);
}

std::optional<Instant> as_instant(const Value& v, const ValueContext& ctx) {
    if (v.kind == Value::Kind::instant) return v.instant;
    if (v.kind == Value::Kind::date) {
        return resolve_local(date::local_seconds{date::local_days{v.day.time_since_epoch()}},
                             ctx.zone);
    }
    return std::nullopt;
}

namespace {

bool same_text(const Value& a, const Value& b, const ValueContext& ctx) {
    if (a.text == b.text) return true;
    // Where the numbering plan cannot tell (Danish numbers mostly), a number is both.
    auto either = [](const std::string& x, const std::string& y) {
        return x == "fixed_line_or_mobile" && (y == "mobile" || y == "fixed_line");
    };
    if (either(a.text, b.text) || either(b.text, a.text)) return true;
    // Two spellings of one phone number are the same number.
    auto ca = canonical_address(a.text, ctx.region);
    return !ca.empty() && ca == canonical_address(b.text, ctx.region);
}

// -1, 0, 1, or nullopt when the values cannot be compared.
std::optional<int> compare(const Value& a, const Value& b, const ValueContext& ctx) {
    using K = Value::Kind;
    auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    if (a.kind == K::number && b.kind == K::number) return cmp(a.number, b.number);
    if (a.kind == K::duration && b.kind == K::duration) return cmp(a.seconds, b.seconds);
    if (a.kind == K::boolean && b.kind == K::boolean) return cmp(a.boolean, b.boolean);
    if (a.kind == K::text && b.kind == K::text) {
        if (same_text(a, b, ctx)) return 0;
        return cmp(a.text, b.text);
    }
    auto ta = as_instant(a, ctx);
    auto tb = as_instant(b, ctx);
    if (a.kind == K::date && b.kind == K::date) return cmp(a.day, b.day);
    if (ta && tb) return cmp(*ta, *tb);
    return std::nullopt;
}

Value add_to_time(const Value& base, const Value& d, int sign, const ValueContext& ctx) {
    Duration step = d.calendar ? *d.calendar : Duration{d.seconds, DurationUnit::s};
    step.count *= sign;
    if (base.kind == Value::Kind::date && d.calendar) {
        // A calendar step on a date stays a date.
        auto t = resolve_local(date::local_seconds{date::local_days{base.day.time_since_epoch()}},
                               nullptr);
        auto moved = add(t, step, nullptr);
        return Value::of_date(date::floor<date::days>(moved));
    }
    auto t = as_instant(base, ctx);
    if (!t) return {};
    return Value::of_instant(add(*t, step, ctx.zone));
}

Value arithmetic(const std::string& op, const Value& a, const Value& b, const ValueContext& ctx) {
    using K = Value::Kind;
    int sign = op == "+" ? 1 : -1;
    if (a.empty() || b.empty()) return {};
    if (a.kind == K::number && b.kind == K::number)
        return Value::of_number(a.number + sign * b.number);
    if (a.kind == K::duration && b.kind == K::duration) {
        return Value::of_seconds(a.seconds + sign * b.seconds);
    }
    if ((a.kind == K::instant || a.kind == K::date) && b.kind == K::duration) {
        return add_to_time(a, b, sign, ctx);
    }
    if (a.kind == K::duration && (b.kind == K::instant || b.kind == K::date) && sign == 1) {
        return add_to_time(b, a, 1, ctx);
    }
    if (sign == -1) {
        auto ta = as_instant(a, ctx);
        auto tb = as_instant(b, ctx);
        if (ta && tb) return Value::of_seconds((*ta - *tb).count());
    }
    return {};
}

} // namespace

Value evaluate(const Expr& e, const Scope& scope) {
    using K = Value::Kind;
    const auto& ctx = scope.context();
    switch (e.kind) {
    case ExprKind::string: return Value::of_text(e.text);
    case ExprKind::number: return Value::of_number(e.number);
    case ExprKind::boolean: return Value::of_bool(e.boolean);
    case ExprKind::none: return {};
    case ExprKind::duration: return Value::of_duration(e.duration);
    case ExprKind::field: return scope.lookup(e.text);
    case ExprKind::list: {
        Value v;
        v.kind = K::list;
        for (const auto& a : e.args)
            v.items.push_back(evaluate(a, scope));
        return v;
    }
    case ExprKind::member: {
        if (e.args.empty()) return {};
        auto base = evaluate(e.args[0], scope);
        if (base.empty() || base.kind != K::text) return {};
        auto info = inspect_number(base.text, ctx.region);
        if (e.text == "region") return Value::of_text(info.region);
        if (e.text == "type") return Value::of_text(std::string(to_string(info.type)));
        return {};
    }
    case ExprKind::call: {
        if (e.text == "now") return Value::of_instant(scope.now());
        if ((e.text == "next_open" || e.text == "next_close") && e.args.size() == 1) {
            const WindowDecl* w = scope.window(e.args[0].text);
            if (!w) return {};
            auto now = scope.now();
            std::optional<Instant> t;
            if (e.text == "next_open") {
                t = next_open(*w, now, ctx.zone);
            } else {
                auto open = next_open(*w, now, ctx.zone);
                if (open) t = next_close(*w, *open, ctx.zone);
            }
            return t ? Value::of_instant(*t) : Value{};
        }
        return {};
    }
    case ExprKind::unary: {
        if (e.args.empty()) return {};
        auto v = evaluate(e.args[0], scope);
        if (e.text == "not") return v.kind == K::boolean ? Value::of_bool(!v.boolean) : Value{};
        if (v.kind == K::number) return Value::of_number(-v.number);
        if (v.kind == K::duration) {
            auto out = v;
            out.seconds = -v.seconds;
            if (out.calendar) out.calendar->count = -out.calendar->count;
            return out;
        }
        return {};
    }
    case ExprKind::binary: {
        if (e.args.size() != 2) return {};
        const auto& op = e.text;
        if (op == "or" || op == "and") {
            bool left = holds(e.args[0], scope);
            if (op == "or" && left) return Value::of_bool(true);
            if (op == "and" && !left) return Value::of_bool(false);
            return Value::of_bool(holds(e.args[1], scope));
        }
        auto a = evaluate(e.args[0], scope);
        if (op == "??") return a.empty() ? evaluate(e.args[1], scope) : a;
        auto b = evaluate(e.args[1], scope);
        if (op == "+" || op == "-") return arithmetic(op, a, b, ctx);
        if (op == "in") {
            if (a.empty() || b.kind != K::list) return Value::of_bool(false);
            for (const auto& item : b.items) {
                if (item.kind == K::text && a.kind == K::text && same_text(a, item, ctx))
                    return Value::of_bool(true);
            }
            return Value::of_bool(false);
        }
        if (a.empty() || b.empty()) {
            // Empty equals only empty; an ordering with an empty side does not hold.
            if (op == "==") return Value::of_bool(a.empty() && b.empty());
            if (op == "!=") return Value::of_bool(!(a.empty() && b.empty()));
            return Value::of_bool(false);
        }
        auto c = compare(a, b, ctx);
        if (!c) return Value::of_bool(op == "!=");
        if (op == "==") return Value::of_bool(*c == 0);
        if (op == "!=") return Value::of_bool(*c != 0);
        if (op == "<") return Value::of_bool(*c < 0);
        if (op == "<=") return Value::of_bool(*c <= 0);
        if (op == ">") return Value::of_bool(*c > 0);
        if (op == ">=") return Value::of_bool(*c >= 0);
        return {};
    }
    }
    return {};
}

bool holds(const Expr& e, const Scope& scope) {
    auto v = evaluate(e, scope);
    return v.kind == Value::Kind::boolean && v.boolean;
}

} // namespace nudge::detail
