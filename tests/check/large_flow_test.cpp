// Issue 16: large generated flows (the shapes of benchmarks/check/gen_flow.py) still get the
// right diagnostics and numbers. Correctness only: how long they take is measured in
// benchmarks/check/, never here.
#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace nudge;

namespace {

constexpr int big = 20000;

const char* const head = "flow big\n"
                         "field p:phone\n"
                         "field ok:bool\n"
                         "channel sms to p from \"4790000000\"\n"
                         "trigger go as p{start s}\n";
constexpr std::uint32_t head_lines = 5;

std::string name(int i) {
    std::string out = "n";
    out += std::to_string(i);
    return out;
}

// `s` waits for `e` and ends in `z`; `extra` follows, one declaration a line.
std::string flow_with(const std::string& extra) {
    return std::string(head) + "state s{on e->z}\nfinal z\n" + extra;
}

std::size_t count_code(const Diagnostics& ds, std::string_view code) {
    std::size_t n = 0;
    for (const auto& d : ds)
        n += d.code == code ? 1 : 0;
    return n;
}

} // namespace

TEST_CASE("20000 unreachable states give 100 errors in line order and one too-many-errors") {
    std::string extra;
    for (int i = 0; i < big; ++i)
        extra += "state " + name(i) + "{on e->z}\n";
    auto r = compile_source(flow_with(extra), "big.flow");
    const auto& ds = r.diagnostics;
    CHECK(count_code(ds, "unreachable-state") == max_reported);
    REQUIRE(count_code(ds, "too-many-errors") == 1);
    CHECK(ds.error_count() == max_reported + 1);
    CHECK(ds.warning_count() == 0);
    // The first hundred by line, then the count of the rest at the first one left out.
    std::uint32_t line = head_lines + 3;
    for (const auto& d : ds) {
        if (d.code == "too-many-errors") {
            CHECK(d.message == "too many errors: " + std::to_string(big - max_reported) +
                                   " more not shown, from here on");
            CHECK(d.pos.line == head_lines + 3 + max_reported);
            continue;
        }
        CHECK(d.pos.line == line);
        CHECK(d.message == "state " + std::string("'") + name(static_cast<int>(line) - 8) +
                               "' cannot be reached from any trigger's start");
        ++line;
    }
}

TEST_CASE("20000 unreachable finals give 100 warnings and one too-many-warnings") {
    std::string extra;
    for (int i = 0; i < big; ++i)
        extra += "final " + name(i) + "\n";
    auto r = compile_source(flow_with(extra), "big.flow");
    const auto& ds = r.diagnostics;
    CHECK_FALSE(ds.has_errors());
    CHECK(count_code(ds, "unreachable-final") == max_reported);
    REQUIRE(count_code(ds, "too-many-warnings") == 1);
    CHECK(ds.items().back().message == "too many warnings: " + std::to_string(big - max_reported) +
                                           " more not shown, from here on");
    REQUIRE(r.flow);
    CHECK(r.flow->stats().states == big + 2);
    CHECK(r.flow->stats().reachable_states == 2);
}

TEST_CASE("a chain of 20000 timed states is clean and its longest wait is the chain") {
    std::string text = std::string(head) + "state s{send sms \"hi\" after 1h->" + name(0) + "}\n";
    for (int i = 0; i + 1 < big; ++i)
        text += "state " + name(i) + "{after 1h->" + name(i + 1) + "}\n";
    text += "final " + name(big - 1) + "\n";
    auto r = compile_source(text, "chain.flow");
    INFO(render(r.diagnostics));
    CHECK(r.diagnostics.empty());
    REQUIRE(r.flow);
    CHECK(r.flow->stats().states == big + 1);
    CHECK(r.flow->stats().edges == big);
    CHECK(r.flow->stats().longest_waiting_path == big);
}

TEST_CASE("a chain of 10000 choices is clean, and closed into a loop it is one livelock") {
    constexpr int n = big / 2;
    auto chain = [](bool loop) {
        std::string text = std::string(head) + "state s{send sms \"hi\" else->" + name(0) + "}\n";
        for (int i = 0; i + 1 < n; ++i)
            text += "state " + name(i) + "{if ok->" + name(i + 1) + " else->z}\n";
        text += "state " + name(n - 1) + (loop ? "{else->" + name(0) + "}\n" : "{on e->z}\n");
        return text + "final z\n";
    };
    auto clean = compile_source(chain(false), "choices.flow");
    INFO(render(clean.diagnostics));
    CHECK(clean.diagnostics.empty());

    auto looped = compile_source(chain(true), "loop.flow");
    REQUIRE(count_code(looped.diagnostics, "livelock") == 1);
    const auto& d = *looped.diagnostics.begin();
    CHECK(d.code == "livelock");
    CHECK(d.message.starts_with("choices loop without ever waiting: " + name(0) + " -> " + name(1) +
                                " -> "));
}

TEST_CASE("one state with 5000 reply routes reports each repeated word once") {
    constexpr int routes = 5000;
    std::string sets, body;
    for (int i = 0; i < routes; ++i) {
        // Every tenth set repeats the word of the set before it.
        int word = i % 10 == 9 ? i - 1 : i;
        sets += "keywords " + name(i) + "=\"w" + std::to_string(word) + "\"\n";
        body += "on reply " + name(i) + "->z\n";
    }
    auto text = std::string(head) + sets + "state s{send sms \"hi\"\n" + body + "}\nfinal z\n";
    auto r = compile_source(text, "wide.flow");
    CHECK_FALSE(r.diagnostics.has_errors());
    CHECK(count_code(r.diagnostics, "duplicate-keyword") == max_reported);
    CHECK(count_code(r.diagnostics, "too-many-warnings") == 1);
    CHECK(r.diagnostics.items().back().message ==
          "too many warnings: " + std::to_string(routes / 10 - max_reported) +
              " more not shown, from here on");
}

TEST_CASE("unknown names among 20000 states still get a suggestion") {
    std::string extra;
    for (int i = 0; i < big; ++i)
        extra += "state " + name(i) + "{on e->z}\n";
    extra += "state q{on e->n1999x}\n";
    auto r = compile_source(flow_with(extra), "typo.flow");
    bool found = false;
    for (const auto& d : r.diagnostics) {
        if (d.code != "unknown-state") continue;
        found = true;
        CHECK(d.message == "unknown state 'n1999x', did you mean 'n1999'?");
    }
    CHECK(found);
}
