#include "config.hpp"

#include <nudge/error.hpp>
#include <nudge/flow.hpp>

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <set>

namespace nudge::server {

namespace {

void check_user(const ConsoleUser& u, const std::function<void(const std::string&)>& fail) {
    if (u.name.empty()) fail("a console user needs a name");
    if (u.role != "staff" && u.role != "admin")
        fail("console user '" + u.name + "': role must be staff or admin, saw '" + u.role + "'");
    if (u.password_hash.rfind("scrypt$", 0) != 0)
        fail("console user '" + u.name +
             "': password_hash must come from `nudge hash-password` (scrypt$…)");
}

struct Reader {
    std::string file;
    const std::function<std::optional<std::string>(const std::string&)>& env;

    [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
        auto m = at.Mark();
        std::string where = file;
        if (!m.is_null())
            where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
        throw error(where + ": " + what);
    }

    std::string text(const YAML::Node& n, const std::string& key) const {
        if (!n.IsScalar()) fail(n, "'" + key + "' must be a single value");
        return n.Scalar();
    }

    std::size_t count(const YAML::Node& n, const std::string& key) const {
        auto s = text(n, key);
        std::size_t v = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec == std::errc() && p == s.data() + s.size() && v > 0) return v;
        fail(n, "'" + key + "' must be a whole number above 0, saw '" + s + "'");
    }

    std::chrono::seconds seconds(const YAML::Node& n, const std::string& key) const {
        auto s = text(n, key);
        auto d = parse_duration(s);
        auto exact = d ? exact_seconds(*d) : std::nullopt;
        if (!exact || *exact <= 0)
            fail(n, "'" + key + "' must be a duration such as 10s or 2m, saw '" + s + "'");
        return std::chrono::seconds(*exact);
    }

    bool flag(const YAML::Node& n, const std::string& key) const {
        auto s = text(n, key);
        if (s == "true") return true;
        if (s == "false") return false;
        fail(n, "'" + key + "' must be true or false, saw '" + s + "'");
    }

    // The value of the environment variable a `*_env` key names; refused when unset.
    std::string secret(const YAML::Node& n, const std::string& key) const {
        auto name = text(n, key);
        auto v = env(name);
        if (!v || v->empty())
            fail(n, "'" + key + "' names the environment variable " + name + ", which is not set");
        return *v;
    }

    void only(const YAML::Node& map, std::initializer_list<const char*> keys,
              const std::string& what) const {
        std::set<std::string> known(keys.begin(), keys.end());
        for (const auto& kv : map) {
            auto k = kv.first.Scalar();
            if (!known.count(k)) {
                std::string list;
                for (const auto* key : keys)
                    list += std::string(list.empty() ? "" : ", ") + key;
                fail(kv.first, "unknown key '" + k + "' in " + what + " (known: " + list + ")");
            }
        }
    }

    void limits(const YAML::Node& l, Limits& L) const {
        if (!l.IsMap()) fail(l, "'limits' must be a map");
        only(l,
             {"body_bytes", "header_bytes", "read_timeout", "max_connections", "drain_timeout",
              "send_workers", "batch_max", "webhook_tolerance", "keep_finished", "db_cache_mib"},
             "'limits'");
        if (l["body_bytes"]) L.body_bytes = count(l["body_bytes"], "body_bytes");
        if (l["header_bytes"]) L.header_bytes = count(l["header_bytes"], "header_bytes");
        if (l["read_timeout"]) L.read_timeout = seconds(l["read_timeout"], "read_timeout");
        if (l["max_connections"])
            L.max_connections = count(l["max_connections"], "max_connections");
        if (l["drain_timeout"]) L.drain_timeout = seconds(l["drain_timeout"], "drain_timeout");
        if (l["send_workers"]) L.send_workers = count(l["send_workers"], "send_workers");
        if (l["batch_max"]) L.batch_max = count(l["batch_max"], "batch_max");
        if (l["webhook_tolerance"])
            L.webhook_tolerance = seconds(l["webhook_tolerance"], "webhook_tolerance");
        if (l["keep_finished"]) L.keep_finished = count(l["keep_finished"], "keep_finished");
        if (l["db_cache_mib"]) L.db_cache_mib = count(l["db_cache_mib"], "db_cache_mib");
    }

