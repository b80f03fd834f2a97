// Phone numbers through libphonenumber. This is the only file that sees its headers: they pull
// in protobuf and abseil, and nothing else in nudge should pay for that.
#include "text/phone.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <set>
#include <string>
#include <unordered_map>

namespace nudge::detail {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// The library's singleton: built once (metadata, regex cache), shared by every call and thread.
const PhoneNumberUtil& util() {
    static const PhoneNumberUtil* instance = PhoneNumberUtil::GetInstance();
    return *instance;
}

constexpr std::array<std::string_view, 12> type_names = {
    "mobile",      "fixed_line", "fixed_line_or_mobile", "toll_free", "premium_rate",
    "shared_cost", "voip",       "personal_number",      "pager",     "uan",
    "voicemail",   "unknown"};

NumberType from_library(PhoneNumberUtil::PhoneNumberType t) {
    switch (t) {
    case PhoneNumberUtil::FIXED_LINE: return NumberType::fixed_line;
    case PhoneNumberUtil::MOBILE: return NumberType::mobile;
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return NumberType::fixed_line_or_mobile;
    case PhoneNumberUtil::TOLL_FREE: return NumberType::toll_free;
    case PhoneNumberUtil::PREMIUM_RATE: return NumberType::premium_rate;
    case PhoneNumberUtil::SHARED_COST: return NumberType::shared_cost;
    case PhoneNumberUtil::VOIP: return NumberType::voip;
    case PhoneNumberUtil::PERSONAL_NUMBER: return NumberType::personal_number;
    case PhoneNumberUtil::PAGER: return NumberType::pager;
    case PhoneNumberUtil::UAN: return NumberType::uan;
    case PhoneNumberUtil::VOICEMAIL: return NumberType::voicemail;
    case PhoneNumberUtil::UNKNOWN: break;
    }
    return NumberType::unknown;
}

bool space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v';
}
bool digit(char ch) { return ch >= '0' && ch <= '9'; }
// What people put between the digits of a number.
bool separator(char ch) {
    return space(ch) || ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == '/';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && space(s.back()))
        s.remove_suffix(1);
    return s;
}

// Digits and separators, an optional leading '+', at least one digit. Letters never are: a
// hidden caller shows up as "Anonymous" or "Unknown", and vanity spellings are not for SMS.
bool phone_like(std::string_view s) {
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    bool any_digit = false;
    for (char ch : s) {
        if (digit(ch))
            any_digit = true;
        else if (!separator(ch))
            return false;
    }
    return any_digit;
}

// The digits and a leading '+' of phone-like text.
std::string compact(std::string_view s) {
    std::string out;
    for (char ch : s) {
        if (digit(ch) || (ch == '+' && out.empty())) out += ch;
    }
    return out;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& ch : out) {
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    }
    return out;
}

bool parse(const std::string& text, const std::string& region, PhoneNumber& out) {
    return util().Parse(text, region, &out) == PhoneNumberUtil::NO_PARSING_ERROR;
}

// ISO code of a region, or "" for the library's "ZZ" (unknown) and "001" (non-geographic).
std::string iso_region(std::string code) {
    if (code.size() != 2 || code == "ZZ") return {};
    return code;
}

} // namespace

std::string_view to_string(NumberType t) {
    auto i = static_cast<std::size_t>(t);
    return i < type_names.size() ? type_names[i] : "unknown";
}

std::optional<NumberType> parse_number_type(std::string_view name) {
    auto it = std::find(type_names.begin(), type_names.end(), name);
    if (it == type_names.end()) return std::nullopt;
    return static_cast<NumberType>(it - type_names.begin());
}

bool type_matches(NumberType actual, std::string_view wanted) {
    if (to_string(actual) == wanted) return true;
    return actual == NumberType::fixed_line_or_mobile &&
           (wanted == "mobile" || wanted == "fixed_line");
}

