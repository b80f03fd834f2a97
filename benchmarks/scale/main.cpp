// bench_scale (issue 8): one reminder flow, one seeded trace of N customers over 30 simulated
// days, run on nudge's in-memory Engine and on a hand-written Boost.MSM peer. Not a Google
// Benchmark: a plain program printing one table row per engine and N.
//
//   bench_scale [--min N] [--max N] [--nudge-max N] [--dispatch-reps N] [--no-stop]
//               [--keep-history] [--json FILE]
//                                            the table (N = 10^4, 10^5, … up to --max, default
//                                            10^6); the Engine only up to --nudge-max (default
//                                            --max).
//                                            --min (default 10^4) and --dispatch-reps (default
//                                            10^5) make small runs for callgrind; --no-stop
//                                            turns the trace's STOP replies into "no";
//                                            --keep-history keeps each instance's history in
//                                            the Engine's memory (EngineOptions::keep_history)
//   bench_scale --write-trace N FILE         the trace as binary records for the XState peer:
//                                            int64 t, uint32 customer, uint32 kind (LE)
//
// Columns: setup = ns per instance to start N instances at one instant; events = triggers +
// replies + timers fired; events/s and ns/event over the whole simulated month (wall time);
// reply ns = inside reply dispatch only; timers/s = timers fired per second inside timer
// firing; bytes/inst = RSS delta / N with all N instances waiting (measured in a forked child
// so each engine starts from a clean heap); checksum = sum of hashes of every send (customer,
// first or reminder, instant) and of every final outcome: equal checksums mean equal behaviour.
#include "../peers/msm/msm_peer.hpp"
#include "harness.hpp"
#include "reminder.hpp"
#include "trace.hpp"

#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/diagnostic.hpp>
#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

namespace {

using scale::Event;

// The Engine keeps no history in memory unless --keep-history (records still go to on_record;
// a production engine keeps them in its store).
nudge::EngineOptions engine_options = [] {
    nudge::EngineOptions o;
    o.keep_history = false;
    return o;
}();

// Counts messages (and folds them into the checksum) instead of keeping them.
class CountingTransport final : public nudge::Transport {
public:
    nudge::SendResult send(const nudge::Message& m) override {
        ++sends;
        if (m.to.size() >= 7) {
            std::uint32_t idx = scale::idx_of(m.to.data() + m.to.size());
            checksum += scale::send_hash(idx, m.reminder ? 1 : 0, m.at.time_since_epoch().count());
        }
        return {};
    }
    std::uint64_t sends = 0;
    std::uint64_t checksum = 0;
};

std::shared_ptr<const nudge::CompiledFlow> reminder_flow() {
    auto r = nudge::compile_source(scale::reminder_flow, "reminder.flow");
    if (!r.ok()) {
        std::cerr << nudge::render(r.diagnostics);
        std::exit(1);
    }
    return r.flow;
}

nudge::Instant at(std::int64_t t) { return nudge::Instant{std::chrono::seconds{t}}; }

std::string phone(std::uint32_t idx) {
    char p[12];
    scale::phone_of(idx, p);
    return p;
}

const char* word(std::uint32_t kind) {
    return kind == scale::yes ? "JA" : kind == scale::no ? "Nei" : "STOP";
}

std::uint32_t outcome_code(const std::string& state) {
    if (state == "confirmed") return scale::confirmed;
    if (state == "declined") return scale::declined;
    if (state == "stopped") return scale::stopped;
    if (state == "cancelled") return scale::cancelled;
    return scale::none;
}

// Not inlined, so callgrind can count it alone (--toggle-collect).
[[gnu::noinline]] scale::RunStats nudge_run(const std::vector<Event>& trace, std::uint32_t n) {
    scale::RunStats s;
    nudge::FakeClock clock{at(scale::t0)};
    CountingTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(reminder_flow());
    std::vector<std::uint64_t> ids(n, 0);
    const std::int64_t end = scale::t0 + scale::sim_days * scale::day;
    nudge::Data data;
    nudge::Inbound msg{"", "4790000000", ""};
    auto fire_until = [&](std::int64_t until) {
        auto t = scale::steady::now();
        for (auto due = engine.next_due(); due && *due <= at(until); due = engine.next_due()) {
            clock.set(*due);
            s.timers += static_cast<std::uint64_t>(engine.run_due());
        }
        s.timer_s += scale::seconds(scale::steady::now() - t);
    };
    auto begin = scale::steady::now();
    for (const Event& e : trace) {
        fire_until(e.t);
        clock.set(at(e.t));
        if (e.kind == scale::trigger) {
            ++s.triggers;
            data.insert_or_assign("phone", phone(e.idx));
            auto started = engine.trigger("booking.created", data);
            if (!started.empty()) ids[e.idx] = started.front();
        } else {
            ++s.replies;
            msg.from = phone(e.idx);
            msg.text = word(e.kind);
            auto r = scale::steady::now();
            engine.reply(msg);
            s.reply_s += scale::seconds(scale::steady::now() - r);
        }
    }
    fire_until(end);
    s.total_s = scale::seconds(scale::steady::now() - begin);
    s.sends = out.sends;
    s.checksum = out.checksum;
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint32_t code = scale::none;
        if (ids[i] != 0)
            if (auto v = engine.instance(ids[i])) code = outcome_code(v->state);
        s.checksum += scale::outcome_hash(i, code);
    }
    return s;
}

