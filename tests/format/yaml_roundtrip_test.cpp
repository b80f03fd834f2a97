// text → IR → YAML → IR → text: the YAML twin loses nothing but comments. Needs both front
// ends; compiled to nothing until the YAML one (dsl/yaml/) lands next to the text parser.
#if __has_include("text/parser.cpp") && \
    (__has_include("yaml/parser.cpp") || __has_include("yaml/reader.cpp") || \
     __has_include("yaml/read.cpp") || __has_include("yaml/writer.cpp"))

#include <nudge/dsl.hpp>

#include <doctest/doctest.h>
#include <test_support.hpp>

#include <algorithm>
#include <filesystem>

using namespace nudge;
namespace fs = std::filesystem;

TEST_CASE("text and YAML convert both ways without loss") {
    std::vector<fs::path> files;
    for (auto dir : {test::test_dir() / "dsl" / "valid", test::test_dir() / "format" / "cases"}) {
        for (const auto& e : fs::directory_iterator(dir)) {
            if (e.path().extension() == ".flow") files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
        INFO(p.filename().string());
        auto text = test::read_text(p);
        auto parsed = parse_flow_text(text, p.filename().string());
        REQUIRE(parsed.flow.has_value());
        auto yaml = flow_to_yaml(*parsed.flow);
        auto back = parse_flow_yaml(yaml, p.filename().string() + ".yaml");
        INFO(yaml);
        INFO(render(back.diagnostics, yaml));
        REQUIRE(back.flow.has_value());
        CHECK_FALSE(back.diagnostics.has_errors());
        CHECK(format_flow(*back.flow) == format_flow(*parsed.flow, {.keep_comments = false}));
        CHECK(*back.flow == *parsed.flow);
    }
}

#endif
