// Records (history and timeline entries) and their JSON form.
#include <nudge/engine.hpp>

#include <nlohmann/json.hpp>

namespace nudge {

std::string_view Record::get(std::string_view name) const {
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
}

// to_string, the list and the lookup by name of an enum whose names an X-macro lists. Each
// function names the enum `E`, which the case and item macros use.
#define NUDGE_NAMED_CASE(name)                                                                     \
    case E::name:                                                                                  \
        return #name;
#define NUDGE_NAMED_ITEM(name) E::name,
#define NUDGE_NAMED_ENUM(Enum, LIST, list_fn, parse_fn)                                            \
    std::string_view to_string(Enum value) {                                                       \
        using E = Enum;                                                                            \
        switch (value) { LIST(NUDGE_NAMED_CASE) }                                                  \
        return {};                                                                                 \
    }                                                                                              \
    const std::vector<Enum>& list_fn() {                                                           \
        using E = Enum;                                                                            \
        static const std::vector<Enum> all = {LIST(NUDGE_NAMED_ITEM)};                             \
        return all;                                                                                \
    }                                                                                              \
    std::optional<Enum> parse_fn(std::string_view name) {                                          \
        for (auto v : list_fn())                                                                   \
            if (to_string(v) == name) return v;                                                    \
        return std::nullopt;                                                                       \
    }

NUDGE_NAMED_ENUM(RecordKind, NUDGE_RECORD_KINDS, record_kinds, record_kind)
NUDGE_NAMED_ENUM(InstanceStatus, NUDGE_INSTANCE_STATUSES, instance_statuses, instance_status)
NUDGE_NAMED_ENUM(InboxReason, NUDGE_INBOX_REASONS, inbox_reasons, inbox_reason)
NUDGE_NAMED_ENUM(TimerKind, NUDGE_TIMER_KINDS, timer_kinds, timer_kind)

#undef NUDGE_NAMED_ENUM
#undef NUDGE_NAMED_ITEM
#undef NUDGE_NAMED_CASE

namespace {

using Json = nlohmann::ordered_json; // keys in the order written

// Compact JSON; bytes that are not UTF-8 (a gateway's garbled text) become U+FFFD instead of
// making the output invalid.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

} // namespace

std::string json_quote(std::string_view text) { return dump(Json(text)); }

std::string to_json(const Record& r, std::string_view zone) {
    Json j = {{"at", format_instant(r.at, zone)},
              {"instance", r.instance},
              {"flow", r.flow},
              {"kind", r.kind}};
    for (const auto& [k, v] : r.fields)
        j[k] = v;
    return dump(j);
}

} // namespace nudge
