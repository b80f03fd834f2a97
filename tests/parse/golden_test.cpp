// Golden diagnostics: tests/dsl/invalid/syntax-*.flow against their .expected text, produced
// exactly as the shared harness will (file name relative to tests/dsl, sorted, rendered). The
// valid tests/dsl/valid/text-*.flow files must parse without a word.
// The .expected files belong to tests/dsl/golden_diagnostics.cpp, which rewrites them under
// NUDGE_UPDATE_GOLDEN=1; this suite only compares (the parser alone must give the same text).
#include <doctest/doctest.h>

#include <nudge/dsl.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> files(const fs::path& dir, std::string_view prefix) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto name = e.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && e.path().extension() == ".flow") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("golden syntax diagnostics") {
    auto dir = nudge::test::test_dir() / "dsl" / "invalid";
    auto inputs = files(dir, "syntax-");
    CHECK(inputs.size() >= 30);
    for (const auto& input : inputs) {
        auto name = "invalid/" + input.filename().string();
        CAPTURE(name);
        auto source = nudge::test::read_text(input);
        auto result = nudge::parse_flow_text(source, name);
        auto diags = result.diagnostics;
        diags.sort();
        CHECK(diags.has_errors());
        auto actual = nudge::render(diags, source);
        auto expected_path = fs::path(input).replace_extension(".expected");
        CHECK(actual == nudge::test::read_text(expected_path));
    }
}

TEST_CASE("valid text flows parse cleanly") {
    auto inputs = files(nudge::test::test_dir() / "dsl" / "valid", "text-");
    CHECK(inputs.size() >= 3);
    for (const auto& input : inputs) {
        auto source = nudge::test::read_text(input);
        auto result = nudge::parse_flow_text(source, "valid/" + input.filename().string());
        INFO(nudge::render(result.diagnostics, source));
        CHECK(result.ok());
    }
}
