#include "model/codes.hpp"

#include <algorithm>
#include <array>
#include <cstddef>

namespace nudge::detail {

namespace {

// The identifiers of codes.def as the codes they stand for ('_' → '-').
template <std::size_t N> struct Kebab {
    std::array<char, N> text{};
    constexpr explicit Kebab(const char (&name)[N]) {
        for (std::size_t i = 0; i < N; ++i)
            text[i] = name[i] == '_' ? '-' : name[i];
    }
    constexpr std::string_view view() const { return {text.data(), N - 1}; }
};

#define NUDGE_DIAGNOSTIC(name, summary) constexpr Kebab kebab_##name{#name};
#include "model/codes.def"

constexpr std::array codes = {
#define NUDGE_DIAGNOSTIC(name, summary) DiagnosticCode{kebab_##name.view(), summary},
#include "model/codes.def"
};

static_assert(std::is_sorted(codes.begin(), codes.end(),
                             [](const auto& a, const auto& b) { return a.code < b.code; }),
              "keep codes.def sorted");

} // namespace

std::span<const DiagnosticCode> diagnostic_codes() { return codes; }

bool is_diagnostic_code(std::string_view code) {
    auto it =
        std::lower_bound(codes.begin(), codes.end(), code,
                         [](const DiagnosticCode& c, std::string_view v) { return c.code < v; });
    return it != codes.end() && it->code == code;
}

} // namespace nudge::detail
