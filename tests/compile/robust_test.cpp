// compile() takes whatever a front end produced without crashing: the checker's errors (unknown
// targets, duplicate names, no trigger) do not stop it, they only leave edges out.
#include "compile_support.hpp"

#include <string>

using nudge::test::compile_text;
using nudge::test::has_code;

TEST_CASE("an empty flow compiles to an empty model") {
    nudge::FlowDef empty;
    auto result = nudge::compile(empty);
    REQUIRE(result.flow);
    CHECK(result.flow->states().empty());
    CHECK(result.flow->stats().max_messages); // nothing reachable, nothing sent
    CHECK(nudge::to_dot(*result.flow).find("digraph") == 0);
    CHECK(nudge::to_mermaid(*result.flow) == "stateDiagram-v2\n");
}

TEST_CASE("unknown targets, restarts without triggers and duplicates are tolerated") {
    nudge::FlowDef f;
    f.name = "broken";
    nudge::StateDecl s;
    s.name = "s";
    nudge::Choice c;
    c.target.state = "nowhere";
    s.choices.push_back(c);
    nudge::Handler h;
    h.kind = nudge::Handler::Kind::event;
    h.event = "x.y";
    h.target.kind = nudge::Target::Kind::restart;
    s.handlers.push_back(h);
    f.states.push_back(s);
    f.states.push_back(s); // duplicate name
    nudge::Reminder r;
    r.times = -3;
    f.states[0].reminders.push_back(r);
    auto result = nudge::compile(f);
    REQUIRE(result.flow);
    CHECK(result.flow->edges().empty());
    CHECK(result.flow->state_index("s") == 0u);
    CHECK(has_code(result.diagnostics, "unreachable-state"));
    CHECK(has_code(result.diagnostics, "bad-times"));
}

TEST_CASE("Mermaid ids stay plain identifiers") {
    nudge::FlowDef f;
    f.name = "ids";
    for (const char* name : {"end", "state", "ok"}) {
        nudge::StateDecl s;
        s.name = name;
        s.is_final = std::string(name) != "ok";
        f.states.push_back(s);
    }
    nudge::Handler h;
    h.kind = nudge::Handler::Kind::event;
    h.event = "a:b";
    h.target.state = "end";
    f.states[2].handlers.push_back(h);
    nudge::TriggerDecl t;
    t.event = "go";
    t.start = "ok";
    f.triggers.push_back(t);
    auto result = nudge::compile(f);
    REQUIRE(result.flow);
    auto mmd = nudge::to_mermaid(*result.flow);
    CHECK(mmd.find("state \"end\" as end_\n") != std::string::npos);
    CHECK(mmd.find("ok --> end_ : a#58;b\n") != std::string::npos);
    CHECK(mmd.find("end_ --> [*]\n") != std::string::npos);
}