scale::MemStats nudge_waiting(std::uint32_t n) {
    scale::MemStats m;
    std::vector<nudge::Data> inputs(n);
    for (std::uint32_t i = 0; i < n; ++i)
        inputs[i].emplace("phone", phone(i));
    long before = scale::rss_bytes();
    nudge::FakeClock clock{at(scale::t0)};
    CountingTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(reminder_flow());
    auto t = scale::steady::now();
    for (std::uint32_t i = 0; i < n; ++i)
        engine.trigger("booking.created", inputs[i]);
    m.setup_ns = scale::seconds(scale::steady::now() - t) * 1e9 / n;
    m.bytes_per_instance = static_cast<double>(scale::rss_bytes() - before) / n;
    return m;
}

double nudge_dispatch_ns(std::uint32_t reps) {
    nudge::FakeClock clock{at(scale::t0)};
    CountingTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(reminder_flow());
    std::vector<nudge::Inbound> replies(reps);
    for (std::uint32_t i = 0; i < reps; ++i) {
        engine.trigger("booking.created", {{"phone", phone(i)}});
        replies[i] = {phone(i), "4790000000", "JA"};
    }
    clock.advance(std::chrono::minutes{5});
    auto t = scale::steady::now();
    for (const auto& r : replies)
        engine.reply(r);
    return scale::seconds(scale::steady::now() - t) * 1e9 / reps;
}

// Runs fn in a forked child (a clean heap for RSS deltas) and returns its MemStats.
scale::MemStats in_child(const std::function<scale::MemStats()>& fn) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    std::cout.flush();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        scale::MemStats m = fn();
        ssize_t w = write(fds[1], &m, sizeof m);
        close(fds[1]);
        _exit(w == static_cast<ssize_t>(sizeof m) ? 0 : 1);
    }
    close(fds[1]);
    scale::MemStats m;
    ssize_t r = read(fds[0], &m, sizeof m);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (r != static_cast<ssize_t>(sizeof m)) return {-1, -1};
    return m;
}

struct Row {
    std::string engine;
    std::uint32_t n;
    scale::MemStats mem;
    scale::RunStats run;
};

void print_row(const Row& r) {
    const auto& s = r.run;
    std::uint64_t events = s.triggers + s.replies + s.timers;
    std::printf("%-7s %9u %9.0f %10llu %12.0f %9.1f %9.1f %12.0f %10.0f %08llx%08llx %llu\n",
                r.engine.c_str(), r.n, r.mem.setup_ns, static_cast<unsigned long long>(events),
                events / s.total_s, s.total_s * 1e9 / events,
                s.replies ? s.reply_s * 1e9 / s.replies : 0.0,
                s.timer_s > 0 ? s.timers / s.timer_s : 0.0, r.mem.bytes_per_instance,
                static_cast<unsigned long long>(s.checksum >> 32),
                static_cast<unsigned long long>(s.checksum & 0xffffffffu),
                static_cast<unsigned long long>(s.sends));
    std::fflush(stdout);
}

void write_json(const std::string& path, const std::vector<Row>& rows, double d_nudge,
                double d_msm) {
    std::ofstream f(path);
    f << "{\n  \"dispatch_ns_nudge\": " << d_nudge << ",\n  \"dispatch_ns_msm\": " << d_msm
      << ",\n  \"rows\": [\n";
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        const auto& s = r.run;
        std::uint64_t events = s.triggers + s.replies + s.timers;
        char sum[17];
        std::snprintf(sum, sizeof sum, "%016llx", static_cast<unsigned long long>(s.checksum));
        f << "    {\"engine\": \"" << r.engine << "\", \"n\": " << r.n
          << ", \"setup_ns\": " << r.mem.setup_ns << ", \"events\": " << events
          << ", \"triggers\": " << s.triggers << ", \"replies\": " << s.replies
          << ", \"timers\": " << s.timers << ", \"sends\": " << s.sends
          << ", \"total_s\": " << s.total_s << ", \"events_per_s\": " << events / s.total_s
          << ", \"ns_per_event\": " << s.total_s * 1e9 / events
          << ", \"reply_ns\": " << (s.replies ? s.reply_s * 1e9 / s.replies : 0.0)
          << ", \"reply_events_per_s\": " << (s.reply_s > 0 ? s.replies / s.reply_s : 0.0)
          << ", \"timers_per_s\": " << (s.timer_s > 0 ? s.timers / s.timer_s : 0.0)
          << ", \"bytes_per_instance\": " << r.mem.bytes_per_instance << ", \"checksum\": \"" << sum
          << "\"}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    f << "  ]\n}\n";
}

