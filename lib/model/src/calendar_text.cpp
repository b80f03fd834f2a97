// Text forms of window slots and seasons, shared by the YAML front end and the printers.
#include <nudge/flow.hpp>

#include <date/date.h>

#include <cstdio>

namespace nudge {

namespace {

std::string clock_text(int minute) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
    return buf;
}

std::optional<Weekday> parse_day(std::string_view s) {
    for (int i = 0; i < 7; ++i) {
        if (to_string(static_cast<Weekday>(i)) == s) return static_cast<Weekday>(i);
    }
    return std::nullopt;
}

// HH:MM → minutes; 24:00 only when allow_24.
std::optional<int> parse_clock(std::string_view s, bool allow_24) {
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    int h = (s[0] - '0') * 10 + (s[1] - '0');
    int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59) return std::nullopt;
    if (h == 24 && m == 0 && allow_24) return 24 * 60;
    if (h > 23) return std::nullopt;
    return h * 60 + m;
}

} // namespace

std::string to_text(const WindowSlot& s) {
    std::string out(to_string(s.first_day));
    if (s.last_day != s.first_day) {
        out += '-';
        out += to_string(s.last_day);
    }
    out += ' ' + clock_text(s.open_minute) + '-' + clock_text(s.close_minute);
    return out;
}

std::optional<WindowSlot> parse_window_slot(std::string_view text) {
    auto space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    auto days = text.substr(0, space);
    auto rest = text.substr(space);
    while (!rest.empty() && rest.front() == ' ')
        rest.remove_prefix(1);
    WindowSlot slot;
    auto dash = days.find('-');
    auto first = parse_day(days.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_day(days.substr(dash + 1));
    if (!first || !last) return std::nullopt;
    slot.first_day = *first;
    slot.last_day = *last;
    if (rest.size() != 11 || rest[5] != '-') return std::nullopt;
    auto open = parse_clock(rest.substr(0, 5), false);
    auto close = parse_clock(rest.substr(6, 5), true);
    if (!open || !close) return std::nullopt;
    slot.open_minute = *open;
    slot.close_minute = *close;
    return slot;
}

std::string to_text(const ClosedDay& d) {
    char buf[32];
    if (d.year)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    else
        std::snprintf(buf, sizeof buf, "%02d-%02d", d.month, d.day);
    return buf;
}

std::optional<ClosedDay> parse_closed_day(std::string_view text) {
    auto num = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
        int v = 0;
        for (std::size_t i = pos; i < pos + n; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            v = v * 10 + (text[i] - '0');
        }
        return v;
    };
    ClosedDay d;
    std::size_t at = 0;
    if (text.size() == 10 && text[4] == '-') {
        auto y = num(0, 4);
        if (!y || *y < 1) return std::nullopt;
        d.year = *y;
        at = 5;
    } else if (text.size() != 5) {
        return std::nullopt;
    }
    if (text[at + 2] != '-') return std::nullopt;
    auto m = num(at, 2);
    auto day = num(at + 3, 2);
    if (!m || !day) return std::nullopt;
    d.month = *m;
    d.day = *day;
    // Every year: 02-29 is a day in leap years. Once: the date must exist.
    date::year y{d.year ? d.year : 2000};
    if (!date::year_month_day{y, date::month(static_cast<unsigned>(d.month)),
                              date::day(static_cast<unsigned>(d.day))}
             .ok())
        return std::nullopt;
    return d;
}

std::string window_body_text(const WindowDecl& w) {
    std::string out = w.not_during ? "not during " : "";
    for (std::size_t i = 0; i < w.slots.size(); ++i)
        out += (i ? ", " : "") + to_text(w.slots[i]);
    for (std::size_t i = 0; i < w.closed.size(); ++i)
        out += (i ? ", " : " closed on ") + to_text(w.closed[i]);
    return out;
}

std::optional<WindowDecl> parse_window_body(std::string_view text, std::string& why) {
    auto trim = [](std::string_view s) {
        while (!s.empty() && s.front() == ' ')
            s.remove_prefix(1);
        while (!s.empty() && s.back() == ' ')
            s.remove_suffix(1);
        return s;
    };
    auto each = [](std::string_view list, auto&& f) {
        while (true) {
            auto comma = list.find(',');
            if (!f(list.substr(0, comma))) return false;
            if (comma == std::string_view::npos) return true;
            list.remove_prefix(comma + 1);
        }
    };
    WindowDecl w;
    text = trim(text);
    if (text.substr(0, 11) == "not during ") {
        w.not_during = true;
        text.remove_prefix(11);
    }
    std::string_view closed;
    if (auto c = text.find(" closed on "); c != std::string_view::npos) {
        closed = text.substr(c + 11);
        text = text.substr(0, c);
    }
    bool ok = each(text, [&](std::string_view part) {
        auto slot = parse_window_slot(trim(part));
        if (!slot) {
            why = "expected slots such as \"mon-fri 08:00-16:00, sat 10:00-14:00\", but \"" +
                  std::string(trim(part)) + "\" is not one";
            return false;
        }
        w.slots.push_back(*slot);
        return true;
    });
    if (ok && !closed.empty()) {
        ok = each(closed, [&](std::string_view part) {
            auto d = parse_closed_day(trim(part));
            if (!d) {
                why =
                    "expected closed days such as 12-24 (every year) or 2026-04-03 (once), but \"" +
                    std::string(trim(part)) + "\" is not one";
                return false;
            }
            w.closed.push_back(*d);
            return true;
        });
    }
    if (!ok) return std::nullopt;
    return w;
}

std::string to_text(const SeasonDecl& s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%02d-%02d..%02d-%02d", s.first.month, s.first.day, s.last.month,
                  s.last.day);
    return buf;
}

} // namespace nudge
