// The number a reply holds, for number tests: one test vector per rule in dsl/REFERENCE.md
// ("Number tests").
#include "text/reply_text.hpp"

#include <doctest/doctest.h>

using nudge::KeywordsDecl;
using nudge::detail::in_range;
using nudge::detail::reply_number;
using nudge::detail::reply_numbers;

TEST_CASE("reply_number: a reply with one number gives it") {
    CHECK(reply_number("10") == 10);
    CHECK(reply_number("10!") == 10);
    CHECK(reply_number("  7  ") == 7);
    CHECK(reply_number("I'd say 8, thanks") == 8);
    CHECK(reply_number("0") == 0);
}

TEST_CASE("reply_number: a reply with no number gives none") {
    CHECK_FALSE(reply_number(""));
    CHECK_FALSE(reply_number("   "));
    CHECK_FALSE(reply_number("great service"));
    // Number words are not read: "ten" is a word.
    CHECK_FALSE(reply_number("ten"));
}

TEST_CASE("reply_number: more than one number is ambiguous and gives none") {
    CHECK_FALSE(reply_number("Not 10, more like 4"));
    CHECK_FALSE(reply_number("9/10"));
    CHECK_FALSE(reply_number("7-8"));
    CHECK_FALSE(reply_number("1 000"));
    CHECK_FALSE(reply_number("10:30"));
    CHECK_FALSE(reply_number("12.05.2026"));
    auto two = reply_numbers("Not 10, more like 4");
    CHECK(two.count == 2);
    CHECK(two.first == 10);
}

TEST_CASE("reply_number: a decimal comma or point is the fraction") {
    CHECK(reply_number("9,5") == 9.5);
    CHECK(reply_number("9.5") == 9.5);
    CHECK(reply_number("0,500") == 0.5);
    CHECK(reply_number("2.75") == 2.75);
    CHECK(reply_number("1234.567") == 1234.567);
    // A separator with no digit after it ends the number.
    CHECK(reply_number("10.") == 10);
    CHECK(reply_number("10, definitely") == 10);
}

TEST_CASE("reply_number: thousands grouped in threes after one to three digits") {
    CHECK(reply_number("1.000") == 1000);
    CHECK(reply_number("1,000") == 1000);
    CHECK(reply_number("12,500") == 12500);
    CHECK(reply_number("1.000.000") == 1000000);
    CHECK(reply_number("1.000,5") == 1000.5);
    CHECK(reply_number("1,000.25") == 1000.25);
    // Four digits after the separator, or a group led by 0, is a fraction.
    CHECK(reply_number("1.0000") == 1);
    CHECK(reply_number("0.250") == 0.25);
}

TEST_CASE("reply_number: a leading zero is dropped") {
    CHECK(reply_number("09") == 9);
    CHECK(reply_number("007") == 7);
}

TEST_CASE("reply_number: a minus sign right before the digits makes it negative") {
    CHECK(reply_number("-3") == -3);
    CHECK(reply_number("score: -3") == -3);
    CHECK(reply_number("\u22122") == -2); // U+2212 MINUS SIGN
    CHECK(reply_number("- 3") == 3);      // not right before the digits
    CHECK(reply_number("+3") == 3);
    // A hyphen after a letter joins words: "covid-19" holds 19, not -19.
    CHECK(reply_number("covid-19") == 19);
}

TEST_CASE("reply_number: digits touching a letter are part of a word") {
    CHECK_FALSE(reply_number("A4"));
    CHECK_FALSE(reply_number("4G"));
    CHECK_FALSE(reply_number("1st"));
    CHECK(reply_number("room A4, score 9") == 9);
}

TEST_CASE("reply_number: digits of other scripts count") {
    CHECK(reply_number("\u0669") == 9);               // Arabic-Indic nine
    CHECK(reply_number("\u0661\u0660") == 10);        // Arabic-Indic ten
    CHECK(reply_number("\u06F7") == 7);               // Extended Arabic-Indic seven
    CHECK(reply_number("\u0968") == 2);               // Devanagari two
    CHECK(reply_number("\uFF18") == 8);               // fullwidth eight
    CHECK(reply_number("\u0669\u066B\u0665") == 9.5); // U+066B ARABIC DECIMAL SEPARATOR
    CHECK(reply_number("4\uFE0F\u20E3") == 4);        // keycap four
}

TEST_CASE("reply_number: invalid UTF-8 separates numbers and never throws") {
    CHECK_FALSE(reply_number("9\xff"
                             "5"));
    CHECK(reply_number("\xff"
                       "9") == 9);
}

TEST_CASE("in_range: inclusive bounds, and no range takes every number") {
    KeywordsDecl::Range promoter{9, 10};
    CHECK(in_range(9, promoter));
    CHECK(in_range(10, promoter));
    CHECK(in_range(9.5, promoter));
    CHECK_FALSE(in_range(8.99, promoter));
    CHECK_FALSE(in_range(10.5, promoter));
    CHECK(in_range(-1e9, std::nullopt));
}
