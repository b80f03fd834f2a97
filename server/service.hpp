#pragma once
// `nudge serve`: one process, one Asio loop. The loop owns the DurableEngine (the engine owns
// no threads and is touched only here), the HTTP listener, the timer that wakes the engine at
// its next deadline, and the signals; gateway calls run on a small worker pool and post their
// results back to the loop.

#include "config.hpp"

#include <iosfwd>
#include <string>
#include <string_view>

namespace nudge::server {

// Runs until SIGTERM or SIGINT (drains, then returns 0). Writes its JSON log lines to `log`.
// Returns 1 when it cannot start (flows with errors, a database it cannot open, a port taken),
// after logging why.
int serve(const Config& config, std::ostream& log);

// A console user's password hash (scrypt via OpenSSL, a fresh random salt each time):
// "scrypt$N$r$p$<salt, base64>$<hash, base64>".
std::string hash_password(std::string_view password);

} // namespace nudge::server
