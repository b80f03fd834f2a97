#include "commands.hpp"
#include "files.hpp"

#include <nudge/dsl.hpp>

#include <iostream>

namespace nudge::cli {

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
                std::cout << path << ": not in canonical form\n";
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
