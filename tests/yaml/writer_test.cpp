// flow_to_yaml: parse(write(f)) == f for every construct, stable output, faithful strings.
#include "sample_flow.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nudge/dsl.hpp>

#include <random>

using namespace nudge;
using nudge::test::sample_flow;

namespace {

void check_round_trip(const FlowDef& f) {
    auto yaml = flow_to_yaml(f);
    auto r = parse_flow_yaml(yaml, "out.flow.yaml");
    INFO("YAML:\n", yaml, "\ndiagnostics:\n", render(r.diagnostics, yaml));
    REQUIRE(r.flow.has_value());
    CHECK(r.diagnostics.empty());
    CHECK(*r.flow == f);
    // Pin down which template differs, when one does.
    for (std::size_t i = 0; i < f.templates.size() && i < r.flow->templates.size(); ++i) {
        CHECK_MESSAGE(r.flow->templates[i] == f.templates[i], "template ", i, " [",
                      f.templates[i].text, "] read back as [", r.flow->templates[i].text, "]");
    }
    CHECK(flow_to_yaml(*r.flow) == yaml);
}

} // namespace

TEST_CASE("the writer's output for the sample flow (golden)") {
    auto yaml = flow_to_yaml(sample_flow());
    auto golden = test::test_dir() / "yaml/data/sample.written.flow.yaml";
    if (test::updating_golden()) test::write_text(golden, yaml);
    CHECK(yaml == test::read_text(golden));
}

TEST_CASE("round trip: every construct") { check_round_trip(sample_flow()); }

TEST_CASE("round trip: the minimal flow") {
    FlowDef f;
    f.name = "tiny";
    check_round_trip(f);
    CHECK(flow_to_yaml(f) == "flow: tiny\n");
}

TEST_CASE("round trip: number policies and empty bodies") {
    auto f = sample_flow();
    for (auto kind : {NumberPolicy::Kind::all, NumberPolicy::Kind::nordic}) {
        f.numbers = NumberPolicy{kind, {}, {}, false};
        check_round_trip(f);
    }
    f.numbers = NumberPolicy{NumberPolicy::Kind::regions, {"NO"}, {}, false};
    check_round_trip(f);
    CHECK(flow_to_yaml(f).find("numbers: \"NO\"\n") != std::string::npos);
    f.numbers = NumberPolicy{NumberPolicy::Kind::regions, {}, {}, false};
    check_round_trip(f);
    f.states[0].actions.clear();
    f.states[0].repeats[0].actions.clear();
    check_round_trip(f);
}

TEST_CASE("the writer is deterministic") {
    auto a = flow_to_yaml(sample_flow());
    auto b = flow_to_yaml(sample_flow());
    CHECK(a == b);
    // Locations and comments do not change the output.
    auto f = sample_flow();
    f.loc.begin = {7, 7};
    f.fields[0].loc.begin = {3, 4};
    f.source.comments.push_back({{1, 1}, "note", true});
    CHECK(flow_to_yaml(f) == a);
}

TEST_CASE("strings that YAML would misread are quoted and read back exactly") {
    std::vector<std::string> nasty = {"",
                                      " ",
                                      " lead",
                                      "trail ",
                                      "yes",
                                      "No",
                                      "NULL",
                                      "~",
                                      "true",
                                      "off",
                                      "y",
                                      "123",
                                      "-1.5",
                                      "1e3",
                                      "0x1F",
                                      "09:00",
                                      "2026-03-28",
                                      ".inf",
                                      "- item",
                                      "? key",
                                      "key: value",
                                      "a #comment",
                                      "#hash",
                                      "[x]",
                                      "{x}",
                                      "a, b",
                                      "x ?? y",
                                      "'single'",
                                      "\"double\"",
                                      "both ' and \"",
                                      "back\\slash",
                                      "tab\there",
                                      "line\nbreak",
                                      "two\n\nblank\n\n",
                                      "\nleading newline",
                                      "  indented\nlines",
                                      "trailing space \nline",
                                      "ends\n",
                                      "only spaces line\n   \nx",
                                      "nul\x01"
                                      "ctl",
                                      "del\x7f",
                                      "æøå dækskifte",
                                      "emoji 😀",
                                      "nel\xC2\x85x",
                                      "ls\xE2\x80\xA8x",
                                      "bom\xEF\xBB\xBFx",
                                      "!tag",
                                      "&anchor",
                                      "*alias",
                                      "|pipe",
                                      ">fold",
                                      "%directive",
                                      "@at",
                                      "`tick",
                                      "---",
                                      "...",
                                      "Reminder: ",
                                      "a\r\nb",
                                      "% 50",
                                      "+4522334455",
                                      "4790000000",
                                      "mon-fri 08:00-16:00"};
    FlowDef f;
    f.name = "strings";
    f.keywords.push_back({"words", nasty, {}});
    f.lists.push_back({"items", {}, {}});
    for (std::size_t i = 0; i < nasty.size(); ++i) {
        f.templates.push_back(
            {"t" + std::to_string(i), std::nullopt, nasty[i], nasty[i], {}, {}, {}});
    }
    f.opt_out = nasty;
    check_round_trip(f);
}

TEST_CASE("random strings round trip") {
    std::mt19937 rng(12345);
    const std::string alphabet = std::string("ab :#-?'\"\\\n\t{}[],&*!|>%@`~") + "\xC3\xA6";
    FlowDef f;
    f.name = "random";
    for (int i = 0; i < 300; ++i) {
        std::string s;
        auto len = rng() % 12;
        for (unsigned k = 0; k < len; ++k) {
            auto c = rng() % (alphabet.size() - 1);
            if (c == alphabet.size() - 2)
                s += "\xC3\xA6"; // keep UTF-8 whole
            else
                s += alphabet[c];
        }
        f.templates.push_back({"t" + std::to_string(i), ChannelKind::sms, s, s, {}, {}, {}});
    }
    check_round_trip(f);
}

TEST_CASE("multi-line text is written as a literal block") {
    auto yaml = flow_to_yaml(sample_flow());
    CHECK(yaml.find("    text: |\n      Dear {first_name},\n\n"
                    "      your car is due for service.\n") != std::string::npos);
}
