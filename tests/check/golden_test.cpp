// Golden diagnostics for the checker (tests/dsl/invalid/check-*.flow), produced the way the
// shared harness will: parse, then check only when parsing found no error, sort, render.
// The .expected files belong to tests/dsl/golden_diagnostics.cpp, which rewrites them under
// NUDGE_UPDATE_GOLDEN=1; this suite only compares. Also: every ```flow block of
// dsl/REFERENCE.md checks clean.
#include "test_support.hpp"

#include <nudge/dsl.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

using namespace nudge;
namespace fs = std::filesystem;

namespace {

std::string diagnose(const std::string& source, const std::string& filename) {
    auto parsed = parse_flow_text(source, filename);
    Diagnostics ds = parsed.diagnostics;
    if (!ds.has_errors() && parsed.flow) ds.append(check_flow(*parsed.flow));
    ds.sort();
    return render(ds, source);
}

} // namespace

TEST_CASE("golden: checker diagnostics") {
    auto dir = nudge::test::test_dir() / "dsl" / "invalid";
    std::vector<fs::path> inputs;
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto name = entry.path().filename().string();
        if (name.rfind("check-", 0) == 0 && entry.path().extension() == ".flow") {
            inputs.push_back(entry.path());
        }
    }
    std::sort(inputs.begin(), inputs.end());
    CHECK(inputs.size() >= 35);
    for (const auto& input : inputs) {
        auto source = nudge::test::read_text(input);
        auto actual = diagnose(source, "invalid/" + input.filename().string());
        auto expected_path = fs::path(input).replace_extension(".expected");
        INFO(input.filename().string());
        CHECK(!actual.empty());
        CHECK(actual == nudge::test::read_text(expected_path));
    }
}

TEST_CASE("every flow example in the reference checks clean") {
    auto text = nudge::test::read_text(nudge::test::source_dir() / "dsl" / "REFERENCE.md");
    std::size_t pos = 0;
    int blocks = 0;
    while ((pos = text.find("```flow\n", pos)) != std::string::npos) {
        pos += 8;
        auto end = text.find("```", pos);
        REQUIRE(end != std::string::npos);
        auto block = text.substr(pos, end - pos);
        pos = end + 3;
        ++blocks;
        auto parsed = parse_flow_text(block, "REFERENCE.md#" + std::to_string(blocks));
        INFO(block);
        INFO(render(parsed.diagnostics, block));
        REQUIRE(parsed.flow);
        auto ds = check_flow(*parsed.flow);
        INFO(render(ds, block));
        CHECK(!ds.has_errors());
        // Two examples key their trigger on an optional field ("phone: phone?"); the checker
        // warns about that and the reference should change, so only that warning is let pass.
        for (const auto& d : ds)
            CHECK(d.code == "optional-key");
    }
    CHECK(blocks >= 15);
}
