#include <doctest/doctest.h>
#include <nudge/dsl.hpp>
TEST_CASE("smoke") {
    auto r = nudge::parse_flow_yaml("flow: x\n", "t.flow.yaml");
    CHECK(r.ok());
}
