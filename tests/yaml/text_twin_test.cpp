// Text ⇄ YAML: every flow the text front end reads comes back identical through the YAML form,
// so the two front ends agree on the IR (the examples of dsl/REFERENCE.md and the valid text
// flows of tests/dsl/valid).
#include "test_support.hpp"

#include <doctest/doctest.h>
#include <nudge/dsl.hpp>

#include <filesystem>

using namespace nudge;
namespace fs = std::filesystem;

namespace {

void check_twin(const std::string& text, const std::string& name) {
    auto from_text = parse_flow_text(text, name);
    INFO(name, "\n", render(from_text.diagnostics, text));
    REQUIRE(from_text.ok());
    auto yaml = flow_to_yaml(*from_text.flow);
    auto from_yaml = parse_flow_yaml(yaml, name + ".yaml");
    INFO("YAML:\n", yaml, "\n", render(from_yaml.diagnostics, yaml));
    REQUIRE(from_yaml.ok());
    CHECK(*from_yaml.flow == *from_text.flow);
}

} // namespace

TEST_CASE("the REFERENCE.md examples read the same through YAML") {
    auto doc = test::read_text(test::source_dir() / "dsl/REFERENCE.md");
    int count = 0;
    std::size_t at = 0;
    while ((at = doc.find("```flow\n", at)) != std::string::npos) {
        at += 8;
        auto end = doc.find("```", at);
        REQUIRE(end != std::string::npos);
        check_twin(doc.substr(at, end - at), "REFERENCE.md example " + std::to_string(++count));
        at = end + 3;
    }
    CHECK(count >= 10);
}

TEST_CASE("valid text flows read the same through YAML") {
    for (const auto& entry : fs::directory_iterator(test::test_dir() / "dsl/valid")) {
        if (entry.path().extension() != ".flow") continue;
        check_twin(test::read_text(entry.path()), entry.path().filename().string());
    }
}

TEST_CASE("YAML.md: the whole-flow example is what the writer prints for REFERENCE.md's first") {
    auto reference = test::read_text(test::source_dir() / "dsl/REFERENCE.md");
    auto yaml_doc = test::read_text(test::source_dir() / "dsl/YAML.md");
    auto block = [](const std::string& doc, const std::string& fence, const std::string& after) {
        auto start = doc.find(after);
        REQUIRE(start != std::string::npos);
        start = doc.find(fence, start);
        REQUIRE(start != std::string::npos);
        start += fence.size();
        return doc.substr(start, doc.find("```", start) - start);
    };
    auto text = block(reference, "```flow\n", "# The nudge flow language");
    auto yaml = block(yaml_doc, "```yaml\n", "## A whole flow");
    auto from_text = parse_flow_text(text, "reference.flow");
    REQUIRE(from_text.ok());
    CHECK(flow_to_yaml(*from_text.flow) == yaml);
}
