// Records (history and timeline entries) and their JSON form.
#include <nudge/engine.hpp>

#include <nlohmann/json.hpp>

namespace nudge {

std::string_view Record::get(std::string_view name) const {
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
}

std::string_view to_string(RecordKind kind) {
    switch (kind) {
#define NUDGE_RECORD_KIND_NAME(name)                                                               \
    case RecordKind::name: return #name;
        NUDGE_RECORD_KINDS(NUDGE_RECORD_KIND_NAME)
#undef NUDGE_RECORD_KIND_NAME
    }
    return "error";
}

const std::vector<RecordKind>& record_kinds() {
    static const std::vector<RecordKind> all = {
#define NUDGE_RECORD_KIND_ITEM(name) RecordKind::name,
        NUDGE_RECORD_KINDS(NUDGE_RECORD_KIND_ITEM)
#undef NUDGE_RECORD_KIND_ITEM
    };
    return all;
}

std::optional<RecordKind> record_kind(std::string_view name) {
    for (auto k : record_kinds())
        if (to_string(k) == name) return k;
    return std::nullopt;
}

std::string_view to_string(InstanceStatus s) {
    switch (s) {
    case InstanceStatus::waiting: return "waiting";
    case InstanceStatus::pending: return "pending";
    case InstanceStatus::finished: return "finished";
    case InstanceStatus::cancelled: return "cancelled";
    }
    return "waiting";
}

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
