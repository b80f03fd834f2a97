// Text forms of window slots and seasons, shared by the YAML front end and the printers.
#include <nudge/flow.hpp>

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

std::string to_text(const SeasonDecl& s) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%02d-%02d..%02d-%02d", s.first.month, s.first.day, s.last.month,
                  s.last.day);
    return buf;
}

} // namespace nudge
