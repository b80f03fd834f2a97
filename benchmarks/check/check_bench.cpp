// Issue 16: the checker and every analysis on flows of 25,000 to 100,000 states, in the shapes
// of gen_flow.py, built in memory (a flow file holds at most 2 MiB, too little for most shapes
// at 100,000 states; `run.py` times `nudge check` on the files that fit). What `nudge check`
// does after parsing: check_flow, compile (the analyses and the stats), and printing the flow
// back (fmt, YAML) and as DOT. Run: build/<preset>/benchmarks/bench_check
#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace {

// Built by appending: GCC 12 warns falsely (-Wrestrict, bug 105651) on "n" + to_string(i).
std::string name(std::size_t i) {
    std::string out = "n";
    out += std::to_string(i);
    return out;
}

nudge::NodeLoc at_line(std::size_t line) {
    auto l = static_cast<std::uint32_t>(line);
    return nudge::Loc{{l, 1}, {l, 20}};
}

nudge::Target to(std::string state) {
    nudge::Target t;
    t.state = std::move(state);
    return t;
}

nudge::Handler handler(nudge::Handler::Kind kind, std::string target, std::size_t line) {
    nudge::Handler h;
    h.kind = kind;
    h.target = to(std::move(target));
    h.loc = at_line(line);
    return h;
}

nudge::Handler event(std::string target, std::size_t line) {
    auto h = handler(nudge::Handler::Kind::event, std::move(target), line);
    h.event = "e";
    return h;
}

nudge::Action send(std::size_t line) {
    nudge::Action a;
    a.channel = "sms";
    a.inline_text = "hi";
    a.loc = at_line(line);
    return a;
}

nudge::StateDecl state(std::string n, std::size_t line, bool is_final = false) {
    nudge::StateDecl s;
    s.name = std::move(n);
    s.is_final = is_final;
    s.loc = at_line(line);
    return s;
}

// The head of gen_flow.py: a phone, a bool, an sms channel, one trigger into `s`.
nudge::FlowDef head() {
    nudge::FlowDef f;
    f.name = "big";
    f.source.file = "big.flow";
    f.fields = {{"p", nudge::FieldType::phone, false, at_line(2)},
                {"ok", nudge::FieldType::boolean, false, at_line(3)}};
    f.channels.push_back({"sms", nudge::ChannelKind::sms, "p", false, "4790000000", at_line(4)});
    nudge::TriggerDecl t;
    t.event = "go";
    t.key = "p";
    t.start = "s";
    t.loc = at_line(5);
    f.triggers.push_back(t);
    return f;
}

enum Shape { unreachable, finals, chain, wide, decls, choices };

