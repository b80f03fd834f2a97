// Every file in tests/dsl/invalid/ (NAME.flow or NAME.flow.yaml) is read with read_flow and
// its rendered diagnostics compared with NAME.expected. NUDGE_UPDATE_GOLDEN=1 rewrites them:
// this is the one harness that writes them (tests/parse, tests/yaml and tests/check compare
// the same files against their front end or the checker alone, and never write).
// Every file in tests/dsl/valid/ must read with no diagnostics at all.
#include <doctest/doctest.h>
#include <nudge/dsl.hpp>

#include "test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <vector>

namespace fs = std::filesystem;
using namespace nudge;

namespace {

std::vector<fs::path> inputs_in(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto name = e.path().filename().string();
        if (e.is_regular_file() && name.find(".expected") == std::string::npos &&
            (name.ends_with(".flow") || name.ends_with(".flow.yaml"))) {
            out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Diagnostics name the file relative to tests/dsl so the golden text does not depend on
// where the checkout lives.
std::string display_name(const fs::path& p) {
    return fs::relative(p, test::test_dir() / "dsl").generic_string();
}

} // namespace

TEST_CASE("invalid flows give exactly the expected diagnostics") {
    auto files = inputs_in(test::test_dir() / "dsl" / "invalid");
    for (const auto& file : files) {
        CAPTURE(file.string());
        auto source = test::read_text(file);
        auto result = read_flow(source, display_name(file));
        auto actual = render(result.diagnostics, source);
        bool reported = !result.diagnostics.empty();
        CHECK_MESSAGE(reported, "an invalid test input produced no diagnostic");
        auto expected_path = file;
        expected_path.replace_extension(""); // .flow → NAME or NAME.flow
        if (expected_path.extension() == ".flow") expected_path.replace_extension("");
        expected_path += ".expected";
        if (test::updating_golden()) {
            test::write_text(expected_path, actual);
            continue;
        }
        REQUIRE_MESSAGE(fs::exists(expected_path), "missing golden file " << expected_path);
        CHECK(actual == test::read_text(expected_path));
    }
}

TEST_CASE("valid flows read with no diagnostics") {
    for (const auto& file : inputs_in(test::test_dir() / "dsl" / "valid")) {
        CAPTURE(file.string());
        auto source = test::read_text(file);
        auto result = read_flow(source, display_name(file));
        CHECK_MESSAGE(result.diagnostics.empty(), render(result.diagnostics, source));
        CHECK(result.flow.has_value());
    }
}
