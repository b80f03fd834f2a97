#pragma once
// Values in message texts formatted the way a customer's language writes them, by ICU:
// `{total | money}` is "249,50 kr." in Danish and "£249.50" in British English,
// `{visit_at | day}` is "fredag 10. april". One LocaleFormat per flow (and engine): its
// ICU formatters are made on first use and kept; it is not safe to use from two threads at once.
//
// Every space ICU puts in its output (the no-break spaces of "249,50 kr." and "1 234", the
// narrow one before "AM") comes out as a plain space, so that a formatted value never turns an
// SMS from GSM-7 into UCS-2 (70 characters a part instead of 160).

#include <date/date.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

enum class MergeFormat {
    money,    // 249,50 kr.          a number in the locale's currency
    number,   // 1.234,5             a number with the locale's separators
    date,     // 10. april 2026      a date (of a date or datetime value)
    time,     // 09.00               the time of day (of a datetime value)
    datetime, // 10. april 2026 kl. 09.00
    weekday,  // fredag
    day,      // fredag 10. april   weekday, day and month: what a reminder says
};
std::optional<MergeFormat> parse_merge_format(std::string_view name);
std::string_view to_string(MergeFormat f);
// The names, in the order above: "money", "number", …
const std::vector<std::string>& merge_format_names();
// Which formats fit a value: money and number a number; date, weekday and day a date or a
// datetime; time and datetime a datetime only.
bool format_fits_number(MergeFormat f);
bool format_fits_date(MergeFormat f);

// Whether ICU has formatting data for the locale ("da_DK", "da", "en_GB"; '-' as in "da-DK"
// is read as '_'). The language must be known; a country, when given, must be one ICU has
// data for with that language.
bool known_locale(std::string_view name);
// Locales ICU has data for (for "did you mean").
std::vector<std::string> known_locales();
// The country of a zone, from ICU's time zone data: "DK" for Europe/Copenhagen, "" for a zone
// of no country (Etc/UTC) or one ICU does not know. A flow's numbers default to this region.
std::string region_of_zone(std::string_view zone);
// The locale a flow in this zone speaks when it declares none: the language most likely spoken
// in the zone's country (CLDR), "da_DK" for Europe/Copenhagen; "" for a zone of no country
// (then formats use "en").
std::string locale_of_zone(std::string_view zone);

class LocaleFormat {
public:
    explicit LocaleFormat(std::string_view locale); // "" is "en"
    ~LocaleFormat();
    LocaleFormat(const LocaleFormat&) = delete;
    LocaleFormat& operator=(const LocaleFormat&) = delete;

    const std::string& locale() const;
    // A number as money (the locale's currency; a locale without a country has none, and
    // then the number is written with two decimals) or as a plain number.
    std::string number(double value, MergeFormat f) const;
    // A wall-clock time in the recipient's zone (already converted) as date, time, datetime,
    // weekday or day.
    std::string local(date::local_seconds at, MergeFormat f) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace nudge::detail
