// The two front ends agree: text → IR → YAML → IR → text gives `nudge fmt`'s output (less the
// comments, which YAML does not carry) and the IRs compare equal; the same from the YAML side.
#include <nudge/dsl.hpp>

#include <doctest/doctest.h>
#include <test_support.hpp>

#include <algorithm>
#include <filesystem>

using namespace nudge;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> flows_under(const fs::path& dir, std::string_view suffix) {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.is_regular_file() && e.path().filename().string().ends_with(suffix))
            out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

TEST_CASE("text and YAML convert both ways without loss") {
    std::vector<fs::path> files = flows_under(test::test_dir() / "dsl" / "valid", ".flow");
    for (auto& p : flows_under(test::test_dir() / "format" / "cases", ".flow"))
        files.push_back(p);
    for (auto& p : flows_under(test::source_dir() / "examples", ".flow"))
        files.push_back(p);
    REQUIRE(files.size() >= 10);
    for (const auto& p : files) {
        INFO(p.string());
        auto text = test::read_text(p);
        auto parsed = parse_flow_text(text, p.filename().string());
        REQUIRE(parsed.flow.has_value());
        auto yaml = flow_to_yaml(*parsed.flow);
        auto back = parse_flow_yaml(yaml, p.filename().string() + ".yaml");
        INFO(yaml);
        INFO(render(back.diagnostics, yaml));
        REQUIRE(back.flow.has_value());
        CHECK(back.diagnostics.empty());
        CHECK(format_flow(*back.flow) == format_flow(*parsed.flow, {.keep_comments = false}));
        CHECK(*back.flow == *parsed.flow);
    }
}

TEST_CASE("YAML flows convert to text and back without loss") {
    auto files = flows_under(test::test_dir() / "dsl" / "valid", ".flow.yaml");
    for (auto& p : flows_under(test::source_dir() / "examples", ".flow.yaml"))
        files.push_back(p);
    REQUIRE(files.size() >= 3);
    for (const auto& p : files) {
        INFO(p.string());
        auto yaml = test::read_text(p);
        auto parsed = parse_flow_yaml(yaml, p.filename().string());
        REQUIRE(parsed.flow.has_value());
        auto text = format_flow(*parsed.flow);
        auto back = parse_flow_text(text, p.filename().string() + ".flow");
        INFO(text);
        REQUIRE(back.flow.has_value());
        CHECK(back.diagnostics.empty());
        CHECK(*back.flow == *parsed.flow);
        CHECK(flow_to_yaml(*back.flow) == flow_to_yaml(*parsed.flow));
    }
}
