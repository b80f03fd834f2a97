// Locale formatting by ICU (already linked through libphonenumber; now linked directly).
// Wall-clock times come in converted by date/tz, so ICU only ever formats in GMT: the zone
// rules are date/tz's alone, and ICU's own zone data never disagrees with them.
#include "text/locale_format.hpp"

#include <unicode/curramt.h>
#include <unicode/datefmt.h>
#include <unicode/locid.h>
#include <unicode/numberformatter.h>
#include <unicode/timezone.h>
#include <unicode/ucurr.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <set>

namespace nudge::detail {

namespace {

constexpr std::array<std::string_view, 7> format_names = {"money",    "number",  "date", "time",
                                                          "datetime", "weekday", "day"};

std::string icu_name(std::string_view name) {
    std::string s(name);
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

// Plain spaces for ICU's no-break and thin ones, and '-' for its minus sign: characters that
// GSM-7 lacks would make the whole SMS UCS-2.
std::string gsm_friendly(const icu::UnicodeString& u) {
    std::string in;
    u.toUTF8String(in);
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        auto at = [&](std::string_view seq) { return in.compare(i, seq.size(), seq) == 0; };
        if (at("\xC2\xA0")) { // U+00A0 no-break space
            out += ' ';
            i += 1;
        } else if (at("\xE2\x80\xAF") || at("\xE2\x80\x89") || at("\xE2\x80\x8A")) {
            out += ' '; // U+202F narrow no-break, U+2009 thin, U+200A hair space
            i += 2;
        } else if (at("\xE2\x88\x92")) { // U+2212 minus sign
            out += '-';
            i += 2;
        } else if (at("\xE2\x80\x8E") || at("\xE2\x80\x8F")) { // direction marks
            i += 2;
        } else {
            out += in[i];
        }
    }
    return out;
}

const std::set<std::string, std::less<>>& available() {
    static const auto set = [] {
        std::set<std::string, std::less<>> s;
        int32_t count = 0;
        const icu::Locale* list = icu::Locale::getAvailableLocales(count);
        for (int32_t i = 0; i < count; ++i)
            s.insert(list[i].getName());
        return s;
    }();
    return set;
}

} // namespace

std::optional<MergeFormat> parse_merge_format(std::string_view name) {
    for (std::size_t i = 0; i < format_names.size(); ++i)
        if (format_names[i] == name) return static_cast<MergeFormat>(i);
    return std::nullopt;
}

std::string_view to_string(MergeFormat f) { return format_names[static_cast<std::size_t>(f)]; }

const std::vector<std::string>& merge_format_names() {
    static const std::vector<std::string> names(format_names.begin(), format_names.end());
    return names;
}

bool format_fits_number(MergeFormat f) {
    return f == MergeFormat::money || f == MergeFormat::number;
}
bool format_fits_date(MergeFormat f) {
    return f == MergeFormat::date || f == MergeFormat::weekday || f == MergeFormat::day;
}

bool known_locale(std::string_view name) {
    if (name.empty()) return false;
    auto n = icu_name(name);
    icu::Locale loc(n.c_str());
    if (loc.isBogus() || std::string_view(loc.getLanguage()).empty()) return false;
    // Only language and country: a script or variant is not something a flow needs.
    if (loc.getName() !=
        std::string(loc.getLanguage()) +
            (std::string_view(loc.getCountry()).empty() ? "" : "_" + std::string(loc.getCountry())))
        return false;
    return available().count(n) > 0;
}

std::vector<std::string> known_locales() {
    const auto& s = available();
    return {s.begin(), s.end()};
}

std::string region_of_zone(std::string_view zone) {
    // ICU's time zone data knows each zone's country (CLDR's metadata); "001" is the world
    // (Etc/UTC and the like), which is no country.
    UErrorCode st = U_ZERO_ERROR;
    char region[8] = {};
    auto id = icu::UnicodeString::fromUTF8(
        icu::StringPiece(zone.data(), static_cast<int32_t>(zone.size())));
    icu::TimeZone::getRegion(id, region, sizeof region, st);
    if (U_FAILURE(st) || std::string_view(region) == "001") return {};
    return region;
}

std::string locale_of_zone(std::string_view zone) {
    auto region = region_of_zone(zone);
    if (region.empty()) return {};
    // The language most likely spoken there (CLDR's likely subtags: und_DK is da_Latn_DK).
    UErrorCode st = U_ZERO_ERROR;
    icu::Locale loc("und", region.c_str());
    loc.addLikelySubtags(st);
    if (U_FAILURE(st) || std::string_view(loc.getLanguage()).empty() ||
        std::string_view(loc.getLanguage()) == "und")
        return {};
    std::string name = std::string(loc.getLanguage()) + "_" + region;
    return known_locale(name) ? name : std::string{};
}

struct LocaleFormat::Impl {
    std::string name;
    icu::Locale loc;
    std::optional<icu::number::LocalizedNumberFormatter> money, number;
    std::array<std::unique_ptr<icu::DateFormat>, format_names.size()> dates;

