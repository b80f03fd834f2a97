// nudge graph: a picture of a flow as DOT, Mermaid, or SVG (DOT through Graphviz's `dot`).
#include "commands.hpp"
#include "files.hpp"

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <iostream>
#include <optional>

namespace nudge::cli {

int run_graph(const GraphOptions& options) {
    auto source = read_file(options.file);
    if (!source) {
        std::cerr << options.file << ": error: cannot read file [io]\n";
        return 2;
    }
    auto result = compile_source(*source, options.file);
    std::cerr << render(result.diagnostics, *source);
    // A flow with analysis errors is still drawn: the picture often shows the mistake (the
    // unreachable state, the loop). Only a flow that could not be read has nothing to draw.
    if (!result.flow) return 1;

    std::string picture;
    if (options.format == "mermaid") {
        picture = to_mermaid(*result.flow);
    } else if (options.format == "svg") {
        auto svg = to_svg(*result.flow);
        if (svg.error) {
            std::cerr << "nudge graph: error: " << *svg.error << "\n";
            return 2;
        }
        picture = std::move(svg.out);
    } else {
        picture = to_dot(*result.flow);
    }

    if (options.output.empty() || options.output == "-") {
        std::cout << picture;
    } else if (auto err = write_file_atomically(options.output, picture)) {
        std::cerr << options.output << ": error: " << *err << " [io]\n";
        return 2;
    }
    return result.diagnostics.has_errors() ? 1 : 0;
}

} // namespace nudge::cli
