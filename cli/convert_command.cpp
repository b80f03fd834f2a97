#include "commands.hpp"
#include "files.hpp"

#include <nudge/dsl.hpp>

#include <iostream>

namespace nudge::cli {

int run_convert(const ConvertOptions& options) {
    auto source = read_file(options.input);
    if (!source) {
        std::cerr << options.input << ": error: cannot read file [io]\n";
        return 2;
    }
    SourceFormat target;
    if (options.to == "yaml") {
        target = SourceFormat::yaml;
    } else if (options.to == "flow") {
        target = SourceFormat::text;
    } else if (options.output != "-") {
        // The output's name says the format; a name that says neither (x.json) is a mistake,
        // not a request for .flow text.
        const auto& out = options.output;
        bool yaml = out.ends_with(".yaml") || out.ends_with(".yml");
        if (!yaml && !out.ends_with(".flow")) {
            std::cerr << out
                      << ": error: cannot tell the output format from the name; name it *.flow "
                         "or *.flow.yaml, or say --to flow or --to yaml [usage]\n";
            return 2;
        }
        target = yaml ? SourceFormat::yaml : SourceFormat::text;
    } else {
        target = format_of(options.input) == SourceFormat::yaml ? SourceFormat::text
                                                                : SourceFormat::yaml;
    }
    // Only a flow that checks cleanly is converted: the output never carries a mistake the
    // input had.
    auto result = read_flow(*source, options.input);
    std::cerr << render(result.diagnostics, *source);
    if (!result.ok()) return 1;
    auto text = target == SourceFormat::yaml ? flow_to_yaml(*result.flow)
                                             : format_flow(*result.flow, {.keep_comments = false});
    if (options.output == "-") {
        std::cout << text;
        return 0;
    }
    if (auto err = write_file_atomically(options.output, text)) {
        std::cerr << options.output << ": error: " << *err << " [io]\n";
        return 2;
    }
    return 0;
}

} // namespace nudge::cli
