#include "commands.hpp"
#include "files.hpp"

#include <nudge/dsl.hpp>

#include <dtl/dtl.hpp>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace nudge::cli {

namespace {

std::vector<std::string> lines_of(std::string_view text) {
    std::vector<std::string> out;
    for (std::size_t at = 0; at < text.size();) {
        auto end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        out.emplace_back(text.substr(at, end - at));
        at = end + 1;
    }
    return out;
}

// What `fmt` would change, as a unified diff (three lines of context) by dtl.
std::string unified_diff(const std::string& path, std::string_view from, std::string_view to) {
    auto a = lines_of(from);
    auto b = lines_of(to);
    dtl::Diff<std::string> diff(a, b);
    diff.compose();
    diff.composeUnifiedHunks();
    std::ostringstream out;
    out << "--- " << path << "\n+++ " << path << " (canonical)\n";
    diff.printUnifiedFormat(out);
    if (diff.getUniHunks().empty() && !from.empty() && from.back() != '\n')
        out << "\\ No newline at end of " << path << "\n";
    return out.str();
}

} // namespace

// fmt needs only the syntax: a flow with semantic mistakes can still be formatted.
int run_fmt(const FmtOptions& options) {
    int status = 0;
    for (const auto& path : options.files) {
        auto source = read_file(path);
        if (!source) {
            std::cerr << path << ": error: cannot read file [io]\n";
            status = std::max(status, 2);
            continue;
        }
        if (format_of(path) == SourceFormat::yaml) {
            std::cerr << path << ": error: fmt formats .flow text; use `nudge convert` for YAML\n";
            status = std::max(status, 2);
            continue;
        }
        auto result = parse_flow_text(*source, path);
        if (!result.flow || result.diagnostics.has_errors()) {
            std::cerr << render(result.diagnostics, *source);
            status = std::max(status, 1);
            continue;
        }
        auto formatted = format_flow(*result.flow);
        if (options.check) {
            if (formatted != *source) {
                std::cout << path << ": not in canonical form\n"
                          << unified_diff(path, *source, formatted);
                status = std::max(status, 1);
            }
        } else if (options.in_place) {
            if (formatted == *source) continue;
            if (path == "-") {
                std::cout << formatted;
            } else if (auto err = write_file_atomically(path, formatted)) {
                std::cerr << path << ": error: " << *err << " [io]\n";
                status = std::max(status, 2);
            }
        } else {
            std::cout << formatted;
        }
    }
    return status;
}

} // namespace nudge::cli
