// compile() with every analysis on a generated flow of 2,000 states and 10,000 edges and a cap
// (issue 3 asks for well under a second). Run: build/<preset>/benchmarks/bench_compile
#include <nudge/compile.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

constexpr int state_count = 2000;
constexpr int final_count = 10;

// Built by appending: GCC 12 warns falsely (-Wrestrict, bug 105651) on "s" + to_string(i).
std::string state_name(int i) {
    std::string name = "s";
    name += std::to_string(i);
    return name;
}

nudge::Expr field(std::string name) {
    nudge::Expr e;
    e.kind = nudge::ExprKind::field;
    e.text = std::move(name);
    return e;
}

nudge::Handler handler(nudge::Handler::Kind kind, int target) {
    nudge::Handler h;
    h.kind = kind;
    h.target.state = state_name(target);
    return h;
}

// Every non-final state: a choice forward, a reply, an event (often backward, so the flow is
// full of waiting cycles), an `after` and an `at`; the first fifty one more reply.
// 1,990 × 5 + 50 = 10,000 edges. Finals are the last ten states.
nudge::FlowDef generated_flow() {
    nudge::FlowDef f;
    f.name = "generated";
    f.source.file = "generated.flow";
    f.fields = {{"phone", nudge::FieldType::phone, false, {}},
                {"ok", nudge::FieldType::boolean, false, {}},
                {"visit_at", nudge::FieldType::datetime, false, {}}};
    f.channels.push_back({"sms", nudge::ChannelKind::sms, "phone", false, "4790000000", {}});
    f.keywords.push_back({"yes", {"ja", "ok", "yes"}, {}});
    f.keywords.push_back({"no", {"nei", "no"}, {}});
    nudge::WindowSlot every_day{nudge::Weekday::mon, nudge::Weekday::sun, 9 * 60, 21 * 60, {}};
    f.windows.push_back({"daytime", {every_day}, {}});
    // Every state sends on entry and the choices chain them, so the cap search (states × 5
    // nodes) is busy and reports nearly every state: the worst case for that analysis.
    f.caps.push_back({"sms", 3, {24, nudge::DurationUnit::h}, {}});
    nudge::TriggerDecl t;
    t.event = "sale.saved";
    t.key = "phone";
    t.start = "s0";
    f.triggers.push_back(t);

    const int last = state_count - 1;
    auto clamp = [&](int i) { return i > last ? last : i; };
    for (int i = 0; i < state_count; ++i) {
        nudge::StateDecl s;
        s.name = state_name(i);
        s.loc.begin = {static_cast<std::uint32_t>(i * 8 + 10), 1};
        s.is_final = i >= state_count - final_count;
        if (!s.is_final) {
            nudge::Action send;
            send.channel = "sms";
            send.inline_text = "hello";
            s.actions.push_back(send);

            nudge::Choice c;
            c.condition = field("ok");
            c.target.state = state_name(clamp(i + 1));
            s.choices.push_back(c);

            auto reply = handler(nudge::Handler::Kind::reply, clamp(i + 2));
            reply.keywords = "yes";
            s.handlers.push_back(reply);
            auto event = handler(nudge::Handler::Kind::event, (i * 7 + 3) % state_count);
            event.event = "booking.changed";
            s.handlers.push_back(event);
            auto after = handler(nudge::Handler::Kind::after, clamp(i + 3));
            after.delay = {2, nudge::DurationUnit::h};
            after.within = "daytime";
            s.handlers.push_back(after);
            auto at = handler(nudge::Handler::Kind::at, clamp(i + 5));
            at.at = field("visit_at");
            s.handlers.push_back(at);
            if (i < 50) {
                auto no = handler(nudge::Handler::Kind::reply, last);
                no.keywords = "no";
                s.handlers.push_back(no);
            }
            nudge::Reminder r;
            r.after = {1, nudge::DurationUnit::h};
            s.reminders.push_back(r);
        }
        f.states.push_back(std::move(s));
    }
    return f;
}

void compile_generated(benchmark::State& state) {
    const auto flow = generated_flow();
    std::size_t edges = 0;
    std::size_t diagnostics = 0;
    for (auto _ : state) {
        auto result = nudge::compile(flow);
        edges = result.flow->edges().size();
        diagnostics = result.diagnostics.size();
        benchmark::DoNotOptimize(result);
    }
    state.counters["states"] = static_cast<double>(flow.states.size());
    state.counters["edges"] = static_cast<double>(edges);
    state.counters["diagnostics"] = static_cast<double>(diagnostics);
}
BENCHMARK(compile_generated)->Unit(benchmark::kMillisecond);

void pictures_generated(benchmark::State& state) {
    const auto compiled = nudge::compile(generated_flow()).flow;
    for (auto _ : state) {
        auto dot = nudge::to_dot(*compiled);
        auto mermaid = nudge::to_mermaid(*compiled);
        benchmark::DoNotOptimize(dot);
        benchmark::DoNotOptimize(mermaid);
    }
}
BENCHMARK(pictures_generated)->Unit(benchmark::kMillisecond);

} // namespace