int usage() {
    std::cerr << "usage: bench_scale [--min N] [--max N] [--nudge-max N] [--dispatch-reps N] "
                 "[--no-stop] [--keep-history] [--json FILE]\n"
                 "       bench_scale --write-trace N FILE\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::uint64_t min_n = 10000;
    std::uint64_t max_n = 1000000;
    std::uint32_t reps = 100000;
    bool stop = true;
    std::uint64_t nudge_max = 0;
    std::string json;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--max" && i + 1 < argc) {
            max_n = std::strtoull(argv[++i], nullptr, 10);
        } else if (a == "--keep-history") {
            engine_options.keep_history = true;
        } else if (a == "--no-stop") {
            stop = false;
        } else if (a == "--min" && i + 1 < argc) {
            min_n = std::strtoull(argv[++i], nullptr, 10);
        } else if (a == "--dispatch-reps" && i + 1 < argc) {
            reps = static_cast<std::uint32_t>(std::strtoul(argv[++i], nullptr, 10));
        } else if (a == "--nudge-max" && i + 1 < argc) {
            nudge_max = std::strtoull(argv[++i], nullptr, 10);
        } else if (a == "--json" && i + 1 < argc) {
            json = argv[++i];
        } else if (a == "--write-trace" && i + 2 < argc) {
            auto n = static_cast<std::uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
            std::ofstream f(argv[i + 2], std::ios::binary);
            for (const Event& e : scale::make_trace(n)) {
                f.write(reinterpret_cast<const char*>(&e.t), 8);
                f.write(reinterpret_cast<const char*>(&e.idx), 4);
                f.write(reinterpret_cast<const char*>(&e.kind), 4);
            }
            return f ? 0 : 1;
        } else {
            return usage();
        }
    }
    if (min_n < 100 || max_n < min_n || max_n > 10000000 || reps < 1) return usage();
    if (nudge_max == 0) nudge_max = max_n;

    std::printf("bench_scale: reminder flow, seeded trace%s, 30 simulated days, FakeClock\n",
                stop ? "" : " without STOP (--no-stop)");
    std::printf("%-7s %9s %9s %10s %12s %9s %9s %12s %10s %16s %s\n", "engine", "N", "setup_ns",
                "events", "events/s", "ns/event", "reply_ns", "timers/s", "bytes/inst", "checksum",
                "sends");
    std::vector<Row> rows;
    bool same = true;
    for (std::uint64_t n = min_n; n <= max_n; n *= 10) {
        auto count = static_cast<std::uint32_t>(n);
        auto trace = scale::make_trace(count, stop);
        Row msm_row{"msm", count, in_child([&] { return msm_peer::waiting(count); }), {}};
        msm_row.run = msm_peer::run(trace, count);
        print_row(msm_row);
        rows.push_back(msm_row);
        if (n > nudge_max) {
            std::printf("%-7s %9u skipped (--nudge-max %llu)\n", "nudge", count,
                        static_cast<unsigned long long>(nudge_max));
            continue;
        }
        Row nudge_row{"nudge", count, in_child([&] { return nudge_waiting(count); }), {}};
        nudge_row.run = nudge_run(trace, count);
        print_row(nudge_row);
        rows.push_back(nudge_row);
        if (msm_row.run.checksum != nudge_row.run.checksum) {
            std::printf("CHECKSUM MISMATCH at N=%u\n", count);
            same = false;
        }
    }
    double d_nudge = nudge_dispatch_ns(reps);
    double d_msm = msm_peer::dispatch_ns(reps);
    std::printf("reply dispatch (lookup+match+transition+cancel), %u replies: nudge %.1f ns, "
                "msm %.1f ns, ratio %.1f\n",
                reps, d_nudge, d_msm, d_nudge / d_msm);
    if (!json.empty()) write_json(json, rows, d_nudge, d_msm);
    return same ? 0 : 1;
}
