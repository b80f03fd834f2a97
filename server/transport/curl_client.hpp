#pragma once
// What the libcurl transports share: one curl_global_init, an easy handle per thread (so that
// each thread keeps its connections alive between sends and no handle is ever shared), URL
// encoding, and the HTTP status classification of transports.hpp.

#include <nudge/transport.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

typedef void CURL;

namespace nudge::detail {

// This thread's easy handle, reset to defaults (connections and caches survive the reset),
// with the options every transport wants: no signals (threads and timeouts), `timeout` for the
// whole transfer and at most `timeout` to connect.
CURL* thread_curl(std::chrono::milliseconds timeout);

// Every byte but A-Z a-z 0-9 - . _ ~ as %XX (upper case hex), for query values.
std::string url_encode(std::string_view text);

struct HttpReply {
    bool answered = false; // false: no HTTP answer (connection refused, timeout, …)
    long status = 0;
    std::string body;  // the first 64 KiB
    std::string error; // curl's message when not answered
};

HttpReply http_get(const std::string& url, std::chrono::milliseconds timeout);
HttpReply http_post(const std::string& url, const std::vector<std::string>& headers,
                    std::string_view body, std::chrono::milliseconds timeout);

// A refusal of `gateway` from an answer that was not a success: no answer, a 5xx or a 429 is
// temporary, any other status permanent. The error reads "kannel: HTTP 403: <body's first
// line>" or "webhook: no answer: <curl's message>".
SendResult http_refusal(std::string_view gateway, const HttpReply& reply);

} // namespace nudge::detail
