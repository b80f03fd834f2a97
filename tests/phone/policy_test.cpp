// number_allowed (the `numbers` policy) and canonical_address (routing replies by from/to).
#include "text/phone.hpp"

#include <doctest/doctest.h>

using namespace nudge;
using namespace nudge::detail;

namespace {

NumberPolicy policy(NumberPolicy::Kind kind, std::vector<std::string> regions = {}) {
    NumberPolicy p;
    p.kind = kind;
    p.regions = std::move(regions);
    return p;
}

const auto dk = inspect_number("+45 20 12 34 56");
const auto dk_premium = inspect_number("+45 90 12 34 56");
const auto se = inspect_number("+46 70 123 45 67");
const auto no = inspect_number("+47 912 34 567");
const auto fi = inspect_number("+358 40 123 4567");
const auto us = inspect_number("+1 212 555 0123");
const auto hidden = inspect_number("anonymous");
const auto invalid_dk = inspect_number("+45 12 34 56 78");

} // namespace

TEST_CASE("the numbers these tests rely on are what they seem") {
    CHECK(dk.valid);
    CHECK(dk_premium.valid);
    CHECK(se.valid);
    CHECK(no.valid);
    CHECK(fi.valid);
    CHECK(us.valid);
    CHECK(us.region == "US");
    CHECK_FALSE(hidden.valid);
    CHECK_FALSE(invalid_dk.valid);
    CHECK(invalid_dk.region == "DK");
}

TEST_CASE("numbers all: any valid number") {
    auto all = policy(NumberPolicy::Kind::all);
    CHECK(number_allowed(all, dk));
    CHECK(number_allowed(all, dk_premium));
    CHECK(number_allowed(all, us));
    CHECK(number_allowed(all, inspect_number("+800 1234 5678"))); // non-geographic, no region
    CHECK_FALSE(number_allowed(all, hidden));
    CHECK_FALSE(number_allowed(all, invalid_dk));
    CHECK_FALSE(number_allowed(all, NumberInfo{}));
}

TEST_CASE("numbers DK: Danish numbers only") {
    auto denmark = policy(NumberPolicy::Kind::regions, {"DK"});
    CHECK(number_allowed(denmark, dk));
    CHECK(number_allowed(denmark, dk_premium)); // the policy is about regions, not types
    CHECK_FALSE(number_allowed(denmark, se));
    CHECK_FALSE(number_allowed(denmark, no));
    CHECK_FALSE(number_allowed(denmark, hidden));
    CHECK_FALSE(number_allowed(denmark, invalid_dk)); // +45, but not a real number
}

TEST_CASE("numbers nordic: DK, SE, NO and FI") {
    auto nordic = policy(NumberPolicy::Kind::nordic);
    CHECK(number_allowed(nordic, dk));
    CHECK(number_allowed(nordic, se));
    CHECK(number_allowed(nordic, no));
    CHECK(number_allowed(nordic, fi));
    CHECK_FALSE(number_allowed(nordic, us));
    CHECK_FALSE(number_allowed(nordic, inspect_number("+49 151 23456789"))); // Germany
    CHECK_FALSE(number_allowed(nordic, hidden));
    CHECK_FALSE(number_allowed(nordic, invalid_dk));
}

TEST_CASE("numbers [DK, SE]: the regions listed") {
    auto listed = policy(NumberPolicy::Kind::regions, {"DK", "SE"});
    CHECK(number_allowed(listed, dk));
    CHECK(number_allowed(listed, se));
    CHECK_FALSE(number_allowed(listed, no));
    CHECK_FALSE(number_allowed(listed, fi));
    CHECK_FALSE(number_allowed(listed, hidden));
    CHECK_FALSE(number_allowed(policy(NumberPolicy::Kind::regions), dk)); // nothing listed
    CHECK(number_allowed(policy(NumberPolicy::Kind::regions, {"no"}), no));
}

TEST_CASE("two spellings of one number have one canonical address") {
    CHECK(canonical_address("+45 20 12 34 56") == canonical_address("004520123456"));
    CHECK(canonical_address("+45 20 12 34 56") == "+4520123456");
    CHECK(canonical_address("0045-20-12-34-56") == "+4520123456");
    CHECK(canonical_address("20 12 34 56", "DK") == "+4520123456");
    CHECK(canonical_address("4790000000") == canonical_address("+47 90 00 00 00"));
    CHECK(canonical_address("4790000000") == "+4790000000");
    CHECK(canonical_address("+46 70-123 45 67") == canonical_address("070 123 45 67", "SE"));
    // Invalid but well-formed numbers are still spelled one way.
    CHECK(canonical_address("+45 12 34 56 78") == canonical_address("0045 1234 5678"));
    // Short codes without a region keep their digits.
    CHECK(canonical_address(" 19 19 ") == "1919");
}

TEST_CASE("anything else is lower-cased trimmed text") {
    CHECK(canonical_address("  Service@AutoHuset.Example ") == "service@autohuset.example");
    CHECK(canonical_address("Autohus") == "autohus");
    CHECK(canonical_address("Autohus", "DK") == "autohus");
    CHECK(canonical_address("Anonymous") == "anonymous");
    CHECK(canonical_address("") == "");
    CHECK(canonical_address("   ") == "");
}
