// message_json and WebhookTransport: a signed POST, statuses mapped to refusals.
#include "services.hpp"
#include "signature.hpp"

#include <nudge/error.hpp>
#include <nudge/transports.hpp>

#include <doctest/doctest.h>

#include <string>

using nudge::Message;
using nudge::WebhookOptions;
using nudge::WebhookTransport;
using nudge::test::Service;

namespace {

Message message() {
    Message m;
    m.id = "recall/42/remind/hook";
    m.flow = "recall";
    m.instance = 42;
    m.key = "patient-7";
    m.channel = "crm";
    m.kind = nudge::ChannelKind::webhook;
    m.to = "https://crm.example.org/x";
    m.from = "clinic";
    m.text = "Hej Søren ✓";
    m.at = nudge::parse_instant("2026-03-28T20:55:00Z");
    m.reminder = true;
    return m;
}

// "whsec_" and the base64 of "a test key of 24 bytes!!".
const std::string secret = "whsec_" + nudge::detail::base64_encode("a test key of 24 bytes!!");

#define REQUIRE_PYTHON()                                                                           \
    if (!nudge::test::python_installed()) {                                                        \
        MESSAGE("skipped: /usr/bin/python3 not installed");                                        \
        return;                                                                                    \
    }

} // namespace

TEST_CASE("webhook: message_json holds every field of the message") {
    auto j = nlohmann::json::parse(nudge::message_json(message()));
    CHECK(j["id"] == "recall/42/remind/hook");
    CHECK(j["flow"] == "recall");
    CHECK(j["instance"] == 42);
    CHECK(j["key"] == "patient-7");
    CHECK(j["channel"] == "crm");
    CHECK(j["kind"] == "webhook");
    CHECK(j["to"] == "https://crm.example.org/x");
    CHECK(j["from"] == "clinic");
    CHECK_FALSE(j.contains("subject"));
    CHECK(j["text"] == "Hej Søren ✓");
    CHECK(j["at"] == nudge::format_instant(message().at));
    CHECK(nudge::parse_instant(j["at"].get<std::string>()) == message().at);
    CHECK(j["reminder"] == true);

    Message m = message();
    m.kind = nudge::ChannelKind::email;
    m.subject = "Hej";
    m.text = std::string("bad \xFF byte", 10);
    auto e = nlohmann::json::parse(nudge::message_json(m));
    CHECK(e["kind"] == "email");
    CHECK(e["subject"] == "Hej");
    CHECK(e["text"] == "bad \xEF\xBF\xBD byte"); // U+FFFD, not an exception
}

TEST_CASE("webhook: the POST is JSON, signed as Standard Webhooks verify it") {
    REQUIRE_PYTHON();
    Service sink({"http"});
    WebhookOptions o;
    o.url = sink.info()["url"].get<std::string>() + "/hooks/nudge";
    o.secret = secret;
    o.timeout = std::chrono::seconds(5);
    WebhookTransport transport(o);
    auto r = transport.send(message());
    REQUIRE_MESSAGE(r.accepted, r.error);
    auto q = sink.command({{"cmd", "requests"}, {"count", 1}, {"timeout", 5}})["requests"][0];
    CHECK(q["method"] == "POST");
    CHECK(q["path"] == "/hooks/nudge");
    auto headers = q["headers"];
    CHECK(headers["content-type"] == "application/json");
    CHECK(headers["webhook-id"] == "recall/42/remind/hook");
    std::string body = q["body"];
    CHECK(body == nudge::message_json(message()));
    std::string timestamp = headers["webhook-timestamp"];
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    CHECK(std::abs(std::stoll(timestamp) - now) < 60);
    std::vector<std::string> keys{*nudge::detail::webhook_key(secret)};
    CHECK(nudge::detail::webhook_signature_valid(keys, "recall/42/remind/hook", timestamp, body,
                                                 headers["webhook-signature"].get<std::string>()));
    // And not for another body or key.
    CHECK_FALSE(
        nudge::detail::webhook_signature_valid(keys, "recall/42/remind/hook", timestamp, body + " ",
                                               headers["webhook-signature"].get<std::string>()));
    CHECK_FALSE(nudge::detail::webhook_signature_valid(
        {"other key"}, "recall/42/remind/hook", timestamp, body,
        headers["webhook-signature"].get<std::string>()));
}

TEST_CASE("webhook: 2xx is accepted, other 4xx permanent, 5xx, 429 and no answer temporary") {
    REQUIRE_PYTHON();
    Service sink({"http"});
    std::string base = sink.info()["url"];
    auto send_to = [&](const std::string& url) {
        WebhookOptions o;
        o.url = url;
        o.secret = "raw secret";
        o.timeout = std::chrono::seconds(5);
        return WebhookTransport(o).send(message());
    };
    for (int status : {200, 201, 202, 204}) {
        CAPTURE(status);
        auto r = send_to(base + "/status/" + std::to_string(status));
        CHECK_MESSAGE(r.accepted, r.error);
    }
    for (int status : {400, 401, 404, 410, 422}) {
        CAPTURE(status);
        auto r = send_to(base + "/status/" + std::to_string(status));
        CHECK_FALSE(r.accepted);
        CHECK(r.permanent);
        CHECK(r.error.find("webhook: HTTP " + std::to_string(status)) == 0);
    }
    for (int status : {429, 500, 502, 503}) {
        CAPTURE(status);
        auto r = send_to(base + "/status/" + std::to_string(status));
        CHECK_FALSE(r.accepted);
        CHECK_FALSE(r.permanent);
    }
    auto refused = send_to("http://127.0.0.1:" + std::to_string(nudge::test::closed_port()));
    CHECK_FALSE(refused.accepted);
    CHECK_FALSE(refused.permanent);
    CHECK(refused.error.find("webhook: no answer") == 0);
}

TEST_CASE("webhook: a secret that says whsec_ but is not base64 is refused at construction") {
    WebhookOptions o;
    o.url = "http://127.0.0.1:9";
    o.secret = "whsec_not base64!";
    CHECK_THROWS_AS(WebhookTransport{o}, nudge::error);
    o.secret = "";
    CHECK_THROWS_AS(WebhookTransport{o}, nudge::error);
}
