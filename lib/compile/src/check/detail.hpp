#pragma once
// Internals of check_flow: the symbol tables every check reads and the reporting helpers that
// keep messages, codes and caret spans consistent. One Checker lives for one check_flow call.

#include <nudge/diagnostic.hpp>
#include <nudge/flow.hpp>

#include "model/suggest.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

// The types an expression can have. `money` is folded into number; `window` and `list_name`
// only appear where a bare name is allowed (call arguments, right of `in`); `unknown` means an
// error was already reported for the operand, so nothing further is said about it.
enum class Ty {
    text,
    number,
    boolean,
    phone,
    email,
    date,
    datetime,
    duration,
    zone,
    list,
    list_name,
    window,
    none, // the literal `none`: equal only to an empty value
    unknown
};

Ty type_of_field(FieldType t);
std::string_view ty_name(Ty t);    // "text", "number", "bool", …
std::string a_ty(Ty t);            // "a text", "an email", …
std::string a_kind(ChannelKind k); // "an sms", "an email", "a letter", …

// What a value name (field, fact or classifier) is; they share one namespace.
struct ValueInfo {
    enum class Kind { field, fact, classifier };
    Kind kind = Kind::field;
    Ty type = Ty::text;
    bool optional = false;
    std::uint32_t line = 0;
};

struct Checker {
    const FlowDef& flow;
    Diagnostics& out;

    // First definition of each name wins; later duplicates are reported and ignored.
    std::map<std::string, ValueInfo, std::less<>> values;
    std::map<std::string, const StateDecl*, std::less<>> states;
    std::map<std::string, const ChannelDecl*, std::less<>> channels;
    std::map<std::string, const WindowDecl*, std::less<>> windows;
    std::map<std::string, const SeasonDecl*, std::less<>> seasons;
    std::map<std::string, const KeywordsDecl*, std::less<>> keywords;
    std::map<std::string, const ListDecl*, std::less<>> lists;
    std::map<std::string, std::vector<const TemplateDecl*>, std::less<>> templates;

    // "Did you mean" for an unknown name, nearest among the names `candidates` returns (one
    // `set` of names, such as "state"). Each near-name search costs the set's size, so one
    // flow's searches are remembered per set and name, and bounded in total: past
    // `suggestion_budget` names compared, unknown names get no suggestion (a flow needs
    // thousands of distinct unknown names among tens of thousands of declared ones for that).
    std::string suggest(std::string_view set, std::string_view name,
                        const std::function<std::vector<std::string>()>& candidates);
    std::map<std::string, std::string, std::less<>> suggested;
    std::size_t suggestion_work = 0;

    void error(std::string code, std::string message, SourcePos pos, std::uint32_t length = 1);
    void warning(std::string code, std::string message, SourcePos pos, std::uint32_t length = 1);
};

inline constexpr std::size_t suggestion_budget = 4'000'000;

// ---- spans --------------------------------------------------------------------------------
// Columns the caret covers for a node: its own extent when it sits on one line, else the rest
// of its first line (render() clamps the underline at the end of the line).
std::uint32_t span(const Loc& loc);
// For `KEYWORD NAME …` statements whose Loc starts at the keyword: covers the keyword and name.
std::uint32_t keyword_span(std::string_view keyword, std::string_view name);

// ---- names --------------------------------------------------------------------------------
// suggestion(), the ", did you mean 'x'?" suffix: text/suggest.hpp (scenarios use it too).
template <class Map> std::vector<std::string> keys_of(const Map& m) {
    std::vector<std::string> out;
    out.reserve(m.size());
    for (const auto& [k, v] : m)
        out.push_back(k);
    return out;
}
std::string q(std::string_view name); // 'name'

void collect_names(Checker& c); // tables + duplicate-name, reserved-name
// Each reports `unknown-<what>` at pos when the name is not declared; true when it resolves.
bool resolve_window(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length);
bool resolve_channel(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length);
bool resolve_season(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length);
bool resolve_state(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length);
const ValueInfo* resolve_value(Checker& c, const std::string& name, SourcePos pos,
                               std::uint32_t length);

// ---- parts of the check -------------------------------------------------------------------
void check_header(Checker& c);       // version, timezone
void check_declarations(Checker& c); // channels, windows, seasons, keywords, lists, policy, …
void check_triggers(Checker& c);
void check_states(Checker& c);   // states, finals and from any
void check_settings(Checker& c); // `settings` names, field defaults
void check_senders(Checker& c);  // sms sender names, replies to text senders

// Merge fields in a template or inline text; reports unknown-merge-field / bad-template.
// `cap sms N segments` statements, and SMS texts over their limit (segments.cpp).
void check_segments(Checker& c);
void check_merge_text(Checker& c, std::string_view text, const Loc& where, const Loc& text_at);

// ---- expressions --------------------------------------------------------------------------
// The type of `e`, reporting every problem inside it; Ty::unknown after an error.
Ty type_of(Checker& c, const Expr& e);
// Checks that `e` has one of the `wanted` types; `what` names the place ("'if'", "'at'").
// `wanted_text` is said in the message ("a bool", "a date or datetime").
void expect_type(Checker& c, const Expr& e, std::initializer_list<Ty> wanted, std::string_view what,
                 std::string_view wanted_text);
// Whether a value of type `value` may be stored in a field of type `field`.
bool assignable(Ty field, Ty value);

} // namespace nudge::detail
