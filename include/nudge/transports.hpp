#pragma once
// Transports for real gateways: Kannel's smsbox for SMS, SMTP for e-mail, a signed HTTP webhook
// for anything with an HTTP API, and a file of JSON lines for dry runs. `nudge serve` uses them;
// a C++ host can too (link nudge::server). Each is safe to call from several threads at once,
// and none keeps a message after send() returns. Like any transport, send() must not call back
// into the engine that called it.
//
// Every transport reports a refusal that trying again cannot mend as SendResult::permanent
// (a 4xx other than 429 from a gateway); a timeout, a lost connection, a 5xx or a 429 is a
// temporary refusal that a DurableEngine retries with backoff.

#include <nudge/transport.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// Kannel's smsbox, through GET /cgi-bin/sendsms. Text that GSM 03.38 can carry goes as it is
// (UTF-8, coding 0); anything else as UTF-16BE with coding=2 and no charset.
struct KannelOptions {
    std::string sendsms_url; // "http://127.0.0.1:13013/cgi-bin/sendsms"
    std::string username;
    std::string password;
    std::string smsc;  // smsc= (routing to one SMSC), when not empty
    int dlr_mask = 27; // delivered, not delivered, SMSC accepted, SMSC rejected; 0: no reports
    // Where Kannel reports deliveries. "{id}" is replaced by the message's id, URL-encoded
    // with each '%' doubled (Kannel reads "%C3" as its %C escape, "%%" as '%'); Kannel's own
    // escapes stay for Kannel to fill (%d the status, %F the SMSC's id).
    // Example: "http://127.0.0.1:8080/v1/dlr/kannel/TOKEN?id={id}&status=%d&smsc_id=%F"
    std::string dlr_url;
    std::chrono::milliseconds timeout{10000};
};

class KannelTransport final : public Transport {
public:
    explicit KannelTransport(KannelOptions options);
    ~KannelTransport() override;
    // 202 (Kannel's "0: Accepted for delivery" or "3: Queued for later delivery") is accepted,
    // with the answer's text as transport_id.
    SendResult send(const Message& message) override;

private:
    KannelOptions options_;
};

// E-mail over SMTP (libcurl): an RFC 5322 message in UTF-8 (an encoded-word subject when it is
// not ASCII, a base64 body), Message-ID and X-Nudge-Idempotency-Key made from the message's id.
// STARTTLS is used when the server offers it (required when `require_tls`).
struct SmtpOptions {
    std::string url;      // "smtp://127.0.0.1:2525", or "smtps://…"
    std::string username; // AUTH, when not empty
    std::string password;
    std::string from; // the From header and envelope when Message::from is empty
    bool require_tls = false;
    std::chrono::milliseconds timeout{30000};
};

class SmtpTransport final : public Transport {
public:
    explicit SmtpTransport(SmtpOptions options);
    ~SmtpTransport() override;
    SendResult send(const Message& message) override;

private:
    SmtpOptions options_;
};

// The RFC 5322 text SmtpTransport sends for `message` (CRLF line ends), dated `date`.
std::string smtp_message(const Message& message, const SmtpOptions& options, Instant date);

// POSTs each message as JSON to a URL, signed as Standard Webhooks do it: headers webhook-id
// (the message's id), webhook-timestamp and webhook-signature ("v1,<base64 HMAC-SHA256 of
// id.timestamp.body>"). The receiver can use webhook-id as its idempotency key.
struct WebhookOptions {
    std::string url;
    std::string secret; // "whsec_<base64>" as Standard Webhooks write it, or the raw key
    std::chrono::milliseconds timeout{15000};
};

class WebhookTransport final : public Transport {
public:
    explicit WebhookTransport(WebhookOptions options);
    ~WebhookTransport() override;
    SendResult send(const Message& message) override;

private:
    WebhookOptions options_;
    std::string key_;
};

// The JSON object WebhookTransport and FileTransport write for a message.
std::string message_json(const Message& message);

// Appends each message to a file as one JSON line (message_json), flushed to disk before
// send() returns. It takes each id once: a message whose id the file already holds is accepted
// again without writing, as a gateway that honours idempotency keys would, so after a crash
// and a second hand-over the file still holds every message at most once.
class FileTransport final : public Transport {
public:
    // Opens (creating) the file, cuts off a torn last line and reads the ids it already holds.
    // Throws nudge::io_error when it cannot be opened or another FileTransport holds it.
    explicit FileTransport(const std::filesystem::path& path);
    ~FileTransport() override;
    SendResult send(const Message& message) override;

private:
    struct [[gnu::visibility("hidden")]] Impl; // private: not exported
    std::unique_ptr<Impl> impl_;
};

} // namespace nudge

#pragma GCC visibility pop
