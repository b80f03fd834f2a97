// Records (history and timeline entries) and their JSON form.
#include <nudge/engine.hpp>

#include <cstdio>

namespace nudge {

std::string_view Record::get(std::string_view name) const {
    for (const auto& [k, v] : fields)
        if (k == name) return v;
    return {};
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

void json_string(std::string& out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

} // namespace

std::string json_quote(std::string_view text) {
    std::string out;
    json_string(out, text);
    return out;
}

std::string to_json(const Record& r, std::string_view zone) {
    std::string out = "{\"at\":";
    json_string(out, format_instant(r.at, zone));
    out += ",\"instance\":" + std::to_string(r.instance) + ",\"flow\":";
    json_string(out, r.flow);
    out += ",\"kind\":";
    json_string(out, r.kind);
    for (const auto& [k, v] : r.fields) {
        out += ',';
        json_string(out, k);
        out += ':';
        json_string(out, v);
    }
    out += '}';
    return out;
}

} // namespace nudge
