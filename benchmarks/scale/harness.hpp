#pragma once
// What one engine's run of the trace measured, and the helpers the runs share.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace scale {

struct RunStats {
    std::uint64_t triggers = 0, replies = 0, timers = 0, sends = 0;
    double total_s = 0;         // the whole simulated month, wall time
    double reply_s = 0;         // inside reply dispatch only
    double timer_s = 0;         // inside timer firing only
    std::uint64_t checksum = 0; // sends (customer, first/reminder, time) + final outcomes
};

struct MemStats {
    double setup_ns = 0;           // per instance, N starts at one instant
    double bytes_per_instance = 0; // RSS delta / N with every instance waiting
};

using steady = std::chrono::steady_clock;
inline double seconds(steady::duration d) { return std::chrono::duration<double>(d).count(); }

// Resident set size in bytes, from /proc/self/statm (second field, in pages).
inline long rss_bytes() {
    long pages_total = 0, pages_resident = 0;
    if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(f, "%ld %ld", &pages_total, &pages_resident) != 2) pages_resident = 0;
        std::fclose(f);
    }
    return pages_resident * 4096L;
}

} // namespace scale
