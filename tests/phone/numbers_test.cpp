// inspect_number: validity, E.164, region and type through libphonenumber. The numbers are
// made up but sit in real ranges; the types asserted are what libphonenumber 8.12 reports.
#include "text/phone.hpp"

#include <doctest/doctest.h>

#include <array>
#include <random>
#include <string>
#include <vector>

using namespace nudge::detail;

TEST_CASE("Danish numbers: ordinary ones are fixed_line_or_mobile") {
    // Denmark's numbering plan does not separate mobiles from landlines (numbers move between
    // them), so libphonenumber reports both kinds as fixed_line_or_mobile.
    for (std::string_view text : {"+45 20 12 34 56", "+4530123456", "+45 42 11 22 33"}) {
        INFO(text);
        auto n = inspect_number(text);
        CHECK(n.valid);
        CHECK(n.region == "DK");
        CHECK(n.type == NumberType::fixed_line_or_mobile);
    }
    auto mobile = inspect_number("+45 20 12 34 56");
    CHECK(mobile.e164 == "+4520123456");
    // A Copenhagen landline (33 xx xx xx) is the same type.
    auto landline = inspect_number("+45 33 12 34 56");
    CHECK(landline.valid);
    CHECK(landline.e164 == "+4533123456");
    CHECK(landline.type == NumberType::fixed_line_or_mobile);
}

TEST_CASE("Danish premium rate and toll free") {
    auto premium = inspect_number("+45 90 12 34 56");
    CHECK(premium.valid);
    CHECK(premium.region == "DK");
    CHECK(premium.type == NumberType::premium_rate);
    CHECK(inspect_number("+45 9070 1234").type == NumberType::premium_rate);
    auto free = inspect_number("80 12 34 56", "DK");
    CHECK(free.valid);
    CHECK(free.type == NumberType::toll_free);
}

TEST_CASE("Swedish, Norwegian and Finnish numbers") {
    auto se = inspect_number("+46 70 123 45 67");
    CHECK(se.valid);
    CHECK(se.e164 == "+46701234567");
    CHECK(se.region == "SE");
    CHECK(se.type == NumberType::mobile);
    auto stockholm = inspect_number("08-123 456 78", "SE");
    CHECK(stockholm.e164 == "+46812345678");
    CHECK(stockholm.type == NumberType::fixed_line);
    CHECK(inspect_number("070-123 45 67", "SE").e164 == "+46701234567");

    auto no = inspect_number("+47 912 34 567");
    CHECK(no.valid);
    CHECK(no.e164 == "+4791234567");
    CHECK(no.region == "NO");
    CHECK(no.type == NumberType::mobile);
    auto oslo = inspect_number("+47 22 33 44 55");
    CHECK(oslo.region == "NO");
    CHECK(oslo.type == NumberType::fixed_line);

    auto fi = inspect_number("+358 40 123 4567");
    CHECK(fi.valid);
    CHECK(fi.region == "FI");
    CHECK(fi.type == NumberType::mobile);
}

TEST_CASE("hidden, anonymous and empty numbers are not valid") {
    for (std::string_view text : {"", "   ", "anonymous", "Unknown", "Skjult nummer", "+", "-1"}) {
        INFO(text);
        auto n = inspect_number(text, "DK");
        CHECK_FALSE(n.valid);
        CHECK(n.type == NumberType::unknown);
        CHECK(n.region.empty());
    }
    // Unparseable text comes back trimmed.
    CHECK(inspect_number("  Anonymous ").e164 == "Anonymous");
    CHECK(inspect_number("").e164.empty());
}

TEST_CASE("parseable but invalid numbers keep E.164 and their country's region") {
    auto n = inspect_number("+45 12 34 56 78"); // no Danish number starts with 1
    CHECK_FALSE(n.valid);
    CHECK(n.e164 == "+4512345678");
    CHECK(n.region == "DK");
    CHECK(n.type == NumberType::unknown);
}

TEST_CASE("a digits-only sender of 10+ digits is read as international") {
    auto n = inspect_number("4790000000");
    CHECK(n.valid);
    CHECK(n.e164 == "+4790000000");
    CHECK(n.region == "NO");
    CHECK(n.type == NumberType::mobile);
    // Also with a default region, when it is no valid number there.
    CHECK(inspect_number("4790000000", "DK").e164 == "+4790000000");
    CHECK(inspect_number("4520123456").e164 == "+4520123456");
    CHECK(inspect_number("4520123456", "NO").region == "DK");
    // A valid national number of the default region stays national: the Swedish mobile
    // 070 123 45 67 is never read as +70…
    CHECK(inspect_number("0701234567", "SE").e164 == "+46701234567");
    // Too short, or starting with 0, is not international.
    CHECK_FALSE(inspect_number("479000000").valid);
    CHECK_FALSE(inspect_number("0701234567").valid);
}

TEST_CASE("00 prefix, spaces, dashes, dots and parentheses") {
    for (std::string_view text :
         {"004520123456", "0045 20 12 34 56", "0045-20-12-34-56", "+45 20-12-34-56",
          "+45 (20) 12 34 56", "+45.20.12.34.56", " +4520123456 ", "\t+45 2012 3456\n"}) {
        INFO(text);
        auto n = inspect_number(text);
        CHECK(n.valid);
        CHECK(n.e164 == "+4520123456");
        CHECK(n.region == "DK");
    }
    CHECK(inspect_number("0046 70 123 45 67", "DK").e164 == "+46701234567");
}

