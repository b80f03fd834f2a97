#include "text/gsm7.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

namespace nudge::detail {

namespace {

// The GSM 03.38 default alphabet in Unicode, sorted for binary search (0x1B, the escape to the
// extension table, is not a character of its own and is left out).
constexpr auto basic_alphabet = [] {
    std::array<char32_t, 127> a{
        U'\n', U'\r', U' ', U'!', U'"', U'#', U'$', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',',
        U'-',  U'.',  U'/', U'0', U'1', U'2', U'3', U'4', U'5', U'6',  U'7', U'8', U'9', U':', U';',
        U'<',  U'=',  U'>', U'?', U'@', U'A', U'B', U'C', U'D', U'E',  U'F', U'G', U'H', U'I', U'J',
        U'K',  U'L',  U'M', U'N', U'O', U'P', U'Q', U'R', U'S', U'T',  U'U', U'V', U'W', U'X', U'Y',
        U'Z',  U'_',  U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h',  U'i', U'j', U'k', U'l', U'm',
        U'n',  U'o',  U'p', U'q', U'r', U's', U't', U'u', U'v', U'w',  U'x', U'y', U'z', U'¡', U'£',
        U'¤',  U'¥',  U'§', U'¿', U'Ä', U'Å', U'Æ', U'Ç', U'É', U'Ñ',  U'Ö', U'Ø', U'Ü', U'ß', U'à',
        U'ä',  U'å',  U'æ', U'è', U'é', U'ì', U'ñ', U'ò', U'ö', U'ø',  U'ù', U'ü', U'Γ', U'Δ', U'Θ',
        U'Λ',  U'Ξ',  U'Π', U'Σ', U'Φ', U'Ψ', U'Ω'};
    std::sort(a.begin(), a.end());
    return a;
}();

// Sent as the escape 0x1B and a second septet: two septets each.
constexpr std::array<char32_t, 10> extension_table{U'\f', U'[', U'\\', U']', U'^',
                                                   U'{',  U'|', U'}',  U'~', U'€'};

// Septets a code point takes in GSM-7, 0 when it has none.
int septets(char32_t c) {
    if (std::binary_search(basic_alphabet.begin(), basic_alphabet.end(), c)) return 1;
    if (std::find(extension_table.begin(), extension_table.end(), c) != extension_table.end())
        return 2;
    return 0;
}

// Calls f(code point) for each character; an invalid byte is passed as U+FFFD and skipped.
template <class F> bool each_code_point(std::string_view utf8, F&& f) {
    bool valid = true;
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
    auto left = static_cast<utf8proc_ssize_t>(utf8.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n < 0) {
            valid = false;
            cp = 0xFFFD;
            n = 1;
        }
        f(static_cast<char32_t>(cp));
        p += n;
        left -= n;
    }
    return valid;
}

// Parts for items of the given widths: `single` units fit one part; a longer text is cut
// into parts of `multi` units (the rest holds the concatenation header), never inside an item.
template <class Widths> int parts(const Widths& widths, int single, int multi) {
    int total = 0;
    for (int w : widths)
        total += w;
    if (total <= single) return 1;
    int count = 1;
    int used = 0;
    for (int w : widths) {
        if (used + w > multi) {
            ++count;
            used = 0;
        }
        used += w;
    }
    return count;
}

} // namespace

bool gsm7_encodable(std::string_view utf8) {
    bool all = true;
    bool valid = each_code_point(utf8, [&](char32_t c) { all = all && septets(c) > 0; });
    return valid && all;
}

int sms_segments(std::string_view utf8) {
    std::vector<int> gsm;  // septets of each character
    std::vector<int> ucs2; // UTF-16 units of each character
    bool gsm_ok = true;
    bool valid = each_code_point(utf8, [&](char32_t c) {
        int s = septets(c);
        gsm_ok = gsm_ok && s > 0;
        gsm.push_back(s);
        ucs2.push_back(c > 0xFFFF ? 2 : 1);
    });
    if (valid && gsm_ok) return parts(gsm, 160, 153);
    return parts(ucs2, 70, 67);
}

std::string utf16be(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size() * 2);
    auto unit = [&](std::uint32_t u) {
        out.push_back(static_cast<char>((u >> 8) & 0xFF));
        out.push_back(static_cast<char>(u & 0xFF));
    };
    each_code_point(utf8, [&](char32_t c) {
        if (c > 0xFFFF) {
            std::uint32_t v = static_cast<std::uint32_t>(c) - 0x10000;
            unit(0xD800 + (v >> 10));
            unit(0xDC00 + (v & 0x3FF));
        } else {
            unit(static_cast<std::uint32_t>(c));
        }
    });
    return out;
}

} // namespace nudge::detail