    // businesses: {roma: {missed_call: {active_hours: "mon-sun 11:00-22:00", blocked: [...]}}}
    // A list value (a list setting) becomes its items one per line.
    void businesses(const YAML::Node& n, Config& c) const {
        if (!n.IsMap()) fail(n, "'businesses' must map business names to their flows' settings");
        for (const auto& b : n) {
            auto business = b.first.Scalar();
            if (!b.second.IsMap())
                fail(b.second, "business '" + business + "' must map flow names to settings");
            auto& flows = c.businesses[business];
            for (const auto& f : b.second) {
                auto flow = f.first.Scalar();
                auto& values = flows[flow];
                if (f.second.IsNull()) continue; // the flow's defaults
                if (!f.second.IsMap())
                    fail(f.second, "business '" + business + "', flow '" + flow +
                                       "': the settings must be a map of name: value");
                for (const auto& v : f.second) {
                    auto name = v.first.Scalar();
                    std::string value;
                    if (v.second.IsSequence()) {
                        for (const auto& item : v.second) {
                            if (!item.IsScalar())
                                fail(item, "setting '" + name + "': each item must be a value");
                            value += (value.empty() ? "" : "\n") + item.Scalar();
                        }
                    } else if (v.second.IsScalar()) {
                        value = v.second.Scalar();
                    } else if (!v.second.IsNull()) {
                        fail(v.second, "setting '" + name + "' must be a value or a list");
                    }
                    values[name] = value;
                }
            }
        }
    }

    void console(const YAML::Node& n, ConsoleConfig& k) const {
        if (!n.IsMap()) fail(n, "'console' must be a map");
        only(n, {"users", "language", "zone", "secure_cookies", "session_idle", "sms_price"},
             "'console'");
        if (n["language"]) {
            k.language = text(n["language"], "language");
            if (k.language != "en" && k.language != "da")
                fail(n["language"], "'language' must be en or da, saw '" + k.language + "'");
        }
        if (n["zone"]) k.zone = text(n["zone"], "zone");
        if (n["secure_cookies"]) k.secure_cookies = flag(n["secure_cookies"], "secure_cookies");
        if (n["session_idle"]) k.session_idle = seconds(n["session_idle"], "session_idle");
        if (n["sms_price"]) {
            auto s = text(n["sms_price"], "sms_price");
            try {
                std::size_t used = 0;
                k.sms_price = std::stod(s, &used);
                if (used != s.size() || k.sms_price < 0) throw std::invalid_argument(s);
            } catch (const std::exception&) {
                fail(n["sms_price"], "'sms_price' must be a number of 0 or more, saw '" + s + "'");
            }
        }
        if (auto users = n["users"]) {
            if (!users.IsSequence()) fail(users, "'users' must be a list");
            for (const auto& u : users) {
                if (!u.IsMap()) fail(u, "each user must be a map of name, role, password_hash");
                only(u, {"name", "role", "password_hash"}, "a console user");
                ConsoleUser user;
                if (u["name"]) user.name = text(u["name"], "name");
                if (u["role"]) user.role = text(u["role"], "role");
                if (u["password_hash"])
                    user.password_hash = text(u["password_hash"], "password_hash");
                check_user(user, [&](const std::string& what) { fail(u, what); });
                k.users.push_back(user);
            }
        }
    }

