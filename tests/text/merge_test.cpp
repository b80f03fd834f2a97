// Merge fields: parse_merge (shared with the checker), render_merge and merge_names.
#include "text/merge_text.hpp"

#include <nudge/dsl.hpp>

#include <doctest/doctest.h>

#include <map>

using namespace nudge;
using nudge::detail::merge_names;
using nudge::detail::MergePart;
using nudge::detail::parse_merge;
using nudge::detail::render_merge;
using Names = std::vector<std::string>;
using Kind = MergePart::Kind;

namespace {

using Values = std::map<std::string, std::string, std::less<>>;

// A lookup over a map; an empty value counts as missing, as the engine treats it. A format
// is shown after the value: "249.5|money".
auto from(const Values& values) {
    return [&values](std::string_view name, std::string_view format) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        if (format.empty()) return it->second;
        return it->second + "|" + std::string(format);
    };
}

// The codes the checker reports for a template with this text, in a flow declaring `name` and
// `plate`.
std::vector<std::string> checker_codes(const std::string& text) {
    std::string source = "flow t\n"
                         "field phone: phone\n"
                         "field name: text\n"
                         "field plate: text\n"
                         "field total: money?\n"
                         "field visit_at: datetime?\n"
                         "field birthday: date?\n"
                         "channel sms to phone from \"4570000000\"\n"
                         "template msg sms " +
                         quote(text) +
                         "\n"
                         "trigger a.b as phone {\n"
                         "  start done\n"
                         "}\n"
                         "final done {\n"
                         "  send sms msg\n"
                         "}\n";
    auto parsed = parse_flow_text(source, "t.flow");
    REQUIRE(parsed.flow);
    REQUIRE_FALSE(parsed.diagnostics.has_errors());
    std::vector<std::string> codes;
    for (const auto& d : check_flow(*parsed.flow))
        codes.push_back(d.code);
    return codes;
}

} // namespace

TEST_CASE("render_merge fills in the values it finds") {
    Values v{{"name", "Kari"}, {"plate", "AB 12 345"}, {"restaurant", "Pizza Roma"}};
    auto r = render_merge("Hi {name}, {plate} is due. /{restaurant}", from(v));
    CHECK(r.text == "Hi Kari, AB 12 345 is due. /Pizza Roma");
    CHECK(r.missing.empty());

    r = render_merge("{name}{name}", from(v));
    CHECK(r.text == "KariKari");
    CHECK(render_merge("", from(v)).text.empty());
    CHECK(render_merge("No merges at all.", from(v)).text == "No merges at all.");
    // A value is inserted as it is, never merged again.
    Values tricky{{"name", "{plate} }} {{"}};
    CHECK(render_merge("Hi {name}", from(tricky)).text == "Hi {plate} }} {{");
}

TEST_CASE("every missing or empty name is listed once, in order") {
    Values v{{"name", "Kari"}, {"empty", ""}};
    auto r = render_merge("{first} {name} {empty} {first} {last}", from(v));
    CHECK(r.missing == Names{"first", "empty", "last"});
    // What was found is rendered; a gap keeps its placeholder.
    CHECK(r.text == "{first} Kari {empty} {first} {last}");
    // No lookup at all: everything is missing.
    r = render_merge("{a}{b}", {});
    CHECK(r.missing == Names{"a", "b"});
}

TEST_CASE("doubled braces are literal braces") {
    Values v{{"name", "Kari"}};
    CHECK(render_merge("{{name}}", from(v)).text == "{name}");
    CHECK(render_merge("{{{name}}}", from(v)).text == "{Kari}");
    CHECK(render_merge("a {{ b }} c", from(v)).text == "a { b } c");
    CHECK(render_merge("}}{{", from(v)).text == "}{");
    CHECK(render_merge("{{name}}", from(v)).missing.empty());
    CHECK(merge_names("{{name}} {{{plate}}}") == Names{"plate"});
}

TEST_CASE("merge_names lists names in order, once each") {
    CHECK(merge_names("Hi {name}, {plate} for {name}") == Names{"name", "plate"});
    CHECK(merge_names("{_x1}{A_b}") == Names{"_x1", "A_b"});
    CHECK(merge_names("nothing here").empty());
    CHECK(merge_names("").empty());
    // Bad braces name nothing.
    CHECK(merge_names("{} { name } {1st} {a-b} } {x").empty());
}

