#pragma once
// Everything about a scenario that can be known before it runs: the file read, its flows
// compiled, the zone chosen, every instant resolved, and the names it uses checked against the
// flows (a state no flow has, an `until` before the clock's time at that step). What this finds
// is a mistake in the file, reported as a diagnostic; the runner reports what the engine did.

#include "model.hpp"

#include <nudge/compile.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

struct PreparedScenario {
    Scenario scenario;
    std::vector<std::shared_ptr<const CompiledFlow>> flows;
    std::string zone = "UTC";
    Diagnostics diagnostics;
    bool ok() const { return !diagnostics.has_errors(); }
};

// `flow_overrides`, when not empty, replaces the file's `flows` (paths as given, not relative
// to the scenario). Never throws for bad input.
PreparedScenario prepare_scenario(std::string_view yaml, const std::filesystem::path& file,
                                  const std::vector<std::filesystem::path>& flow_overrides = {});

} // namespace nudge::detail
