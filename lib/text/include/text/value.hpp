#pragma once
// Runtime values of fields, facts and expressions, their text forms, and expression
// evaluation. Internal to the engine.

#include <nudge/clock.hpp>
#include <nudge/flow.hpp>

#include <date/date.h>
#include <date/tz.h>

#include "text/locale_format.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

struct Value {
    enum class Kind { empty, text, number, boolean, instant, date, duration, list };
    Kind kind = Kind::empty;
    std::string text;     // text (phone, email, zone and text fields)
    double number = 0;    // number, money
    bool boolean = false; // boolean
    // text is a canonical address that canonical_address() maps to itself: the E.164 form of a
    // valid phone number (read_value sets it), so the engine need not parse it again.
    bool canonical = false;
    Instant instant{};    // instant (datetime)
    date::sys_days day{}; // date
    // duration: exact seconds (calendar units approximated: d 86400, w 7d, mo 30d, y 365d) and,
    // when the duration is a calendar step, the step itself so it can be added exactly.
    std::int64_t seconds = 0;
    std::optional<Duration> calendar;
    std::vector<Value> items; // list

    bool empty() const { return kind == Kind::empty || (kind == Kind::text && text.empty()); }
    static Value of_text(std::string s);
    static Value of_number(double n);
    static Value of_bool(bool b);
    static Value of_instant(Instant t);
    static Value of_date(date::sys_days d);
    static Value of_duration(const Duration& d);
    static Value of_seconds(std::int64_t s);
};

// How a flow reads and prints values: its zone and the region for numbers without +CC.
struct ValueContext {
    const date::time_zone* zone = nullptr; // nullptr: UTC
    std::string region;                    // "DK", or empty
};

// Reads the host's text for a field of `type`; nullopt (with `why`) when it cannot.
// Empty text gives an empty value. Phone numbers are stored in canonical (E.164) form.
std::optional<Value> read_value(FieldType type, std::string_view text, const ValueContext& ctx,
                                std::string& why);

// The text form used in messages and views: "249.50", "2026-04-10 09:00", "2h 30m".
std::string value_text(const Value& v, FieldType type, const ValueContext& ctx);
// The same without a declared type (expression results).
std::string value_text(const Value& v, const ValueContext& ctx);
// A merge field's text in the flow's locale: in `format`, or (none given) money, numbers, dates
// and datetimes in the locale's own way. A value the format does not fit (which the checker
// refuses) and every other value keep value_text's form.
std::string formatted_text(const Value& v, FieldType type, const ValueContext& ctx,
                           const LocaleFormat& locale, std::optional<MergeFormat> format);

// What an expression can see besides literals.
class Scope {
public:
    virtual ~Scope() = default;
    // A field, fact, classifier or list by name; empty when unknown or unset.
    virtual Value lookup(std::string_view name) const = 0;
    virtual const WindowDecl* window(std::string_view name) const = 0;
    virtual Instant now() const = 0;
    virtual const ValueContext& context() const = 0;
};

Value evaluate(const Expr& e, const Scope& scope);
// A condition: true only for a boolean true (empty or anything else is false).
bool holds(const Expr& e, const Scope& scope);
// An `at` expression as an instant: datetimes as they are, dates at local midnight.
std::optional<Instant> as_instant(const Value& v, const ValueContext& ctx);

} // namespace nudge::detail