    icu::DateFormat& date_format(MergeFormat f) {
        auto& slot = dates[static_cast<std::size_t>(f)];
        if (slot) return *slot;
        UErrorCode st = U_ZERO_ERROR;
        switch (f) {
        case MergeFormat::date:
            slot.reset(icu::DateFormat::createDateInstance(icu::DateFormat::kLong, loc));
            break;
        case MergeFormat::time:
            slot.reset(icu::DateFormat::createTimeInstance(icu::DateFormat::kShort, loc));
            break;
        case MergeFormat::datetime:
            slot.reset(icu::DateFormat::createDateTimeInstance(icu::DateFormat::kLong,
                                                               icu::DateFormat::kShort, loc));
            break;
        case MergeFormat::weekday:
            slot.reset(icu::DateFormat::createInstanceForSkeleton("EEEE", loc, st));
            break;
        default:
            slot.reset(icu::DateFormat::createInstanceForSkeleton("EEEEdMMMM", loc, st));
            break;
        }
        if (!slot || U_FAILURE(st))
            slot.reset(icu::DateFormat::createDateInstance(icu::DateFormat::kLong, loc));
        slot->adoptTimeZone(icu::TimeZone::getGMT()->clone());
        return *slot;
    }
};

LocaleFormat::LocaleFormat(std::string_view locale) : impl_(std::make_unique<Impl>()) {
    impl_->name = locale.empty() ? std::string("en") : icu_name(locale);
    impl_->loc = icu::Locale(impl_->name.c_str());
}

LocaleFormat::~LocaleFormat() = default;

const std::string& LocaleFormat::locale() const { return impl_->name; }

std::string LocaleFormat::number(double value, MergeFormat f) const {
    auto& im = *impl_;
    UErrorCode st = U_ZERO_ERROR;
    if (f == MergeFormat::money) {
        if (!im.money) {
            auto base = icu::number::NumberFormatter::withLocale(im.loc);
            std::array<UChar, 4> code{};
            UErrorCode cst = U_ZERO_ERROR;
            auto n = ucurr_forLocale(im.name.c_str(), code.data(), 4, &cst);
            UErrorCode ust = U_ZERO_ERROR;
            if (U_SUCCESS(cst) && n == 3) {
                icu::CurrencyUnit unit(code.data(), ust);
                if (U_SUCCESS(ust)) im.money = base.unit(unit);
            }
            if (!im.money) im.money = base.precision(icu::number::Precision::fixedFraction(2));
        }
        return gsm_friendly(im.money->formatDouble(value, st).toString(st));
    }
    if (!im.number) im.number = icu::number::NumberFormatter::withLocale(im.loc);
    return gsm_friendly(im.number->formatDouble(value, st).toString(st));
}

std::string LocaleFormat::local(date::local_seconds at, MergeFormat f) const {
    auto ms = static_cast<UDate>(at.time_since_epoch().count()) * 1000.0;
    icu::UnicodeString out;
    impl_->date_format(f).format(ms, out);
    return gsm_friendly(out);
}

} // namespace nudge::detail
