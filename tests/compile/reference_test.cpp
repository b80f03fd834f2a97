// Every example of the language reference compiles without a finding: the reference only
// shows good flows.
#include "compile_support.hpp"
#include "test_support.hpp"

TEST_CASE("every REFERENCE.md example compiles cleanly") {
    auto blocks = nudge::test::flow_blocks(
        nudge::test::read_text(nudge::test::source_dir() / "dsl" / "REFERENCE.md"));
    REQUIRE(blocks.size() > 10);
    for (const auto& text : blocks) {
        auto result = nudge::test::compile_text(text);
        INFO(text);
        INFO(nudge::render(result.diagnostics, text));
        CHECK(result.ok());
        CHECK(result.diagnostics.empty());
        REQUIRE(result.flow);
        CHECK_FALSE(nudge::to_dot(*result.flow).empty());
    }
}
