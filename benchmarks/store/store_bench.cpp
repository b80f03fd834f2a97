// Durable steps per second: DurableEngine on SQLite (WAL) committing one trigger per step,
// in batches of 1, 10 and 100 steps per transaction. Each step starts an instance that sends
// one SMS (journal row, outbox row, history rows, instance row). Messages are delivered after
// each batch, their done-marks committed together. Run:
//   build/release/benchmarks/bench_store --benchmark_counters_tabular=true
// synchronous=FULL (the default, survives power loss) and NORMAL (survives process crashes).
#include <nudge/compile.hpp>
#include <nudge/store.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace {

const char* flow_text = R"(flow bench
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"
keywords yes = "ja"

trigger booking.made as phone {
  start asked
}

state asked {
  send sms "Reply JA to keep your booking."
  on reply yes -> confirmed
  after 72h -> cancelled
}

final confirmed

final cancelled
)";

class NullTransport final : public nudge::Transport {
public:
    nudge::SendResult send(const nudge::Message&) override { return {}; }
};

// A fresh database file in a folder of its own (removed at the end), the compiled flow, a fake
// clock and a transport that accepts everything.
struct Bench {
    std::filesystem::path dir;
    std::filesystem::path file;
    nudge::CompileResult flow = nudge::compile_source(flow_text, "bench.flow");
    nudge::FakeClock clock{"2026-03-02T09:00:00+01:00"};
    NullTransport out;
    nudge::DurableOptions options;

    Bench(const std::string& name, bool full)
        : dir(std::filesystem::temp_directory_path() /
              ("nudge-bench-" + name + "-" + std::to_string(::getpid()))),
          file(dir / "bench.db") {
        std::filesystem::create_directories(dir);
        std::filesystem::remove(file);
        options.synchronous_full = full;
    }
    ~Bench() { std::filesystem::remove_all(dir); }
    static std::string phone(std::int64_t i) { return "+4520" + std::to_string(100000 + i); }
};

void durable_steps(benchmark::State& state) {
    auto batch = static_cast<int>(state.range(0));
    bool full = state.range(1) != 0;
    Bench b("steps", full);
    std::int64_t steps = 0;
    {
        nudge::DurableEngine engine(b.file, b.clock, b.out, b.options);
        engine.load(b.flow.flow);
        std::int64_t n = 0;
        for (auto _ : state) {
            engine.batch([&] {
                for (int i = 0; i < batch; ++i)
                    engine.trigger("booking.made", {{"phone", Bench::phone(n++ % 800000)}});
            });
            steps += batch;
        }
    }
    state.counters["steps/s"] =
        benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
    state.SetLabel(full ? "synchronous=FULL" : "synchronous=NORMAL");
}

// Opening a database replays its journal (there are no snapshots yet), so the time to open
// grows with the steps ever committed. This measures it: N triggers, then open the file again.
void reopen(benchmark::State& state) {
    auto n = state.range(0);
    Bench b("reopen", false);
    {
        nudge::DurableEngine engine(b.file, b.clock, b.out, b.options);
        engine.load(b.flow.flow);
        for (std::int64_t done = 0; done < n; done += 1000) {
            engine.batch([&] {
                for (std::int64_t i = done; i < std::min(n, done + 1000); ++i)
                    engine.trigger("booking.made", {{"phone", Bench::phone(i)}});
            });
        }
    }
    std::int64_t steps = 0;
    for (auto _ : state) {
        nudge::DurableEngine engine(b.file, b.clock, b.out, b.options);
        steps += engine.steps();
        benchmark::DoNotOptimize(steps);
    }
    state.counters["replayed steps/s"] =
        benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK(reopen)
    ->Arg(10000)
    ->Arg(100000)
    ->ArgName("steps")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

BENCHMARK(durable_steps)
    ->ArgsProduct({{1, 10, 100}, {1, 0}})
    ->ArgNames({"batch", "full"})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
