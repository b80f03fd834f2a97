#include "commands.hpp"
#include "files.hpp"
#include "scenario_output.hpp"

#include <nudge/scenario.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace nudge::cli {

namespace {

// The files to run: a folder stands for its *.scenario.yaml files, in name order.
std::vector<std::string> expand(const std::vector<std::string>& args) {
    std::vector<std::string> out;
    for (const auto& arg : args) {
        std::error_code ec;
        if (!std::filesystem::is_directory(arg, ec)) {
            out.push_back(arg);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& entry : std::filesystem::directory_iterator(arg, ec)) {
            auto name = entry.path().filename().string();
            const std::string suffix = ".scenario.yaml";
            if (name.size() > suffix.size() &&
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
                found.push_back(entry.path().string());
            }
        }
        std::sort(found.begin(), found.end());
        if (found.empty()) out.push_back(arg + "/"); // reported as a folder with no scenarios
        out.insert(out.end(), found.begin(), found.end());
    }
    return out;
}

} // namespace

int run_test(const TestOptions& options) {
    int status = 0;
    int passed = 0, failed = 0;
    for (const auto& path : expand(options.files)) {
        if (path.ends_with("/")) {
            std::cout.flush();
            std::cerr << "nudge test: the folder " << path.substr(0, path.size() - 1)
                      << " has no scenarios in it (files named *.scenario.yaml)\n";
            status = 2;
            continue;
        }
        if (path.ends_with(".flow") || path.ends_with(".flow.yaml")) {
            std::cout.flush();
            std::cerr << "nudge test: " << path
                      << " is a flow, not a scenario: nudge test runs *.scenario.yaml files, "
                         "which name their flows (nudge check checks a flow)\n";
            status = 2;
            continue;
        }
        auto source = read_file(path);
        if (!source) {
            std::cout.flush();
            std::cerr << "nudge test: cannot read file " << path << "\n";
            status = 2;
            continue;
        }
        auto result = run_scenario(*source, path);
        bool warned = options.strict && result.diagnostics.warning_count() > 0;
        if (warned)
            result.failures.push_back(
                "--strict: " + std::to_string(result.diagnostics.warning_count()) +
                " warning(s), below");
        if (result.ok && !warned) {
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
