#pragma once
// Helpers for the compiler tests: flows are written in the text language and parsed with
// nudge::parse_flow_text (the checker is not run here; these flows are valid for it).

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

namespace nudge::test {

inline FlowDef parse_ok(std::string_view text, std::string file = "test.flow") {
    auto parsed = parse_flow_text(text, std::move(file));
    INFO(render(parsed.diagnostics, text));
    REQUIRE(parsed.ok());
    return *parsed.flow;
}

inline CompileResult compile_text(std::string_view text) { return compile(parse_ok(text)); }

// The codes of the diagnostics, in order.
inline std::vector<std::string> codes(const Diagnostics& ds) {
    std::vector<std::string> out;
    for (const auto& d : ds)
        out.push_back(d.code);
    return out;
}

inline bool has_code(const Diagnostics& ds, std::string_view code) {
    for (const auto& d : ds) {
        if (d.code == code) return true;
    }
    return false;
}

// The ```flow blocks of a Markdown file.
inline std::vector<std::string> flow_blocks(const std::string& markdown) {
    std::vector<std::string> blocks;
    std::size_t pos = 0;
    while ((pos = markdown.find("```flow\n", pos)) != std::string::npos) {
        pos += 8;
        auto end = markdown.find("\n```", pos);
        if (end == std::string::npos) break;
        blocks.push_back(markdown.substr(pos, end - pos + 1));
        pos = end + 4;
    }
    return blocks;
}

} // namespace nudge::test
