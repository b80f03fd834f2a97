// Reporting helpers shared by every check: spans, quoting, near-name suggestions, type names.
#include "check/detail.hpp"
#include "model/suggest.hpp"

#include <algorithm>
#include <array>

namespace nudge::detail {

void Checker::error(std::string code, std::string message, SourcePos pos, std::uint32_t length) {
    out.error(std::move(code), std::move(message), flow.source.file, pos,
              std::max<std::uint32_t>(length, 1));
}

void Checker::warning(std::string code, std::string message, SourcePos pos, std::uint32_t length) {
    out.warning(std::move(code), std::move(message), flow.source.file, pos,
                std::max<std::uint32_t>(length, 1));
}

std::uint32_t span(const Loc& loc) {
    if (loc.end.line == loc.begin.line && loc.end.column > loc.begin.column) {
        return loc.end.column - loc.begin.column;
    }
    if (loc.end.line > loc.begin.line) return 1000; // rest of the first line
    return 1;
}

std::uint32_t keyword_span(std::string_view keyword, std::string_view name) {
    return static_cast<std::uint32_t>(keyword.size() + 1 + name.size());
}

std::string q(std::string_view name) { return "'" + std::string(name) + "'"; }

std::string Checker::suggest(std::string_view set, std::string_view name,
                             const std::function<std::vector<std::string>()>& candidates) {
    std::string key(set);
    key += '\0';
    key += name;
    if (auto it = suggested.find(key); it != suggested.end()) return it->second;
    std::string said;
    if (suggestion_work < suggestion_budget) {
        auto names = candidates();
        suggestion_work += names.size() + 1;
        said = suggestion(name, names);
    }
    suggested.emplace(std::move(key), said);
    return said;
}

Ty type_of_field(FieldType t) {
    switch (t) {
    case FieldType::text: return Ty::text;
    case FieldType::number:
    case FieldType::money: return Ty::number;
    case FieldType::boolean: return Ty::boolean;
    case FieldType::phone: return Ty::phone;
    case FieldType::email: return Ty::email;
    case FieldType::date: return Ty::date;
    case FieldType::datetime: return Ty::datetime;
    case FieldType::duration: return Ty::duration;
    case FieldType::zone: return Ty::zone;
    }
    return Ty::unknown;
}

std::string_view ty_name(Ty t) {
    static constexpr std::array<std::string_view, 14> names = {
        "text",     "number", "bool", "phone", "email",  "date", "datetime",
        "duration", "zone",   "list", "list",  "window", "none", "unknown"};
    return names[static_cast<std::size_t>(t)];
}

std::string a_ty(Ty t) {
    if (t == Ty::none) return "none";
    auto n = ty_name(t);
    bool vowel = !n.empty() && std::string_view("aeiou").find(n[0]) != std::string_view::npos;
    return std::string(vowel ? "an " : "a ") + std::string(n);
}

std::string a_kind(ChannelKind k) {
    bool an = k == ChannelKind::sms || k == ChannelKind::email; // "an ess-em-ess"
    return std::string(an ? "an " : "a ") + std::string(to_string(k));
}

} // namespace nudge::detail
