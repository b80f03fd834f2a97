#pragma once
// What a reply means, in the flow's language: yes or no (`keywords agree = yes`), or a date
// (`keywords new_day = date`). The rules are dsl/REFERENCE.md's "Yes, no and dates"; the
// language is the flow's locale (declared, or its zone's), and English is understood in every
// language, since customers write "ok" and "yes" everywhere.

#include <date/date.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

enum class YesNo { yes, no, neither };

// The words of the locale's language ("da_DK" -> Danish, plus English), as reply tokens
// without accents: yes words, no words, and the negations that turn a yes into a no
// ("ikke ok").
struct YesNoWords {
    std::vector<std::string> yes, no, negations;
};
const YesNoWords& yes_no_words(std::string_view locale);

// Yes when the reply has a yes word and no no word or negation; no when it has a no word and no
// yes word, or a yes word with a negation ("ikke ok"); otherwise neither ("ja nej", "måske").
// Accents do not count ("nä" is "na", as in the words).
YesNo reply_yes_no(std::string_view text, std::string_view locale);

// The date a reply holds, read in this order: an ISO date (2026-05-14); day and month in
// digits (14/5, 14.5., 14-05, with /2026 or /26 after them; month first in the United States);
// a day and a month's name in the locale's language or English (14. maj, 14 May 2026, May
// 14th); a weekday's name (fredag: the next Friday after today). Without a year, the first
// such day from today on. A day that does not exist (31/4) is no date. nullopt when none.
// The time of day a reply holds, in minutes after midnight: 14:30 or 14.30 (hours 0–23,
// minutes in two digits), "kl. 14" / "kl 9" / "klokka 9" / "klockan 9" (a whole hour), or an
// English 12-hour time ("2 pm", "2pm", "10:30 am"). nullopt when none.
std::optional<int> reply_time(std::string_view text);
// The reply without the time of day reply_time read, so that "kl. 14.05" is not also 14 May.
std::string without_time(std::string_view text);

std::optional<date::year_month_day> reply_date(std::string_view text, std::string_view locale,
                                               date::year_month_day today);

} // namespace nudge::detail
