// Hostile and odd input: encodings, emptiness, depth, size. Nothing throws, nothing hangs.
#include <doctest/doctest.h>

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include "parse/parser.hpp"

#include <chrono>
#include <string>
#include <string_view>

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
TEST_CASE("a flow just under the 2 MiB limit parses, and an error at its very end is found") {
    std::string text = "flow big\nfield phone: phone\nchannel sms to phone\n"
                       "trigger go as phone { start s0 }\n";
    int n = 0;
    while (text.size() < max_flow_bytes - 300) {
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
    CHECK(r.flow->states.back().loc.begin.line > 50000);
    MESSAGE("2 MB parsed in " << seconds << " s");

    // The same size with a syntax error at the very end: found and reported at once.
    auto broken = text + "state";
    start = std::chrono::steady_clock::now();
    auto rb = parse_flow_text(broken, "big.flow");
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(single(rb).code == "syntax");
    MESSAGE("2 MB with an error at the end rejected in " << seconds << " s");
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
                            "}}}}",
                            "flow t state s { at season }",
                            "flow 1",
                            "flow t version 99999999999",
                            "flow t cap sms 3 per 99999999999h",
                            "flow t state s { after 1234567890s -> x }"};
    for (std::string_view text : inputs) {
        CAPTURE(text);
        auto r = parse_flow_text(text, "g.flow");
        // Each is wrong somewhere, and the parser says where: an error on the one line there
        // is (at most one column past its end), named after the file.
        CHECK_FALSE(r.ok());
        CHECK(r.diagnostics.has_errors());
        for (const auto& d : r.diagnostics) {
            CAPTURE(d.message);
            CHECK(d.file == "g.flow");
            CHECK(d.pos.line <= 1);
            CHECK(d.pos.column <= text.size() + 1);
        }
    }
    // Not garbage at all: an optional field is read as one.
    auto optional = parse_flow_text("flow t field a: text?", "g.flow");
    REQUIRE(optional.ok());
    REQUIRE(optional.flow->fields.size() == 1);
    CHECK(optional.flow->fields[0].name == "a");
    CHECK(optional.flow->fields[0].optional);
}

TEST_CASE("a .flow over 2 MiB is refused before it is read, as a .flow.yaml is") {
    std::string big = "flow big\ntimezone \"UTC\"\n";
    while (big.size() <= max_flow_bytes)
        big += "# a comment line that makes the file larger than any flow needs to be\n";
    for (const auto* name : {"big.flow", "big.flow.yaml"}) {
        auto r = read_flow(big, name);
        REQUIRE(r.diagnostics.size() == 1);
        CHECK(r.diagnostics.items()[0].code == "too-large");
        CHECK(r.diagnostics.items()[0].message == "file is " + std::to_string(big.size()) +
                                                      " bytes; a flow file may be at most " +
                                                      std::to_string(max_flow_bytes) + " bytes");
        CHECK_FALSE(r.flow.has_value());
    }
}

namespace {

// A flow with `n` states nothing leads to (errors) and `n` unreachable finals (warnings).
std::string unreachable_flow(int n) {
    std::string f = "flow many\ntimezone \"UTC\"\nfield phone: phone\n"
                    "channel sms to phone from \"4532100000\"\n"
                    "trigger go as phone {\n  start first\n}\nfinal first\n";
    for (int i = 0; i < n; ++i) {
        f += "state lost" + std::to_string(i) + " {\n  after 1d -> gone" + std::to_string(i) +
             "\n}\n";
        f += "final gone" + std::to_string(i) + "\n";
        f += "final spare" + std::to_string(i) + "\n";
    }
    return f;
}

} // namespace

TEST_CASE("reading and checking report at most 100 errors and 100 warnings, then how many more") {
    auto text = unreachable_flow(250);
    auto r = compile_source(text, "many.flow");
    REQUIRE(r.diagnostics.error_count() == 101);
    REQUIRE(r.diagnostics.warning_count() == 101);
    const Diagnostic* more_errors = nullptr;
    const Diagnostic* more_warnings = nullptr;
    for (const auto& d : r.diagnostics) {
        if (d.code == "too-many-errors") more_errors = &d;
        if (d.code == "too-many-warnings") more_warnings = &d;
    }
    REQUIRE(more_errors);
    CHECK(more_errors->message == "too many errors: 150 more not shown, from here on");
    REQUIRE(more_warnings);
    CHECK(more_warnings->message == "too many warnings: 400 more not shown, from here on");
    // The first ones are kept, in source order.
    CHECK(r.diagnostics.items().front().pos.line < more_errors->pos.line);

    // The YAML twin of the same flow is capped the same way.
    auto r_text = read_flow(text, "many.flow");
    REQUIRE(r_text.flow);
    auto yaml = flow_to_yaml(*r_text.flow);
    auto y = compile_source(yaml, "many.flow.yaml");
    CHECK(y.diagnostics.error_count() == 101);
    CHECK(y.diagnostics.warning_count() == 101);

    // Under the limit nothing is cut.
    auto small = compile_source(unreachable_flow(40), "few.flow");
    CHECK(small.diagnostics.error_count() == 40);
    CHECK(small.diagnostics.warning_count() == 80);
}
