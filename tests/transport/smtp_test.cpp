// smtp_message's RFC 5322 text, and SmtpTransport through aiosmtpd on loopback.
#include "services.hpp"
#include "signature.hpp"

#include <nudge/transports.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using nudge::Message;
using nudge::SmtpOptions;
using nudge::SmtpTransport;
using nudge::test::Service;

namespace {

Message mail(std::string id, std::string to, std::string subject, std::string text) {
    Message m;
    m.id = std::move(id);
    m.flow = "recall";
    m.channel = "mail";
    m.kind = nudge::ChannelKind::email;
    m.to = std::move(to);
    m.subject = std::move(subject);
    m.text = std::move(text);
    return m;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t at = 0;
    for (std::size_t end; (end = text.find("\r\n", at)) != std::string::npos; at = end + 2)
        lines.push_back(text.substr(at, end - at));
    if (at != text.size()) lines.push_back(text.substr(at));
    return lines;
}

// The header value of `name` with folded lines joined (without the CRLF).
std::string header(const std::string& message, const std::string& name) {
    auto lines = lines_of(message);
    std::string value;
    bool in = false;
    for (const auto& l : lines) {
        if (l.empty()) break;
        if (in && (l[0] == ' ' || l[0] == '\t')) {
            value += l;
            continue;
        }
        in = l.rfind(name + ": ", 0) == 0;
        if (in) value = l.substr(name.size() + 2);
    }
    return value;
}

#define REQUIRE_AIOSMTPD()                                                                         \
    if (!nudge::test::aiosmtpd_installed()) {                                                      \
        MESSAGE("skipped: /usr/bin/python3 with aiosmtpd not installed (python3-aiosmtpd); "       \
                "scripts/bootstrap installs it");                                                  \
        return;                                                                                    \
    }

} // namespace

TEST_CASE("smtp: smtp_message writes RFC 5322 headers and a base64 body with CRLF") {
    SmtpOptions o;
    o.from = "Klinikken <noreply@example.org>";
    auto m = mail("recall/7/remind/mail", "kunde@example.net", "Your appointment", "Hi\nsee you");
    auto date = nudge::parse_instant("2026-12-06T07:15:03Z");
    std::string text = nudge::smtp_message(m, o, date);
    // Every line ends in CRLF; no bare LF anywhere.
    for (std::size_t i = 0; i < text.size(); ++i)
        if (text[i] == '\n') REQUIRE((i > 0 && text[i - 1] == '\r'));
    CHECK(text.substr(text.size() - 2) == "\r\n");
    CHECK(header(text, "Date") == "Sun, 06 Dec 2026 07:15:03 +0000");
    CHECK(header(text, "From") == "Klinikken <noreply@example.org>");
    CHECK(header(text, "To") == "kunde@example.net");
    CHECK(header(text, "Subject") == "Your appointment");
    CHECK(header(text, "Message-ID") == "<recall/7/remind/mail@nudge>");
    CHECK(header(text, "X-Nudge-Idempotency-Key") == "recall/7/remind/mail");
    CHECK(header(text, "MIME-Version") == "1.0");
    CHECK(header(text, "Content-Type") == "text/plain; charset=UTF-8");
    CHECK(header(text, "Content-Transfer-Encoding") == "base64");
    auto body = text.substr(text.find("\r\n\r\n") + 4);
    // The body's line break is sent in canonical form, CRLF.
    CHECK(nudge::detail::base64_decode(body.substr(0, body.size() - 2)) == "Hi\r\nsee you");
    // Message.from wins over the options' sender.
    m.from = "other@example.org";
    CHECK(header(nudge::smtp_message(m, o, date), "From") == "other@example.org");
}

TEST_CASE("smtp: a non-ASCII subject becomes encoded-words of at most 75 characters") {
    std::string subject;
    for (int i = 0; i < 20; ++i)
        subject += "Påmindelse ✓ ";
    auto m = mail("x", "a@example.net", subject, "");
    std::string text = nudge::smtp_message(m, SmtpOptions{}, nudge::parse_instant("2026-01-01"));
    auto lines = lines_of(text);
    std::string decoded;
    int words = 0;
    bool in_subject = false;
    for (const auto& l : lines) {
        if (l.empty()) break;
        if (l.rfind("Subject: ", 0) == 0) {
            in_subject = true;
        } else if (!in_subject || l[0] != ' ') {
            in_subject = false;
            continue;
        }
        std::string word = l.substr(l.find_first_of(" ") + 1);
        REQUIRE(word.size() <= 75);
        REQUIRE(word.rfind("=?UTF-8?B?", 0) == 0);
        REQUIRE(word.substr(word.size() - 2) == "?=");
        auto part = nudge::detail::base64_decode(word.substr(10, word.size() - 12));
        REQUIRE(part);
        decoded += *part;
        ++words;
    }
    CHECK(words > 1);
    CHECK(decoded == subject);
}

TEST_CASE("smtp: line breaks in header values cannot add headers") {
    auto m = mail("x", "a@example.net\r\nBcc: evil@example.com", "Hi\r\nX-Evil: 1", "body");
    std::string text = nudge::smtp_message(m, SmtpOptions{}, nudge::parse_instant("2026-01-01"));
    CHECK(header(text, "Bcc").empty());
    CHECK(header(text, "X-Evil").empty());
    CHECK(header(text, "Subject") == "Hi  X-Evil: 1");
}

