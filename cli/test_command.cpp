#include "commands.hpp"
#include "files.hpp"
#include "scenario_output.hpp"

#include <nudge/scenario.hpp>

#include <iostream>

namespace nudge::cli {

int run_test(const TestOptions& options) {
    int status = 0;
    int passed = 0, failed = 0;
    for (const auto& path : options.files) {
        auto source = read_file(path);
        if (!source) {
            std::cout.flush();
            std::cerr << "nudge test: cannot read file " << path << "\n";
            status = 2;
            continue;
        }
        auto result = run_scenario(*source, path);
        if (result.ok) {
            ++passed;
            std::cout << "ok   " << path << " (" << result.steps
                      << (result.steps == 1 ? " step)\n" : " steps)\n");
        } else {
            ++failed;
            std::cout << "FAIL " << path << "\n";
            for (const auto& failure : result.failures)
                std::cout << "  " << failure << "\n";
            if (status == 0) status = 1;
        }
        if (!result.diagnostics.empty()) {
            std::cout.flush();
            std::cerr << render_diagnostics(result.diagnostics, path, *source);
        }
        if (options.verbose) {
            for (const auto& record : result.timeline)
                std::cout << "    " << timeline_line(record, result.zone) << "\n";
        }
    }
    std::cout << passed << " passed, " << failed << " failed\n";
    return status;
}

} // namespace nudge::cli
