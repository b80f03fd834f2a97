// Every ```flow block of dsl/REFERENCE.md is a complete file that must parse without a word.
#include <doctest/doctest.h>

#include <nudge/dsl.hpp>

#include "test_support.hpp"

#include <string>
#include <vector>

namespace {

std::vector<std::pair<int, std::string>> flow_blocks(const std::string& md) {
    std::vector<std::pair<int, std::string>> blocks;
    std::size_t pos = 0;
    int line = 1;
    std::size_t counted = 0;
    while ((pos = md.find("```flow\n", pos)) != std::string::npos) {
        for (; counted < pos; ++counted)
            line += md[counted] == '\n';
        auto start = pos + 8;
        auto end = md.find("\n```", start);
        if (end == std::string::npos) break;
        blocks.emplace_back(line, md.substr(start, end - start + 1));
        pos = end + 4;
    }
    return blocks;
}

} // namespace

TEST_CASE("every flow example in REFERENCE.md parses cleanly") {
    auto md = nudge::test::read_text(nudge::test::source_dir() / "dsl" / "REFERENCE.md");
    auto blocks = flow_blocks(md);
    CHECK(blocks.size() >= 15);
    for (const auto& block : blocks) {
        const auto& text = block.second;
        CAPTURE(block.first);
        auto r = nudge::parse_flow_text(text, "REFERENCE.md");
        INFO(nudge::render(r.diagnostics, text));
        CHECK(r.diagnostics.empty());
        CHECK(r.flow.has_value());
    }
}
