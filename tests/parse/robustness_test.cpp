// Hostile and odd input: encodings, emptiness, depth, size. Nothing throws, nothing hangs.
#include <doctest/doctest.h>

#include <nudge/dsl.hpp>

#include "text/parser.hpp"

#include <chrono>
#include <string>

using namespace nudge;

namespace {

const Diagnostic& single(const ParseResult& r) {
    REQUIRE(r.diagnostics.size() == 1);
    return r.diagnostics.items()[0];
}

} // namespace

TEST_CASE("the grammar has no loops that consume nothing") {
    CHECK(detail::analyze_text_grammar() == 0);
}

TEST_CASE("empty input") {
    for (std::string text : {"", "   \n\n", "# only a comment\n"}) {
        auto r = parse_flow_text(text, "e.flow");
        CHECK_FALSE(r.flow.has_value());
        CHECK(single(r).code == "empty-flow");
    }
}

TEST_CASE("a NUL byte means binary input") {
    std::string text = "flow t\nfield a:";
    text += '\0';
    auto r = parse_flow_text(text, "b.flow");
    CHECK_FALSE(r.flow.has_value());
    CHECK(single(r).code == "binary-input");
    CHECK(single(r).pos == SourcePos{2, 9});
}

TEST_CASE("invalid UTF-8 is reported at the first bad byte") {
    for (std::string bad :
         {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
        auto r = parse_flow_text("flow t\ntemplate a \"ok \xc3\xa6 " + bad + "\"", "u.flow");
        CHECK_FALSE(r.flow.has_value());
        CHECK(single(r).code == "invalid-utf8");
        CHECK(single(r).pos == SourcePos{2, 19});
    }
    CHECK(parse_flow_text("flow t\ntemplate a \"\xf0\x9f\x98\x80 \xe2\x82\xac\"").ok());
}

TEST_CASE("deep nesting is refused, not a stack overflow") {
    std::string parens(100000, '(');
    auto r = parse_flow_text("flow t\nstate s { if " + parens + "a -> x }", "d.flow");
    CHECK_FALSE(r.flow.has_value());
    CHECK(single(r).code == "too-deep");
    CHECK(single(r).pos.line == 2);

    std::string lists(100000, '[');
    CHECK(single(parse_flow_text("flow t\nstate s { if " + lists + " -> x }")).code == "too-deep");
    std::string minus(100000, '-');
    CHECK(single(parse_flow_text("flow t\nstate s { if " + minus + "a -> x }")).code == "too-deep");
    std::string nots;
    for (int i = 0; i < 100000; ++i)
        nots += "not ";
    CHECK(single(parse_flow_text("flow t\nstate s { if " + nots + "a -> x }")).code == "too-deep");
    // A very long flat chain builds a tall tree: refused too, and quickly.
    std::string chain = "a";
    for (int i = 0; i < 100000; ++i)
        chain += " + a";
    CHECK(single(parse_flow_text("flow t\nstate s { if " + chain + " -> x }")).code == "too-deep");

    std::string ok(60, '(');
    ok += "a" + std::string(60, ')');
    CHECK(parse_flow_text("flow t\nstate s { if " + ok + " -> x }").ok());
}

// How fast is benchmarks' business; this only shows that size is no problem.
TEST_CASE("a 10 MB flow parses, and an error at its very end is found") {
    std::string text = "flow big\nfield phone: phone\nchannel sms to phone\n"
                       "trigger go as phone { start s0 }\n";
    int n = 0;
    while (text.size() < 10'000'000) {
        auto i = std::to_string(n);
        auto next = std::to_string(n + 1);
        text += "# state " + i + "\nstate s" + i + " {\n  send sms \"Hello {phone}, number " + i +
                "\"\n  on reply other -> inbox\n  after 2h within day -> s" + next +
                "\n  if phone.region == \"DK\" and not (x ?? 0) + 1 > 2 -> s" + next + "\n}\n";
        ++n;
    }
    text += "final s" + std::to_string(n) + "\n";
    auto start = std::chrono::steady_clock::now();
    auto r = parse_flow_text(text, "big.flow");
    auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(r.ok());
    REQUIRE(r.flow.has_value());
    CHECK(r.flow->states.size() == static_cast<std::size_t>(n + 1));
    CHECK(r.flow->source.comments.size() == static_cast<std::size_t>(n));
    CHECK(r.flow->states.back().loc.begin.line > 100000);
    MESSAGE("10 MB parsed in " << seconds << " s");

    // The same size with a syntax error at the very end: found and reported at once.
    auto broken = text + "state";
    start = std::chrono::steady_clock::now();
    auto rb = parse_flow_text(broken, "big.flow");
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(single(rb).code == "syntax");
    MESSAGE("10 MB with an error at the end rejected in " << seconds << " s");
}

TEST_CASE("arbitrary garbage never throws") {
    const char* inputs[] = {"flow",
                            "flow t {",
                            "flow t state",
                            "flow t state s {",
                            "flow t state s { if",
                            "flow t state s { if (",
                            "flow t \"",
                            "flow t template a \"\"\"",
                            "flow t window w = mon 9",
                            "flow t field a: text?",
                            "}}}}",
                            "flow t state s { at season }",
                            "flow 1",
                            "flow t version 99999999999",
                            "flow t cap sms 3 per 99999999999h",
                            "flow t state s { after 1234567890s -> x }"};
    for (auto text : inputs) {
        CAPTURE(text);
        auto r = parse_flow_text(text, "g.flow");
        (void)r;
        CHECK(true);
    }
}
