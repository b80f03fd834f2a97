// Instants as scenario files write them, and the scenario clock's calendar arithmetic. Kept apart
// from the reader so that the zone, which may come from a flow, is applied after reading.
#include "model.hpp"
#include "text/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <cctype>

namespace nudge::detail {

namespace {

// Reads exactly `n` digits at `i`; advances `i`.
std::optional<int> digits(std::string_view s, std::size_t& i, std::size_t n) {
    if (i + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    i += n;
    return v;
}

bool take(std::string_view s, std::size_t& i, char c) {
    if (i < s.size() && s[i] == c) {
        ++i;
        return true;
    }
    return false;
}

const date::time_zone* zone_named(std::string_view zone) {
    try {
        return date::locate_zone(std::string(zone));
    } catch (const std::exception&) {
        return nullptr;
    }
}

} // namespace

InstantSyntax parse_instant_text(std::string_view s) {
    const std::string shape =
        "expected an instant like 2026-03-28T20:55:00+01:00 (or without the offset, read in "
        "the scenario's zone), saw '" +
        std::string(s.substr(0, 40)) + (s.size() > 40 ? "…" : "") + "'";
    InstantSyntax out;
    InstantText t;
    t.text = std::string(s);
    std::size_t i = 0;
    auto year = digits(s, i, 4);
    bool dash1 = take(s, i, '-');
    auto month = digits(s, i, 2);
    bool dash2 = take(s, i, '-');
    auto day = digits(s, i, 2);
    if (!year || !dash1 || !month || !dash2 || !day) {
        out.problem = shape;
        return out;
    }
    t.year = *year;
    t.month = static_cast<unsigned>(*month);
    t.day = static_cast<unsigned>(*day);
    if (i < s.size()) {
        if (!take(s, i, 'T') && !take(s, i, ' ')) {
            out.problem = shape;
            return out;
        }
        auto hour = digits(s, i, 2);
        bool colon = take(s, i, ':');
        auto minute = digits(s, i, 2);
        if (!hour || !colon || !minute) {
            out.problem = shape;
            return out;
        }
        t.hour = *hour;
        t.minute = *minute;
        if (take(s, i, ':')) {
            auto second = digits(s, i, 2);
            if (!second) {
                out.problem = shape;
                return out;
            }
            t.second = *second;
            // RFC 3339 fractional seconds: dropped, as the text layer's parse_instant
            // (text/time.hpp) drops them.
            if (take(s, i, '.')) {
                std::size_t first = i;
                while (i < s.size() && s[i] >= '0' && s[i] <= '9')
                    ++i;
                if (i == first) {
                    out.problem = shape;
                    return out;
                }
            }
        }
        if (take(s, i, 'Z')) {
            t.offset = std::chrono::seconds{0};
        } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
            int sign = s[i] == '-' ? -1 : 1;
            ++i;
            auto oh = digits(s, i, 2);
            bool oc = take(s, i, ':');
            auto om = digits(s, i, 2);
            if (!oh || !oc || !om) {
                out.problem = shape;
                return out;
            }
            if (*oh > 18 || *om > 59) {
                out.problem = "offset " + std::string(s.substr(i - 6, 6)) + " is out of range";
                return out;
            }
            t.offset = std::chrono::seconds{sign * (*oh * 3600 + *om * 60)};
        }
        if (i != s.size()) {
            out.problem = shape;
            return out;
        }
    }
    if (t.month < 1 || t.month > 12) {
        out.problem = "month " + std::to_string(t.month) + " does not exist";
        return out;
    }
    date::year_month_day ymd{date::year{t.year}, date::month{t.month}, date::day{t.day}};
    if (!ymd.ok()) {
        out.problem = std::string(s.substr(0, 10)) + " is not a date";
        return out;
    }
    if (t.hour > 23 || t.minute > 59 || t.second > 59) {
        out.problem = "time of day " + std::string(s.substr(11, 8)) + " does not exist";
        return out;
    }
    out.instant = std::move(t);
    return out;
}

std::chrono::sys_seconds resolve_instant(const InstantText& t, std::string_view zone) {
    date::year_month_day ymd{date::year{t.year}, date::month{t.month}, date::day{t.day}};
    auto time_of_day = std::chrono::hours{t.hour} + std::chrono::minutes{t.minute} +
                       std::chrono::seconds{t.second};
    if (t.offset) {
        return date::sys_days{ymd} + time_of_day - *t.offset;
    }
    date::local_seconds local{date::local_days{ymd}.time_since_epoch() + time_of_day};
    const date::time_zone* tz = zone_named(zone);
    if (tz == nullptr) return std::chrono::sys_seconds{local.time_since_epoch()};
    return tz->to_sys(local, date::choose::earliest);
}

bool known_zone(std::string_view zone) { return zone_named(zone) != nullptr; }

std::string show_instant(std::chrono::sys_seconds t, std::string_view zone) {
    const date::time_zone* tz = zone_named(zone);
    if (tz == nullptr) tz = date::locate_zone("UTC");
    return date::format("%FT%T%Ez", date::make_zoned(tz, t));
}

std::chrono::sys_seconds add_duration(std::chrono::sys_seconds t, const Duration& d,
                                      std::string_view zone) {
    // The engine's own calendar arithmetic, so scenarios and flows agree to the second.
    return add(t, d, zone_named(zone));
}

} // namespace nudge::detail