TEST_CASE("the default region reads national numbers") {
    auto n = inspect_number("20 12 34 56", "DK");
    CHECK(n.valid);
    CHECK(n.e164 == "+4520123456");
    CHECK(inspect_number("20123456", "dk").e164 == "+4520123456"); // region in any case
    CHECK(inspect_number("912 34 567", "NO").e164 == "+4791234567");
    // Without a region a national number cannot be placed.
    auto bare = inspect_number("20 12 34 56");
    CHECK_FALSE(bare.valid);
    CHECK(bare.e164 == "20 12 34 56");
    // A number with its own country code ignores the default region.
    CHECK(inspect_number("+46 70 123 45 67", "DK").region == "SE");
}

TEST_CASE("letters make text not a number") {
    CHECK_FALSE(inspect_number("Autohus", "DK").valid);
    CHECK_FALSE(inspect_number("SMS 20123456", "DK").valid);
    CHECK(inspect_number("SMS 20123456", "DK").e164 == "SMS 20123456");
}

TEST_CASE("number type names are the ones flows compare with") {
    CHECK(to_string(NumberType::mobile) == "mobile");
    CHECK(to_string(NumberType::fixed_line) == "fixed_line");
    CHECK(to_string(NumberType::fixed_line_or_mobile) == "fixed_line_or_mobile");
    CHECK(to_string(NumberType::premium_rate) == "premium_rate");
    CHECK(to_string(NumberType::toll_free) == "toll_free");
    CHECK(to_string(NumberType::voip) == "voip");
    CHECK(to_string(NumberType::unknown) == "unknown");
    for (auto t : {NumberType::mobile, NumberType::fixed_line, NumberType::fixed_line_or_mobile,
                   NumberType::toll_free, NumberType::premium_rate, NumberType::shared_cost,
                   NumberType::voip, NumberType::personal_number, NumberType::pager,
                   NumberType::uan, NumberType::voicemail, NumberType::unknown}) {
        CHECK(parse_number_type(to_string(t)) == t);
    }
    CHECK(parse_number_type("Mobile") == std::nullopt);
    CHECK(parse_number_type("landline") == std::nullopt);
}

TEST_CASE("a Danish number answers to both mobile and fixed_line") {
    auto dk = inspect_number("+45 20 12 34 56").type;
    CHECK(type_matches(dk, "mobile"));
    CHECK(type_matches(dk, "fixed_line"));
    CHECK(type_matches(dk, "fixed_line_or_mobile"));
    CHECK_FALSE(type_matches(dk, "premium_rate"));
    auto no = inspect_number("+47 912 34 567").type;
    CHECK(type_matches(no, "mobile"));
    CHECK_FALSE(type_matches(no, "fixed_line"));
    CHECK_FALSE(type_matches(no, "fixed_line_or_mobile"));
    CHECK_FALSE(type_matches(inspect_number("+45 90 12 34 56").type, "mobile"));
    CHECK(type_matches(NumberType::unknown, "unknown"));
}

TEST_CASE("a valid number's E.164 form is its own canonical address, in every numbering plan") {
    // The engine keeps a phone field as the E.164 text valid_e164 gives and routes an inbound
    // message from exactly that text without parsing it again: that is right only if parsing
    // the E.164 text gives it back unchanged. libphonenumber's example numbers cover every
    // region and number type it knows.
    auto examples = example_numbers();
    REQUIRE(examples.size() > 1000);
    int checked = 0;
    for (const auto& example : examples) {
        const auto& region = example.first; // not a structured binding: INFO captures it
        const auto& national = example.second;
        auto e164 = valid_e164(national, region);
        if (!e164) continue; // an example that is not valid as a whole (rare)
        INFO(region << " " << national << " -> " << *e164);
        CHECK(valid_e164(*e164) == e164);
        CHECK(canonical_address(*e164) == *e164);
        CHECK(canonical_address(*e164, region) == *e164);
        CHECK(canonical_address(national, region) == *e164);
        ++checked;
    }
    CHECK(checked > 1000);
}

TEST_CASE("valid_e164 answers Nordic E.164 text as the full parse does") {
    // valid_e164 judges "+45…", "+46…", "+47…", "+354…" and "+358…" without libphonenumber's
    // general parse. Compare it with inspect_number (always the full parse) on every example
    // number of those codes and on random digits after each code, valid or not.
    std::vector<std::string> inputs;
    for (const auto& example : example_numbers()) {
        auto full = inspect_number(example.second, example.first);
        if (full.e164.size() > 1 && full.e164.front() == '+') inputs.push_back(full.e164);
    }
    std::mt19937 random(20261130);
    const std::array<std::string, 5> codes = {"45", "46", "47", "354", "358"};
    for (const auto& code : codes) {
        for (int i = 0; i < 2000; ++i) {
            std::string text = "+" + code;
            auto length = 3 + random() % 11;
            for (std::size_t d = 0; d < length; ++d)
                text += static_cast<char>('0' + random() % 10);
            inputs.push_back(text);
        }
    }
    int nordic_valid = 0;
    for (const auto& text : inputs) {
        auto full = inspect_number(text);
        auto fast = valid_e164(text);
        INFO(text);
        if (full.valid) {
            CHECK(fast == full.e164);
            if (text.rfind("+45", 0) == 0 || text.rfind("+46", 0) == 0 ||
                text.rfind("+47", 0) == 0 || text.rfind("+354", 0) == 0 ||
                text.rfind("+358", 0) == 0)
                ++nordic_valid;
        } else {
            CHECK_FALSE(fast.has_value());
        }
    }
    CHECK(nordic_valid > 1000);
}
