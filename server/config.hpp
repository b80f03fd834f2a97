#pragma once
// `nudge serve`'s settings: read from one YAML file, then overridden by command-line flags.
// Secrets are never written in the file: it names the environment variables that hold them.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nudge::server {

// Where one channel's messages go. `kind` is kannel, smtp, webhook or file; the other members
// apply to the kinds their comments name.
struct ChannelConfig {
    std::string kind;
    std::string url;          // kannel: sendsms URL; smtp: smtp://…; webhook: the receiver
    std::string username;     // kannel, smtp
    std::string password;     // kannel, smtp (from password_env)
    std::string from;         // smtp: From when the flow's channel has none
    std::string secret;       // webhook (from secret_env)
    std::string path;         // file
    std::string smsc;         // kannel
    int dlr_mask = 27;        // kannel
    bool require_tls = false; // smtp
};

struct Limits {
    std::size_t body_bytes = std::size_t{64} * 1024;
    std::size_t header_bytes = std::size_t{8} * 1024;
    std::chrono::seconds read_timeout{10};
    std::size_t max_connections = 512;
    std::chrono::seconds drain_timeout{10};
    std::size_t send_workers = 4;
    std::size_t batch_max = 1024; // inputs committed together at most
    std::chrono::seconds webhook_tolerance{300};
    // Finished instances the engine keeps in memory; older ones are read from the database.
    std::size_t keep_finished = 10000;
    // The database's page cache in MiB: the indexes' pages a step reads stay in memory.
    std::size_t db_cache_mib = 64;
};

// A person who may log in to the staff console.
struct ConsoleUser {
    std::string name;
    std::string role;          // staff (inbox, lists, instances) or admin (everything)
    std::string password_hash; // from `nudge hash-password`: scrypt$N$r$p$salt$hash
};

// The staff console under /ui/ (docs/console.md). Off when no user is configured.
struct ConsoleConfig {
    std::vector<ConsoleUser> users;
    std::string language = "en"; // en or da
    std::string zone;            // times shown in this zone; default: the first flow's
    bool secure_cookies = false; // set when the console is reached over TLS (a proxy)
    std::chrono::seconds session_idle{8 * 3600};
    double sms_price = 0; // the report's default price of one SMS
};

struct Config {
    std::string flows;    // folder of .flow / .flow.yaml files
    std::string database; // SQLite file
    std::string listen = "127.0.0.1:8080";
    // How gateways reach this server (Kannel's dlr-url); default http://LISTEN.
    std::string public_url;
    std::map<std::string, ChannelConfig> channels; // by channel name; "*" for any other
    std::vector<std::string> webhook_secrets;      // Standard Webhooks keys, newest first
    std::string read_token;                        // bearer token of the read API
    std::string kannel_token;                      // path token of Kannel's callbacks
    std::optional<std::string> fake_clock;         // start instant: test mode
    bool synchronous_full = true;
    bool debug_log = false; // log phone numbers and texts too
    Limits limits;
    ConsoleConfig console;
    // Settings per business: business → flow name → the values of the flow's settings
    // (<nudge/settings.hpp>). A flow named here runs once per business that names it
    // (as FLOW@BUSINESS) and not on its own.
    std::map<std::string, std::map<std::string, std::map<std::string, std::string, std::less<>>>>
        businesses;
};

// Reads `path`; throws nudge::error naming the file and, where it can, line and column.
// `env` looks environment variables up (std::getenv in the real server; tests pass their own).
Config read_config(const std::string& path,
                   const std::function<std::optional<std::string>(const std::string&)>& env);

// "kannel:http://user:pass@127.0.0.1:13013/cgi-bin/sendsms", "smtp:smtp://127.0.0.1:25?from=A",
// "webhook:https://…", "file:out.jsonl": a channel from a --channel flag. Throws nudge::error.
ChannelConfig parse_channel_flag(const std::string& spec);

// "batch_max=256": one limit from a --limit flag, read as the config file's `limits` key of that
// name is. Throws nudge::error.
void apply_limit(Config& config, const std::string& spec);

// "roma/missed_call/active_hours=mon-sun 11:00-22:00" (or "roma/missed_call"): one setting
// from a --setting flag, as the config's `businesses` key gives it. Throws nudge::error.
void apply_setting(Config& config, const std::string& spec);

// "anna:staff:scrypt$…": one console user from a --console-user flag. Throws nudge::error.
ConsoleUser parse_console_user(const std::string& spec);

// Every problem with a config that would stop the server, or an empty list.
std::vector<std::string> validate(const Config& config);

} // namespace nudge::server
