#pragma once
// The seeded trace of benchmarks/scale (issue 8): N customers, each triggered once at a random
// second of the first 26 simulated days, then replying yes / no / STOP (or never) at a time
// chosen relative to the reminders the flow sends:
//   60 % reply before the first reminder, 20 % between the first and the second,
//   10 % after the second (before the 72 h cancel), 10 % never.
// Reply words: 75 % yes ("JA"), 20 % no ("Nei"), 5 % "STOP".
// Reminder times follow the flow: 24 h after the last outbound message, moved into the window
// 09:00–20:00 UTC (mon–sun) when they fall outside it. The same trace is fed to every engine.
#include <algorithm>
#include <cstdint>
#include <vector>

namespace scale {

inline constexpr std::int64_t day = 86400;
inline constexpr std::int64_t hour = 3600;
// 2026-03-02T00:00:00Z, a Monday.
inline constexpr std::int64_t t0 = 1772409600;
inline constexpr std::int64_t sim_days = 30;
inline constexpr std::int64_t window_open = 9 * hour;          // 09:00 UTC
inline constexpr std::int64_t window_close = 20 * hour;        // 20:00 UTC (half open)
inline constexpr std::uint64_t default_seed = 0x6e75646765ull; // "nudge"

enum Kind : std::uint32_t { trigger = 0, yes = 1, no = 2, stop = 3 };
// Final outcomes, for the checksum.
enum Outcome : std::uint32_t { none = 0, confirmed = 1, declined = 2, cancelled = 3, stopped = 4 };

struct Event {
    std::int64_t t;    // seconds since the epoch
    std::uint32_t idx; // customer index
    std::uint32_t kind;
};

inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// The finaliser of splitmix64: the checksum's mixing function.
inline std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// A deadline moved to the window's next opening when it falls outside 09:00–20:00.
inline std::int64_t defer(std::int64_t t) {
    std::int64_t midnight = t - ((t % day) + day) % day;
    std::int64_t local = t - midnight;
    if (local < window_open) return midnight + window_open;
    if (local >= window_close) return midnight + day + window_open;
    return t;
}

// One message: the customer, 0 for the first send and 1 for a reminder, and when.
inline std::uint64_t send_hash(std::uint32_t idx, std::uint32_t reminder, std::int64_t at) {
    return mix((std::uint64_t{idx} << 34) ^ (std::uint64_t{reminder} << 32) ^
               static_cast<std::uint64_t>(at - t0));
}
inline std::uint64_t outcome_hash(std::uint32_t idx, std::uint32_t outcome) {
    return mix((std::uint64_t{idx} << 3) ^ outcome ^ (1ull << 62));
}

// Events sorted by time (ties: by customer, then kind).
// Without `with_stop`, the 5 % STOP replies become "no" (a diagnostic variant: nudge's STOP
// handling is O(live instances)).
inline std::vector<Event> make_trace(std::uint32_t n, bool with_stop = true,
                                     std::uint64_t seed = default_seed) {
    std::vector<Event> events;
    events.reserve(std::size_t{n} * 2);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint64_t st = seed ^ (std::uint64_t{i} * 0xd1b54a32d192ed03ull);
        std::int64_t t = t0 + static_cast<std::int64_t>(splitmix64(st) % (26 * day));
        events.push_back({t, i, trigger});
        std::uint64_t cls = splitmix64(st) % 100;
        std::uint64_t word = splitmix64(st) % 100;
        std::uint64_t r = splitmix64(st);
        std::uint32_t kind = word < 75 ? yes : (word < 95 || !with_stop) ? no : stop;
        std::int64_t r1 = defer(t + day);
        std::int64_t r2 = defer(r1 + day);
        std::int64_t end = t + 72 * hour;
        auto between = [&](std::int64_t a, std::int64_t b) {
            return a + 60 + static_cast<std::int64_t>(r % static_cast<std::uint64_t>(b - a - 120));
        };
        if (cls < 60)
            events.push_back({between(t, t + day), i, kind});
        else if (cls < 80)
            events.push_back({between(r1, r2), i, kind});
        else if (cls < 90)
            events.push_back({between(r2, end), i, kind});
    }
    std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
        if (a.t != b.t) return a.t < b.t;
        if (a.idx != b.idx) return a.idx < b.idx;
        return a.kind < b.kind;
    });
    return events;
}

// The customer's phone number: +479 and seven digits (room for 10^7 customers).
inline void phone_of(std::uint32_t idx, char out[12]) {
    out[0] = '+';
    out[1] = '4';
    out[2] = '7';
    out[3] = '9';
    for (int k = 10; k >= 4; --k) {
        out[k] = static_cast<char>('0' + idx % 10);
        idx /= 10;
    }
    out[11] = '\0';
}
inline std::uint32_t idx_of(const char* phone_end) { // points past the last digit
    std::uint32_t v = 0;
    for (int k = 7; k >= 1; --k)
        v = v * 10 + static_cast<std::uint32_t>(*(phone_end - k) - '0');
    return v;
}

} // namespace scale
