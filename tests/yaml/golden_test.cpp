// Golden diagnostics for tests/dsl/invalid/yaml-*.flow.yaml, produced the way the shared
// harness will (parse with the name `invalid/<file>`, sort, render against the source), and the
// valid examples in tests/dsl/valid/yaml-*.flow.yaml, which must read without a diagnostic.
// The .expected files belong to tests/dsl/golden_diagnostics.cpp, which rewrites them under
// NUDGE_UPDATE_GOLDEN=1; this suite only compares (the YAML reader alone must give the same text).
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nudge/dsl.hpp>

#include <algorithm>
#include <filesystem>

using namespace nudge;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> yaml_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto name = entry.path().filename().string();
        if (name.rfind("yaml-", 0) == 0 && name.size() > 10 &&
            name.substr(name.size() - 10) == ".flow.yaml") {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("golden diagnostics for invalid YAML flows") {
    auto files = yaml_files(test::test_dir() / "dsl/invalid");
    CHECK(files.size() >= 15);
    for (const auto& file : files) {
        auto name = file.filename().string();
        CAPTURE(name);
        auto source = test::read_text(file);
        auto result = parse_flow_yaml(source, "invalid/" + name);
        CHECK(result.diagnostics.has_errors());
        auto diags = result.diagnostics;
        diags.sort();
        auto rendered = render(diags, source);
        auto expected_path = file;
        expected_path.replace_extension(); // .flow
        expected_path.replace_extension(".expected");
        CHECK(rendered == test::read_text(expected_path));
    }
}

TEST_CASE("valid YAML flows read cleanly and survive a round trip") {
    auto files = yaml_files(test::test_dir() / "dsl/valid");
    CHECK(files.size() >= 3);
    for (const auto& file : files) {
        auto name = file.filename().string();
        auto source = test::read_text(file);
        auto result = parse_flow_yaml(source, "valid/" + name);
        INFO(name, "\n", render(result.diagnostics, source));
        REQUIRE(result.ok());
        CHECK(result.diagnostics.empty());
        auto again = parse_flow_yaml(flow_to_yaml(*result.flow), "again.flow.yaml");
        REQUIRE(again.ok());
        CHECK(*again.flow == *result.flow);
    }
}
