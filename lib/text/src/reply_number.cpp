// The number a reply holds, for number tests (`keywords promoter = number 9 to 10`). The rules
// are those of dsl/REFERENCE.md, "Number tests"; tests/text/reply_number_test.cpp has a vector
// for each of them.
#include "text/reply_text.hpp"

#include <utf8proc.h>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nudge::detail {

namespace {

bool is_digit(std::int32_t cp) { return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND; }

// A decimal digit's value. Unicode encodes every script's digits 0–9 as runs of ten in a row
// (U+0660..U+0669 Arabic-Indic, U+FF10..U+FF19 fullwidth, …), so the value is the distance
// from the start of the run, counted modulo ten where runs follow each other.
int digit_value(std::int32_t cp) {
    if (cp >= '0' && cp <= '9') return cp - '0';
    int back = 0;
    while (cp - back - 1 >= 0 && is_digit(cp - back - 1))
        ++back;
    return back % 10;
}

bool is_letter(std::int32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO: return true;
    default: return false;
    }
}

bool is_minus(std::int32_t cp) { return cp == '-' || cp == 0x2212; }
bool is_separator(std::int32_t cp) { return cp == '.' || cp == ','; }
// A fraction also follows the Arabic decimal separator (U+066B): "٩٫٥" is 9.5.
bool is_decimal_mark(std::int32_t cp) { return is_separator(cp) || cp == 0x066B; }

std::vector<std::int32_t> code_points(std::string_view text) {
    std::vector<std::int32_t> out;
    out.reserve(text.size());
    auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    auto left = static_cast<utf8proc_ssize_t>(text.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        auto n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) { // a bad byte: skipped, and it separates what is around it
            out.push_back(' ');
            n = 1;
        } else {
            out.push_back(cp);
        }
        p += n;
        left -= n;
    }
    return out;
}

} // namespace

ReplyNumbers reply_numbers(std::string_view text) {
    auto cps = code_points(text);
    ReplyNumbers found;
    auto digit_at = [&](std::size_t i) { return i < cps.size() && is_digit(cps[i]); };
    auto letter_at = [&](std::size_t i) { return i < cps.size() && is_letter(cps[i]); };
    // Reads a run of digits at `i` into `out` as ASCII; returns how many there were.
    auto digits = [&](std::size_t& i, std::string& out) {
        std::size_t start = i;
        while (digit_at(i))
            out += static_cast<char>('0' + digit_value(cps[i++]));
        return i - start;
    };
    std::size_t i = 0;
    while (i < cps.size()) {
        if (!is_digit(cps[i])) {
            ++i;
            continue;
        }
        bool glued = i > 0 && letter_at(i - 1);
        bool negative =
            i > 0 && is_minus(cps[i - 1]) && !(i > 1 && (letter_at(i - 2) || digit_at(i - 2)));
        std::string number;
        std::size_t whole = digits(i, number);
        std::string fraction;
        // Grouped thousands: 1–3 digits (not led by 0), then groups of exactly three after one
        // kind of separator ("1.000", "12,500", "1.000.000"); the other kind may then start
        // the fraction ("1.000,5").
        std::int32_t group = 0;
        if (whole <= 3 && number[0] != '0') {
            std::int32_t sep = i < cps.size() ? cps[i] : 0;
            auto three_after = [&](std::size_t at) {
                return digit_at(at + 1) && digit_at(at + 2) && digit_at(at + 3) &&
                       !digit_at(at + 4);
            };
            while (is_separator(sep) && i < cps.size() && cps[i] == sep && three_after(i)) {
                ++i;
                digits(i, number);
                group = sep;
            }
        }
        // The fraction: one separator (the other kind after groups) and the digits after it.
        if (i < cps.size() && is_decimal_mark(cps[i]) && cps[i] != group && digit_at(i + 1)) {
            ++i;
            digits(i, fraction);
        }
        if (glued || letter_at(i)) continue; // part of a word or a code: "A4", "4G", "covid19"
        double value = 0;
        auto full = number + (fraction.empty() ? "" : "." + fraction);
        auto [end, ec] = std::from_chars(full.data(), full.data() + full.size(), value);
        if (ec != std::errc{}) continue; // too large to hold: not read as a number
        found.count++;
        if (found.count == 1) found.first = negative ? -value : value;
    }
    return found;
}

std::optional<double> reply_number(std::string_view text) {
    auto found = reply_numbers(text);
    if (found.count != 1) return std::nullopt;
    return found.first;
}

bool in_range(double number, const std::optional<KeywordsDecl::Range>& range) {
    return !range || (number >= range->min && number <= range->max);
}

} // namespace nudge::detail