TEST_CASE("parse_merge splits a text into literal text, fields and bad braces") {
    CHECK(parse_merge("Hi {name}!") ==
          std::vector<MergePart>{{Kind::text, "Hi "}, {Kind::field, "name"}, {Kind::text, "!"}});
    CHECK(parse_merge("a{{b") ==
          std::vector<MergePart>{{Kind::text, "a"}, {Kind::text, "{"}, {Kind::text, "b"}});
    CHECK(parse_merge("{ name }") == std::vector<MergePart>{{Kind::bad_name, " name "}});
    CHECK(parse_merge("{}") == std::vector<MergePart>{{Kind::bad_name, ""}});
    CHECK(parse_merge("a } b") ==
          std::vector<MergePart>{{Kind::text, "a "}, {Kind::stray_close, "}"}, {Kind::text, " b"}});
    CHECK(parse_merge("x {name") ==
          std::vector<MergePart>{{Kind::text, "x "}, {Kind::unclosed, "{name"}});
    // The first '}' closes: "{a {b}" is one bad name, as the checker reads it.
    CHECK(parse_merge("{a {b}") == std::vector<MergePart>{{Kind::bad_name, "a {b"}});
    CHECK(parse_merge("").empty());
}

TEST_CASE("a merge field may name a format after a bar") {
    CHECK(parse_merge("{total | money}") ==
          std::vector<MergePart>{{Kind::field, "total", "money"}});
    CHECK(parse_merge("{total|money}!") ==
          std::vector<MergePart>{{Kind::field, "total", "money"}, {Kind::text, "!"}});
    CHECK(parse_merge("{a | b | c}") == std::vector<MergePart>{{Kind::bad_name, "a | b | c"}});
    CHECK(parse_merge("{a |}") == std::vector<MergePart>{{Kind::bad_name, "a |"}});
    CHECK(parse_merge("{|money}") == std::vector<MergePart>{{Kind::bad_name, "|money"}});
    CHECK(parse_merge("{a | money }") == std::vector<MergePart>{{Kind::bad_name, "a | money "}});
    // The whole braces, for the checker's underline.
    std::string_view text = "Pay {total  |  money} now";
    auto parts = parse_merge(text);
    REQUIRE(parts.size() == 3);
    CHECK(parts[1].braced_size() == std::string_view("{total  |  money}").size());
    Values v{{"total", "249.5"}};
    auto r = render_merge(text, from(v));
    CHECK(r.text == "Pay 249.5|money now");
    CHECK(merge_names("{total | money} {total}") == Names{"total"});
}

TEST_CASE("bad braces render as written") {
    Values v{{"name", "Kari"}};
    for (std::string_view text : {"a } b", "x {name", "{ name }", "{}", "{1st}", "{a {b}"}) {
        INFO(text);
        auto r = render_merge(text, from(v));
        CHECK(r.text == text);
        CHECK(r.missing.empty());
    }
    CHECK(render_merge("{name} } {name", from(v)).text == "Kari } {name");
}

TEST_CASE("the checker and the renderer agree on what a merge is") {
    Values all{{"name", "Kari"},
               {"plate", "AB 12 345"},
               {"total", "249.5"},
               {"visit_at", "2026-04-10T09:00:00Z"},
               {"birthday", "1990-04-10"}};
    struct Case {
        std::string text;
        std::vector<std::string> codes;
    };
    std::vector<Case> cases = {
        {"Hi {name}, {plate}", {}},
        {"{{name}} costs {{ 5 }}", {}},
        {"{{{name}}}", {}},
        {"Hi {nmae}", {"unknown-merge-field"}},
        {"a } b", {"bad-template"}},
        {"x {name", {"bad-template"}},
        {"{ name }", {"bad-template"}},
        {"{}", {"bad-template"}},
        {"{1st} and {2nd}", {"bad-template", "bad-template"}},
        {"{nope} then }", {"unknown-merge-field", "bad-template"}},
        {"{total | money} at {visit_at|time} on {visit_at | day}", {}},
        {"{birthday | weekday}, {birthday|date} {visit_at | datetime}", {}},
        {"{total | mony}", {"bad-format"}},
        {"{total | date}", {"bad-format"}},
        {"{birthday | time}", {"bad-format"}},
        {"{name | money}", {"bad-format"}},
        {"{total | }", {"bad-template"}},
        {"{ total | money}", {"bad-template"}},
        {"{nope | money}", {"unknown-merge-field"}},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        CHECK(checker_codes(c.text) == c.codes);
        auto r = render_merge(c.text, from(all));
        bool clean = c.codes.empty();
        // A text the checker accepts renders completely when its declared fields have values:
        // every name it uses is one the checker resolved, and no brace is left but escapes.
        if (clean) {
            CHECK(r.missing.empty());
            for (const auto& name : merge_names(c.text))
                CHECK(all.count(name) == 1);
        }
        // Unknown names are exactly what the renderer finds missing.
        bool unknown =
            std::find(c.codes.begin(), c.codes.end(), "unknown-merge-field") != c.codes.end();
        CHECK(unknown == !r.missing.empty());
    }
}
