// The registry of diagnostic codes (lib/model/include/model/codes.def) against the sources and the
// tests: a code the sources report is registered, a registered code is reported somewhere, and
// every registered code is exercised by some test input, expected output or test source.
#include "model/codes.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace nudge::detail;

namespace {

std::vector<std::string> texts_under(const fs::path& dir, const std::set<std::string>& endings) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        auto name = e.path().filename().string();
        for (const auto& ending : endings) {
            if (name.ends_with(ending)) {
                out.push_back(nudge::test::read_text(e.path()));
                break;
            }
        }
    }
    return out;
}

std::vector<std::string> sources() {
    std::vector<std::string> out;
    for (const char* dir : {"lib", "dsl", "cli"}) {
        auto more = texts_under(nudge::test::source_dir() / dir, {".cpp", ".hpp"});
        out.insert(out.end(), more.begin(), more.end());
    }
    return out;
}

// Kebab-case string literals that are not diagnostic codes.
const std::set<std::string> not_codes = {"hash-password", "last-month"};
// Codes no input can bring about: kept for nudge's own failures.
const std::set<std::string> unreachable = {
    "internal",   // an exception inside the text parser: a bug in nudge
    "flow-error", // the engine refusing a flow that compiled cleanly
    "no-flows",   // the scenario reader reports an empty `flows` first
};

} // namespace

TEST_CASE("every code the sources report is registered") {
    // Any kebab-case literal is taken for a code; one-word codes are found where they are
    // reported (error("io", …), a syntax stop).
    std::regex kebab(R"re("([a-z][a-z0-9]*(?:-[a-z0-9]+)+)")re");
    std::regex word(R"re((?:error|warning|stop_here\(in,|SyntaxStop stop\{)\(?\s*"([a-z]+)")re");
    std::set<std::string> seen;
    for (const auto& text : sources()) {
        for (const auto& re : {kebab, word}) {
            for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it)
                seen.insert((*it)[1]);
        }
    }
    for (const auto& code : seen) {
        if (not_codes.count(code)) continue;
        CAPTURE(code);
        CHECK(is_diagnostic_code(code));
    }
    SUBCASE("and every registered code is reported by some source") {
        for (const auto& c : diagnostic_codes()) {
            CAPTURE(c.code);
            CHECK(seen.count(std::string(c.code)) == 1);
        }
    }
}

TEST_CASE("every registered code is exercised by a test") {
    std::vector<std::string> tests;
    for (const auto& dir :
         {nudge::test::source_dir() / "tests", nudge::test::source_dir() / "examples"}) {
        auto more = texts_under(dir, {".cpp", ".hpp", ".sh", ".py", ".yaml", ".expected", ".flow"});
        tests.insert(tests.end(), more.begin(), more.end());
    }
    for (const auto& c : diagnostic_codes()) {
        std::string code(c.code);
        if (unreachable.count(code)) continue;
        CAPTURE(code);
        bool found = false;
        for (const auto& text : tests) {
            if (text.find("[" + code + "]") != std::string::npos ||
                text.find("\"" + code + "\"") != std::string::npos) {
                found = true;
                break;
            }
        }
        CHECK_MESSAGE(found, "no test input, expected output or test source names this code");
    }
}

TEST_CASE("the registry is sorted, and answers for what it holds") {
    auto codes = diagnostic_codes();
    REQUIRE(codes.size() > 80);
    for (std::size_t i = 1; i < codes.size(); ++i)
        CHECK(codes[i - 1].code < codes[i].code);
    CHECK(is_diagnostic_code("unknown-state"));
    CHECK(is_diagnostic_code("syntax"));
    CHECK_FALSE(is_diagnostic_code("unknown_state"));
    CHECK_FALSE(is_diagnostic_code(""));
    for (const auto& c : codes)
        CHECK_FALSE(c.summary.empty());
}
