#include "transport/curl_client.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace nudge::detail {

namespace {

constexpr std::size_t max_body = std::size_t{64} * 1024;

void global_init() {
    // curl_global_init is not thread-safe before 7.84 (Debian 12 has 7.88, but hosts may not):
    // call_once makes the first transport on any thread do it, exactly once.
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw std::runtime_error("curl_global_init failed");
    });
}

struct EasyDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

std::size_t keep_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    std::size_t n = size * count;
    if (body->size() < max_body) body->append(data, std::min(n, max_body - body->size()));
    return n;
}

HttpReply perform(CURL* c) {
    HttpReply reply;
    char message[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
    if (rc != CURLE_OK) {
        reply.error = message[0] != '\0' ? message : curl_easy_strerror(rc);
        return reply;
    }
    reply.answered = true;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
    return reply;
}

} // namespace

CURL* thread_curl(std::chrono::milliseconds timeout) {
    global_init();
    thread_local std::unique_ptr<CURL, EasyDeleter> handle;
    if (!handle) {
        handle.reset(curl_easy_init());
        if (!handle) throw std::runtime_error("curl_easy_init failed");
    } else {
        curl_easy_reset(handle.get());
    }
    CURL* c = handle.get();
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout.count()));
    return c;
}

std::string url_encode(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() * 3);
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

HttpReply http_get(const std::string& url, std::chrono::milliseconds timeout) {
    CURL* c = thread_curl(timeout);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    return perform(c);
}

HttpReply http_post(const std::string& url, const std::vector<std::string>& headers,
                    std::string_view body, std::chrono::milliseconds timeout) {
    CURL* c = thread_curl(timeout);
    curl_slist* list = nullptr;
    for (const auto& h : headers)
        list = curl_slist_append(list, h.c_str());
    // curl adds "Expect: 100-continue" to larger POSTs, a round trip many receivers never answer.
    list = curl_slist_append(list, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(list, curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    HttpReply reply = perform(c);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    return reply;
}

SendResult http_refusal(std::string_view gateway, const HttpReply& reply) {
    SendResult r;
    r.accepted = false;
    if (!reply.answered) {
        r.error = std::string(gateway) + ": no answer: " + reply.error;
        return r;
    }
    std::string first_line = reply.body.substr(0, reply.body.find_first_of("\r\n"));
    if (first_line.size() > 200) first_line.resize(200);
    r.error = std::string(gateway) + ": HTTP " + std::to_string(reply.status);
    if (!first_line.empty()) r.error += ": " + first_line;
    r.permanent = reply.status >= 400 && reply.status < 500 && reply.status != 429;
    return r;
}

} // namespace nudge::detail
