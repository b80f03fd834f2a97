#include "commands.hpp"
#include "files.hpp"
#include "scenario_output.hpp"

#include <nudge/error.hpp>
#include <nudge/scenario.hpp>

#include <cstdio>
#include <iostream>

namespace nudge::cli {

namespace {

// A YAML double-quoted scalar holding exactly `s`.
std::string yaml_quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// The scenario the command-line options describe: one trigger at --start, then the clock runs
// to --until or for --for.
std::optional<std::string> command_line_scenario(const SimulateOptions& o) {
    std::string yaml = "start: " + yaml_quoted(o.start) + "\nsteps:\n";
    yaml += "  - trigger: " + yaml_quoted(o.trigger) + "\n    data: {";
    bool first = true;
    for (const auto& pair : o.data) {
        auto eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) {
            std::cerr << "nudge simulate: --data takes NAME=VALUE, saw '" << pair << "'\n";
            return std::nullopt;
        }
        yaml += (first ? "" : ", ") + yaml_quoted(pair.substr(0, eq)) + ": " +
                yaml_quoted(pair.substr(eq + 1));
        first = false;
    }
    yaml += "}\n";
    if (!o.until.empty()) {
        yaml += "  - until: " + yaml_quoted(o.until) + "\n";
    } else {
        yaml += "  - advance: " + yaml_quoted(o.for_) + "\n";
    }
    return yaml;
}

bool known_zone(const std::string& zone) {
    try {
        parse_instant("2026-01-01T00:00:00", zone);
        return true;
    } catch (const nudge::error&) {
        return false;
    }
}

} // namespace

int run_simulate(const SimulateOptions& options) {
    if (!options.zone.empty() && !known_zone(options.zone)) {
        std::cerr << "nudge simulate: unknown time zone '" << options.zone << "'\n";
        return 2;
    }
    ScenarioOptions run;
    for (const auto& f : options.flows)
        run.flows.emplace_back(f);
    run.database = options.database;

    std::string name, source;
    if (!options.scenario.empty()) {
        auto text = read_file(options.scenario);
        if (!text) {
            std::cerr << "nudge simulate: cannot read file " << options.scenario << "\n";
            return 2;
        }
        name = options.scenario;
        source = std::move(*text);
    } else if (!options.trigger.empty()) {
        if (options.flows.empty()) {
            std::cerr << "nudge simulate: --trigger needs the flow files to run\n";
            return 2;
        }
        if (options.start.empty()) {
            std::cerr << "nudge simulate: --trigger needs --start INSTANT (the fake clock's "
                         "start)\n";
            return 2;
        }
        auto yaml = command_line_scenario(options);
        if (!yaml) return 2;
        name = "<command line>";
        source = std::move(*yaml);
    } else {
        std::cerr << "nudge simulate: say what happens: --scenario FILE, or FLOW… --trigger "
                     "EVENT --start INSTANT [--data NAME=VALUE…] [--until INSTANT | --for "
                     "DURATION]\n";
        return 2;
    }

    auto result = run_scenario(source, name, run);
    std::string zone = options.zone.empty() ? result.zone : options.zone;
    for (const auto& record : result.timeline)
        std::cout << to_json(record, zone) << "\n";
    std::cout.flush();
    if (!result.diagnostics.empty()) {
        // Positions in a scenario made from options mean nothing to the user: no source line.
        std::cerr << (options.scenario.empty()
                          ? render(result.diagnostics)
                          : render_diagnostics(result.diagnostics, name, source));
    }
    for (const auto& failure : result.failures)
        std::cerr << name << ": " << failure << "\n";
    return result.ok ? 0 : 1;
}

} // namespace nudge::cli
