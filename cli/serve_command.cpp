#include "serve_command.hpp"

#include "service.hpp"

#include <nudge/error.hpp>

#include <cstdlib>
#include <iostream>

namespace nudge::cli {

CLI::App* add_serve_command(CLI::App& app, ServeOptions& o) {
    auto* cmd = app.add_subcommand(
        "serve", "Run flows for real: webhooks in, SMS and e-mail out, every step durable");
    cmd->footer("Every setting of the config file can also be given as a flag; a flag wins. "
                "Secrets are read from the environment variables the config (or the *-env "
                "flags) name. docs/http.md describes the HTTP interface.");
    cmd->add_option("--config", o.config, "The config file (YAML)");
    cmd->add_option("--flows", o.flows, "The folder of .flow / .flow.yaml files");
    cmd->add_option("--db", o.database, "The SQLite database file (created when absent)");
    cmd->add_option("--listen", o.listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8080)");
    cmd->add_option("--public-url", o.public_url,
                    "How gateways reach this server, for delivery reports (default http://LISTEN)");
    cmd->add_option("--channel", o.channels,
                    "NAME=KIND:WHERE, e.g. sms=kannel:http://user:pass@127.0.0.1:13013/cgi-bin/"
                    "sendsms, email=smtp:smtp://127.0.0.1:25?from=shop@example.dk, "
                    "sms=file:out.jsonl (repeatable; NAME * for any channel)");
    cmd->add_option("--webhook-secret-env", o.webhook_secret_env,
                    "Environment variable holding a Standard Webhooks secret (repeatable: "
                    "several secrets are accepted at once, for rotation)");
    cmd->add_option("--read-token-env", o.read_token_env,
                    "Environment variable holding the read API's bearer token");
    cmd->add_option("--kannel-token-env", o.kannel_token_env,
                    "Environment variable holding the token in Kannel's callback URLs");
    cmd->add_option("--fake-clock", o.fake_clock,
                    "Test mode: run on a fake clock starting at this instant, and offer "
                    "POST /v1/clock/advance");
    cmd->add_option("--synchronous", o.synchronous,
                    "SQLite's synchronous setting: full (default; survives power loss) or normal")
        ->check(CLI::IsMember({"full", "normal"}));
    cmd->add_flag("--debug-log", o.debug_log, "Log phone numbers and message texts too");
    cmd->add_option("--limit", o.limits,
                    "NAME=VALUE: one of the config's limits (body_bytes, header_bytes, "
                    "read_timeout, max_connections, drain_timeout, send_workers, batch_max, "
                    "webhook_tolerance, keep_finished, db_cache_mib); repeatable");
    cmd->add_option("--console-user", o.console_users,
                    "NAME:ROLE:HASH: a staff console user (role staff or admin; the hash from "
                    "`nudge hash-password`); repeatable");
    cmd->add_option("--console-language", o.console_language, "The console's language: en or da")
        ->check(CLI::IsMember({"en", "da"}));
    cmd->add_option("--console-zone", o.console_zone,
                    "The time zone the console shows times in (default: the first flow's)");
    cmd->add_option("--setting", o.settings,
                    "BUSINESS/FLOW/NAME=VALUE: a setting of a flow a business runs (the config's "
                    "businesses:); BUSINESS/FLOW alone runs it with the flow's defaults; "
                    "repeatable");
    return cmd;
}

CLI::App* add_hash_password_command(CLI::App& app) {
    return app.add_subcommand("hash-password",
                              "Read a password from standard input and print its hash for a "
                              "console user (console: users: password_hash)");
}

int run_hash_password() {
    std::string password;
    std::getline(std::cin, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    if (password.size() < 8) {
        std::cerr << "nudge hash-password: a password needs at least 8 characters\n";
        return 2;
    }
    std::cout << server::hash_password(password) << "\n";
    return 0;
}

int run_serve(const ServeOptions& o) {
    auto env = [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
    server::Config config;
    try {
        if (!o.config.empty()) config = server::read_config(o.config, env);
        if (!o.flows.empty()) config.flows = o.flows;
        if (!o.database.empty()) config.database = o.database;
        if (!o.listen.empty()) config.listen = o.listen;
        if (!o.public_url.empty()) config.public_url = o.public_url;
        if (!o.fake_clock.empty()) config.fake_clock = o.fake_clock;
        if (!o.synchronous.empty()) config.synchronous_full = o.synchronous == "full";
        if (o.debug_log) config.debug_log = true;
        for (const auto& spec : o.limits)
            server::apply_limit(config, spec);
        for (const auto& spec : o.channels) {
            auto eq = spec.find('=');
            if (eq == std::string::npos || eq == 0)
                throw error("--channel NAME=KIND:WHERE expected, saw '" + spec + "'");
            config.channels[spec.substr(0, eq)] = server::parse_channel_flag(spec.substr(eq + 1));
        }
        auto secret = [&](const std::string& name, const char* flag) {
            auto v = env(name);
            if (!v || v->empty())
                throw error(std::string(flag) + " names " + name + ", which is not set");
            return *v;
        };
        if (!o.webhook_secret_env.empty()) {
            config.webhook_secrets.clear();
            for (const auto& name : o.webhook_secret_env)
                config.webhook_secrets.push_back(secret(name, "--webhook-secret-env"));
        }
        if (!o.read_token_env.empty())
            config.read_token = secret(o.read_token_env, "--read-token-env");
        if (!o.kannel_token_env.empty())
            config.kannel_token = secret(o.kannel_token_env, "--kannel-token-env");
        for (const auto& spec : o.console_users)
            config.console.users.push_back(server::parse_console_user(spec));
        if (!o.console_language.empty()) config.console.language = o.console_language;
        if (!o.console_zone.empty()) config.console.zone = o.console_zone;
        for (const auto& spec : o.settings)
            server::apply_setting(config, spec);
    } catch (const nudge::error& e) {
        std::cerr << "nudge serve: " << e.what() << "\n";
        return 2;
    }
    if (config.public_url.empty()) config.public_url = "http://" + config.listen;
    auto problems = server::validate(config);
    if (!problems.empty()) {
        for (const auto& p : problems)
            std::cerr << "nudge serve: " << p << "\n";
        return 2;
    }
    return server::serve(config, std::cerr);
}

} // namespace nudge::cli
