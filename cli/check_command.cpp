#include "commands.hpp"
#include "files.hpp"

#include <nudge/dsl.hpp>

#include <iostream>

namespace nudge::cli {

int run_check(const CheckOptions& options) {
    Diagnostics all;
    std::string rendered;
    for (const auto& path : options.files) {
        auto source = read_file(path);
        if (!source) {
            all.error("io", "cannot read file", path, {});
            rendered += render(all.items().back());
            continue;
        }
        auto result = read_flow(*source, path);
        rendered += render(result.diagnostics, *source);
        all.append(result.diagnostics);
    }
    if (options.format == "json") {
        std::cout << to_json(all);
    } else {
        std::cerr << rendered;
        if (!all.empty()) {
            std::cerr << all.error_count() << " error(s), " << all.warning_count()
                      << " warning(s)\n";
        }
    }
    return all.has_errors() ? 1 : 0;
}

} // namespace nudge::cli