TEST_CASE("smtp: long bodies are base64 in lines of 76, and ids with odd characters stay "
          "distinct in Message-ID") {
    auto m = mail("flow/1/step/a b.ø%", "a@example.net", "s", std::string(500, 'x'));
    std::string text = nudge::smtp_message(m, SmtpOptions{}, nudge::parse_instant("2026-01-01"));
    auto body = text.substr(text.find("\r\n\r\n") + 4);
    auto lines = lines_of(body);
    REQUIRE(lines.size() > 1);
    for (std::size_t i = 0; i + 1 < lines.size(); ++i)
        CHECK(lines[i].size() == 76);
    CHECK(header(text, "Message-ID") == "<flow/1/step/a%20b%2E%C3%B8%25@nudge>");
    // The idempotency key is the id itself when it is printable ASCII, else encoded the same way.
    CHECK(header(text, "X-Nudge-Idempotency-Key") == "flow/1/step/a%20b%2E%C3%B8%25");
    m.id = "flow/1/step/a b.c";
    text = nudge::smtp_message(m, SmtpOptions{}, nudge::parse_instant("2026-01-01"));
    CHECK(header(text, "X-Nudge-Idempotency-Key") == "flow/1/step/a b.c");
}

TEST_CASE("smtp: a message through aiosmtpd arrives with its headers, subject and body") {
    REQUIRE_AIOSMTPD();
    Service sink({"smtp"});
    SmtpOptions o;
    o.url = sink.info()["url"];
    o.from = "Klinikken <noreply@example.org>";
    o.timeout = std::chrono::seconds(10);
    SmtpTransport transport(o);
    std::string subject = "Påmindelse: din tid hos tandlægen ✓ — husk at svare, tak! 😀";
    std::string body = "Hej Søren,\nvi ses i morgen kl. 10:30.\n\n— Klinikken ✓";
    auto r = transport.send(mail("recall/9/remind/mail", "kunde@example.net", subject, body));
    REQUIRE_MESSAGE(r.accepted, r.error);
    CHECK(r.transport_id == "<recall/9/remind/mail@nudge>");
    auto got = sink.command({{"cmd", "messages"}, {"count", 1}, {"timeout", 10}})["messages"];
    REQUIRE(got.size() == 1);
    CHECK(got[0]["subject"] == subject);
    CHECK(got[0]["from"] == "Klinikken <noreply@example.org>");
    CHECK(got[0]["to"] == "kunde@example.net");
    CHECK(got[0]["mail_from"] == "noreply@example.org");
    CHECK(got[0]["rcpt_to"] == "kunde@example.net");
    CHECK(got[0]["charset"] == "utf-8");
    CHECK(got[0]["transfer_encoding"] == "base64");
    CHECK(got[0]["headers"]["message-id"] == "<recall/9/remind/mail@nudge>");
    CHECK(got[0]["headers"]["x-nudge-idempotency-key"] == "recall/9/remind/mail");
    // The body went in canonical form, CRLF line ends, and base64 keeps them.
    CHECK(got[0]["body"] == "Hej Søren,\r\nvi ses i morgen kl. 10:30.\r\n\r\n— Klinikken ✓");
}

TEST_CASE("smtp: 5xx replies are permanent, 4xx replies and no server temporary") {
    REQUIRE_AIOSMTPD();
    Service sink({"smtp"});
    SmtpOptions o;
    o.url = sink.info()["url"];
    o.from = "noreply@example.org";
    o.timeout = std::chrono::seconds(10);
    SmtpTransport transport(o);
    // The sink refuses "reject-NNN@…" with NNN at RCPT TO.
    auto no_user = transport.send(mail("a", "reject-550@example.net", "s", "b"));
    CHECK_FALSE(no_user.accepted);
    CHECK(no_user.permanent);
    CHECK(no_user.error.find("smtp: 550") == 0);
    auto later = transport.send(mail("b", "reject-451@example.net", "s", "b"));
    CHECK_FALSE(later.accepted);
    CHECK_FALSE(later.permanent);
    CHECK(later.error.find("smtp: 451") == 0);
    // The connection the refusals left behind is still good for the next message.
    auto ok = transport.send(mail("c", "kunde@example.net", "s", "b"));
    CHECK_MESSAGE(ok.accepted, ok.error);

    o.url = "smtp://127.0.0.1:" + std::to_string(nudge::test::closed_port());
    auto refused = SmtpTransport(o).send(mail("d", "kunde@example.net", "s", "b"));
    CHECK_FALSE(refused.accepted);
    CHECK_FALSE(refused.permanent);
}

TEST_CASE("smtp: require_tls refuses a server without STARTTLS, temporarily") {
    REQUIRE_AIOSMTPD();
    Service sink({"smtp"});
    SmtpOptions o;
    o.url = sink.info()["url"];
    o.from = "noreply@example.org";
    o.require_tls = true;
    o.timeout = std::chrono::seconds(10);
    auto r = SmtpTransport(o).send(mail("e", "kunde@example.net", "s", "b"));
    CHECK_FALSE(r.accepted);
    CHECK_FALSE(r.permanent);
    CHECK(sink.command({{"cmd", "messages"}, {"count", 0}, {"timeout", 0}})["messages"].empty());
}
