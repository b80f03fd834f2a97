// bench_soak (issue 15, bounded memory): the reminder flow of benchmarks/scale run for 30
// simulated days on the in-memory Engine with a constant population: every day `--per-day`
// customers book (spread over the day), 60 % confirm and 10 % decline within two days, the rest
// are cancelled by the flow after 72 h, so as many instances end each day as start. Prints one
// row per day: live instances, instances held, retired, resident memory. Not a Google Benchmark.
//
//   bench_soak [--per-day N] [--days D] [--warmup W] [--keep-finished K | --keep-all]
//              [--json FILE]
//
// The first W days (default 4: a booking lives up to 72 h) fill the population up and are
// printed as w1…wW, not counted; days 1…D follow with the population constant.
// soak_rss_growth = RSS at day D ÷ RSS at day 2 (target ≤ 1.1 with a bound). The engine
// keeps each instance's history (EngineOptions::keep_history, as a DurableEngine does).
#include "../engine/fixtures.hpp"

#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/diagnostic.hpp>
#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <limits>
#include <queue>
#include <random>
#include <string>
#include <vector>

namespace {

double rss_mb() {
    std::ifstream statm("/proc/self/statm");
    long pages = 0, resident = 0;
    statm >> pages >> resident;
    return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

struct Input {
    std::int64_t t;
    int kind; // 0: book, 1: reply yes, 2: reply no
    std::uint32_t customer;
    bool operator>(const Input& o) const { return t > o.t; }
};

std::string phone_of(std::uint32_t customer) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "+4791%06u", customer % 1000000);
    return buf;
}

} // namespace

int main(int argc, char** argv) {
    std::uint32_t per_day = 20000;
    int days = 30;
    int warmup = 4;
    std::size_t keep = 10000;
    std::string json_path;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "bench_soak: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--per-day") {
            per_day = static_cast<std::uint32_t>(std::stoul(next()));
        } else if (a == "--days") {
            days = std::stoi(next());
        } else if (a == "--warmup") {
            warmup = std::stoi(next());
        } else if (a == "--keep-finished") {
            keep = std::stoul(next());
        } else if (a == "--keep-all") {
            keep = std::numeric_limits<std::size_t>::max();
        } else if (a == "--json") {
            json_path = next();
        } else {
            std::cerr << "usage: bench_soak [--per-day N] [--days D] [--warmup W] "
                         "[--keep-finished K | --keep-all] [--json FILE]\n";
            return 2;
        }
    }

    auto compiled = nudge::compile_source(scale::reminder_flow, "reminder.flow");
    if (!compiled.ok()) {
        std::cerr << nudge::render(compiled.diagnostics);
        return 1;
    }
    const std::int64_t day = 86400;
    const std::int64_t t0 = 1798761600; // 2027-01-01T00:00:00Z
    nudge::FakeClock clock(nudge::Instant{std::chrono::seconds{t0}});
    bench::NullTransport out;
    nudge::EngineOptions options;
    options.keep_finished = keep;
    nudge::Engine engine(clock, out, options);
    engine.load(compiled.flow);

    // Customers come from a pool four days of bookings deep, so nobody books twice while
    // their booking is still open (72 h at most).
    const std::uint32_t pool = per_day * 4;
    std::mt19937_64 rng(42);
    std::priority_queue<Input, std::vector<Input>, std::greater<>> inputs;
    std::uint32_t next_customer = 0;
    auto plan_day = [&](int d) {
        for (std::uint32_t i = 0; i < per_day; ++i) {
            std::int64_t at = t0 + d * day + static_cast<std::int64_t>(rng() % day);
            std::uint32_t c = next_customer++ % pool;
            inputs.push({at, 0, c});
            auto roll = rng() % 100;
            std::int64_t later = at + 60 + static_cast<std::int64_t>(rng() % (2 * day));
            if (roll < 60)
                inputs.push({later, 1, c});
            else if (roll < 70)
                inputs.push({later, 2, c});
        }
    };
    auto until = [&](std::int64_t t) {
        auto target = nudge::Instant{std::chrono::seconds{t}};
        while (auto due = engine.next_due()) {
            if (*due > target) break;
            if (*due > clock.now()) clock.set(*due);
            engine.run_due();
        }
        clock.set(target);
    };

    std::printf("%-4s %10s %10s %10s %10s %10s\n", "day", "live", "held", "retired", "sends",
                "RSS MB");
    std::vector<double> rss;
    for (int d = 0; d < warmup + days; ++d) {
        plan_day(d);
        std::int64_t end = t0 + (d + 1) * day;
        while (!inputs.empty() && inputs.top().t < end) {
            auto in = inputs.top();
            inputs.pop();
            until(in.t);
            if (in.kind == 0) {
                engine.trigger("booking.created", {{"phone", phone_of(in.customer)}});
            } else {
                engine.reply({phone_of(in.customer), "4790000000", in.kind == 1 ? "ja" : "nei"});
            }
        }
        until(end);
        malloc_trim(0);
        auto s = engine.stats();
        double mb = rss_mb();
        if (d >= warmup) rss.push_back(mb);
        auto label = d < warmup ? "w" + std::to_string(d + 1) : std::to_string(d - warmup + 1);
        std::printf("%-4s %10zu %10zu %10llu %10llu %10.1f\n", label.c_str(), s.live, s.instances,
                    static_cast<unsigned long long>(s.retired),
                    static_cast<unsigned long long>(out.count), mb);
        std::fflush(stdout);
    }
    double growth = rss.size() >= 2 ? rss.back() / rss[1] : 0;
    std::printf("soak_rss_growth (RSS day %d / day 2) = %.3f\n", days, growth);
    if (!json_path.empty()) {
        std::ofstream j(json_path);
        j << "{\"per_day\": " << per_day << ", \"days\": " << days
          << ", \"warmup_days\": " << warmup << ", \"keep_finished\": "
          << (keep == std::numeric_limits<std::size_t>::max() ? std::string("null")
                                                              : std::to_string(keep))
          << ", \"rss_mb\": [";
        for (std::size_t i = 0; i < rss.size(); ++i)
            j << (i ? ", " : "") << rss[i];
        j << "], \"rss_growth\": " << growth << "}\n";
    }
    return 0;
}
