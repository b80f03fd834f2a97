// The literal `none`: whether an optional field has a value, and emptying one with `set`.
#include "runtime_support.hpp"

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

using namespace nudge;
using test::Rig;

namespace {

const std::string tyres = R"(flow tyres
timezone "Europe/Copenhagen"

field phone: phone
field send_on: date?
field note: text?

channel sms to phone from "4570203040"

window send_hours = mon-fri 08:00-16:00

trigger recall.planned as phone {
  start planned
}

state planned {
  if send_on != none -> batch
  else -> unplanned
}

state batch {
  at send_on within send_hours -> invited
}

final invited {
  set note = none
  send sms "Time for summer tyres."
}

final unplanned {
  set note = "no day planned"
}
)";

std::string messages_of(const CompileResult& r) {
    std::string out;
    for (const auto& d : r.diagnostics)
        out += d.code + ": " + d.message + "\n";
    return out;
}

} // namespace

TEST_CASE("none tells an optional field with a value from one without") {
    Rig r("2026-03-02T06:00:00+01:00", tyres);
    auto planned = r.engine.trigger(
        "recall.planned",
        {{"phone", "+4520304050"}, {"send_on", "2026-03-16"}, {"note", "batch 3"}});
    auto unplanned = r.engine.trigger("recall.planned", {{"phone", "+4520304060"}});
    REQUIRE(planned.size() == 1);
    REQUIRE(unplanned.size() == 1);
    CHECK(r.state_of(planned[0]) == "batch");
    CHECK(r.state_of(unplanned[0]) == "unplanned");
    CHECK(r.engine.instance(unplanned[0])->fields.at("note") == "no day planned");

    r.until("2026-03-20T00:00:00+01:00");
    REQUIRE(r.out.sent().size() == 1);
    CHECK(r.at(0) == "2026-03-16T08:00:00+01:00");
    // `set note = none` emptied the field: it is no longer among the set fields.
    CHECK(r.engine.instance(planned[0])->fields.count("note") == 0);
}

TEST_CASE("none prints and reads back in the canonical form") {
    auto r = compile_source(tyres, "tyres.flow");
    REQUIRE(r.ok());
    CHECK(format_flow(r.flow->flow()).find("if send_on != none -> batch") != std::string::npos);
}

TEST_CASE("none empties only optional fields and is no value to compute with") {
    auto flow = [](std::string_view extra_state) {
        std::string s = tyres;
        s.replace(s.find("final unplanned"), 0, std::string(extra_state) + "\n");
        return compile_source(s, "tyres.flow");
    };
    auto required = flow("final cleared {\n  set phone = none\n}\n");
    CHECK(messages_of(required).find(
              "type-mismatch: 'set phone = none' empties the field, but 'phone' is required "
              "(declare it with '?' to let it be empty)") != std::string::npos);
    auto ordered = flow("state early {\n  if send_on < none -> invited\n  else -> invited\n}\n");
    CHECK(messages_of(ordered).find("type-mismatch: '<' needs two numbers, durations, dates or "
                                    "datetimes, but 'send_on < none' compares a date with none") !=
          std::string::npos);
    auto at = flow("state never {\n  at none -> invited\n}\n");
    CHECK(messages_of(at).find("is none") != std::string::npos);
}

TEST_CASE("a field, fact or list cannot be named after a word of expressions") {
    std::string s = tyres;
    s.replace(s.find("field note"), 0, "field none: text?\nfact true: number\n");
    auto r = compile_source(s, "tyres.flow");
    auto m = messages_of(r);
    CHECK(m.find("reserved-name: 'none' cannot name a field: expressions read it as a word of the "
                 "language") != std::string::npos);
    CHECK(m.find("reserved-name: 'true' cannot name a fact") != std::string::npos);
}