namespace {

// Parses phone-like text as inspect_number does; false when it does not parse.
bool parse_phone(std::string_view trimmed, std::string_view default_region, PhoneNumber& number,
                 bool& valid) {
    valid = false;
    if (!phone_like(trimmed)) return false;
    auto digits = compact(trimmed);
    // 00 is the international prefix in every region nudge serves; libphonenumber only reads
    // it when the default region's own prefix is 00, and not at all without a region.
    if (digits.rfind("00", 0) == 0) digits.replace(0, 2, "+");
    std::string region = default_region.empty() ? std::string("ZZ") : upper(default_region);
    bool parsed = parse(digits, region, number);
    valid = parsed && util().IsValidNumber(number);
    // "4790000000": a sender written without the '+'.
    if (!valid && digits.size() >= 10 && digits.front() != '+' && digits.front() != '0') {
        PhoneNumber international;
        if (parse("+" + digits, "ZZ", international)) {
            bool international_valid = util().IsValidNumber(international);
            if (international_valid || !parsed) {
                number = international;
                parsed = true;
                valid = international_valid;
            }
        }
    }
    return parsed;
}

// A Nordic number already in E.164 form ("+4520123456"), checked without libphonenumber's
// general parse, which is most of the cost of starting an instance: the calling code is split
// off and libphonenumber judges the number. Only for calling codes where the parse could not
// read the digits any other way: Denmark, Norway and Iceland have no national prefix, Sweden
// and Finland have 0, and a national number starting with 0 is left to the parse; no
// extension, no spaces. False means "parse it after all", not "invalid": the text is then
// judged by the general parse.
// tests/phone/numbers_test.cpp compares both ways on every example number and on random ones.
bool direct_e164_valid(std::string_view text) {
    if (text.size() < 6 || text.size() > 16 || text[0] != '+') return false;
    if (!std::all_of(text.begin() + 1, text.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    struct Code {
        std::string_view text;
        int value;
    };
    constexpr std::array<Code, 5> codes = {
        {{"45", 45}, {"46", 46}, {"47", 47}, {"354", 354}, {"358", 358}}};
    auto digits = text.substr(1);
    for (const auto& code : codes) {
        if (!digits.starts_with(code.text) || digits.size() == code.text.size()) continue;
        auto national = digits.substr(code.text.size());
        std::uint64_t value = 0;
        if (national.front() == '0' ||
            std::from_chars(national.data(), national.data() + national.size(), value).ec !=
                std::errc{})
            return false;
        PhoneNumber number;
        number.set_country_code(code.value);
        number.set_national_number(value);
        return util().IsValidNumber(number);
    }
    return false;
}

} // namespace

NumberInfo inspect_number(std::string_view text, std::string_view default_region) {
    NumberInfo info;
    auto trimmed = trim(text);
    info.e164 = std::string(trimmed);
    PhoneNumber number;
    bool valid = false;
    if (!parse_phone(trimmed, default_region, number, valid)) return info;
    info.valid = valid;
    util().Format(number, PhoneNumberUtil::E164, &info.e164);
    std::string code;
    if (valid) {
        util().GetRegionCodeForNumber(number, &code);
        info.type = from_library(util().GetNumberType(number));
    } else {
        util().GetRegionCodeForCountryCode(number.country_code(), &code);
    }
    info.region = iso_region(std::move(code));
    return info;
}

std::vector<std::pair<std::string, std::string>> example_numbers() {
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> regions;
    util().GetSupportedRegions(&regions);
    for (const auto& region : regions) {
        for (int t = PhoneNumberUtil::FIXED_LINE; t <= PhoneNumberUtil::VOICEMAIL; ++t) {
            PhoneNumber number;
            if (!util().GetExampleNumberForType(
                    region, static_cast<PhoneNumberUtil::PhoneNumberType>(t), &number))
                continue;
            std::string national;
            util().Format(number, PhoneNumberUtil::NATIONAL, &national);
            out.emplace_back(region, national);
        }
    }
    return out;
}

std::optional<std::string> valid_e164(std::string_view text, std::string_view default_region) {
    // The same customers come back (a second missed call, next year's recall): remember the
    // answers, per thread, up to a bound, as canonical_address does.
    thread_local std::unordered_map<std::string, std::optional<std::string>> cache;
    auto trimmed = trim(text);
    std::string key(default_region);
    key += '|';
    key += trimmed;
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    PhoneNumber number;
    bool valid = false;
    std::optional<std::string> out;
    if (direct_e164_valid(trimmed)) {
        out.emplace(trimmed);
    } else if (parse_phone(trimmed, default_region, number, valid) && valid) {
        out.emplace();
        util().Format(number, PhoneNumberUtil::E164, &*out);
    }
    if (cache.size() >= 100'000) cache.clear();
    cache.emplace(std::move(key), out);
    return out;
}

bool number_allowed(const NumberPolicy& policy, const NumberInfo& number) {
    if (!number.valid) return false;
    switch (policy.kind) {
    case NumberPolicy::Kind::all: return true;
    case NumberPolicy::Kind::nordic: {
        constexpr std::array<std::string_view, 4> nordic = {"DK", "SE", "NO", "FI"};
        return std::find(nordic.begin(), nordic.end(), number.region) != nordic.end();
    }
    case NumberPolicy::Kind::regions:
        return !number.region.empty() &&
               std::any_of(policy.regions.begin(), policy.regions.end(),
                           [&](const std::string& r) { return upper(r) == number.region; });
    }
    return false;
}

std::string canonical_address(std::string_view text, std::string_view default_region) {
    auto trimmed = trim(text);
    if (phone_like(trimmed)) {
        // libphonenumber's parse (ICU regular expressions) is by far the engine's most costly
        // step, and the same few numbers come back on every event of an instance: remember the
        // answers, per thread, up to a bound.
        thread_local std::unordered_map<std::string, std::string> cache;
        std::string key(default_region);
        key += '|';
        key += trimmed;
        if (auto it = cache.find(key); it != cache.end()) return it->second;
        auto result = compact(inspect_number(trimmed, default_region).e164);
        if (cache.size() >= 100'000) cache.clear();
        cache.emplace(std::move(key), result);
        return result;
    }
    std::string out(trimmed);
    for (auto& ch : out) {
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    return out;
}

} // namespace nudge::detail
