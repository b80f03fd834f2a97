// Money, numbers and dates in a locale's own way, by ICU (text/locale_format.hpp).
#include "text/locale_format.hpp"

#include <doctest/doctest.h>

using namespace nudge::detail;
using date::April;
using date::local_days;

namespace {

// 2026-04-10 (a Friday) at 09:05 and 14:30 on the wall clock.
date::local_seconds at(int hour, int minute) {
    return date::local_seconds{local_days{date::year{2026} / April / 10}} +
           std::chrono::hours{hour} + std::chrono::minutes{minute};
}

bool has_no_special_space(const std::string& s) {
    return s.find("\xC2\xA0") == std::string::npos && s.find("\xE2\x80\xAF") == std::string::npos;
}

} // namespace

TEST_CASE("locale formats: Danish money, numbers and dates") {
    LocaleFormat da("da_DK");
    CHECK(da.number(249.5, MergeFormat::money) == "249,50 kr.");
    CHECK(da.number(1234.5, MergeFormat::money) == "1.234,50 kr.");
    CHECK(da.number(1234.5, MergeFormat::number) == "1.234,5");
    CHECK(da.number(-3, MergeFormat::number) == "-3");
    CHECK(da.local(at(9, 5), MergeFormat::date) == "10. april 2026");
    CHECK(da.local(at(9, 5), MergeFormat::time) == "09.05");
    CHECK(da.local(at(14, 30), MergeFormat::datetime) == "10. april 2026 kl. 14.30");
    CHECK(da.local(at(9, 5), MergeFormat::weekday) == "fredag");
    CHECK(da.local(at(9, 5), MergeFormat::day) == "fredag 10. april");
}

TEST_CASE("locale formats: Swedish, Norwegian, British and American English") {
    LocaleFormat sv("sv_SE");
    CHECK(sv.number(1234.5, MergeFormat::money) == "1 234,50 kr");
    CHECK(sv.local(at(14, 30), MergeFormat::time) == "14:30");
    CHECK(sv.local(at(9, 5), MergeFormat::day) == "fredag 10 april");
    LocaleFormat nb("nb-NO"); // '-' reads as '_'
    CHECK(nb.locale() == "nb_NO");
    CHECK(nb.number(249.5, MergeFormat::money) == "kr 249,50");
    LocaleFormat gb("en_GB");
    CHECK(gb.number(249.5, MergeFormat::money) == "£249.50");
    CHECK(gb.local(at(9, 5), MergeFormat::date) == "10 April 2026");
    CHECK(gb.local(at(9, 5), MergeFormat::day) == "Friday, 10 April");
    LocaleFormat us("en_US");
    CHECK(us.number(1234.5, MergeFormat::money) == "$1,234.50");
    // ICU writes a narrow no-break space before PM: it comes out a plain space.
    CHECK(us.local(at(14, 30), MergeFormat::time) == "2:30 PM");
}

TEST_CASE("locale formats never put a character GSM-7 lacks in a message") {
    for (const char* name : {"da_DK", "sv_SE", "nb_NO", "fi_FI", "de_DE", "fr_FR", "en_US"}) {
        INFO(name);
        LocaleFormat f(name);
        CHECK(has_no_special_space(f.number(1234567.25, MergeFormat::money)));
        CHECK(has_no_special_space(f.number(-1234567.25, MergeFormat::number)));
        CHECK(f.number(-5, MergeFormat::number).find("\xE2\x88\x92") == std::string::npos);
        CHECK(has_no_special_space(f.local(at(14, 30), MergeFormat::datetime)));
        CHECK(has_no_special_space(f.local(at(14, 30), MergeFormat::time)));
    }
}

TEST_CASE("a locale without a country writes money as a number with two decimals") {
    LocaleFormat en("");
    CHECK(en.locale() == "en");
    CHECK(en.number(249.5, MergeFormat::money) == "249.50");
    LocaleFormat da("da");
    CHECK(da.number(249.5, MergeFormat::money) == "249,50");
}

TEST_CASE("known locales, and the locale of a zone") {
    CHECK(known_locale("da_DK"));
    CHECK(known_locale("da-DK"));
    CHECK(known_locale("da"));
    CHECK(known_locale("en_GB"));
    CHECK(known_locale("tr_TR"));
    CHECK_FALSE(known_locale(""));
    CHECK_FALSE(known_locale("dk_DK"));
    CHECK_FALSE(known_locale("da_XX"));
    CHECK_FALSE(known_locale("Danish"));
    CHECK_FALSE(known_locale("da_DK@currency=EUR"));
    // From ICU's data: the zone's country, and the language most spoken there.
    CHECK(locale_of_zone("Europe/Copenhagen") == "da_DK");
    CHECK(locale_of_zone("Europe/Stockholm") == "sv_SE");
    CHECK(locale_of_zone("Europe/Oslo") == "nb_NO");
    CHECK(locale_of_zone("Atlantic/Faroe") == "fo_FO");
    CHECK(locale_of_zone("Europe/Zurich") == "de_CH");
    CHECK(locale_of_zone("Asia/Tokyo") == "ja_JP");
    CHECK(locale_of_zone("America/Chicago") == "en_US");
    CHECK(region_of_zone("Europe/Copenhagen") == "DK");
    CHECK(region_of_zone("Atlantic/Reykjavik") == "IS");
    // A zone of no country, or none at all: no region, no locale.
    CHECK(region_of_zone("Etc/UTC").empty());
    CHECK(locale_of_zone("UTC").empty());
    CHECK(region_of_zone("Mars/Olympus").empty());
    CHECK(locale_of_zone("Mars/Olympus").empty());
}

TEST_CASE("format names and what they fit") {
    CHECK(parse_merge_format("money") == MergeFormat::money);
    CHECK(parse_merge_format("day") == MergeFormat::day);
    CHECK_FALSE(parse_merge_format("Money"));
    CHECK(to_string(MergeFormat::weekday) == "weekday");
    CHECK(merge_format_names().size() == 7);
    CHECK(format_fits_number(MergeFormat::money));
    CHECK_FALSE(format_fits_number(MergeFormat::date));
    CHECK(format_fits_date(MergeFormat::day));
    CHECK_FALSE(format_fits_date(MergeFormat::time));
}
