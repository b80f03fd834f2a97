#include "signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace nudge::detail {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0) return std::nullopt;
    for (char c : text) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/' || c == '=';
        if (!ok) return std::nullopt; // EVP_DecodeBlock skips white space; we do not
    }
    std::string out(3 * text.size() / 4, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0) return std::nullopt;
    // EVP_DecodeBlock counts the padding's bytes as data: take them off.
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=') ++pad;
    if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

std::optional<std::string> webhook_key(std::string_view secret) {
    constexpr std::string_view prefix = "whsec_";
    if (secret.substr(0, prefix.size()) == prefix)
        return base64_decode(secret.substr(prefix.size()));
    return std::string(secret);
}

static std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
    return std::string(reinterpret_cast<const char*>(mac), len);
}

std::string webhook_signature(std::string_view key, std::string_view id, std::string_view timestamp,
                              std::string_view body) {
    std::string signed_text;
    signed_text.reserve(id.size() + timestamp.size() + body.size() + 2);
    signed_text.append(id).append(".").append(timestamp).append(".").append(body);
    return "v1," + base64_encode(hmac_sha256(key, signed_text));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool webhook_signature_valid(const std::vector<std::string>& keys, std::string_view id,
                             std::string_view timestamp, std::string_view body,
                             std::string_view header) {
    bool valid = false;
    for (const auto& key : keys) {
        auto expected = webhook_signature(key, id, timestamp, body);
        std::size_t i = 0;
        while (i < header.size()) {
            auto end = header.find(' ', i);
            if (end == std::string_view::npos) end = header.size();
            // Every entry is compared, so the time taken does not say which one matched.
            if (constant_time_equal(header.substr(i, end - i), expected)) valid = true;
            i = end + 1;
        }
    }
    return valid;
}

} // namespace nudge::detail
