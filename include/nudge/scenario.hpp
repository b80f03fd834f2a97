#pragma once
// Scenarios: the test author's interface. A scenario file (YAML) names flows, starts a fake
// clock, and runs steps against the engine: triggers, replies and host events in, the clock
// moved forward, and expectations on what was sent, which state an instance is in, the inbox
// and the events emitted to the host. The keys are listed in README.md ("Scenarios").
//
// Thread safety: each run makes its own clock, transport and engine, so several threads may
// run scenarios at once, as long as no two of them run on the same database
// (ScenarioOptions::database).

#include <nudge/diagnostic.hpp>
#include <nudge/engine.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// What running a scenario gave. `diagnostics` are mistakes in the file (or its flows), found
// before anything runs; `failures` are expectations that did not hold, one line each
// ("step 5 (expect_sent, line 14): expected … got …"). `timeline` holds every record of the
// run in order, and `zone` is the zone the scenario reads and prints times in.
struct ScenarioResult {
    bool ok = false;
    Diagnostics diagnostics;
    std::vector<std::string> failures;
    std::vector<Record> timeline;
    std::string zone = "UTC";
    std::size_t steps = 0; // how many steps the file has
};

struct ScenarioOptions {
    // When not empty, these flows run instead of the file's `flows` (paths as given, not
    // relative to the scenario), and the file needs no `flows` key: `nudge simulate FLOW…`.
    std::vector<std::filesystem::path> flows;
    // When not empty, the run is durable on this SQLite database (DurableEngine): created when
    // absent, resumed when it holds earlier runs (`nudge run --db`). Its last step must not be
    // later than the scenario's start.
    std::filesystem::path database;
};

// Reads and runs a scenario file; an unreadable file is a diagnostic (`io`). Never throws for
// bad input. Deterministic: the same files give the same result, timeline included.
ScenarioResult run_scenario_file(const std::filesystem::path& file,
                                 const ScenarioOptions& options = {});

// The same for scenario text; `file` names it in messages, and flow paths are relative to its
// folder.
ScenarioResult run_scenario(std::string_view yaml, const std::filesystem::path& file,
                            const ScenarioOptions& options = {});

} // namespace nudge

#pragma GCC visibility pop
