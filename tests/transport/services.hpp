#pragma once
// Starts a service of tests/fixtures/services.py (Kannel with a fake SMSC, an SMTP sink, an
// HTTP sink) for a test case, talks to it over its stdin and stdout, and stops it when the
// object goes: closing its stdin makes it kill its processes and remove its scratch files.

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace nudge::test {

// The interpreter with Debian's modules (aiosmtpd); a pyenv python on PATH lacks them.
inline constexpr const char* debian_python = "/usr/bin/python3";

bool kannel_installed();   // bearerbox, smsbox and fakesmsc
bool aiosmtpd_installed(); // /usr/bin/python3 -m aiosmtpd
bool python_installed();   // /usr/bin/python3 (enough for the HTTP sink)

class Service {
public:
    // `args`: "kannel" [--post-url URL] | "smtp" | "http". Throws std::runtime_error with the
    // service's complaint when it does not start within `timeout`.
    explicit Service(const std::vector<std::string>& args,
                     std::chrono::seconds timeout = std::chrono::seconds(40));
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    // The JSON line the service printed when it was ready (ports, URLs, credentials).
    const nlohmann::json& info() const { return info_; }
    // Sends one command and waits for its answer; throws when the answer is not
    // {"ok": true, …} or does not come within `timeout` (plus the command's own "timeout").
    nlohmann::json command(const nlohmann::json& cmd,
                           std::chrono::seconds timeout = std::chrono::seconds(10));

private:
    void stop();
    std::string read_line(std::chrono::steady_clock::time_point deadline);

    int pid_ = -1;
    int to_child_ = -1;
    int from_child_ = -1;
    std::string buffered_;
    nlohmann::json info_;
};

// A loopback port nothing listens on (bound, then closed).
int closed_port();

} // namespace nudge::test
