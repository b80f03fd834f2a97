// Fuzzes the scenario reader and runner with two example flows (missed call, booking
// confirmation; neither repeats, so any input's run is short). Properties: running never throws
// for bad input, every failure is either a diagnostic or a failed expectation, and the same
// input gives the same result twice (DESIGN §5: same flow, inputs and clock, same timeline).
#include <nudge/scenario.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#ifndef NUDGE_SOURCE_DIR
#error "NUDGE_SOURCE_DIR must name the source tree"
#endif

namespace {

const nudge::ScenarioOptions& options() {
    static const nudge::ScenarioOptions o = [] {
        std::filesystem::path examples = std::filesystem::path(NUDGE_SOURCE_DIR) / "examples";
        nudge::ScenarioOptions out;
        out.flows = {examples / "missed-call" / "missed_call.flow",
                     examples / "booking-confirmation" / "booking_confirmation.flow"};
        return out;
    }();
    return o;
}

std::string summary(const nudge::ScenarioResult& r) {
    std::string out = r.ok ? "ok\n" : "not ok\n";
    for (const auto& d : r.diagnostics.items())
        out += d.message + "\n";
    for (const auto& f : r.failures)
        out += f + "\n";
    for (const auto& rec : r.timeline)
        out += nudge::to_json(rec) + "\n";
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view yaml(reinterpret_cast<const char*>(data), size);
    auto file = std::filesystem::path(NUDGE_SOURCE_DIR) / "fuzz.scenario.yaml";
    auto first = nudge::run_scenario(yaml, file, options());
    if (!first.ok && first.diagnostics.items().empty() && first.failures.empty()) {
        std::cerr << "a scenario failed without saying why:\n" << yaml;
        std::abort();
    }
    auto again = nudge::run_scenario(yaml, file, options());
    if (summary(first) != summary(again)) {
        std::cerr << "two runs of one scenario differ:\n"
                  << yaml << "\n--- first:\n"
                  << summary(first) << "\n--- second:\n"
                  << summary(again);
        std::abort();
    }
    return 0;
}
