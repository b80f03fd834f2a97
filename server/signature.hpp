#pragma once
// Standard Webhooks signatures (HMAC-SHA256 over "id.timestamp.body", base64), shared by the
// server's webhook check and WebhookTransport. Every primitive is OpenSSL's.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid base64 (padding required).
std::optional<std::string> base64_decode(std::string_view text);

// The key bytes of a secret: "whsec_<base64>" decoded, or any other text taken as it is.
// nullopt for "whsec_" followed by something that is not base64.
std::optional<std::string> webhook_key(std::string_view secret);

// "v1,<base64 of HMAC-SHA256(key, id + '.' + timestamp + '.' + body)>"
std::string webhook_signature(std::string_view key, std::string_view id, std::string_view timestamp,
                              std::string_view body);

// True when one of the space-separated entries of the webhook-signature header `header` is a
// "v1," signature that one of `keys` makes for id, timestamp and body. Compared in constant
// time (CRYPTO_memcmp).
bool webhook_signature_valid(const std::vector<std::string>& keys, std::string_view id,
                             std::string_view timestamp, std::string_view body,
                             std::string_view header);

// Constant-time equality of two strings of equal length (false when the lengths differ).
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace nudge::detail
