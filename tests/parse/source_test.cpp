// What the parser records about the source: comments, the file name, locations of nodes.
#include <doctest/doctest.h>

#include <nudge/dsl.hpp>

using namespace nudge;

TEST_CASE("comments are captured with position, text and own_line") {
    std::string text = "# header comment  \nflow t # after flow\n\n  #indented\r\n"
                       "state s {\n  send sms \"# not a comment\" # trailing\n}\n#";
    auto r = parse_flow_text(text, "c.flow");
    REQUIRE(r.ok());
    auto& c = r.flow->source.comments;
    REQUIRE(c.size() == 5);
    CHECK(c[0].pos == SourcePos{1, 1});
    CHECK(c[0].text == " header comment");
    CHECK(c[0].own_line);
    CHECK(c[1].pos == SourcePos{2, 8});
    CHECK(c[1].text == " after flow");
    CHECK_FALSE(c[1].own_line);
    CHECK(c[2].pos == SourcePos{4, 3});
    CHECK(c[2].text == "indented");
    CHECK(c[2].own_line);
    CHECK(c[3].text == " trailing");
    CHECK_FALSE(c[3].own_line);
    CHECK(c[4].pos == SourcePos{8, 1});
    CHECK(c[4].text.empty());
    CHECK(r.flow->states[0].actions[0].inline_text == "# not a comment");
    CHECK(r.flow->source.file == "c.flow");
}

TEST_CASE("comments inside backtracked rules are recorded once") {
    auto r = parse_flow_text("flow t\nfinal a # one\n# two\nfinal b", "c.flow");
    REQUIRE(r.ok());
    REQUIRE(r.flow->source.comments.size() == 2);
    CHECK(r.flow->source.comments[0].text == " one");
    CHECK(r.flow->source.comments[1].text == " two");
}

TEST_CASE("locations: begin at the first character, end one past the last") {
    std::string text = "flow t version 2\n"
                       "field phone: phone?\n"
                       "window w = mon-fri 08:00-16:00, sat 10:00-14:00\n"
                       "trigger a.b as phone {\n  delay 30s\n  start s\n}\n"
                       "state s {\n  send sms \"x\" within w\n  on reply yes -> done # c\n"
                       "  remind after 2h times 2\n}\n"
                       "final done";
    auto r = parse_flow_text(text, "l.flow");
    REQUIRE(r.ok());
    auto& f = *r.flow;
    CHECK(f.loc.begin == SourcePos{1, 1});
    CHECK(f.loc.end == SourcePos{1, 17});
    CHECK(f.fields[0].loc.begin == SourcePos{2, 1});
    CHECK(f.fields[0].loc.end == SourcePos{2, 20});
    CHECK(f.windows[0].loc.end == SourcePos{3, 48});
    CHECK(f.windows[0].slots[1].loc.begin == SourcePos{3, 33});
    CHECK(f.windows[0].slots[1].loc.end == SourcePos{3, 48});
    CHECK(f.triggers[0].loc.begin == SourcePos{4, 1});
    CHECK(f.triggers[0].loc.end == SourcePos{7, 2});
    auto& s = f.states[0];
    CHECK(s.loc.begin == SourcePos{8, 1});
    CHECK(s.loc.end == SourcePos{12, 2});
    CHECK(s.actions[0].loc.begin == SourcePos{9, 3});
    CHECK(s.actions[0].loc.end == SourcePos{9, 24});
    CHECK(s.handlers[0].loc.begin == SourcePos{10, 3});
    CHECK(s.handlers[0].loc.end == SourcePos{10, 23});
    CHECK(s.handlers[0].target.loc.begin == SourcePos{10, 19});
    CHECK(s.reminders[0].loc.end == SourcePos{11, 26});
    CHECK(f.states[1].loc.begin == SourcePos{13, 1});
    CHECK(f.states[1].loc.end == SourcePos{13, 11});
}

TEST_CASE("the IR ignores positions: the same flow laid out differently is equal") {
    auto a = parse_flow_text("flow t\nstate s { if a and (b or c) -> x }\nfinal x");
    auto b = parse_flow_text("flow t state s {\n\n if a\n and (b or c)\n -> x } final x # c");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(*a.flow == *b.flow);
    // The positions themselves differ, and a Loc says so.
    CHECK(a.flow->states[0].loc == b.flow->states[0].loc); // NodeLoc: ignored
    CHECK_FALSE(Loc(a.flow->states[0].loc) == Loc(b.flow->states[0].loc));
}

TEST_CASE("two Locs are equal only when both positions are") {
    Loc a{{1, 2}, {1, 9}};
    CHECK(a == Loc{{1, 2}, {1, 9}});
    CHECK_FALSE(a == Loc{{1, 2}, {1, 8}});
    CHECK_FALSE(a == Loc{{2, 2}, {1, 9}});
    CHECK(NodeLoc(a) == NodeLoc(Loc{{5, 1}, {6, 1}}));
    CHECK(Loc(NodeLoc(a)) == a);
}

TEST_CASE("the caret line counts characters, not bytes, under non-ASCII text") {
    const std::string source = "flow t\nchannel sms to phone from \"Kjøkkenøya\"\n";
    // The quoted sender: byte column 27, 14 bytes long, 12 characters.
    Diagnostic d;
    d.severity = Severity::error;
    d.code = "x";
    d.message = "m";
    d.file = "t.flow";
    d.pos = {2, 27};
    d.length = 14;
    Diagnostics ds;
    ds.add(d);
    auto out = render(ds, source);
    INFO(out);
    CHECK(out.find("\n" + std::string(28, ' ') + "^" + std::string(11, '~') + "\n") !=
          std::string::npos);
}

TEST_CASE("a byte-order mark before the flow is skipped, as the YAML reader does") {
    std::string text = "\xEF\xBB\xBF"
                       "flow bom\n\nfinal done\n";
    auto r = parse_flow_text(text, "bom.flow");
    REQUIRE(r.ok());
    CHECK(r.flow->name == "bom");
    CHECK(r.flow->loc.begin == SourcePos{1, 1});
    // An error on line 1 counts columns from after the mark.
    auto bad = parse_flow_text("\xEF\xBB\xBF"
                               "flow 9",
                               "bom.flow");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.diagnostics.begin()->pos == SourcePos{1, 6});
    // A mark alone is an empty file, and one anywhere else is still an error.
    CHECK(parse_flow_text("\xEF\xBB\xBF", "e.flow").diagnostics.begin()->code == "empty-flow");
    CHECK_FALSE(parse_flow_text("flow x\n\xEF\xBB\xBF"
                                "final done\n",
                                "m.flow")
                    .ok());
}
