// Each analysis with a flow that triggers it and one that does not.
#include "compile_support.hpp"

#include <string>

using nudge::test::codes;
using nudge::test::compile_text;
using nudge::test::has_code;

namespace {

// Declarations shared by the flows below; each test adds its trigger and states.
const std::string head = R"(flow t
timezone "Europe/Oslo"
field phone: phone
field ok: bool
field visit_at: datetime
channel sms to phone from "4790000000"
channel email to "shop@example.test"
window daytime = mon-sun 09:00-21:00
keywords yes = "ja", "ok", "yes"
keywords no = "nei", "no"
keywords sure = "Ja", "sure"
)";

nudge::CompileResult run(const std::string& body) { return compile_text(head + body); }

const nudge::Diagnostic* find(const nudge::Diagnostics& ds, std::string_view code) {
    for (const auto& d : ds) {
        if (d.code == code) return &d;
    }
    return nullptr;
}

} // namespace

TEST_CASE("unreachable states and finals") {
    auto bad = run(R"(
trigger a.b as phone { start s }
state s { send sms "hi" after 1h -> done }
state lost { after 1h -> done }
final done
final never
)");
    CHECK(codes(bad.diagnostics) ==
          std::vector<std::string>{"unreachable-state", "unreachable-final"});
    auto* d = find(bad.diagnostics, "unreachable-state");
    REQUIRE(d);
    CHECK(d->severity == nudge::Severity::error);
    CHECK(d->message == "state 'lost' cannot be reached from any trigger's start");
    CHECK(d->file == "test.flow");
    CHECK(d->pos.line == 15);
    CHECK(find(bad.diagnostics, "unreachable-final")->severity == nudge::Severity::warning);
    CHECK_FALSE(bad.ok());
    REQUIRE(bad.flow); // still drawable
    CHECK_FALSE(bad.flow->states()[1].reachable);

    auto good = run(R"(
trigger a.b as phone { start s }
trigger c.d as phone { start lost }
state s { send sms "hi" after 1h -> done }
state lost { after 1h -> done }
final done
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("dead ends: nothing to wait for and no choice") {
    auto bad = run(R"(
trigger a.b as phone { start s }
state s { send sms "hi" }
)");
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"dead-end"});
    auto maybe = run(R"(
trigger a.b as phone { start s }
state s { if ok -> done }
final done
)");
    CHECK(codes(maybe.diagnostics) == std::vector<std::string>{"no-else"});
    auto good = run(R"(
trigger a.b as phone { start s }
state s { if ok -> done else -> other }
state other { on x.y -> done }
final done
)");
    CHECK(good.diagnostics.empty());
    // `from any` handlers give every state a way out.
    auto any = run(R"(
trigger a.b as phone { start s }
state s { send sms "hi" }
final done
from any { on work.done -> done }
)");
    CHECK(any.diagnostics.empty());
}

TEST_CASE("livelock: a cycle of choices names the states") {
    auto bad = run(R"(
trigger a.b as phone { start a }
state a { if ok -> b else -> done }
state b { if ok -> c else -> done }
state c { else -> a }
final done
)");
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"livelock"});
    auto* d = find(bad.diagnostics, "livelock");
    REQUIRE(d);
    CHECK(d->message.find("a -> b -> c -> a") != std::string::npos);
    CHECK(d->pos.line == 14);

    auto self = run(R"(
trigger a.b as phone { start a }
state a { if ok -> restart on x.y -> done }
final done
)");
    CHECK(codes(self.diagnostics) == std::vector<std::string>{"livelock"});
    CHECK(find(self.diagnostics, "livelock")->message.find("a -> a") != std::string::npos);

    // A wait on the way breaks the loop.
    auto good = run(R"(
trigger a.b as phone { start a }
state a { if ok -> b else -> done }
state b { on x.y -> a after 1d -> done }
final done
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("windows that never open and seasons with no days") {
    nudge::FlowDef flow = nudge::test::parse_ok(head + R"(
window never = mon-fri 10:00-10:00
season bad = 02-01..03-01
season fine = 10-01..02-28
trigger a.b as phone { start s }
state s { at season fine within daytime -> done }
final done
)");
    // The text parser refuses days that do not exist; the YAML twin or a program may not.
    flow.seasons[0].first.day = 30;
    auto bad = nudge::compile(flow);
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"window-never-open", "empty-season"});
    CHECK(find(bad.diagnostics, "empty-season")->message ==
          "season 'bad' (02-30..03-01) names a day that is not in the calendar, so it has no days");
    CHECK(find(bad.diagnostics, "window-never-open")->message ==
          "window 'never' never opens: every slot closes when it opens");
    flow.windows.back().slots.clear();
    CHECK(nudge::compile(flow).diagnostics.items()[0].message ==
          "window 'never' has no slots, so it never opens");
    flow.windows.pop_back();
    flow.seasons.erase(flow.seasons.begin());
    CHECK(nudge::compile(flow).diagnostics.empty());
}

