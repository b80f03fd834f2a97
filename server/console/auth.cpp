#include "auth.hpp"

#include "service.hpp"
#include "signature.hpp"

#include <nudge/error.hpp>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <vector>

namespace nudge::server {

namespace {

constexpr std::uint64_t scrypt_n = 1 << 15;
constexpr std::uint64_t scrypt_r = 8;
constexpr std::uint64_t scrypt_p = 1;
constexpr std::size_t hash_bytes = 32;

std::optional<std::string> scrypt(std::string_view password, std::string_view salt, std::uint64_t n,
                                  std::uint64_t r, std::uint64_t p) {
    std::string out(hash_bytes, '\0');
    // Room for N = 2^15 with r = 8 (32 MiB) and a little more.
    constexpr std::uint64_t max_mem = 64ull * 1024 * 1024;
    if (EVP_PBE_scrypt(password.data(), password.size(),
                       reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n, r, p,
                       max_mem, reinterpret_cast<unsigned char*>(out.data()), out.size()) != 1)
        return std::nullopt;
    return out;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw error("OpenSSL could not produce random bytes");
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (true) {
        auto end = s.find(sep, at);
        out.push_back(s.substr(at, end == std::string_view::npos ? s.size() - at : end - at));
        if (end == std::string_view::npos) return out;
        at = end + 1;
    }
}

std::optional<std::uint64_t> number(std::string_view s) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

} // namespace

std::string hash_password(std::string_view password) {
    auto salt = random_bytes(16);
    auto h = scrypt(password, salt, scrypt_n, scrypt_r, scrypt_p);
    if (!h) throw error("OpenSSL's scrypt failed");
    return "scrypt$" + std::to_string(scrypt_n) + "$" + std::to_string(scrypt_r) + "$" +
           std::to_string(scrypt_p) + "$" + detail::base64_encode(salt) + "$" +
           detail::base64_encode(*h);
}

namespace console {

bool verify_password(std::string_view password, std::string_view hash) {
    auto parts = split(hash, '$');
    if (parts.size() != 6 || parts[0] != "scrypt") return false;
    auto n = number(parts[1]), r = number(parts[2]), p = number(parts[3]);
    auto salt = detail::base64_decode(parts[4]);
    auto want = detail::base64_decode(parts[5]);
    if (!n || !r || !p || !salt || !want || want->size() != hash_bytes) return false;
    if (*n > (1u << 20) || *r > 32 || *p > 16) return false; // not ours: refuse the work
    auto got = scrypt(password, *salt, *n, *r, *p);
    return got && CRYPTO_memcmp(got->data(), want->data(), hash_bytes) == 0;
}

std::string random_token(std::size_t bytes) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : random_bytes(bytes)) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

std::string Sessions::open(const ConsoleUser& user) {
    auto now = std::chrono::steady_clock::now();
    // Sessions idle too long are dropped whenever a new one opens.
    for (auto it = by_id_.begin(); it != by_id_.end();)
        it = now - it->second.last_seen > idle_ ? by_id_.erase(it) : std::next(it);
    auto id = random_token();
    Session s;
    s.user = user.name;
    s.role = user.role;
    s.csrf = random_token();
    s.last_seen = now;
    by_id_[id] = s;
    return id;
}

Session* Sessions::find(std::string_view id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return nullptr;
    auto now = std::chrono::steady_clock::now();
    if (now - it->second.last_seen > idle_) {
        by_id_.erase(it);
        return nullptr;
    }
    it->second.last_seen = now;
    return &it->second;
}

void Sessions::close(std::string_view id) {
    auto it = by_id_.find(id);
    if (it != by_id_.end()) by_id_.erase(it);
}

bool Sessions::locked(const std::string& name) const {
    auto it = failures_.find(name);
    return it != failures_.end() && it->second.count >= 5 &&
           std::chrono::steady_clock::now() - it->second.last < std::chrono::minutes(1);
}

void Sessions::failed(const std::string& name) {
    auto now = std::chrono::steady_clock::now();
    // Failures older than the lock's minute count for nothing: dropped, so that names tried
    // once (by anyone, any number of them) do not pile up.
    for (auto it = failures_.begin(); it != failures_.end();)
        it = now - it->second.last >= std::chrono::minutes(1) ? failures_.erase(it) : std::next(it);
    auto& f = failures_[name];
    if (now - f.last >= std::chrono::minutes(1)) f.count = 0;
    ++f.count;
    f.last = now;
}

void Sessions::succeeded(const std::string& name) { failures_.erase(name); }

} // namespace console
} // namespace nudge::server