    ChannelConfig channel(const YAML::Node& n, const std::string& name) const {
        if (!n.IsMap()) fail(n, "channel '" + name + "' must be a map with a 'transport'");
        only(n,
             {"transport", "url", "username", "password_env", "from", "secret_env", "path", "smsc",
              "dlr_mask", "require_tls"},
             "channel '" + name + "'");
        ChannelConfig c;
        if (!n["transport"]) fail(n, "channel '" + name + "' has no 'transport'");
        c.kind = text(n["transport"], "transport");
        if (c.kind != "kannel" && c.kind != "smtp" && c.kind != "webhook" && c.kind != "file")
            fail(n["transport"],
                 "unknown transport '" + c.kind + "' (known: kannel, smtp, webhook, file)");
        if (n["url"]) c.url = text(n["url"], "url");
        if (n["username"]) c.username = text(n["username"], "username");
        if (n["password_env"]) c.password = secret(n["password_env"], "password_env");
        if (n["from"]) c.from = text(n["from"], "from");
        if (n["secret_env"]) c.secret = secret(n["secret_env"], "secret_env");
        if (n["path"]) c.path = text(n["path"], "path");
        if (n["smsc"]) c.smsc = text(n["smsc"], "smsc");
        if (n["dlr_mask"]) c.dlr_mask = static_cast<int>(count(n["dlr_mask"], "dlr_mask"));
        if (n["require_tls"]) c.require_tls = flag(n["require_tls"], "require_tls");
        bool needs_url = c.kind != "file";
        if (needs_url && c.url.empty()) fail(n, "channel '" + name + "' needs a 'url'");
        if (c.kind == "file" && c.path.empty()) fail(n, "channel '" + name + "' needs a 'path'");
        if (c.kind == "webhook" && c.secret.empty())
            fail(n, "channel '" + name + "' needs a 'secret_env' to sign with");
        return c;
    }
};

} // namespace

