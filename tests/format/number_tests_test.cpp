// Number tests and `as FIELD` captures: the .flow and YAML twins read to the same IR, with the
// ranges, the captures and where the captured field was written.
#include "test_support.hpp"

#include <nudge/dsl.hpp>

#include <doctest/doctest.h>

using namespace nudge;

namespace {

const KeywordsDecl& set_named(const FlowDef& f, std::string_view name) {
    for (const auto& k : f.keywords)
        if (k.name == name) return k;
    FAIL("no keyword set " << name);
    return f.keywords.front();
}

} // namespace

TEST_CASE("number tests and captures read the same from .flow and YAML") {
    auto text = test::read_text(test::test_dir() / "dsl" / "valid" / "text-number-tests.flow");
    auto yaml = test::read_text(test::test_dir() / "dsl" / "valid" / "yaml-number-tests.flow.yaml");
    auto a = parse_flow_text(text, "text-number-tests.flow");
    auto b = parse_flow_yaml(yaml, "yaml-number-tests.flow.yaml");
    REQUIRE(a.flow);
    REQUIRE(b.flow);
    CHECK(a.diagnostics.empty());
    CHECK(b.diagnostics.empty());
    CHECK(*a.flow == *b.flow);

    for (const FlowDef* f : {&*a.flow, &*b.flow}) {
        const auto& promoter = set_named(*f, "promoter");
        CHECK(promoter.match == KeywordMatch::number);
        CHECK(promoter.words.empty());
        REQUIRE(promoter.range);
        CHECK(promoter.range->min == 9);
        CHECK(promoter.range->max == 10);
        const auto& passive = set_named(*f, "passive");
        REQUIRE(passive.range);
        CHECK(passive.range->max == 8.5);
        const auto& detractor = set_named(*f, "detractor");
        REQUIRE(detractor.range);
        CHECK(detractor.range->min == -10);
        CHECK_FALSE(set_named(*f, "rating").range);

        const auto& routes = f->states.front().handlers;
        REQUIRE(routes.size() == 6);
        CHECK(routes[0].capture.empty());
        CHECK(routes[1].capture == "score");
        CHECK(routes[2].capture == "score");
        CHECK(routes[2].condition);
        CHECK(routes[5].keywords == "other");
        CHECK(routes[5].capture == "comment");
    }
    // Where the captured field's name was written, for diagnostics.
    auto& t = a.flow->states.front().handlers[1].capture_loc;
    CHECK(t.begin.line == 23);
    CHECK(t.begin.column == 24);
    auto& y = b.flow->states.front().handlers[1].capture_loc;
    CHECK(y.begin.line == 37);
    CHECK(y.begin.column == 31);
}

TEST_CASE("number tests print in their canonical form") {
    auto parsed = parse_flow_text("flow f\nkeywords a = number  -5  to 2.50\nkeywords b = number\n",
                                  "f.flow");
    REQUIRE(parsed.flow);
    auto printed = format_flow(*parsed.flow);
    CHECK(printed.find("keywords a = number -5 to 2.5\n") != std::string::npos);
    CHECK(printed.find("keywords b = number\n") != std::string::npos);
    auto yaml = flow_to_yaml(*parsed.flow);
    CHECK(yaml.find("from: -5") != std::string::npos);
    CHECK(yaml.find("to: 2.5") != std::string::npos);
}

TEST_CASE("pattern tests read the same from .flow and YAML, backslashes as written") {
    auto text = test::read_text(test::test_dir() / "dsl" / "valid" / "text-pattern-tests.flow");
    auto yaml =
        test::read_text(test::test_dir() / "dsl" / "valid" / "yaml-pattern-tests.flow.yaml");
    auto a = parse_flow_text(text, "text-pattern-tests.flow");
    auto b = parse_flow_yaml(yaml, "yaml-pattern-tests.flow.yaml");
    REQUIRE(a.flow);
    REQUIRE(b.flow);
    CHECK(*a.flow == *b.flow);
    for (const FlowDef* f : {&*a.flow, &*b.flow}) {
        const auto& order = set_named(*f, "order");
        CHECK(order.match == KeywordMatch::pattern);
        CHECK(order.words.empty());
        CHECK(order.pattern == "\\b(\\d{5})\\b");
        // "…" needs its backslashes doubled; the pattern is the same.
        CHECK(set_named(*f, "plate_no").pattern == "(?i)[a-z]{2} ?\\d{2} ?\\d{3}");
    }
    // Where the pattern was written, for a pattern RE2 refuses.
    const auto& at = set_named(*a.flow, "order").pattern_loc;
    CHECK(at.begin.line == 10);
    CHECK(at.begin.column == 26);
    const auto& y = set_named(*b.flow, "order").pattern_loc;
    CHECK(y.begin.line == 15);
    CHECK(y.begin.column == 36);
}
