// KannelTransport: one GET to smsbox's sendsms per message.
#include "text/gsm7.hpp"
#include "transport/curl_client.hpp"

#include <nudge/transports.hpp>

#include <utility>

namespace nudge {

namespace {

// The dlr-url with "{id}" replaced. Kannel expands its escapes (%d, %A, %C, %F, …) in the
// dlr-url it was given, and an encoded id's "%C3" or "%F0" would be taken for %C and %F
// (seen with Kannel 1.4.5: "ø" arrived as "UTF-838"). Kannel turns "%%" into "%", so each
// '%' of the encoded id is doubled.
std::string dlr_url_for(const std::string& pattern, std::string_view id) {
    std::string encoded;
    for (char c : detail::url_encode(id)) {
        encoded.push_back(c);
        if (c == '%') encoded.push_back('%');
    }
    std::string out;
    std::size_t from = 0;
    for (std::size_t at; (at = pattern.find("{id}", from)) != std::string::npos; from = at + 4)
        out.append(pattern, from, at - from).append(encoded);
    out.append(pattern, from);
    return out;
}

std::string trimmed(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

} // namespace

KannelTransport::KannelTransport(KannelOptions options) : options_(std::move(options)) {}
KannelTransport::~KannelTransport() = default;

SendResult KannelTransport::send(const Message& message) {
    using detail::url_encode;
    try {
        std::string url = options_.sendsms_url;
        url += url.find('?') == std::string::npos ? '?' : '&';
        url += "username=" + url_encode(options_.username);
        url += "&password=" + url_encode(options_.password);
        if (!message.from.empty()) url += "&from=" + url_encode(message.from);
        url += "&to=" + url_encode(message.to);
        // GSM-7 text goes as UTF-8 for Kannel to convert. Anything else goes as UTF-16BE with
        // coding=2 and no charset: Kannel builds without iconv refuse a charset they cannot
        // convert ("Charset or body misformed"), and UTF-16BE is what coding=2 means anyway.
        if (detail::gsm7_encodable(message.text)) {
            url += "&text=" + url_encode(message.text);
        } else {
            url += "&text=" + url_encode(detail::utf16be(message.text)) + "&coding=2";
        }
        if (!options_.smsc.empty()) url += "&smsc=" + url_encode(options_.smsc);
        if (options_.dlr_mask != 0 && !options_.dlr_url.empty()) {
            url += "&dlr-mask=" + std::to_string(options_.dlr_mask);
            url += "&dlr-url=" + url_encode(dlr_url_for(options_.dlr_url, message.id));
        }
        detail::HttpReply reply = detail::http_get(url, options_.timeout);
        // Kannel answers 202 for "0: Accepted for delivery" and "3: Queued for later
        // delivery" alike; both are Kannel's to deliver from here.
        if (reply.answered && reply.status == 202) {
            SendResult r;
            r.transport_id = trimmed(reply.body);
            return r;
        }
        return detail::http_refusal("kannel", reply);
    } catch (const std::exception& e) {
        SendResult r;
        r.accepted = false;
        r.error = std::string("kannel: ") + e.what();
        return r;
    }
}

} // namespace nudge
