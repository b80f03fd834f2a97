// Calendar steps, windows, seasons and instants in IANA zones (DESIGN §5 "Time").
#include "text/time.hpp"
#include "model/hash.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace nudge::detail {

namespace {

using std::chrono::seconds;

date::local_seconds to_local(Instant t, const date::time_zone* z) {
    if (!z) return date::local_seconds{t.time_since_epoch()};
    return date::floor<seconds>(z->to_local(t));
}

date::local_days local_day(Instant t, const date::time_zone* z) {
    return date::floor<date::days>(to_local(t, z));
}

// Weekday as 0 = Monday … 6 = Sunday.
int weekday_index(date::local_days d) {
    return static_cast<int>(date::weekday{d}.iso_encoding()) - 1;
}

bool slot_has_day(const WindowSlot& s, int wd) {
    int first = static_cast<int>(s.first_day);
    int last = static_cast<int>(s.last_day);
    if (first <= last) return wd >= first && wd <= last;
    return wd >= first || wd <= last; // fri-mon wraps the week
}

struct Span {
    Instant begin;
    Instant end;
};

// The slot's interval opening on local day d.
Span slot_span(const WindowSlot& s, date::local_days d, const date::time_zone* z) {
    auto open = date::local_seconds{d} + std::chrono::minutes{s.open_minute};
    bool wraps = s.close_minute <= s.open_minute;
    auto close =
        date::local_seconds{d + date::days{wraps ? 1 : 0}} + std::chrono::minutes{s.close_minute};
    return {resolve_local(open, z), resolve_local(close, z)};
}

bool closed_on(const WindowDecl& w, date::local_days d) {
    date::year_month_day ymd{d};
    auto y = static_cast<int>(ymd.year());
    auto m = static_cast<int>(static_cast<unsigned>(ymd.month()));
    auto dd = static_cast<int>(static_cast<unsigned>(ymd.day()));
    return std::any_of(w.closed.begin(), w.closed.end(), [&](const ClosedDay& c) {
        return (c.year == 0 || c.year == y) && c.month == m && c.day == dd;
    });
}

// The window's open spans that reach into local days [from, from + days): its slots' spans,
// or (`not during`) the time between them, less its closed days. A span of the complement is
// cut at the range's edges; next_close follows a span on from where it was cut.
template <class F>
void each_span(const WindowDecl& w, date::local_days from, int days, const date::time_zone* z,
               F&& f) {
    if (!w.not_during && w.closed.empty()) {
        for (int k = 0; k < days; ++k) {
            auto d = from + date::days{k};
            int wd = weekday_index(d);
            for (const auto& s : w.slots) {
                if (!slot_has_day(s, wd)) continue;
                auto sp = slot_span(s, d, z);
                if (sp.end > sp.begin) f(sp);
            }
        }
        return;
    }
    std::vector<Span> spans;
    for (int k = -1; k < days; ++k) { // a slot opening the day before may reach into the range
        auto d = from + date::days{k};
        int wd = weekday_index(d);
        for (const auto& s : w.slots) {
            if (!slot_has_day(s, wd)) continue;
            auto sp = slot_span(s, d, z);
            if (sp.end > sp.begin) spans.push_back(sp);
        }
    }
    if (w.not_during) {
        std::sort(spans.begin(), spans.end(),
                  [](const Span& a, const Span& b) { return a.begin < b.begin; });
        std::vector<Span> gaps;
        Instant at = resolve_local(date::local_seconds{from}, z);
        Instant hi = resolve_local(date::local_seconds{from + date::days{days}}, z);
        for (const auto& sp : spans) {
            if (sp.begin > at && at < hi) gaps.push_back({at, std::min(sp.begin, hi)});
            at = std::max(at, sp.end);
        }
        if (at < hi) gaps.push_back({at, hi});
        spans = std::move(gaps);
    }
    std::vector<Span> shut;
    for (int k = -1; k <= days; ++k) {
        auto d = from + date::days{k};
        if (closed_on(w, d))
            shut.push_back({resolve_local(date::local_seconds{d}, z),
                            resolve_local(date::local_seconds{d + date::days{1}}, z)});
    }
    for (auto sp : spans) {
        for (const auto& c : shut) { // in order: cut each closed day out of the span
            if (c.end <= sp.begin || c.begin >= sp.end) continue;
            if (c.begin > sp.begin) f(Span{sp.begin, c.begin});
            sp.begin = c.end;
            if (sp.begin >= sp.end) break;
        }
        if (sp.end > sp.begin) f(sp);
    }
}

std::optional<date::year_month_day> clamp(date::year y, unsigned m, unsigned d) {
    date::year_month_day ymd{y, date::month{m}, date::day{d}};
    if (ymd.ok()) return ymd;
    auto last = date::year_month_day_last{y, date::month_day_last{date::month{m}}};
    if (!last.ok()) return std::nullopt;
    return date::year_month_day{last};
}

Interval occurrence(const SeasonDecl& s, int year, const date::time_zone* z) {
    auto first = clamp(date::year{year}, static_cast<unsigned>(s.first.month),
                       static_cast<unsigned>(s.first.day));
    bool wraps =
        s.last.month < s.first.month || (s.last.month == s.first.month && s.last.day < s.first.day);
    auto last = clamp(date::year{year + (wraps ? 1 : 0)}, static_cast<unsigned>(s.last.month),
                      static_cast<unsigned>(s.last.day));
    if (!first || !last) return {};
    auto b = date::local_days{*first};
    auto e = date::local_days{*last} + date::days{1};
    return {resolve_local(date::local_seconds{b}, z), resolve_local(date::local_seconds{e}, z)};
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

std::string two(long v) { return (v < 10 ? "0" : "") + std::to_string(v); }

} // namespace

const date::time_zone* find_zone(std::string_view name) {
    if (name.empty()) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (...) {
        return nullptr;
    }
}

Instant resolve_local(date::local_seconds lt, const date::time_zone* z) {
    if (!z) return Instant{lt.time_since_epoch()};
    auto info = z->get_info(lt);
    switch (info.result) {
    case date::local_info::unique: return Instant{lt.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
        // Inside a spring-forward gap: the first instant after it.
        return date::floor<seconds>(info.second.begin);
    case date::local_info::ambiguous:
        // Twice on a fall-back night: the earlier one (the offset before the change).
        return Instant{lt.time_since_epoch() - info.first.offset};
    }
    return Instant{lt.time_since_epoch()};
}

Instant add(Instant t, const Duration& d, const date::time_zone* z) {
    if (auto exact = exact_seconds(d)) return t + seconds{*exact};
    auto lt = to_local(t, z);
    auto day = date::floor<date::days>(lt);
    auto tod = lt - day;
    date::local_days moved = day;
    switch (d.unit) {
    case DurationUnit::d: moved = day + date::days{d.count}; break;
    case DurationUnit::w: moved = day + date::days{7 * d.count}; break;
    case DurationUnit::mo:
    case DurationUnit::y: {
        date::year_month_day ymd{day};
        auto months = d.unit == DurationUnit::mo ? d.count : 12 * d.count;
        auto ym = date::year_month{ymd.year(), ymd.month()} + date::months{months};
        auto c =
            clamp(ym.year(), static_cast<unsigned>(ym.month()), static_cast<unsigned>(ymd.day()));
        if (c) moved = date::local_days{*c};
        break;
    }
    default: break;
    }
    return resolve_local(moved + tod, z);
}

bool is_open(const WindowDecl& w, Instant t, const date::time_zone* z) {
    bool open = false;
    each_span(w, local_day(t, z) - date::days{1}, 2, z, [&](const Span& s) {
        if (s.begin <= t && t < s.end) open = true;
    });
    return open;
}

std::optional<Instant> next_open(const WindowDecl& w, Instant t, const date::time_zone* z) {
    if (is_open(w, t, z)) return t;
    // Ten days find the next slot of any week; closed days can shut a window for longer, so
    // then the search goes on (a year and more: a window may close for a season of dates).
    int chunks = w.closed.empty() ? 1 : 40;
    for (int c = 0; c < chunks; ++c) {
        std::optional<Instant> best;
        each_span(w, local_day(t, z) - date::days{1} + date::days{10 * c}, 10, z,
                  [&](const Span& s) {
                      if (s.begin >= t && (!best || s.begin < *best)) best = s.begin;
                  });
        if (best) return best;
    }
    return std::nullopt;
}

std::optional<Instant> next_close(const WindowDecl& w, Instant t, const date::time_zone* z) {
    // Follow touching spans (mon-sun 22:00-06:00 next to 06:00-22:00) to the real close.
    std::optional<Instant> end;
    Instant at = t;
    for (int guard = 0; guard < 32; ++guard) {
        std::optional<Instant> found;
        each_span(w, local_day(at, z) - date::days{1}, 3, z, [&](const Span& s) {
            if (s.begin <= at && at < s.end && (!found || s.end > *found)) found = s.end;
        });
        if (!found) break;
        end = found;
        at = *found;
    }
    return end;
}

Interval season_at_or_after(const SeasonDecl& s, Instant t, const date::time_zone* z) {
    if (auto c = season_containing(s, t, z)) return *c;
    int y = static_cast<int>(date::year_month_day{local_day(t, z)}.year());
    for (int k = 0; k <= 1; ++k) {
        auto occ = occurrence(s, y + k, z);
        if (occ.begin > t) return occ;
    }
    return occurrence(s, y + 2, z);
}

std::optional<Interval> season_containing(const SeasonDecl& s, Instant t,
                                          const date::time_zone* z) {
    int y = static_cast<int>(date::year_month_day{local_day(t, z)}.year());
    for (int k = -1; k <= 0; ++k) {
        auto occ = occurrence(s, y + k, z);
        if (occ.begin <= t && t < occ.end) return occ;
    }
    return std::nullopt;
}

double stable_fraction(std::string_view key) {
    // FNV-1a over the bytes, then the splitmix64 finaliser so that keys differing only in
    // their last character (AB12345, AB12346) land far apart in the season.
    std::uint64_t h = fnv1a(key);
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

namespace {

// The open spans of `within` inside the interval, in order, and their total length.
std::vector<Span> open_spans(const Interval& iv, const WindowDecl& within, const date::time_zone* z,
                             std::int64_t& total) {
    std::vector<Span> spans;
    total = 0;
    Instant at = iv.begin;
    while (at < iv.end && spans.size() < 4000) {
        auto open = next_open(within, at, z);
        if (!open || *open >= iv.end) break;
        auto close = next_close(within, *open, z);
        if (!close) break;
        Span s{*open, std::min(*close, iv.end)};
        spans.push_back(s);
        total += (s.end - s.begin).count();
        at = *close;
    }
    return spans;
}

} // namespace

Instant spread_point(const Interval& iv, double fraction, const WindowDecl* within,
                     const date::time_zone* z) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (!within) {
        auto len = (iv.end - iv.begin).count();
        auto off = static_cast<std::int64_t>(static_cast<double>(len) * fraction);
        return iv.begin + seconds{std::min<std::int64_t>(off, std::max<std::int64_t>(len - 1, 0))};
    }
    std::int64_t total = 0;
    auto spans = open_spans(iv, *within, z, total);
    if (total == 0) return next_open(*within, iv.begin, z).value_or(iv.begin);
    auto target = static_cast<std::int64_t>(static_cast<double>(total) * fraction);
    if (target >= total) target = total - 1;
    for (const auto& s : spans) {
        auto len = (s.end - s.begin).count();
        if (target < len) return s.begin + seconds{target};
        target -= len;
    }
    return spans.back().end - seconds{1};
}

double fraction_through(const Interval& iv, Instant t, const WindowDecl* within,
                        const date::time_zone* z) {
    if (t <= iv.begin) return 0.0;
    if (t >= iv.end) return 1.0;
    if (!within) {
        return static_cast<double>((t - iv.begin).count()) /
               static_cast<double>((iv.end - iv.begin).count());
    }
    std::int64_t total = 0;
    auto spans = open_spans(iv, *within, z, total);
    if (total == 0) return 0.0;
    std::int64_t before = 0;
    for (const auto& s : spans) {
        if (t < s.begin) break;
        before += (std::min(t, s.end) - s.begin).count();
    }
    return static_cast<double>(before) / static_cast<double>(total);
}

std::optional<date::year_month_day> parse_date(std::string_view text) {
    int y = 0, m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    if (!digits(text, 0, 4, y) || !digits(text, 5, 2, m) || !digits(text, 8, 2, d))
        return std::nullopt;
    date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                             date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

std::optional<Instant> parse_instant(std::string_view text, const date::time_zone* default_zone) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r'))
        text.remove_suffix(1);
    auto day = parse_date(text.substr(0, std::min<std::size_t>(10, text.size())));
    if (!day) return std::nullopt;
    if (text.size() == 10)
        return resolve_local(date::local_seconds{date::local_days{*day}}, default_zone);
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    int hh = 0, mm = 0, ss = 0;
    if (!digits(text, 11, 2, hh) || text.size() < 16 || text[13] != ':' || !digits(text, 14, 2, mm))
        return std::nullopt;
    std::size_t pos = 16;
    if (pos < text.size() && text[pos] == ':') {
        if (!digits(text, pos + 1, 2, ss)) return std::nullopt;
        pos += 3;
        // RFC 3339 fractional seconds ("08:00:00.000Z"): instants count whole seconds, so the
        // fraction is dropped (the instant is the second it falls in).
        if (pos < text.size() && text[pos] == '.') {
            std::size_t end = pos + 1;
            while (end < text.size() && text[end] >= '0' && text[end] <= '9')
                ++end;
            if (end == pos + 1) return std::nullopt;
            pos = end;
        }
    }
    if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
    auto lt = date::local_seconds{date::local_days{*day}} + std::chrono::hours{hh} +
              std::chrono::minutes{mm} + seconds{ss};
    auto rest = text.substr(pos);
    if (rest.empty()) return resolve_local(lt, default_zone);
    if (rest == "Z" || rest == "z") return Instant{lt.time_since_epoch()};
    if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
        int oh = 0, om = 0;
        if (!digits(rest, 1, 2, oh) || !digits(rest, 4, 2, om) || oh > 23 || om > 59)
            return std::nullopt;
        auto off = std::chrono::hours{oh} + std::chrono::minutes{om};
        auto utc = lt.time_since_epoch() - (rest[0] == '+' ? off : -off);
        return Instant{date::floor<seconds>(utc)};
    }
    return std::nullopt;
}

std::string format_instant(Instant t, const date::time_zone* z) {
    auto lt = to_local(t, z);
    auto day = date::floor<date::days>(lt);
    date::year_month_day ymd{day};
    date::hh_mm_ss<seconds> tod{lt - day};
    auto off = (lt.time_since_epoch() - t.time_since_epoch()).count();
    char sign = off < 0 ? '-' : '+';
    off = std::labs(off);
    std::string out = std::to_string(static_cast<int>(ymd.year())) + "-" +
                      two(static_cast<unsigned>(ymd.month())) + "-" +
                      two(static_cast<unsigned>(ymd.day())) + "T" + two(tod.hours().count()) + ":" +
                      two(tod.minutes().count()) + ":" + two(tod.seconds().count());
    out += sign;
    out += two(off / 3600) + ":" + two((off % 3600) / 60);
    return out;
}

date::year_month_day local_date(Instant t, const date::time_zone* z) {
    return date::year_month_day{local_day(t, z)};
}

std::string format_seconds(std::int64_t s) {
    if (s == 0) return "0s";
    std::string out = s < 0 ? "-" : "";
    s = s < 0 ? -s : s;
    const std::pair<std::int64_t, const char*> units[] = {
        {86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}};
    bool first = true;
    for (const auto& [n, u] : units) {
        if (s >= n) {
            if (!first) out += ' ';
            out += std::to_string(s / n) + u;
            s %= n;
            first = false;
        }
    }
    return out;
}

} // namespace nudge::detail
