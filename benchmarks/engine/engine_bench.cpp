// Micro-benchmarks of the Engine through its public API only (issue 8, item 4). Run:
// build/<preset>/benchmarks/bench_engine. Each benchmark keeps a batch of instances ready
// outside the timed region and times only the call under test.
#include "../scale/reminder.hpp"

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

class NullTransport final : public nudge::Transport {
public:
    nudge::SendResult send(const nudge::Message&) override {
        ++count;
        return {};
    }
    std::uint64_t count = 0;
};

std::shared_ptr<const nudge::CompiledFlow> compiled(const char* source) {
    auto r = nudge::compile_source(source, "bench.flow");
    if (!r.ok()) return nullptr;
    return r.flow;
}

// The reminder flow of benchmarks/scale (one text for both).
using scale::reminder_flow;

// Timers only: no channel, no send.
constexpr const char* timer_flow = R"(flow timers
field ref: text
trigger job.created as ref {
  start waiting
}
state waiting {
  after 1h -> done
}
final done
)";

// A deadline that falls in the night before the spring DST change in Oslo (2026-03-29 02:00
// local): `within` moves it to the next opening, 09:00 CEST.
constexpr const char* dst_flow = R"(flow dst
timezone "Europe/Oslo"
field ref: text
window daytime = mon-sun 09:00-20:00
trigger job.created as ref {
  start waiting
}
state waiting {
  after 4h within daytime -> done
}
final done
)";

// Built by appending: GCC 12 warns falsely (-Wrestrict, bug 105651) on "r" + to_string(i).
std::string phone(std::uint64_t i) {
    std::string digits = std::to_string(i % 10000000);
    std::string p = "+479";
    p.append(7 - digits.size(), '0');
    p += digits;
    return p;
}
std::string ref(std::uint64_t i) {
    std::string r = "r";
    r += std::to_string(i);
    return r;
}

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
    nudge::Engine engine{clock, out};
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
    nudge::Engine engine{clock, out};
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
    nudge::Engine engine{clock, out};
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
    nudge::Engine engine{clock, out};
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
