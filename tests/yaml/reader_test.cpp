// The YAML front end reads every construct into the same IR the text front end makes.
#include "sample_flow.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nudge/dsl.hpp>

using namespace nudge;
using nudge::test::sample_flow;

namespace {

ParseResult parse(std::string_view yaml) { return parse_flow_yaml(yaml, "t.flow.yaml"); }

std::string messages(const Diagnostics& d) { return render(d); }

} // namespace

TEST_CASE("every construct reads into the expected IR") {
    auto source = test::read_text(test::test_dir() / "yaml/data/every-construct.flow.yaml");
    auto r = parse(source);
    INFO(messages(r.diagnostics));
    REQUIRE(r.ok());
    auto expected = sample_flow();
    const auto& f = *r.flow;
    CHECK(f.name == expected.name);
    CHECK(f.version == expected.version);
    CHECK(f.timezone == expected.timezone);
    CHECK(f.fields == expected.fields);
    CHECK(f.facts == expected.facts);
    CHECK(f.channels == expected.channels);
    CHECK(f.windows == expected.windows);
    CHECK(f.seasons == expected.seasons);
    CHECK(f.keywords == expected.keywords);
    CHECK(f.lists == expected.lists);
    CHECK(f.numbers == expected.numbers);
    CHECK(f.opt_out == expected.opt_out);
    CHECK(f.caps == expected.caps);
    CHECK(f.templates == expected.templates);
    CHECK(f.classifiers == expected.classifiers);
    CHECK(f.triggers == expected.triggers);
    REQUIRE(f.states.size() == expected.states.size());
    for (std::size_t i = 0; i < f.states.size(); ++i) {
        INFO("state ", expected.states[i].name);
        CHECK(f.states[i].actions == expected.states[i].actions);
        CHECK(f.states[i].repeats == expected.states[i].repeats);
        CHECK(f.states[i].choices == expected.states[i].choices);
        CHECK(f.states[i].handlers == expected.states[i].handlers);
        CHECK(f.states[i].reminders == expected.states[i].reminders);
        CHECK(f.states[i].outcome == expected.states[i].outcome);
        CHECK(f.states[i] == expected.states[i]);
    }
    CHECK(f.from_any == expected.from_any);
    CHECK(f == expected);
}

TEST_CASE("defaults: version 1, no timezone, channel named after its kind") {
    auto r = parse("flow: tiny\nchannels:\n  - {kind: sms, to: phone}\n");
    REQUIRE(r.ok());
    CHECK(r.flow->version == 1);
    CHECK_FALSE(r.flow->timezone.has_value());
    CHECK(r.flow->channels.at(0).name == "sms");
    CHECK_FALSE(r.flow->channels.at(0).to_is_literal);
}

TEST_CASE("numbers: all, nordic, one region, a list") {
    auto numbers = [](std::string v) {
        return parse("flow: n\nnumbers: " + v + "\n").flow->numbers;
    };
    CHECK(numbers("all")->kind == NumberPolicy::Kind::all);
    CHECK(numbers("nordic")->kind == NumberPolicy::Kind::nordic);
    CHECK(numbers("DK")->regions == std::vector<std::string>{"DK"});
    CHECK(numbers("[DK]") == numbers("DK"));
    CHECK(numbers("[DK, SE]")->regions == std::vector<std::string>{"DK", "SE"});
    CHECK(numbers("NO")->regions == std::vector<std::string>{"NO"}); // Norway, not false
    CHECK_FALSE(numbers("all")->every_kind);
}

TEST_CASE("a reminder's from: first or last") {
    auto flow = [](const std::string& from) {
        return parse("flow: r\nstates:\n  - state: s\n    remind:\n      - {after: 24h, from: " +
                     from + "}\n");
    };
    REQUIRE(flow("first").flow);
    CHECK(flow("first").flow->states.at(0).reminders.at(0).from_first);
    CHECK_FALSE(flow("last").flow->states.at(0).reminders.at(0).from_first);
    auto bad = flow("second");
    REQUIRE(bad.diagnostics.error_count() >= 1);
    CHECK(bad.diagnostics.items()[0].message.find("expected first or last") != std::string::npos);
}

TEST_CASE("number_kinds: every kind qualifies numbers, in any key order") {
    auto r = parse("flow: n\nnumber_kinds: every\nnumbers: DK\n");
    REQUIRE(r.flow->numbers);
    CHECK(r.flow->numbers->every_kind);
    CHECK_FALSE(parse("flow: n\nnumbers: DK\nnumber_kinds: personal\n").flow->numbers->every_kind);
    auto bad = parse("flow: n\nnumbers: DK\nnumber_kinds: premium\n");
    REQUIRE(bad.diagnostics.error_count() == 1);
    CHECK(bad.diagnostics.items()[0].message.find("expected every or personal") !=
          std::string::npos);
    auto alone = parse("flow: n\nnumber_kinds: every\n");
    REQUIRE(alone.diagnostics.error_count() == 1);
    CHECK(alone.diagnostics.items()[0].message.find("qualifies 'numbers'") != std::string::npos);
}

