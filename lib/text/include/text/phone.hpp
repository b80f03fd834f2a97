#pragma once
// Phone numbers as the runtime sees them: valid or not, E.164, region and type (libphonenumber,
// kept inside numbers.cpp), the `numbers` policy, and the canonical address replies are routed by.

#include <nudge/flow.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nudge::detail {

// libphonenumber's number types. Danish (and US) numbers are fixed_line_or_mobile: their
// numbering plan does not tell a mobile from a landline, so libphonenumber cannot either.
enum class NumberType {
    mobile,
    fixed_line,
    fixed_line_or_mobile,
    toll_free,
    premium_rate,
    shared_cost,
    voip,
    personal_number,
    pager,
    uan,
    voicemail,
    unknown
};

// "mobile", "fixed_line", "fixed_line_or_mobile", "premium_rate", …: the strings flows compare
// `phone.type` with (dsl/REFERENCE.md).
std::string_view to_string(NumberType t);
std::optional<NumberType> parse_number_type(std::string_view name);

// Whether a number of type `actual` answers to the type name `wanted` in a flow: exact, except
// that fixed_line_or_mobile answers to "mobile" and "fixed_line" too, since it may be either.
bool type_matches(NumberType actual, std::string_view wanted);

struct NumberInfo {
    bool valid = false; // a real, dialable number (hidden/anonymous/empty: false)
    std::string e164;   // "+4520123456" when parseable, else the trimmed input
    std::string region; // ISO 3166 alpha-2 upper case ("DK"), empty when unknown
    NumberType type = NumberType::unknown;
};

// `default_region` is used for numbers without a country code (e.g. "DK"); empty: numbers must
// carry +CC or 00CC. A digits-only string of 10+ digits that starts with a known country code,
// like "4790000000", is read as international (senders are often written that way) unless it is
// a valid number of `default_region` as it stands. Spaces, dashes, dots and parentheses are
// allowed. Never throws.
NumberInfo inspect_number(std::string_view text, std::string_view default_region = {});

// inspect_number(text, default_region).e164 when that is valid, else nullopt; cheaper, since it
// works out neither the type nor the region.
std::optional<std::string> valid_e164(std::string_view text, std::string_view default_region = {});

// libphonenumber's example numbers of every region and number type, as (region, national
// spelling): for tests of properties that must hold for every numbering plan.
std::vector<std::pair<std::string, std::string>> example_numbers();

// Policy: all -> any valid number; nordic -> DK SE NO FI; regions -> those listed. Invalid
// numbers are refused.
bool number_allowed(const NumberPolicy& policy, const NumberInfo& number);

// The canonical address used for routing by (from, to): E.164 for phone numbers, lower-cased
// trimmed text for anything else (e-mail, text sender names). Two spellings of one number give
// the same string. Text made only of digits and phone punctuation that does not parse as a
// number (a short code without a default region) is its digits, with a leading + kept.
std::string canonical_address(std::string_view text, std::string_view default_region = {});

} // namespace nudge::detail
