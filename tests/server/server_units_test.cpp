// The server's parts that need no network: Standard Webhooks signatures, the config reader,
// the Prometheus text, URL decoding.
#include "config.hpp"
#include "console/auth.hpp"
#include "http.hpp"
#include "metrics.hpp"
#include "service.hpp"
#include "signature.hpp"

#include <nudge/error.hpp>

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

using namespace nudge;
using namespace nudge::server;

TEST_CASE("standard webhooks: the specification's example signature") {
    // The example of the Standard Webhooks specification (spec/standard-webhooks.md).
    auto key = detail::webhook_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    REQUIRE(key);
    auto sig = detail::webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                         R"({"test": 2432232314})");
    CHECK(sig == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    CHECK(detail::webhook_signature_valid({*key}, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                          R"({"test": 2432232314})", "v1,bm9ldmVu " + sig));
    CHECK_FALSE(detail::webhook_signature_valid({*key}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                                "1614265331", R"({"test": 2432232314})", sig));
    CHECK_FALSE(detail::webhook_signature_valid({"other"}, "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                                "1614265330", R"({"test": 2432232314})", sig));
}

TEST_CASE("standard webhooks: base64 round trips and refuses what is not base64") {
    for (const std::string& s :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)})
        CHECK(detail::base64_decode(detail::base64_encode(s)) == s);
    CHECK_FALSE(detail::base64_decode("abc"));
    CHECK_FALSE(detail::base64_decode("ab c"));
    CHECK_FALSE(detail::webhook_key("whsec_!!!!"));
    CHECK(detail::webhook_key("plain secret") == "plain secret");
}

