#pragma once
// FNV-1a over bytes, 64 bits: the stable hash (the same on every machine and run, unlike
// std::hash) behind a stored flow version's text hash and a key's place in a season.

#include <cstdint>
#include <string_view>

namespace nudge::detail {

constexpr std::uint64_t fnv1a(std::string_view bytes) {
    std::uint64_t h = 14695981039346656037ull;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ull;
    }
    return h;
}

} // namespace nudge::detail
