// Expressions: precedence, associativity, the to_text round trip, and parse_expression.
#include <doctest/doctest.h>

#include <nudge/dsl.hpp>

#include "parse/fragments.hpp"

#include <string>

using namespace nudge;

namespace {

std::optional<Expr> expr(const std::string& text) {
    Diagnostics d;
    auto e = detail::parse_expression(text, "e", {1, 1}, d);
    INFO(render(d, text));
    CHECK(d.empty());
    return e;
}

// The tree shape with every binary/unary node in parentheses.
std::string shape(const Expr& e) {
    switch (e.kind) {
    case ExprKind::binary:
        return "(" + shape(e.args[0]) + " " + e.text + " " + shape(e.args[1]) + ")";
    case ExprKind::unary: return "(" + e.text + " " + shape(e.args[0]) + ")";
    default: return to_text(e);
    }
}

std::string shape_of(const std::string& text) {
    auto e = expr(text);
    REQUIRE(e.has_value());
    return shape(*e);
}

} // namespace

TEST_CASE("precedence: or < and < not < comparison < ?? < + - < unary minus") {
    CHECK(shape_of("a or b and c") == "(a or (b and c))");
    CHECK(shape_of("a and b or c") == "((a and b) or c)");
    CHECK(shape_of("not a and b") == "((not a) and b)");
    CHECK(shape_of("not a == b") == "(not (a == b))");
    CHECK(shape_of("a == b ?? c") == "(a == (b ?? c))");
    CHECK(shape_of("a ?? b + c") == "(a ?? (b + c))");
    CHECK(shape_of("a + b - c") == "((a + b) - c)");
    CHECK(shape_of("a - -b") == "(a - (- b))");
    CHECK(shape_of("-a.b + 1") == "((- a.b) + 1)");
    CHECK(shape_of("a ?? b ?? c") == "((a ?? b) ?? c)");
    CHECK(shape_of("x in [\"a\", \"b\"] or y in list") == "((x in [\"a\", \"b\"]) or (y in list))");
    CHECK(shape_of("(a or b) and c") == "((a or b) and c)");
    CHECK(shape_of("not not a") == "(not (not a))");
    CHECK(shape_of("(waited ?? 0s) + w > 2h") == "(((waited ?? 0s) + w) > 2h)");
    CHECK(shape_of("a<=b") == "(a <= b)");
    CHECK(shape_of("a!=b") == "(a != b)");
}

TEST_CASE("primaries") {
    auto e = expr("next_open(day)");
    CHECK(e->kind == ExprKind::call);
    CHECK(e->text == "next_open");
    REQUIRE(e->args.size() == 1);
    CHECK(e->args[0].kind == ExprKind::field);
    CHECK(expr("now()")->args.empty());
    CHECK(expr("f(a, 1, \"x\")")->args.size() == 3);
    auto m = expr("caller.region");
    CHECK(m->kind == ExprKind::member);
    CHECK(m->text == "region");
    CHECK(m->args[0].text == "caller");
    CHECK(expr("12.5")->number == 12.5);
    CHECK(expr("42")->number == 42);
    CHECK(expr("true")->boolean);
    CHECK(expr("false")->kind == ExprKind::boolean);
    CHECK(expr("\"a\\\"b\"")->text == "a\"b");
    CHECK(expr("[]")->kind == ExprKind::list);
    CHECK(expr("1mo")->duration == Duration{1, DurationUnit::mo});
    CHECK(expr("truex")->kind == ExprKind::field); // a keyword only as a whole word
}

TEST_CASE("to_text round trip: parse(to_text(e)) == e") {
    const char* cases[] = {
        "a",
        "a + b - c",
        "a - (b - c)",
        "a - (b + c)",
        "-(a + b)",
        "- -a",
        "not (a and b)",
        "not a and not b",
        "(a or b) and (c or d)",
        "a or b or c",
        "a or (b or c)",
        "(a == b) == c",
        "a == (b == c)",
        "(a ?? b) ?? c",
        "a ?? (b ?? c)",
        "(a + b) ?? c",
        "x in [\"mobile\", \"fixed_line\"]",
        "caller.region == \"DK\" and caller.type in t",
        "next_close(open_hours) + 1h",
        "visit_at - 10d",
        "(waited ?? 0s) + estimated_wait > 2h",
        "f(g(h(1)), [1, [2, 3]], \"s\\n\\t\\\"\")",
        "now() >= d - 1y",
        "-1.5 + 2",
        "not x == (y != z)",
        "(a.b).c",
        "(not a) == b",
        "-(-a)",
        "a <= b or a >= c",
        "(a < b) and (c > d)",
        "[a or b, not c]",
        "n + 1 ?? 0",
        "(n + 1) ?? 0",
        "true != false",
        "\"\"\"multi\nline\"\"\" == x",
    };
    for (auto text : cases) {
        CAPTURE(text);
        auto e = expr(text);
        REQUIRE(e.has_value());
        auto printed = to_text(*e);
        auto again = expr(printed);
        REQUIRE(again.has_value());
        CHECK(*again == *e);
        CHECK(to_text(*again) == printed);
    }
}

TEST_CASE("comparisons do not chain") {
    Diagnostics d;
    CHECK_FALSE(detail::parse_expression("a < b < c", "e", {1, 1}, d).has_value());
    REQUIRE(d.size() == 1);
    CHECK(d.items()[0].code == "syntax");
    CHECK(d.items()[0].pos == SourcePos{1, 7});
    CHECK(d.items()[0].message.find("do not chain") != std::string::npos);
}

TEST_CASE("parse_expression reports positions relative to the origin") {
    Diagnostics d;
    CHECK_FALSE(detail::parse_expression("a +", "f.yaml", {5, 10}, d).has_value());
    REQUIRE(d.size() == 1);
    CHECK(d.items()[0].file == "f.yaml");
    CHECK(d.items()[0].pos == SourcePos{5, 13});
    CHECK(d.items()[0].message == "expected an operand after '+', found the end of the file");

    Diagnostics d2;
    auto e = detail::parse_expression("x +\n  y", "f.yaml", {5, 10}, d2);
    REQUIRE(e.has_value());
    CHECK(e->loc.begin == SourcePos{5, 10});
    CHECK(e->args[1].loc.begin == SourcePos{6, 3});

    Diagnostics d3;
    CHECK_FALSE(detail::parse_expression("a b", "f", {1, 1}, d3).has_value());
    CHECK(d3.items()[0].message == "expected an operator or the end of the expression, found 'b'");
    Diagnostics d4;
    CHECK_FALSE(detail::parse_expression("", "f", {1, 1}, d4).has_value());
    CHECK(d4.items()[0].message == "expected an expression, found the end of the file");
}

TEST_CASE("expression locations") {
    auto e = expr("ab + next_open(w)");
    CHECK(e->loc.begin == SourcePos{1, 1});
    CHECK(e->loc.end == SourcePos{1, 18});
    CHECK(e->args[0].loc.end == SourcePos{1, 3});
    CHECK(e->args[1].loc.begin == SourcePos{1, 6});
    CHECK(e->args[1].args[0].loc.begin == SourcePos{1, 16});
}