namespace {
// A name of its own per process and call: CTest runs test cases as separate processes at once,
// and std::rand() gives each the same first number.
std::filesystem::path write_temp(const std::string& text) {
    static int n = 0;
    auto p = std::filesystem::temp_directory_path() /
             ("nudge-config-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".yaml");
    std::ofstream(p) << text;
    return p;
}
auto env_of(std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

// What reading `text` as a config file (no environment) says is wrong with it; "" when fine.
std::string refused(const std::string& text) {
    auto q = write_temp(text);
    std::string message;
    try {
        read_config(q.string(), env_of({}));
    } catch (const nudge::error& e) {
        message = e.what();
    }
    std::filesystem::remove(q);
    return message;
}
} // namespace

TEST_CASE("config: a whole file, secrets from the environment") {
    auto p = write_temp(R"(flows: flows/
database: nudge.db
listen: 127.0.0.1:9090
channels:
  sms: {transport: kannel, url: "http://127.0.0.1:13013/cgi-bin/sendsms", username: nudge, password_env: KPW}
  email: {transport: smtp, url: "smtp://127.0.0.1:2525", from: "shop@example.dk"}
secrets:
  webhook_env: [NEW, OLD]
  read_token_env: READ
limits:
  body_bytes: 1000
  read_timeout: 5s
)");
    auto c =
        read_config(p.string(), env_of({{"KPW", "pw"}, {"NEW", "n"}, {"OLD", "o"}, {"READ", "r"}}));
    std::filesystem::remove(p);
    CHECK(c.flows == "flows/");
    CHECK(c.listen == "127.0.0.1:9090");
    CHECK(c.channels.at("sms").kind == "kannel");
    CHECK(c.channels.at("sms").password == "pw");
    CHECK(c.channels.at("email").from == "shop@example.dk");
    CHECK(c.webhook_secrets == std::vector<std::string>{"n", "o"});
    CHECK(c.read_token == "r");
    CHECK(c.limits.body_bytes == 1000);
    CHECK(c.limits.read_timeout == std::chrono::seconds(5));
    CHECK(c.limits.db_cache_mib == 64); // the default
    CHECK(validate(c).empty());
    apply_limit(c, "db_cache_mib=8");
    CHECK(c.limits.db_cache_mib == 8);
}

TEST_CASE("config: mistakes are named with their line and column") {
    auto check = [](const std::string& text, const std::string& words) {
        auto p = write_temp(text);
        std::string message;
        try {
            read_config(p.string(), env_of({}));
        } catch (const nudge::error& e) {
            message = e.what();
        }
        std::filesystem::remove(p);
        INFO(message);
        CHECK(message.find(words) != std::string::npos);
        return message;
    };
    auto m = check("flows: x\nlimts: {}\n", "unknown key 'limts'");
    CHECK(m.find(":2:1:") != std::string::npos);
    check("channels:\n  sms: {transport: carrier-pigeon}\n", "unknown transport 'carrier-pigeon'");
    check("channels:\n  sms: {transport: kannel, url: x, password_env: NOPE}\n",
          "NOPE, which is not set");
    check("limits: {read_timeout: soon}\n", "'read_timeout' must be a duration");
    check("limits: {body_bytes: -5}\n", "'body_bytes' must be a whole number");
    check("flows: [unclosed\n", "config-");
}

TEST_CASE("config: the console's users, language and zone") {
    auto hash = hash_password("a long enough password");
    auto p = write_temp("console:\n  language: da\n  zone: Europe/Copenhagen\n"
                        "  secure_cookies: true\n  sms_price: 0.45\n  users:\n"
                        "    - {name: anna, role: staff, password_hash: \"" +
                        hash + "\"}\n    - {name: olga, role: admin, password_hash: \"" + hash +
                        "\"}\n");
    auto c = read_config(p.string(), env_of({}));
    std::filesystem::remove(p);
    CHECK(c.console.language == "da");
    CHECK(c.console.zone == "Europe/Copenhagen");
    CHECK(c.console.secure_cookies);
    CHECK(c.console.sms_price == doctest::Approx(0.45));
    REQUIRE(c.console.users.size() == 2);
    CHECK(c.console.users[1].name == "olga");
    CHECK(c.console.users[1].role == "admin");

    CHECK(refused("console: {language: fr}\n").find("'language' must be en or da") !=
          std::string::npos);
    CHECK(refused("console:\n  users:\n    - {name: bo, role: boss, password_hash: x}\n")
              .find("role must be staff or admin") != std::string::npos);
    CHECK(refused("console:\n  users:\n    - {name: bo, role: staff, password_hash: hunter2}\n")
              .find("nudge hash-password") != std::string::npos);
    CHECK(parse_console_user("bo:staff:" + hash).name == "bo");
    CHECK_THROWS_AS(parse_console_user("bo:staff"), nudge::error);
    CHECK_THROWS_AS(parse_console_user("bo:king:" + hash), nudge::error);
}

TEST_CASE("console: scrypt password hashes from OpenSSL, salted and checked") {
    auto a = hash_password("correct horse battery staple");
    auto b = hash_password("correct horse battery staple");
    CHECK(a.rfind("scrypt$32768$8$1$", 0) == 0);
    CHECK(a != b); // a fresh salt each time
    CHECK(console::verify_password("correct horse battery staple", a));
    CHECK(console::verify_password("correct horse battery staple", b));
    CHECK_FALSE(console::verify_password("correct horse battery stapler", a));
    CHECK_FALSE(console::verify_password("", a));
    CHECK_FALSE(console::verify_password("x", "scrypt$garbage"));
    CHECK_FALSE(console::verify_password("x", "plain text"));
    // Parameters no nudge writes (a denial of service in a config) are refused unread.
    CHECK_FALSE(console::verify_password("x", "scrypt$4194304$8$1$AAAA$AAAA"));
    CHECK(console::random_token(16).size() == 32);
    CHECK(console::random_token() != console::random_token());
}

TEST_CASE("console: sessions end when idle and names lock after five failed logins") {
    console::Sessions sessions(std::chrono::seconds(3600));
    ConsoleUser anna{"anna", "staff", "scrypt$"};
    auto id = sessions.open(anna);
    auto* s = sessions.find(id);
    REQUIRE(s);
    CHECK(s->user == "anna");
    CHECK(s->csrf.size() == 64);
    CHECK(sessions.find("not-a-session") == nullptr);
    sessions.close(id);
    CHECK(sessions.find(id) == nullptr);

    console::Sessions quick(std::chrono::seconds(0));
    auto gone = quick.open(anna);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    CHECK(quick.find(gone) == nullptr);

    for (int i = 0; i < 4; ++i)
        sessions.failed("anna");
    CHECK_FALSE(sessions.locked("anna"));
    sessions.failed("anna");
    CHECK(sessions.locked("anna"));
    CHECK_FALSE(sessions.locked("olga"));
    sessions.succeeded("anna");
    CHECK_FALSE(sessions.locked("anna"));
}

TEST_CASE("config: --channel flags") {
    auto k = parse_channel_flag("kannel:http://user:secret@127.0.0.1:13013/cgi-bin/sendsms");
    CHECK(k.kind == "kannel");
    CHECK(k.username == "user");
    CHECK(k.password == "secret");
    CHECK(k.url == "http://127.0.0.1:13013/cgi-bin/sendsms");
    auto s = parse_channel_flag("smtp:smtp://127.0.0.1:25?from=shop@example.dk");
    CHECK(s.url == "smtp://127.0.0.1:25");
    CHECK(s.from == "shop@example.dk");
    CHECK(parse_channel_flag("file:out.jsonl").path == "out.jsonl");
    CHECK_THROWS_AS(parse_channel_flag("pigeon:x"), nudge::error);
    CHECK_THROWS_AS(parse_channel_flag("file:"), nudge::error);
}

TEST_CASE("metrics: Prometheus text format 0.0.4") {
    Metrics m;
    m.family("x_total", "counter", "Things.");
    m.family("lat_seconds", "histogram", "Latency.", {0.1, 1});
    m.add("x_total", {{"route", "a\"b"}});
    m.add("x_total", {{"route", "a\"b"}}, 2);
    m.observe("lat_seconds", 0.05);
    m.observe("lat_seconds", 0.5);
    m.observe("lat_seconds", 5);
    auto text = m.text();
    CHECK(text == "# HELP lat_seconds Latency.\n"
                  "# TYPE lat_seconds histogram\n"
                  "lat_seconds_bucket{le=\"0.1\"} 1\n"
                  "lat_seconds_bucket{le=\"1\"} 2\n"
                  "lat_seconds_bucket{le=\"+Inf\"} 3\n"
                  "lat_seconds_sum 5.55\n"
                  "lat_seconds_count 3\n"
                  "# HELP x_total Things.\n"
                  "# TYPE x_total counter\n"
                  "x_total{route=\"a\\\"b\"} 3\n");
    CHECK(m.value("x_total", {{"route", "a\"b"}}) == 3);
}

TEST_CASE("http: URL decoding and forms") {
    CHECK(url_decode("a%20b+c") == "a b+c");
    CHECK(url_decode("a%20b+c", true) == "a b c");
    CHECK_FALSE(url_decode("%2"));
    CHECK_FALSE(url_decode("%zz"));
    auto form = parse_form("from=%2B4520&to=4532&text=hej+med+dig&empty");
    REQUIRE(form.size() == 4);
    CHECK(form[0] == std::pair<std::string, std::string>{"from", "+4520"});
    CHECK(form[2].second == "hej med dig");
    CHECK(form[3].second == "");
    CHECK(url_encode("a b/ø") == "a%20b%2F%C3%B8");
}

TEST_CASE("config: businesses and their flows' settings, from the file and from --setting") {
    auto p = write_temp("businesses:\n  roma:\n    missed_call:\n      restaurant: Pizzeria Roma\n"
                        "      blocked: [\"+4533445566\", \"+4570101010\"]\n"
                        "      sms: on, from 4532100001\n  malmo:\n    missed_call:\n");
    auto c = read_config(p.string(), env_of({}));
    std::filesystem::remove(p);
    REQUIRE(c.businesses.size() == 2);
    const auto& roma = c.businesses.at("roma").at("missed_call");
    CHECK(roma.at("restaurant") == "Pizzeria Roma");
    CHECK(roma.at("blocked") == "+4533445566\n+4570101010");
    CHECK(roma.at("sms") == "on, from 4532100001");
    CHECK(c.businesses.at("malmo").at("missed_call").empty()); // the flow's defaults

    apply_setting(c, "malmo/missed_call/numbers=nordic");
    apply_setting(c, "odense/missed_call");
    apply_setting(c, "roma/missed_call/restaurant=Roma = Rome");
    CHECK(c.businesses.at("malmo").at("missed_call").at("numbers") == "nordic");
    CHECK(c.businesses.at("odense").at("missed_call").empty());
    CHECK(c.businesses.at("roma").at("missed_call").at("restaurant") == "Roma = Rome");
    CHECK_THROWS_AS(apply_setting(c, "malmo=nordic"), nudge::error);
    CHECK_THROWS_AS(apply_setting(c, "malmo/missed_call/=x"), nudge::error);
    CHECK_THROWS_AS(apply_setting(c, "malmo/missed_call/numbers"), nudge::error);

    CHECK(refused("businesses: [roma]\n").find("'businesses' must map business names") !=
          std::string::npos);
    CHECK(refused("businesses:\n  roma:\n    missed_call: [a]\n").find("must be a map") !=
          std::string::npos);
    CHECK(refused("businesses:\n  roma:\n    missed_call:\n      blocked: [{a: b}]\n")
              .find("setting 'blocked': each item must be a value") != std::string::npos);
}