TEST_CASE("finals: no other key means no body") {
    auto r = parse("flow: f\nstates:\n  - final: a\n  - final: b\n    actions: []\n"
                   "  - final: c\n    outcome: won\n  - state: d\n    on: []\n");
    REQUIRE(r.ok());
    CHECK_FALSE(r.flow->states[0].has_body);
    CHECK(r.flow->states[1].has_body);
    CHECK(r.flow->states[2].has_body);
    CHECK(r.flow->states[3].has_body);
    CHECK_FALSE(r.flow->states[3].is_final);
}

TEST_CASE("empty values read as empty collections") {
    auto r = parse("flow: f\nfields:\nstates:\n  - state: s\n    on:\n    actions:\nfrom_any:\n");
    INFO(messages(r.diagnostics));
    REQUIRE(r.ok());
    CHECK(r.flow->fields.empty());
    CHECK(r.flow->states.at(0).handlers.empty());
}

TEST_CASE("YAML booleans and nulls in value positions stay text") {
    auto r = parse("flow: f\nkeywords:\n  yes: [yes, no, on, off, true, 'null']\n"
                   "lists: {n: [\"~\", 123, 1.5]}\n");
    REQUIRE(r.ok());
    CHECK(r.flow->keywords.at(0).name == "yes");
    CHECK(r.flow->keywords.at(0).words ==
          std::vector<std::string>{"yes", "no", "on", "off", "true", "null"});
    CHECK(r.flow->lists.at(0).items == std::vector<std::string>{"~", "123", "1.5"});
}

TEST_CASE("locations point into the YAML file") {
    auto r = parse("flow: f\nfields:\n  phone: phone\nstates:\n  - state: s\n"
                   "    on:\n      - {after: 1d, goto: done}\n");
    REQUIRE(r.ok());
    const auto& f = *r.flow;
    CHECK(f.fields.at(0).loc.begin == SourcePos{3, 3});
    CHECK(f.states.at(0).loc.begin == SourcePos{5, 12});
    CHECK(f.states.at(0).handlers.at(0).target.loc.begin == SourcePos{7, 27});
}

TEST_CASE("expression positions are mapped into the file") {
    SUBCASE("plain scalar") {
        auto r = parse("flow: f\ntriggers:\n  - {event: a.b, key: k, unless: x ==, start: s}\n");
        REQUIRE(r.diagnostics.error_count() == 1);
        auto d = r.diagnostics.items()[0];
        CHECK(d.pos.line == 3);
        CHECK(d.pos.column == 38); // end of `x ==`, where an operand was expected
    }
    SUBCASE("quoted scalar: one column for the quote") {
        auto r =
            parse("flow: f\ntriggers:\n  - {event: a.b, key: k, unless: \"x ==\", start: s}\n");
        REQUIRE(r.diagnostics.error_count() == 1);
        CHECK(r.diagnostics.items()[0].pos == SourcePos{3, 39});
    }
    SUBCASE("expression positions in the IR") {
        auto r = parse("flow: f\ntriggers:\n  - event: a.b\n    key: k\n    unless: 'x in y'\n"
                       "    start: s\n");
        REQUIRE(r.ok());
        auto& e = *r.flow->triggers.at(0).unless;
        CHECK(e.loc.begin == SourcePos{5, 14});
        CHECK(e.args.at(1).loc.begin == SourcePos{5, 19});
    }
}

TEST_CASE("a byte-order mark is skipped and columns still match") {
    auto r = parse("\xEF\xBB\xBF"
                   "flow: f\nversion: x\n");
    REQUIRE(r.diagnostics.error_count() == 1);
    CHECK(r.diagnostics.items()[0].pos == SourcePos{2, 10});
    CHECK(parse("\xEF\xBB\xBF"
                "flow: f\n")
              .ok());
}

TEST_CASE("all structural problems are reported in one run") {
    auto r = parse("flow: f\nversion: zero\nfields: {a: txt}\nchannels:\n  - {kind: fax, to: a}\n"
                   "states:\n  - state: s\n    on:\n      - {after: soon, goto: t}\n"
                   "      - {reply: yes}\n    bogus: 1\n");
    CHECK(r.diagnostics.error_count() == 6);
    REQUIRE(r.flow.has_value()); // what could be read is still there
    CHECK(r.flow->name == "f");
}