TEST_CASE("reminders after the state's own deadline") {
    auto bad = run(R"(
trigger a.b as phone { start s }
state s {
  send sms "hi"
  on reply yes -> done
  remind after 30m
  remind after 2h
  after 2h -> done
}
final done
)");
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"reminder-never-fires"});
    auto* d = find(bad.diagnostics, "reminder-never-fires");
    CHECK(d->message ==
          "reminder after 2h can never fire: state 's' is left after 2h ('after 2h -> done')");
    CHECK(d->pos.line == 18);

    // Calendar steps, a `within` on the deadline, or no send on entry: no certainty, no warning.
    auto good = run(R"(
trigger a.b as phone { start s }
state s {
  send sms "hi"
  on reply yes -> done
  remind after 3d
  remind after 5h
  after 2d -> done
  after 4h within daytime -> done
}
final done
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("bad times on a reminder") {
    auto bad = run(R"(
trigger a.b as phone { start s }
state s { send sms "hi" on reply yes -> done remind after 1h times 0 }
final done
)");
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"bad-times"});
    auto good = run(R"(
trigger a.b as phone { start s }
state s { send sms "hi" on reply yes -> done remind after 1h times 3 }
final done
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("duplicate keywords and routes after a catch-all") {
    auto dup = run(R"(
trigger a.b as phone { start s }
state s {
  send sms "hi"
  on reply yes -> done
  on reply sure -> other
  on reply no -> done
}
final done
final other
)");
    CHECK(codes(dup.diagnostics) == std::vector<std::string>{"duplicate-keyword"});
    CHECK(find(dup.diagnostics, "duplicate-keyword")->message ==
          "in state 's', \"Ja\" of 'on reply sure' is also in 'on reply yes' on line 16, "
          "which comes first and wins");

    auto after_any = run(R"(
trigger a.b as phone { start s }
state s {
  send sms "hi"
  on reply any -> done
  on reply yes -> other
}
final done
final other
)");
    CHECK(codes(after_any.diagnostics) == std::vector<std::string>{"unreachable-route"});

    // A condition means the first route does not always take the word.
    auto good = run(R"(
trigger a.b as phone { start s }
state s {
  send sms "hi"
  on reply yes if ok -> done
  on reply sure -> other
  on reply any if ok -> done
  on reply no -> other
  on reply other -> inbox
}
final done
final other
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("fallback to the same channel") {
    auto bad = run(R"(
trigger a.b as phone { start s }
final s { send sms "hi" fallback email, sms }
)");
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"bad-fallback"});
    auto good = run(R"(
trigger a.b as phone { start s }
final s { send sms "hi" fallback email }
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("a cap that makes a send impossible") {
    // Three messages at once against two allowed: the third is always suppressed.
    auto at_once = run(R"(
cap sms 2 per 1h
trigger a.b as phone { start s }
final s { send sms "1" send sms "2" send email "x" send sms "3" }
)");
    CHECK(codes(at_once.diagnostics) == std::vector<std::string>{"cap-blocks-send"});
    auto* d = find(at_once.diagnostics, "cap-blocks-send");
    REQUIRE(d);
    CHECK(d->severity == nudge::Severity::error);
    CHECK(d->message == "send on 'sms' can never go out: state 's' sends 3 messages on 'sms' at "
                        "once, more than 'cap sms 2 per 1h' allows (send fewer, or wait longer "
                        "between them)");
    CHECK(d->pos.line == 15);
    CHECK(d->pos.column == 52); // the third send

    // Timed steps shorter than the period, through choices and `from any` timers.
    auto timed = run(R"(
cap sms 1 per 1d
trigger a.b as phone { start s }
state s { send sms "1" on reply yes -> done after 2h -> t }
state t { if ok -> u else -> done }
state u { send sms "2" on x.y -> done }
final done
from any { after 20h -> done }
)");
    CHECK(codes(timed.diagnostics) == std::vector<std::string>{"cap-blocks-send"});
    CHECK(find(timed.diagnostics, "cap-blocks-send")
              ->message.find("the way s -> t -> u sends 2 messages on 'sms' within 2h") !=
          std::string::npos);

    // No certainty, no error: a wait of unknown length (reply, event, `within`, calendar
    // steps), a wait as long as the period, a restart, a deferred send, a fallback channel.
    auto good = run(R"(
cap sms 1 per 2h
cap email 1 per 1d
trigger a.b as phone { start s }
state s { send sms "1" on reply yes -> t after 2h -> t after 1h within daytime -> t }
state t { send sms "2" on x.y -> u after 1d -> u }
state u { send sms "3" send sms "4" within daytime send email "x" after 23h -> restart }
final done { send sms "5" send email "6" fallback sms }
from any { on z.z -> done }
)");
    CHECK(good.diagnostics.empty());
    CHECK(good.ok());

    // `cap … 0 per …` blocks every send; a huge cap is never reached (and stays cheap).
    auto zero = run(R"(
cap email 0 per 1h
cap sms 100000000 per 1h
trigger a.b as phone { start s }
final s { send sms "1" send sms "2" send email "x" }
)");
    CHECK(codes(zero.diagnostics) == std::vector<std::string>{"cap-blocks-send"});
    CHECK(find(zero.diagnostics, "cap-blocks-send")->message.find("'cap email 0 per 1h'") !=
          std::string::npos);
}

TEST_CASE("waiting for replies when nothing was sent") {
    auto bad = run(R"(
trigger a.b as phone { start s }
state s { on reply yes -> done after 1d -> done }
final done
)");
    CHECK(codes(bad.diagnostics) == std::vector<std::string>{"reply-without-send"});
    auto good = run(R"(
trigger a.b as phone { start first }
state first { send sms "hi" after 1h -> s }
state s { on reply yes -> done after 1d -> done }
final done
)");
    CHECK(good.diagnostics.empty());
}

TEST_CASE("diagnostics point into the file and come sorted") {
    auto bad = run(R"(
trigger a.b as phone { start s }
state lost { send sms "x" }
state s { on reply yes -> done }
final done
)");
    REQUIRE(bad.diagnostics.size() == 3);
    CHECK(bad.diagnostics.items()[0].pos.line < bad.diagnostics.items()[2].pos.line);
    for (const auto& d : bad.diagnostics)
        CHECK(d.pos.column >= 1);
}
