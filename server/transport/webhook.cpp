// WebhookTransport and message_json, which FileTransport writes too.
#include "signature.hpp"
#include "transport/curl_client.hpp"

#include <nudge/error.hpp>
#include <nudge/transports.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <utility>

namespace nudge {

std::string message_json(const Message& message) {
    nlohmann::ordered_json j;
    j["id"] = message.id;
    j["flow"] = message.flow;
    j["instance"] = message.instance;
    j["key"] = message.key;
    j["channel"] = message.channel;
    j["kind"] = std::string(to_string(message.kind));
    j["to"] = message.to;
    j["from"] = message.from;
    if (message.subject) j["subject"] = *message.subject;
    j["text"] = message.text;
    j["at"] = format_instant(message.at);
    j["reminder"] = message.reminder;
    // A text with invalid UTF-8 still goes out, with U+FFFD where the bad bytes were, rather
    // than throwing on the send path.
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

std::string key_of(const std::string& secret) {
    auto key = detail::webhook_key(secret);
    if (!key) throw error("webhook secret: 'whsec_' is not followed by base64");
    if (key->empty()) throw error("webhook secret: empty");
    return *key;
}

// A header value cannot hold line breaks (nor, to be safe, any control character); ids never do,
// but a host's own ids might, and the receiver must see the id that was signed.
std::string header_value(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    return out;
}

} // namespace

WebhookTransport::WebhookTransport(WebhookOptions options)
    : options_(std::move(options)), key_(key_of(options_.secret)) {}
WebhookTransport::~WebhookTransport() = default;

SendResult WebhookTransport::send(const Message& message) {
    try {
        std::string body = message_json(message);
        auto now = std::chrono::system_clock::now().time_since_epoch();
        std::string timestamp =
            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count());
        std::string id = header_value(message.id);
        std::vector<std::string> headers{
            "Content-Type: application/json",
            "webhook-id: " + id,
            "webhook-timestamp: " + timestamp,
            "webhook-signature: " + detail::webhook_signature(key_, id, timestamp, body),
        };
        detail::HttpReply reply = detail::http_post(options_.url, headers, body, options_.timeout);
        if (reply.answered && reply.status >= 200 && reply.status < 300) {
            SendResult r;
            r.transport_id = id;
            return r;
        }
        return detail::http_refusal("webhook", reply);
    } catch (const std::exception& e) {
        SendResult r;
        r.accepted = false;
        r.error = std::string("webhook: ") + e.what();
        return r;
    }
}

} // namespace nudge
