// count_ops: the engine's micro-benchmark operations (benchmarks/engine) for valgrind's
// callgrind, which counts instructions exactly where a timer on a shared machine cannot.
//
//   valgrind --tool=callgrind --toggle-collect='counted_*' count_ops OP K
//
// runs OP's set-up uncounted, then K operations inside counted_OP (never inlined, so
// callgrind's --toggle-collect sees it), and prints "OP K CHECK". Instructions per operation =
// the counted total / K. OP: parse_compile, reply_dispatch, schedule_cancel, timer_fire,
// next_opening. benchmarks/run-comparison.sh runs them all into RESULTS.md.
#include "../engine/fixtures.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using namespace bench;

[[gnu::noinline]] std::uint64_t counted_parse_compile(int k) {
    std::uint64_t states = 0;
    for (int i = 0; i < k; ++i) {
        auto r = nudge::compile_source(reminder_flow, "reminder.flow");
        if (r.ok()) states += r.flow->states().size();
    }
    return states;
}

// Reply dispatch: K waiting instances of the reminder flow, one "Ja!" each.
[[gnu::noinline]] std::uint64_t counted_reply_dispatch(nudge::Engine& engine,
                                                       const std::vector<nudge::Inbound>& replies) {
    for (const auto& r : replies)
        engine.reply(r);
    return replies.size();
}

[[gnu::noinline]] std::uint64_t counted_schedule_cancel(nudge::Engine& engine,
                                                        const std::vector<nudge::Data>& inputs) {
    std::uint64_t n = 0;
    for (const auto& in : inputs) {
        auto ids = engine.trigger("job.created", in);
        if (!ids.empty()) engine.cancel(ids.front(), "bench");
        n += ids.size();
    }
    return n;
}

[[gnu::noinline]] std::uint64_t counted_timer_fire(nudge::Engine& engine) {
    return static_cast<std::uint64_t>(engine.run_due());
}

[[gnu::noinline]] std::uint64_t counted_next_opening(nudge::Engine& engine,
                                                     const std::vector<nudge::Data>& inputs) {
    std::uint64_t n = 0;
    for (const auto& in : inputs) {
        auto ids = engine.trigger("job.created", in);
        if (auto due = engine.next_due())
            n += static_cast<std::uint64_t>(due->time_since_epoch().count() % 7);
        if (!ids.empty()) engine.cancel(ids.front(), "bench");
    }
    return n;
}

std::vector<nudge::Data> refs(int k) {
    std::vector<nudge::Data> out;
    out.reserve(static_cast<std::size_t>(k));
    for (int i = 0; i < k; ++i)
        out.push_back({{"ref", ref(static_cast<std::uint64_t>(i))}});
    return out;
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: count_ops parse_compile|reply_dispatch|schedule_cancel|"
                             "timer_fire|next_opening K\n");
        return 2;
    }
    const std::string op = argv[1];
    const int k = std::atoi(argv[2]);
    if (k <= 0) {
        std::fprintf(stderr, "count_ops: K must be a positive number\n");
        return 2;
    }
    NullTransport out;
    std::uint64_t check = 0;
    if (op == "parse_compile") {
        check = counted_parse_compile(k);
    } else if (op == "reply_dispatch") {
        nudge::FakeClock clock{"2026-03-02T10:00:00Z"};
        nudge::Engine engine{clock, out, engine_options};
        engine.load(compiled(reminder_flow));
        std::vector<nudge::Inbound> replies;
        for (int i = 0; i < k; ++i) {
            engine.trigger("booking.created", {{"phone", phone(static_cast<std::uint64_t>(i))}});
            replies.push_back({phone(static_cast<std::uint64_t>(i)), "4790000000", "Ja!"});
        }
        check = counted_reply_dispatch(engine, replies);
    } else if (op == "schedule_cancel" || op == "next_opening") {
        bool dst = op == "next_opening";
        nudge::FakeClock clock{dst ? "2026-03-28T23:30:00+01:00" : "2026-03-02T10:00:00Z"};
        nudge::Engine engine{clock, out, engine_options};
        engine.load(compiled(dst ? dst_flow : timer_flow));
        auto inputs = refs(k);
        check =
            dst ? counted_next_opening(engine, inputs) : counted_schedule_cancel(engine, inputs);
    } else if (op == "timer_fire") {
        nudge::FakeClock clock{"2026-03-02T10:00:00Z"};
        nudge::Engine engine{clock, out, engine_options};
        engine.load(compiled(timer_flow));
        for (const auto& in : refs(k))
            engine.trigger("job.created", in);
        clock.advance(std::chrono::hours{2});
        check = counted_timer_fire(engine);
    } else {
        std::fprintf(stderr, "count_ops: unknown operation '%s'\n", op.c_str());
        return 2;
    }
    std::printf("%s %d %llu\n", op.c_str(), k, static_cast<unsigned long long>(check));
    return 0;
}