nudge::FlowDef generate(Shape shape, std::size_t n) {
    auto f = head();
    std::size_t line = 6;
    auto s = state("s", line++);
    switch (shape) {
    case unreachable:
    case finals:
        s.handlers.push_back(event("z", line - 1));
        f.states.push_back(std::move(s));
        for (std::size_t i = 0; i < n; ++i) {
            auto u = state(name(i), line, shape == finals);
            if (shape == unreachable) u.handlers.push_back(event("z", line));
            f.states.push_back(std::move(u));
            ++line;
        }
        f.states.push_back(state("z", line, true)); // last, as in gen_flow.py
        break;
    case chain:
        s.actions.push_back(send(line - 1));
        s.handlers.push_back(handler(nudge::Handler::Kind::after, name(0), line - 1));
        s.handlers.back().delay = {1, nudge::DurationUnit::h};
        f.states.push_back(std::move(s));
        for (std::size_t i = 0; i < n; ++i) {
            auto c = state(name(i), line, i + 1 == n);
            if (i + 1 < n) {
                c.handlers.push_back(handler(nudge::Handler::Kind::after, name(i + 1), line));
                c.handlers.back().delay = {1, nudge::DurationUnit::h};
            }
            f.states.push_back(std::move(c));
            ++line;
        }
        break;
    case wide:
    case decls:
        for (std::size_t i = 0; i < n; ++i) {
            auto kind = shape == wide ? 2 : i % 3;
            if (kind == 0) {
                nudge::WindowDecl w{
                    name(i),
                    {{nudge::Weekday::mon, nudge::Weekday::fri, 540, 1020, at_line(line)}},
                    at_line(line)};
                f.windows.push_back(w);
                auto a = send(line);
                a.within = name(i);
                s.actions.push_back(a);
            } else if (kind == 1) {
                nudge::TemplateDecl t;
                t.name = name(i);
                t.text = "hi";
                t.loc = at_line(line);
                f.templates.push_back(t);
                auto a = send(line);
                a.inline_text.reset();
                a.template_name = name(i);
                s.actions.push_back(a);
            } else {
                f.keywords.push_back({name(i), {name(i)}, at_line(line)});
                auto h = handler(nudge::Handler::Kind::reply, "z", line + n);
                h.keywords = name(i);
                s.handlers.push_back(h);
            }
            ++line;
        }
        s.loc = at_line(line);
        if (s.actions.empty()) s.actions.push_back(send(line));
        f.states.push_back(std::move(s));
        f.states.push_back(state("z", line + n + 1, true));
        break;
    case choices: {
        s.actions.push_back(send(line - 1));
        nudge::Choice else_first;
        else_first.target = to(name(0));
        else_first.loc = at_line(line - 1);
        s.choices.push_back(else_first);
        f.states.push_back(std::move(s));
        for (std::size_t i = 0; i < n; ++i) {
            auto c = state(name(i), line);
            if (i + 1 < n) {
                nudge::Choice yes;
                yes.condition = nudge::Expr{};
                yes.condition->kind = nudge::ExprKind::field;
                yes.condition->text = "ok";
                yes.condition->loc = at_line(line);
                yes.target = to(name(i + 1));
                yes.loc = at_line(line);
                nudge::Choice otherwise;
                otherwise.target = to("z");
                otherwise.loc = at_line(line);
                c.choices = {yes, otherwise};
            } else {
                c.handlers.push_back(event("z", line));
            }
            f.states.push_back(std::move(c));
            ++line;
        }
        f.states.push_back(state("z", line, true));
        break;
    }
    }
    return f;
}

// check_flow then compile with every analysis and the stats, as `nudge check --stats`.
void check_and_compile(benchmark::State& st, Shape shape) {
    const auto flow = generate(shape, static_cast<std::size_t>(st.range(0)));
    std::size_t diagnostics = 0;
    for (auto _ : st) {
        auto checked = nudge::check_flow(flow);
        auto compiled = nudge::compile(flow);
        diagnostics = checked.size() + compiled.diagnostics.size();
        benchmark::DoNotOptimize(compiled.flow->stats());
    }
    st.counters["states"] = static_cast<double>(flow.states.size());
    st.counters["diagnostics"] = static_cast<double>(diagnostics);
}

// The printers: canonical text, the YAML twin, DOT.
void print(benchmark::State& st, Shape shape) {
    const auto flow = generate(shape, static_cast<std::size_t>(st.range(0)));
    const auto compiled = nudge::compile(flow).flow;
    for (auto _ : st) {
        auto text = nudge::format_flow(flow);
        auto yaml = nudge::flow_to_yaml(flow);
        auto dot = nudge::to_dot(*compiled);
        benchmark::DoNotOptimize(text);
        benchmark::DoNotOptimize(yaml);
        benchmark::DoNotOptimize(dot);
    }
}

void sizes(benchmark::internal::Benchmark* b) {
    for (long n : {25000L, 50000L, 100000L})
        b->Arg(n);
    b->Unit(benchmark::kMillisecond)->MinTime(0.2);
}

BENCHMARK_CAPTURE(check_and_compile, unreachable, unreachable)->Apply(sizes);
BENCHMARK_CAPTURE(check_and_compile, finals, finals)->Apply(sizes);
BENCHMARK_CAPTURE(check_and_compile, chain, chain)->Apply(sizes);
BENCHMARK_CAPTURE(check_and_compile, wide, wide)->Apply(sizes);
BENCHMARK_CAPTURE(check_and_compile, decls, decls)->Apply(sizes);
BENCHMARK_CAPTURE(check_and_compile, choices, choices)->Apply(sizes);
BENCHMARK_CAPTURE(print, chain, chain)->Apply(sizes);
BENCHMARK_CAPTURE(print, decls, decls)->Apply(sizes);

} // namespace
