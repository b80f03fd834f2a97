#include "log.hpp"

#include <nudge/clock.hpp>

#include <ostream>

namespace nudge::server {

void Log::line(const char* level, const std::string& event, nlohmann::json fields) {
    nlohmann::json j;
    j["time"] = format_instant(SystemClock().now());
    j["level"] = level;
    j["event"] = event;
    if (fields.is_object())
        for (auto& [k, v] : fields.items())
            j[k] = std::move(v);
    *out_ << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    out_->flush();
}

void Log::info(const std::string& event, nlohmann::json fields) {
    line("info", event, std::move(fields));
}
void Log::warn(const std::string& event, nlohmann::json fields) {
    line("warn", event, std::move(fields));
}
void Log::error(const std::string& event, nlohmann::json fields) {
    line("error", event, std::move(fields));
}

std::string Log::personal(const std::string& value) const { return debug_ ? value : "(hidden)"; }

} // namespace nudge::server
