#pragma once
// Structured log lines: one JSON object per line (time, level, event, then the fields). Phone
// numbers and message texts are left out unless debug logging is on; callers pass them
// through `personal()` so the rule lives in one place.

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>

namespace nudge::server {

class Log {
public:
    Log(std::ostream& out, bool debug) : out_(&out), debug_(debug) {}
    void info(const std::string& event, nlohmann::json fields = nlohmann::json::object());
    void warn(const std::string& event, nlohmann::json fields = nlohmann::json::object());
    void error(const std::string& event, nlohmann::json fields = nlohmann::json::object());
    // `value` when debug logging is on, else "(hidden)".
    std::string personal(const std::string& value) const;
    bool debug() const { return debug_; }

private:
    std::ostream* out_;
    bool debug_;
    void line(const char* level, const std::string& event, nlohmann::json fields);
};

} // namespace nudge::server
