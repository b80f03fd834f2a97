// Yes, no and dates in replies, in the flow's language (text/reply_meaning.hpp).
#include "text/reply_meaning.hpp"

#include <doctest/doctest.h>

using namespace nudge::detail;
using date::year_month_day;

namespace {

// Friday 10 April 2026.
const year_month_day today{date::year{2026}, date::month{4}, date::day{10}};

std::string read(std::string_view text, std::string_view locale = "da_DK") {
    auto d = reply_date(text, locale, today);
    if (!d) return "none";
    return date::format("%F", date::sys_days{*d});
}

} // namespace

TEST_CASE("yes and no in Danish, with English everywhere") {
    CHECK(reply_yes_no("Ja", "da_DK") == YesNo::yes);
    CHECK(reply_yes_no("ja tak!", "da_DK") == YesNo::yes);
    CHECK(reply_yes_no("JEP", "da_DK") == YesNo::yes);
    CHECK(reply_yes_no("ok 👍", "da_DK") == YesNo::yes);
    CHECK(reply_yes_no("Yes please", "da_DK") == YesNo::yes);
    CHECK(reply_yes_no("Nej tak", "da_DK") == YesNo::no);
    CHECK(reply_yes_no("no", "da_DK") == YesNo::no);
    // A negation turns a yes into a no; a yes and a no together say neither.
    CHECK(reply_yes_no("ikke ok", "da_DK") == YesNo::no);
    CHECK(reply_yes_no("ja nej", "da_DK") == YesNo::neither);
    CHECK(reply_yes_no("måske", "da_DK") == YesNo::neither);
    CHECK(reply_yes_no("", "da_DK") == YesNo::neither);
    // Another language's yes is not this one's: "evet" is Turkish.
    CHECK(reply_yes_no("evet", "da_DK") == YesNo::neither);
}

TEST_CASE("yes and no in other languages, accents or not") {
    CHECK(reply_yes_no("Japp", "sv_SE") == YesNo::yes);
    CHECK(reply_yes_no("nä", "sv_SE") == YesNo::no);
    CHECK(reply_yes_no("NA", "sv_SE") == YesNo::no); // "nä" without its dots
    CHECK(reply_yes_no("inte ok", "sv_SE") == YesNo::no);
    CHECK(reply_yes_no("Nei", "nb_NO") == YesNo::no);
    CHECK(reply_yes_no("Kyllä", "fi_FI") == YesNo::yes);
    CHECK(reply_yes_no("kylla", "fi_FI") == YesNo::yes);
    CHECK(reply_yes_no("HAYIR", "tr_TR") == YesNo::no);
    CHECK(reply_yes_no("hayir", "tr_TR") == YesNo::no);
    CHECK(reply_yes_no("Evet", "tr_TR") == YesNo::yes);
    CHECK(reply_yes_no("yep", "xx") == YesNo::yes); // an unknown language: English only
    CHECK(reply_yes_no("ja", "en_GB") == YesNo::neither);
}

TEST_CASE("dates: ISO, digits, month names, weekdays") {
    CHECK(read("2026-05-14") == "2026-05-14");
    CHECK(read("kan vi tage den 2026-5-4?") == "2026-05-04");
    CHECK(read("14/5") == "2026-05-14");
    CHECK(read("14.5.") == "2026-05-14");
    CHECK(read("den 14-05 passer") == "2026-05-14");
    CHECK(read("14/5/2027") == "2027-05-14");
    CHECK(read("14/5/27") == "2027-05-14");
    // Without a year: the first such day from today on.
    CHECK(read("10/4") == "2026-04-10");
    CHECK(read("9/4") == "2027-04-09");
    CHECK(read("14. maj") == "2026-05-14");
    CHECK(read("Tirsdag d. 3. november 2026") == "2026-11-03");
    CHECK(read("May 14th") == "2026-05-14");
    CHECK(read("14 may 2028") == "2028-05-14");
    CHECK(read("14 okt.") == "2026-10-14");
    CHECK(read("på fredag") == "2026-04-17"); // the next Friday, not today
    CHECK(read("mandag") == "2026-04-13");
    CHECK(read("monday") == "2026-04-13");
    CHECK(read("14 mai", "nb_NO") == "2026-05-14");
    CHECK(read("14 maj", "sv_SE") == "2026-05-14");
    CHECK(read("torstai", "fi_FI") == "2026-04-16");
    // Month first in the United States.
    CHECK(read("5/14", "en_US") == "2026-05-14");
    CHECK(read("14/5", "en_US") == "none");
}

TEST_CASE("what is not a date") {
    CHECK(read("31/4") == "none");
    CHECK(read("2026-02-30") == "none");
    CHECK(read("kl. 14.30") == "none");
    CHECK(read("1.234,50 kr") == "none");
    CHECK(read("9,5") == "none");
    CHECK(read("ja tak") == "none");
    CHECK(read("") == "none");
    CHECK(read("maj") == "none");
    // 29 February without a year: the next leap year's.
    CHECK(read("29/2") == "2028-02-29");
}

TEST_CASE("times of day: clock times, whole hours after kl, English 12-hour times") {
    CHECK(reply_time("14:30") == 14 * 60 + 30);
    CHECK(reply_time("kan du kl. 9.15?") == 9 * 60 + 15);
    CHECK(reply_time("kl 14") == 14 * 60);
    CHECK(reply_time("Kl. 8 passer") == 8 * 60);
    CHECK(reply_time("klockan 10") == 10 * 60);
    CHECK(reply_time("klokka 7") == 7 * 60);
    CHECK(reply_time("2 pm") == 14 * 60);
    CHECK(reply_time("at 2pm") == 14 * 60);
    CHECK(reply_time("10:30 am") == 10 * 60 + 30);
    CHECK(reply_time("12 am") == 0);
    CHECK(reply_time("12 pm") == 12 * 60);
    CHECK_FALSE(reply_time("24:00"));
    CHECK_FALSE(reply_time("9:75"));
    CHECK_FALSE(reply_time("14/5"));
    CHECK_FALSE(reply_time("1.234,50"));
    CHECK_FALSE(reply_time("ja tak"));
    // The time is taken out before a date is read: "14.05" here is five past two.
    CHECK(reply_time("kl. 14.05") == 14 * 60 + 5);
    CHECK(read(without_time("kl. 14.05")) == "none");
    CHECK(read(without_time("14/5 kl. 10:30")) == "2026-05-14");
}
