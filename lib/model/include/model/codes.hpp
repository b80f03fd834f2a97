#pragma once
// The registry of diagnostic codes (lib/model/include/model/codes.def): every code nudge reports,
// once.

#include <span>
#include <string_view>

namespace nudge::detail {

struct DiagnosticCode {
    std::string_view code;    // kebab-case, as reported: "unknown-state"
    std::string_view summary; // what it means, in a few words
};

// Every registered code, sorted by code.
std::span<const DiagnosticCode> diagnostic_codes();
bool is_diagnostic_code(std::string_view code);

} // namespace nudge::detail
