// Micro-benchmarks of the Engine through its public API only (issue 8, item 4). Run:
// build/<preset>/benchmarks/bench_engine. Each benchmark keeps a batch of instances ready
// outside the timed region and times only the call under test.
#include "fixtures.hpp"

#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace bench;

// Parse and compile the reminder flow from its text (every check and analysis included).
void BM_ParseCompile(benchmark::State& state) {
    for (auto _ : state) {
        auto r = nudge::compile_source(reminder_flow, "reminder.flow");
        if (!r.ok()) {
            state.SkipWithError("flow does not compile");
            break;
        }
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCompile);

// Reply dispatch: lookup by (from, to), normalise, match the keyword, transition, cancel the
// state's timers, enter the final state. 1,000 waiting instances per batch.
void BM_ReplyDispatch(benchmark::State& state) {
    auto flow = compiled(reminder_flow);
    if (!flow) {
        state.SkipWithError("flow does not compile");
        return;
    }
    nudge::FakeClock clock{"2026-03-02T10:00:00Z"};
    NullTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(flow);
    constexpr std::size_t batch = 1000;
    std::vector<nudge::Inbound> replies;
    std::uint64_t next = 0;
    std::size_t pos = batch;
    for (auto _ : state) {
        if (pos == batch) {
            state.PauseTiming();
            replies.clear();
            for (std::size_t i = 0; i < batch; ++i, ++next) {
                engine.trigger("booking.created", {{"phone", phone(next)}});
                replies.push_back({phone(next), "4790000000", "Ja!"});
            }
            pos = 0;
            state.ResumeTiming();
        }
        engine.reply(replies[pos++]);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReplyDispatch);

// Schedule and cancel: a trigger that sets one timer, then cancel() of the instance.
void BM_TimerScheduleCancel(benchmark::State& state) {
    auto flow = compiled(timer_flow);
    if (!flow) {
        state.SkipWithError("flow does not compile");
        return;
    }
    nudge::FakeClock clock{"2026-03-02T10:00:00Z"};
    NullTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(flow);
    std::uint64_t next = 0;
    for (auto _ : state) {
        auto ids = engine.trigger("job.created", {{"ref", ref(next++)}});
        if (!ids.empty()) engine.cancel(ids.front(), "bench");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimerScheduleCancel);

// Firing: run_due() over a batch of 1,000 due timers (each moves its instance to `done`).
void BM_TimerFire(benchmark::State& state) {
    auto flow = compiled(timer_flow);
    if (!flow) {
        state.SkipWithError("flow does not compile");
        return;
    }
    nudge::FakeClock clock{"2026-03-02T10:00:00Z"};
    NullTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(flow);
    constexpr int batch = 1000;
    std::uint64_t next = 0;
    std::int64_t fired = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (int i = 0; i < batch; ++i)
            engine.trigger("job.created", {{"ref", ref(next++)}});
        clock.advance(std::chrono::hours{2});
        state.ResumeTiming();
        fired += engine.run_due();
    }
    state.SetItemsProcessed(fired);
}
BENCHMARK(BM_TimerFire);

// The next window opening across DST: a start whose deadline falls in the night of the
// spring change, moved by `within` to 09:00 CEST; then cancel() so the engine stays small.
void BM_NextOpeningAcrossDst(benchmark::State& state) {
    auto flow = compiled(dst_flow);
    if (!flow) {
        state.SkipWithError("flow does not compile");
        return;
    }
    nudge::FakeClock clock{"2026-03-28T23:30:00+01:00"};
    NullTransport out;
    nudge::Engine engine{clock, out, engine_options};
    engine.load(flow);
    const auto expected = nudge::parse_instant("2026-03-29T09:00:00+02:00");
    std::uint64_t next = 0;
    for (auto _ : state) {
        auto ids = engine.trigger("job.created", {{"ref", ref(next++)}});
        auto due = engine.next_due();
        if (!due || *due != expected) {
            state.SkipWithError("deadline not at the window's opening");
            break;
        }
        if (!ids.empty()) engine.cancel(ids.front(), "bench");
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NextOpeningAcrossDst);

} // namespace
