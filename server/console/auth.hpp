#pragma once
// The staff console's logins: scrypt password hashes and random tokens (OpenSSL), and the
// sessions held in memory (a restart logs everyone out). Internal to nudge_server.

#include "config.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nudge::server::console {

// True when `password` hashes to `hash` (a `nudge hash-password` line); constant-time compare.
bool verify_password(std::string_view password, std::string_view hash);

// `bytes` random bytes from OpenSSL, as lower-case hex.
std::string random_token(std::size_t bytes = 32);

struct Session {
    std::string user;
    std::string role;
    std::string csrf;  // the token every form of this session carries
    std::string flash; // one message for the next page ("Assigned to #12")
    bool flash_error = false;
    std::chrono::steady_clock::time_point last_seen;
};

class Sessions {
public:
    explicit Sessions(std::chrono::seconds idle) : idle_(idle) {}
    // A new session for the user; returns its id (the cookie's value).
    std::string open(const ConsoleUser& user);
    // The live session with this id (its idle time restarts), or nullptr.
    Session* find(std::string_view id);
    void close(std::string_view id);

    // Failed logins per user name lock that name out for a minute after 5 in a row.
    bool locked(const std::string& name) const;
    void failed(const std::string& name);
    void succeeded(const std::string& name);

private:
    std::chrono::seconds idle_;
    std::map<std::string, Session, std::less<>> by_id_;
    struct Failures {
        int count = 0;
        std::chrono::steady_clock::time_point last;
    };
    std::map<std::string, Failures> failures_;
};

} // namespace nudge::server::console
