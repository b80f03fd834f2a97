// format_flow on parsed text: golden files, idempotence, IR round trips and the reference's
// examples.

#include <nudge/dsl.hpp>

#include <doctest/doctest.h>
#include <test_support.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

using namespace nudge;
namespace fs = std::filesystem;

namespace {

struct Sample {
    std::string name;
    std::string text;
};

std::vector<fs::path> files_in(const fs::path& dir, std::string_view suffix) {
    std::vector<fs::path> out;
    if (!fs::exists(dir)) return out;
    for (const auto& e : fs::directory_iterator(dir)) {
        auto name = e.path().filename().string();
        if (name.size() >= suffix.size() && name.ends_with(suffix)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Every ```flow block of dsl/REFERENCE.md, named by its first line.
std::vector<Sample> reference_examples() {
    auto md = test::read_text(test::source_dir() / "dsl" / "REFERENCE.md");
    std::vector<Sample> out;
    std::size_t pos = 0;
    while ((pos = md.find("```flow\n", pos)) != std::string::npos) {
        pos += 8;
        auto end = md.find("```", pos);
        if (end == std::string::npos) break;
        auto text = md.substr(pos, end - pos);
        out.push_back({"REFERENCE.md: " + text.substr(0, text.find('\n')), text});
        pos = end + 3;
    }
    return out;
}

std::vector<Sample> all_samples() {
    std::vector<Sample> out;
    auto add = [&](const fs::path& p) {
        out.push_back({p.filename().string(), test::read_text(p)});
    };
    for (const auto& p : files_in(test::test_dir() / "format" / "cases", ".flow"))
        add(p);
    for (const auto& p : files_in(test::test_dir() / "dsl" / "valid", ".flow"))
        add(p);
    for (auto& s : reference_examples())
        out.push_back(std::move(s));
    return out;
}

std::vector<std::string> comment_texts(const FlowDef& flow) {
    std::vector<std::string> out;
    for (const auto& c : flow.source.comments)
        out.push_back(c.text);
    std::sort(out.begin(), out.end());
    return out;
}

FlowDef parse_ok(const std::string& text, const std::string& name) {
    auto r = parse_flow_text(text, name);
    INFO(name);
    INFO(render(r.diagnostics, text));
    REQUIRE(r.flow.has_value());
    CHECK_FALSE(r.diagnostics.has_errors());
    return *r.flow;
}

} // namespace

TEST_CASE("golden: cases/*.in.flow format to *.out.flow") {
    auto inputs = files_in(test::test_dir() / "format" / "cases", ".in.flow");
    CHECK(inputs.size() >= 3);
    for (const auto& in : inputs) {
        auto name = in.filename().string();
        auto out_path = in.parent_path() / (name.substr(0, name.size() - 8) + ".out.flow");
        auto got = format_flow(parse_ok(test::read_text(in), name));
        if (test::updating_golden()) test::write_text(out_path, got);
        INFO(name);
        CHECK(got == test::read_text(out_path));
    }
}

TEST_CASE("formatting is idempotent and keeps the meaning") {
    for (const auto& s : all_samples()) {
        INFO(s.name);
        auto ir = parse_ok(s.text, s.name);
        auto once = format_flow(ir);
        auto again_ir = parse_ok(once, s.name + " (formatted)");
        CHECK(format_flow(again_ir) == once);
        CHECK(again_ir == ir);
        // Comments survive as well (reordered with their declarations, so compare as sets).
        CHECK(comment_texts(again_ir) == comment_texts(ir));
    }
}

TEST_CASE("every example in REFERENCE.md is already canonical") {
    for (const auto& s : reference_examples()) {
        INFO(s.name);
        auto got = format_flow(parse_ok(s.text, s.name));
        CHECK(got == s.text);
    }
}

TEST_CASE("keep_comments=false drops every comment") {
    for (const auto& s : all_samples()) {
        INFO(s.name);
        auto ir = parse_ok(s.text, s.name);
        auto text = format_flow(ir, {.keep_comments = false});
        auto reread = parse_ok(text, s.name + " (no comments)");
        CHECK(reread.source.comments.empty());
        CHECK(reread == ir);
        ir.source.comments.clear();
        CHECK(text == format_flow(ir));
    }
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

// Lines that start inside a """…""" string, where a '#' would be text, not a comment.
std::vector<bool> inside_strings(const std::vector<std::string>& lines) {
    std::vector<bool> out;
    bool inside = false;
    for (const auto& l : lines) {
        out.push_back(inside);
        for (auto p = l.find("\"\"\""); p != std::string::npos; p = l.find("\"\"\"", p + 3)) {
            inside = !inside;
        }
    }
    return out;
}

void check_stable(const std::string& text, const std::string& name) {
    auto ir = parse_ok(text, name);
    auto once = format_flow(ir);
    auto again = parse_ok(once, name + " (formatted)");
    CHECK(format_flow(again) == once);
    CHECK(again == ir);
    CHECK(comment_texts(again) == comment_texts(ir));
}

} // namespace

TEST_CASE("a comment anywhere is kept and formatting stays idempotent") {
    for (const auto& s : all_samples()) {
        auto lines = split_lines(s.text);
        auto in_string = inside_strings(lines);
        std::string all_at_once;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            bool free_line = !in_string[i] && (i + 1 >= lines.size() || !in_string[i + 1]);
            // An own-line comment before line i.
            if (!in_string[i]) {
                std::string text;
                for (std::size_t j = 0; j < lines.size(); ++j) {
                    if (j == i) text += "  # own " + std::to_string(i) + "\n";
                    text += lines[j] + "\n";
                }
                INFO(s.name << " with a comment before line " << i + 1);
                check_stable(text, s.name);
                all_at_once += "# own " + std::to_string(i) + "\n";
            }
            // A trailing comment at the end of line i (not inside a string).
            if (free_line && lines[i].find('#') == std::string::npos) {
                std::string text;
                for (std::size_t j = 0; j < lines.size(); ++j) {
                    text += lines[j] + (j == i ? " # end " + std::to_string(i) : "") + "\n";
                }
                INFO(s.name << " with a comment after line " << i + 1);
                check_stable(text, s.name);
                all_at_once += lines[i] + " # end " + std::to_string(i) + "\n";
            } else {
                all_at_once += lines[i] + "\n";
            }
        }
        INFO(s.name << " with comments everywhere");
        check_stable(all_at_once, s.name);
    }
}

TEST_CASE("numbers print without exponents, so huge and tiny ones read back") {
    const std::string source = R"(flow amounts
timezone "Europe/Copenhagen"

field phone: phone
field amount: number

channel sms to phone from "4570000000"

trigger paid as phone {
  start checking
}

state checking {
  if amount > 88888888888888888888888888888888888888888888888888888 -> big
  if amount < 0.0000001 -> tiny
  else -> done
}

final big

final tiny

final done
)";
    auto first = parse_flow_text(source, "numbers.flow");
    INFO(render(first.diagnostics, source));
    REQUIRE(first.flow.has_value());
    auto text = format_flow(*first.flow);
    INFO(text);
    CHECK(text.find("e+") == std::string::npos); // no exponent
    CHECK(text.find("e-0") == std::string::npos);
    CHECK(text.find("amount > 8888888888888888") != std::string::npos);
    CHECK(text.find("0.0000001") != std::string::npos);
    auto again = parse_flow_text(text, "numbers.flow");
    INFO(render(again.diagnostics, text));
    REQUIRE(again.flow.has_value());
    CHECK_FALSE(again.diagnostics.has_errors());
    CHECK(*again.flow == *first.flow);
    CHECK(format_flow(*again.flow) == text);
}
