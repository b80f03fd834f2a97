#pragma once
// nudge serve: run flows for real (server/service.hpp), configured by a file and flags.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace nudge::cli {

struct ServeOptions {
    std::string config;
    std::string flows;
    std::string database;
    std::string listen;
    std::string public_url;
    std::vector<std::string> channels; // NAME=KIND:WHERE
    std::string fake_clock;
    std::vector<std::string> webhook_secret_env;
    std::string read_token_env;
    std::string kannel_token_env;
    std::string synchronous;
    bool debug_log = false;
    std::vector<std::string> limits;        // --limit NAME=VALUE
    std::vector<std::string> console_users; // NAME:ROLE:HASH
    std::string console_language;
    std::string console_zone;
    std::vector<std::string> settings; // BUSINESS/FLOW/NAME=VALUE
};

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);
int run_serve(const ServeOptions& options);

// nudge hash-password: reads a password from standard input and prints its scrypt hash for a
// console user in the config.
CLI::App* add_hash_password_command(CLI::App& app);
int run_hash_password();

} // namespace nudge::cli
