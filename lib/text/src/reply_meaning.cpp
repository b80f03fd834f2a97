// Yes, no and dates in replies. Month and weekday names come from ICU's data for the locale
// (so every language ICU knows has them); the yes and no words are ours, per language.
#include "text/reply_meaning.hpp"

#include "text/reply_text.hpp"

#include <re2/re2.h>
#include <unicode/dtfmtsym.h>
#include <unicode/locid.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace nudge::detail {

namespace {

std::string language_of(std::string_view locale) {
    auto cut = locale.find_first_of("_-");
    std::string lang(locale.substr(0, cut));
    if (lang == "no" || lang == "nn") lang = "nb"; // Norwegian: one set of words
    return lang;
}

struct LanguageWords {
    std::string_view language;
    std::vector<std::string_view> yes, no, negations;
};

// English is added to every language's words.
const std::vector<LanguageWords>& language_table() {
    static const std::vector<LanguageWords> table = {
        {"en",
         {"yes", "yeah", "yep", "yup", "ok", "okay", "sure", "y"},
         {"no", "nope", "nah", "n"},
         {"not", "dont", "don't"}},
        {"da", {"ja", "jo", "jep", "jeps", "javel", "okay", "okey"}, {"nej", "nix"}, {"ikke"}},
        {"sv", {"ja", "jo", "japp", "visst", "okej"}, {"nej", "nä", "nää"}, {"inte", "ej"}},
        {"nb", {"ja", "jo", "jepp", "okei"}, {"nei", "neida"}, {"ikke"}},
        {"fi", {"kyllä", "joo", "juu", "kyl"}, {"ei", "eikä"}, {"en"}},
        {"is", {"já", "jú"}, {"nei"}, {"ekki"}},
        {"fo", {"ja", "jú"}, {"nei"}, {"ikki"}},
        {"de", {"ja", "jawohl", "jo"}, {"nein", "nö"}, {"nicht", "kein"}},
        {"nl", {"ja", "jazeker", "jawel"}, {"nee", "neen"}, {"niet"}},
        {"tr", {"evet", "tamam"}, {"hayır", "yok"}, {"değil"}},
        {"fr", {"oui", "ouais", "d'accord"}, {"non"}, {"pas"}},
        {"es", {"sí", "si", "vale"}, {"no"}, {"nunca"}},
        {"it", {"sì", "si", "va bene"}, {"no"}, {"non"}},
        {"pl", {"tak"}, {"nie"}, {}},
    };
    return table;
}

std::vector<std::string> tokens_folded(std::string_view text) {
    auto tokens = reply_tokens(text);
    for (auto& t : tokens)
        t = without_accents(t);
    return tokens;
}

void add_words(std::vector<std::string>& out, const std::vector<std::string_view>& words) {
    for (auto w : words) {
        auto tokens = tokens_folded(w);
        if (tokens.size() != 1) continue; // one word each: "va bene" is not a yes word here
        if (std::find(out.begin(), out.end(), tokens[0]) == out.end())
            out.push_back(std::move(tokens[0]));
    }
}

std::string folded_icu(const icu::UnicodeString& u) {
    std::string s;
    u.toUTF8String(s);
    auto tokens = tokens_folded(s);
    std::string out;
    for (const auto& t : tokens)
        out += (out.empty() ? "" : " ") + t;
    return out;
}

// Month names (1–12) and weekday names (0 = Monday … 6 = Sunday) as folded tokens.
struct CalendarNames {
    std::map<std::string, unsigned> months;
    std::map<std::string, unsigned> weekdays;
};

void add_calendar(CalendarNames& names, const char* locale) {
    UErrorCode st = U_ZERO_ERROR;
    icu::DateFormatSymbols syms(icu::Locale(locale), st);
    if (U_FAILURE(st)) return;
    using S = icu::DateFormatSymbols;
    for (auto context : {S::FORMAT, S::STANDALONE}) {
        for (auto width : {S::WIDE, S::ABBREVIATED}) {
            int32_t n = 0;
            const icu::UnicodeString* months = syms.getMonths(n, context, width);
            for (int32_t i = 0; i < n && i < 12; ++i) {
                auto name = folded_icu(months[i]);
                if (!name.empty() && name.find(' ') == std::string::npos)
                    names.months.emplace(name, static_cast<unsigned>(i + 1));
            }
            const icu::UnicodeString* days = syms.getWeekdays(n, context, width);
            for (int32_t i = 1; i < n && i <= 7; ++i) { // 1 = Sunday … 7 = Saturday
                auto name = folded_icu(days[i]);
                if (!name.empty() && name.find(' ') == std::string::npos && name.size() > 2)
                    names.weekdays.emplace(name, static_cast<unsigned>((i + 5) % 7));
            }
        }
    }
}

template <class T> const T& cached(std::string_view locale, T (*make)(std::string_view)) {
    static std::mutex mutex;
    static std::map<std::string, std::unique_ptr<T>, std::less<>> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(locale);
    if (it == cache.end())
        it = cache.emplace(std::string(locale), std::make_unique<T>(make(locale))).first;
    return *it->second;
}

YesNoWords make_yes_no(std::string_view locale) {
    YesNoWords w;
    auto lang = language_of(locale);
    for (const auto& l : language_table()) {
        if (l.language != lang && l.language != "en") continue;
        add_words(w.yes, l.yes);
        add_words(w.no, l.no);
        add_words(w.negations, l.negations);
    }
    // A word in both lists (Spanish "no" and English "no" agree; none differ) stays a no.
    std::erase_if(w.yes, [&](const std::string& y) {
        return std::find(w.no.begin(), w.no.end(), y) != w.no.end();
    });
    return w;
}

CalendarNames make_calendar(std::string_view locale) {
    CalendarNames names;
    add_calendar(names, std::string(locale).c_str());
    add_calendar(names, "en");
    return names;
}

bool contains(const std::vector<std::string>& words, const std::string& token) {
    return std::find(words.begin(), words.end(), token) != words.end();
}

std::optional<date::year_month_day> make_day(int y, unsigned m, unsigned d) {
    date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

// Without a year: the first such day from today on (29 February: the next leap year's).
std::optional<date::year_month_day> next_day(unsigned m, unsigned d, date::year_month_day today) {
    int y = static_cast<int>(today.year());
    for (int k = 0; k <= 8; ++k) {
        auto day = make_day(y + k, m, d);
        if (day && date::sys_days{*day} >= date::sys_days{today}) return day;
        if (!day && !(m == 2 && d == 29)) return std::nullopt;
    }
    return std::nullopt;
}

std::optional<int> whole(std::string_view s) {
    if (s.empty() || s.size() > 4) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

// "14", "14th", "1st", "2nd", "3rd": a day of the month.
std::optional<unsigned> day_token(std::string_view t) {
    for (std::string_view suffix : {"st", "nd", "rd", "th"})
        if (t.size() > 2 && t.ends_with(suffix)) t.remove_suffix(2);
    auto v = whole(t);
    if (!v || *v < 1 || *v > 31 || t.size() > 2) return std::nullopt;
    return static_cast<unsigned>(*v);
}

} // namespace

const YesNoWords& yes_no_words(std::string_view locale) {
    return cached<YesNoWords>(language_of(locale), make_yes_no);
}

YesNo reply_yes_no(std::string_view text, std::string_view locale) {
    const auto& w = yes_no_words(locale);
    bool yes = false, no = false, negated = false;
    for (const auto& t : tokens_folded(text)) {
        yes = yes || contains(w.yes, t);
        no = no || contains(w.no, t);
        negated = negated || contains(w.negations, t);
    }
    if (yes && !no && !negated) return YesNo::yes;
    if ((no && !yes) || (yes && negated && !no)) return YesNo::no;
    return YesNo::neither;
}

namespace {

// The time of day and the text it was read from.
std::optional<int> find_time(std::string_view text, re2::StringPiece& where) {
    static const RE2 twelve(R"((?i)(?:^|\D)((\d{1,2})(?:[:.](\d{2}))?\s?([ap])\.?m\.?)(?:\W|$))");
    static const RE2 clock(
        R"((?:^|[^\d.,:/-])((\d{1,2})[:.](\d{2}))(?:[^\d.,:/-]|$|[.,]\D|[.,]$))");
    static const RE2 hour(R"((?i)(?:^|\W)((?:kl|klokka|klockan|klo)\.?\s*(\d{1,2}))(?:\D|$))");
    re2::StringPiece input(text.data(), text.size());
    int h = 0, m = 0;
    std::string minutes, half;
    if (RE2::PartialMatch(input, twelve, &where, &h, &minutes, &half)) {
        m = minutes.empty() ? 0 : std::stoi(minutes);
        if (h >= 1 && h <= 12 && m <= 59)
            return (h % 12 + (half == "p" || half == "P" ? 12 : 0)) * 60 + m;
    }
    if (RE2::PartialMatch(input, clock, &where, &h, &m) && h <= 23 && m <= 59) return h * 60 + m;
    if (RE2::PartialMatch(input, hour, &where, &h) && h <= 23) return h * 60;
    return std::nullopt;
}

} // namespace

std::optional<int> reply_time(std::string_view text) {
    re2::StringPiece where;
    return find_time(text, where);
}

std::string without_time(std::string_view text) {
    re2::StringPiece where;
    if (!find_time(text, where)) return std::string(text);
    auto at = static_cast<std::size_t>(where.data() - text.data());
    return std::string(text.substr(0, at)) + " " + std::string(text.substr(at + where.size()));
}

std::optional<date::year_month_day> reply_date(std::string_view text, std::string_view locale,
                                               date::year_month_day today) {
    static const RE2 iso(R"((?:^|\D)(\d{4})-(\d{1,2})-(\d{1,2})(?:\D|$))");
    static const RE2 numeric(R"((?:^|\D)(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?(?:\D|$))");
    int y = 0, m = 0, d = 0;
    if (RE2::PartialMatch(text, iso, &y, &m, &d))
        return make_day(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    std::string year_text;
    int a = 0, b = 0;
    if (RE2::PartialMatch(text, numeric, &a, &b, &year_text)) {
        bool month_first = locale.ends_with("_US") || locale.ends_with("-US");
        auto day = static_cast<unsigned>(month_first ? b : a);
        auto month = static_cast<unsigned>(month_first ? a : b);
        if (month >= 1 && month <= 12) {
            if (year_text.empty()) return next_day(month, day, today);
            int year = std::stoi(year_text);
            if (year_text.size() == 2) year += 2000;
            return make_day(year, month, day);
        }
    }
    const auto& names = cached<CalendarNames>(locale.empty() ? "en" : locale, make_calendar);
    auto tokens = tokens_folded(text);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        auto month = names.months.find(tokens[i]);
        if (month == names.months.end()) continue;
        std::optional<unsigned> day;
        std::size_t after = i + 1;
        if (i > 0) day = day_token(tokens[i - 1]);
        if (!day && i + 1 < tokens.size()) {
            day = day_token(tokens[i + 1]);
            after = i + 2;
        }
        if (!day) continue;
        if (after < tokens.size()) {
            if (auto year = whole(tokens[after]); year && tokens[after].size() == 4)
                return make_day(*year, month->second, *day);
        }
        return next_day(month->second, *day, today);
    }
    for (const auto& t : tokens) {
        auto wd = names.weekdays.find(t);
        if (wd == names.weekdays.end()) continue;
        auto from = date::sys_days{today};
        auto today_index = (date::weekday{from}.iso_encoding() + 6) % 7; // 0 = Monday
        auto ahead = (wd->second + 7 - today_index) % 7;
        return date::year_month_day{from + date::days{ahead == 0 ? 7 : ahead}};
    }
    return std::nullopt;
}

} // namespace nudge::detail