Config read_config(const std::string& path,
                   const std::function<std::optional<std::string>(const std::string&)>& env) {
    YAML::Node root;
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
        throw error(path + ": cannot read the config file");
    } catch (const YAML::Exception& e) {
        throw error(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                    std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    Reader r{path, env};
    Config c;
    if (root.IsNull()) return c;
    if (!root.IsMap()) r.fail(root, "the config must be a map of settings");
    r.only(root,
           {"flows", "database", "listen", "public_url", "channels", "secrets", "limits",
            "fake_clock", "synchronous", "debug_log", "console", "businesses"},
           "the config");
    if (root["flows"]) c.flows = r.text(root["flows"], "flows");
    if (root["database"]) c.database = r.text(root["database"], "database");
    if (root["listen"]) c.listen = r.text(root["listen"], "listen");
    if (root["public_url"]) c.public_url = r.text(root["public_url"], "public_url");
    if (root["fake_clock"]) c.fake_clock = r.text(root["fake_clock"], "fake_clock");
    if (root["debug_log"]) c.debug_log = r.flag(root["debug_log"], "debug_log");
    if (auto s = root["synchronous"]) {
        auto v = r.text(s, "synchronous");
        if (v != "full" && v != "normal") r.fail(s, "'synchronous' must be full or normal");
        c.synchronous_full = v == "full";
    }
    if (auto ch = root["channels"]) {
        if (!ch.IsMap()) r.fail(ch, "'channels' must map channel names to transports");
        for (const auto& kv : ch)
            c.channels[kv.first.Scalar()] = r.channel(kv.second, kv.first.Scalar());
    }
    if (auto s = root["secrets"]) {
        if (!s.IsMap()) r.fail(s, "'secrets' must be a map");
        r.only(s, {"webhook_env", "read_token_env", "kannel_token_env"}, "'secrets'");
        if (auto w = s["webhook_env"]) {
            // One variable, or a list of them (rotation: the new secret and the old one).
            if (w.IsSequence()) {
                for (const auto& item : w)
                    c.webhook_secrets.push_back(r.secret(item, "webhook_env"));
            } else {
                c.webhook_secrets.push_back(r.secret(w, "webhook_env"));
            }
        }
        if (s["read_token_env"]) c.read_token = r.secret(s["read_token_env"], "read_token_env");
        if (s["kannel_token_env"])
            c.kannel_token = r.secret(s["kannel_token_env"], "kannel_token_env");
    }
    if (auto l = root["limits"]) r.limits(l, c.limits);
    if (auto k = root["console"]) r.console(k, c.console);
    if (auto b = root["businesses"]) r.businesses(b, c);
    return c;
}

void apply_setting(Config& config, const std::string& spec) {
    auto eq = spec.find('=');
    auto path = spec.substr(0, eq);
    auto slash = path.find('/');
    auto second = slash == std::string::npos ? slash : path.find('/', slash + 1);
    auto business = path.substr(0, slash);
    auto flow = slash == std::string::npos ? "" : path.substr(slash + 1, second - slash - 1);
    auto name = second == std::string::npos ? "" : path.substr(second + 1);
    bool whole = eq == std::string::npos && second == std::string::npos;
    if (business.empty() || flow.empty() || (!whole && name.empty()) ||
        (eq == std::string::npos) != (second == std::string::npos))
        throw error("--setting BUSINESS/FLOW/NAME=VALUE (or BUSINESS/FLOW) expected, saw '" + spec +
                    "'");
    auto& values = config.businesses[business][flow];
    if (!whole) values[name] = spec.substr(eq + 1);
}

ConsoleUser parse_console_user(const std::string& spec) {
    auto a = spec.find(':');
    auto b = a == std::string::npos ? a : spec.find(':', a + 1);
    if (b == std::string::npos)
        throw error("--console-user NAME:ROLE:HASH expected, saw '" + spec + "'");
    ConsoleUser u{spec.substr(0, a), spec.substr(a + 1, b - a - 1), spec.substr(b + 1)};
    check_user(u, [&](const std::string& what) { throw error("--console-user: " + what); });
    return u;
}

void apply_limit(Config& config, const std::string& spec) {
    auto eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
        throw error("--limit NAME=VALUE expected, saw '" + spec + "'");
    YAML::Node l(YAML::NodeType::Map);
    l[spec.substr(0, eq)] = spec.substr(eq + 1);
    auto no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    std::function<std::optional<std::string>(const std::string&)> env = no_env;
    Reader r{"--limit " + spec, env};
    r.limits(l, config.limits);
}

ChannelConfig parse_channel_flag(const std::string& spec) {
    auto colon = spec.find(':');
    if (colon == std::string::npos)
        throw error("--channel NAME=KIND:WHERE expected, saw '" + spec + "'");
    ChannelConfig c;
    c.kind = spec.substr(0, colon);
    auto rest = spec.substr(colon + 1);
    if (c.kind == "file") {
        c.path = rest;
    } else if (c.kind == "kannel" || c.kind == "smtp") {
        // user:password@ in the URL are the credentials; they are taken out of the URL.
        auto scheme_end = rest.find("://");
        auto authority_end = scheme_end == std::string::npos
                                 ? std::string::npos
                                 : rest.find_first_of("/?", scheme_end + 3);
        auto at = rest.substr(0, authority_end).find('@');
        if (scheme_end != std::string::npos && at != std::string::npos && at > scheme_end) {
            auto userinfo = rest.substr(scheme_end + 3, at - scheme_end - 3);
            auto sep = userinfo.find(':');
            c.username = userinfo.substr(0, sep);
            if (sep != std::string::npos) c.password = userinfo.substr(sep + 1);
            rest = rest.substr(0, scheme_end + 3) + rest.substr(at + 1);
        }
        auto q = rest.find("?from=");
        if (c.kind == "smtp" && q != std::string::npos) {
            c.from = rest.substr(q + 6);
            rest = rest.substr(0, q);
        }
        c.url = rest;
    } else if (c.kind == "webhook") {
        throw error("a webhook channel needs a secret: configure it in the config file");
    } else {
        throw error("unknown transport '" + c.kind + "' in '" + spec +
                    "' (known: kannel, smtp, file)");
    }
    if (rest.empty()) throw error("--channel '" + spec + "' names no destination");
    return c;
}

std::vector<std::string> validate(const Config& c) {
    std::vector<std::string> problems;
    if (c.flows.empty()) problems.push_back("no flows folder (flows: in the config, or --flows)");
    if (c.database.empty())
        problems.push_back("no database file (database: in the config, or --db)");
    if (c.listen.find(':') == std::string::npos)
        problems.push_back("listen must be ADDRESS:PORT, saw '" + c.listen + "'");
    if (c.channels.empty())
        problems.push_back("no channel has a transport (channels: in the config, or --channel)");
    return problems;
}

} // namespace nudge::server
