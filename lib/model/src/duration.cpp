#include <nudge/flow.hpp>

#include <charconv>

namespace nudge {

std::string to_text(const Duration& d) {
    return std::to_string(d.count) + std::string(to_string(d.unit));
}

std::optional<Duration> parse_duration(std::string_view text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
        ++digits;
    // Nine digits at most: no overflow anywhere a duration is turned into seconds.
    if (digits == 0 || digits > 9) return std::nullopt;
    Duration d;
    std::from_chars(text.data(), text.data() + digits, d.count);
    auto unit = text.substr(digits);
    static constexpr std::pair<std::string_view, DurationUnit> units[] = {
        {"s", DurationUnit::s}, {"m", DurationUnit::m}, {"h", DurationUnit::h},
        {"d", DurationUnit::d}, {"w", DurationUnit::w}, {"mo", DurationUnit::mo},
        {"y", DurationUnit::y}};
    for (auto [name, u] : units) {
        if (unit == name) {
            d.unit = u;
            return d;
        }
    }
    return std::nullopt;
}

std::optional<std::int64_t> exact_seconds(const Duration& d) {
    switch (d.unit) {
    case DurationUnit::s: return d.count;
    case DurationUnit::m: return d.count * 60;
    case DurationUnit::h: return d.count * 3600;
    default: return std::nullopt;
    }
}

} // namespace nudge
