// SmtpTransport and smtp_message: one RFC 5322 message per send, over libcurl's SMTP.
#include "signature.hpp"
#include "transport/curl_client.hpp"

#include <nudge/transports.hpp>

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <utility>

namespace nudge {

namespace {

// "Sat, 06 Dec 2026 07:15:03 +0000" (RFC 5322 §3.3), always in UTC.
std::string rfc5322_date(Instant t) {
    using namespace std::chrono;
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto day = floor<std::chrono::days>(t);
    year_month_day ymd{day};
    hh_mm_ss time{t - day};
    char out[40];
    std::snprintf(out, sizeof out, "%s, %02u %s %d %02d:%02d:%02d +0000",
                  days[weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                  months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return out;
}

// Header text on one line: a line break in a value would start a header of the sender's
// choosing (header injection), so control characters become spaces.
std::string one_line(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    return out;
}

bool plain_ascii(std::string_view text) {
    for (char c : text)
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E)
            return false;
    return true;
}

// RFC 2047 encoded-words, "=?UTF-8?B?…?=", each at most 75 characters (45 bytes of text) and
// each holding whole characters, folded onto continuation lines.
std::string encoded_words(std::string_view utf8) {
    constexpr std::size_t max_bytes = 45; // base64 of 45 bytes is 60; 60 + 12 = 72 <= 75
    std::string out;
    std::size_t at = 0;
    while (at < utf8.size()) {
        std::size_t end = std::min(at + max_bytes, utf8.size());
        // Back up to the start of a character: continuation bytes are 10xxxxxx.
        while (end < utf8.size() && end > at + 1 &&
               (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80)
            --end;
        if (!out.empty()) out += "\r\n ";
        out += "=?UTF-8?B?" + detail::base64_encode(utf8.substr(at, end - at)) + "?=";
        at = end;
    }
    return out;
}

// Message-ID's left part: characters of a dot-atom (RFC 5322 atext) stay, every other byte
// (and '%' and '.') becomes %XX, so distinct ids give distinct Message-IDs.
std::string message_id_part(std::string_view id) {
    static constexpr std::string_view atext_punct = "!#$&'*+-/=?^_`{|}~";
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : id) {
        auto c = static_cast<unsigned char>(ch);
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    atext_punct.find(ch) != std::string_view::npos;
        if (keep) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out.empty() ? "empty" : out;
}

// The body in canonical form (CRLF line ends), base64 in lines of 76 (RFC 2045 §6.8).
std::string base64_body(std::string_view text) {
    std::string canonical;
    canonical.reserve(text.size() + text.size() / 16);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) canonical += '\r';
        canonical += text[i];
    }
    std::string encoded = detail::base64_encode(canonical);
    std::string out;
    for (std::size_t at = 0; at < encoded.size(); at += 76)
        out.append(encoded, at, 76).append("\r\n");
    return out;
}

// The address of "Name <addr>", or the whole text when there are no brackets.
std::string bare_address(std::string_view text) {
    auto open = text.rfind('<');
    auto close = text.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        return std::string(text.substr(open + 1, close - open - 1));
    return one_line(text);
}

std::string sender_of(const Message& message, const SmtpOptions& options) {
    return message.from.empty() ? options.from : message.from;
}

struct Upload {
    std::string_view data;
    std::size_t at = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* up = static_cast<Upload*>(user);
    std::size_t n = std::min(size * count, up->data.size() - up->at);
    std::copy_n(up->data.data() + up->at, n, buffer);
    up->at += n;
    return n;
}

} // namespace

std::string smtp_message(const Message& message, const SmtpOptions& options, Instant date) {
    std::string m;
    m += "Date: " + rfc5322_date(date) + "\r\n";
    m += "From: " + one_line(sender_of(message, options)) + "\r\n";
    m += "To: " + one_line(message.to) + "\r\n";
    if (message.subject && !message.subject->empty()) {
        std::string subject = one_line(*message.subject);
        m += "Subject: " + (plain_ascii(subject) ? subject : encoded_words(subject)) + "\r\n";
    }
    m += "Message-ID: <" + message_id_part(message.id) + "@nudge>\r\n";
    m += "X-Nudge-Idempotency-Key: " +
         (plain_ascii(message.id) ? message.id : message_id_part(message.id)) + "\r\n";
    m += "MIME-Version: 1.0\r\n";
    m += "Content-Type: text/plain; charset=UTF-8\r\n";
    m += "Content-Transfer-Encoding: base64\r\n";
    m += "\r\n";
    m += base64_body(message.text);
    return m;
}

SmtpTransport::SmtpTransport(SmtpOptions options) : options_(std::move(options)) {}
SmtpTransport::~SmtpTransport() = default;

SendResult SmtpTransport::send(const Message& message) {
    SendResult r;
    try {
        auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        std::string text = smtp_message(message, options_, now);
        std::string envelope_from = "<" + bare_address(sender_of(message, options_)) + ">";
        std::string envelope_to = "<" + bare_address(message.to) + ">";

        CURL* c = detail::thread_curl(options_.timeout);
        curl_slist* rcpt = curl_slist_append(nullptr, envelope_to.c_str());
        std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> owned(rcpt,
                                                                          curl_slist_free_all);
        Upload upload{text};
        char message_buffer[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, message_buffer);
        curl_easy_setopt(c, CURLOPT_MAIL_FROM, envelope_from.c_str());
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
        curl_easy_setopt(c, CURLOPT_READDATA, &upload);
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_USE_SSL,
                         static_cast<long>(options_.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY));
        if (!options_.username.empty()) {
            curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
            curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
        }
        CURLcode rc = curl_easy_perform(c);
        long reply = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
        curl_easy_setopt(c, CURLOPT_MAIL_RCPT, nullptr);
        if (rc == CURLE_OK) {
            r.transport_id = "<" + message_id_part(message.id) + "@nudge>";
            return r;
        }
        r.accepted = false;
        r.error = "smtp: ";
        if (reply != 0) r.error += std::to_string(reply) + ": ";
        r.error += message_buffer[0] != '\0' ? message_buffer : curl_easy_strerror(rc);
        // A 5xx reply (550 no such user, 554 refused) will be the same next time; 4xx replies
        // (451 try later, 452 mailbox full), timeouts and lost connections may mend.
        r.permanent = reply >= 500 && reply < 600;
        return r;
    } catch (const std::exception& e) {
        r.accepted = false;
        r.error = std::string("smtp: ") + e.what();
        return r;
    }
}

} // namespace nudge
