// The documentation is tested: every ```flow block in the language reference, and every flow
// shipped in examples/, reads and checks with no diagnostic at all.
#include <doctest/doctest.h>
#include <nudge/dsl.hpp>
#include <nudge/engine.hpp>

#include "test_support.hpp"

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace nudge;
namespace fs = std::filesystem;

namespace {

struct Block {
    int line;
    std::string text;
};

std::vector<Block> flow_blocks(const std::string& markdown) {
    std::vector<Block> out;
    std::size_t pos = 0;
    int line = 1;
    bool in_block = false;
    Block current;
    while (pos < markdown.size()) {
        auto nl = markdown.find('\n', pos);
        auto text = markdown.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (!in_block && text == "```flow") {
            in_block = true;
            current = {line + 1, ""};
        } else if (in_block && text == "```") {
            in_block = false;
            out.push_back(current);
        } else if (in_block) {
            current.text += text + "\n";
        }
        if (nl == std::string::npos) break;
        pos = nl + 1;
        ++line;
    }
    return out;
}

} // namespace

TEST_CASE("every example in the language reference reads and checks cleanly") {
    auto path = test::source_dir() / "dsl" / "REFERENCE.md";
    auto blocks = flow_blocks(test::read_text(path));
    REQUIRE(blocks.size() >= 15);
    for (const auto& block : blocks) {
        auto name = "REFERENCE.md@" + std::to_string(block.line) + ".flow";
        CAPTURE(name);
        auto result = read_flow(block.text, name);
        CHECK_MESSAGE(result.diagnostics.empty(), render(result.diagnostics, block.text));
        CHECK(result.flow.has_value());
    }
}

TEST_CASE("every shipped example flow reads and checks cleanly") {
    int seen = 0;
    for (const auto& e : fs::recursive_directory_iterator(test::source_dir() / "examples")) {
        auto name = e.path().filename().string();
        if (!e.is_regular_file() || !(name.ends_with(".flow") || name.ends_with(".flow.yaml")))
            continue;
        ++seen;
        CAPTURE(e.path().string());
        auto result = read_flow_file(e.path());
        CHECK_MESSAGE(result.diagnostics.empty(),
                      render(result.diagnostics, test::read_text(e.path())));
    }
    CHECK(seen >= 1);
}

TEST_CASE("the reference's table of record kinds lists every kind the engine records, once") {
    auto text = test::read_text(test::source_dir() / "dsl" / "REFERENCE.md");
    auto from = text.find("## The timeline: record kinds");
    REQUIRE(from != std::string::npos);
    auto to = text.find("\n## ", from + 1);
    std::istringstream section(text.substr(from, to - from));
    // Rows start "| `kind`" (or "| `a`, `b`" for two kinds that share their fields).
    std::set<std::string> documented;
    for (std::string line; std::getline(section, line);) {
        if (line.rfind("| `", 0) != 0) continue;
        auto cell = line.substr(2, line.find(" |", 2) - 2);
        for (std::size_t p = cell.find('`'); p != std::string::npos; p = cell.find('`', p)) {
            auto end = cell.find('`', p + 1);
            documented.insert(cell.substr(p + 1, end - p - 1));
            p = end + 1;
        }
    }
    std::set<std::string> kinds;
    for (auto k : record_kinds())
        kinds.insert(std::string(to_string(k)));
    CHECK(kinds.size() == record_kinds().size());
    CHECK(documented == kinds);
    for (const auto& name : kinds) {
        CAPTURE(name);
        auto parsed = record_kind(name);
        REQUIRE(parsed);
        CHECK(to_string(*parsed) == name);
    }
    CHECK_FALSE(record_kind("snet"));
    CHECK_FALSE(record_kind(""));

    // The inbox row names every inbox reason.
    auto inbox_row = text.find("| `inbox` |", from);
    REQUIRE(inbox_row < to);
    auto row = text.substr(inbox_row, text.find('\n', inbox_row) - inbox_row);
    for (auto reason : inbox_reasons()) {
        CAPTURE(to_string(reason));
        CHECK(row.find("`" + std::string(to_string(reason)) + "`") != std::string::npos);
    }
}
