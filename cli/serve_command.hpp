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
    std::vector<std::string> limits; // --limit NAME=VALUE
};

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options);
int run_serve(const ServeOptions& options);

} // namespace nudge::cli
