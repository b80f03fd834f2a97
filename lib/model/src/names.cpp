// Spellings of the IR's enumerations, shared by both front ends and the printers.
#include <nudge/flow.hpp>

#include <array>

namespace nudge {

namespace {
constexpr std::array<std::string_view, 10> field_type_names = {
    "text", "number", "money", "bool", "phone", "email", "date", "datetime", "duration", "zone"};
constexpr std::array<std::string_view, 5> channel_kind_names = {"sms", "email", "letter", "voice",
                                                                "webhook"};
constexpr std::array<std::string_view, 7> weekday_names = {"mon", "tue", "wed", "thu",
                                                           "fri", "sat", "sun"};
constexpr std::array<std::string_view, 10> keyword_match_names = {
    "any", "all", "start", "exact", "number", "pattern", "yes", "no", "date", "time"};
constexpr std::array<std::string_view, 7> unit_names = {"s", "m", "h", "d", "w", "mo", "y"};
} // namespace

std::string_view to_string(FieldType t) { return field_type_names[static_cast<std::size_t>(t)]; }

std::optional<FieldType> parse_field_type(std::string_view name) {
    for (std::size_t i = 0; i < field_type_names.size(); ++i) {
        if (field_type_names[i] == name) return static_cast<FieldType>(i);
    }
    return std::nullopt;
}

std::string_view to_string(ChannelKind k) {
    return channel_kind_names[static_cast<std::size_t>(k)];
}

std::optional<ChannelKind> parse_channel_kind(std::string_view name) {
    for (std::size_t i = 0; i < channel_kind_names.size(); ++i) {
        if (channel_kind_names[i] == name) return static_cast<ChannelKind>(i);
    }
    return std::nullopt;
}

std::string_view to_string(Weekday d) { return weekday_names[static_cast<std::size_t>(d)]; }

std::string_view to_string(KeywordMatch m) {
    return keyword_match_names[static_cast<std::size_t>(m)];
}

std::optional<KeywordMatch> parse_keyword_match(std::string_view name) {
    for (std::size_t i = 0; i < keyword_match_names.size(); ++i) {
        if (keyword_match_names[i] == name) return static_cast<KeywordMatch>(i);
    }
    return std::nullopt;
}

std::string_view to_string(DurationUnit u) { return unit_names[static_cast<std::size_t>(u)]; }

std::string to_text(const Target& t) {
    switch (t.kind) {
    case Target::Kind::restart: return "restart";
    case Target::Kind::inbox: return "inbox";
    case Target::Kind::state: break;
    }
    return t.state;
}

} // namespace nudge
