#pragma once
// Well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), for
// the front ends and the YAML writer. One decoder, so that every reader agrees on which bytes
// are text.

#include <cstddef>
#include <string_view>

namespace nudge::detail {

// Decodes the character that starts at s[i] into `cp`; returns its length in bytes, 0 when the
// bytes there are not well-formed UTF-8 (or i is past the end).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp);

// The offset of the first byte that is not part of well-formed UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view s);

} // namespace nudge::detail
