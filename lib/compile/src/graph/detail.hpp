#pragma once
// Internals shared by the compiler's translation units.

#include <nudge/compile.hpp>

#include <string>
#include <vector>

namespace nudge::detail {

// The model compile() builds before it is frozen into a CompiledFlow.
struct FlowModel {
    const FlowDef* flow = nullptr;
    std::vector<CompiledState> states;
    std::vector<CompiledEdge> edges;
    std::vector<std::size_t> starts;
};

FlowModel build_model(const FlowDef& flow);

// Every analysis; appends its findings to `out` and fills in the states' `reachable` flags.
void run_analyses(FlowModel& model, Diagnostics& out);

FlowStats compute_stats(const FlowModel& model);

// Why an edge is taken, in the language's own words: "reply yes", "after 2h within daytime".
std::string handler_label(const Handler& h);
std::string choice_label(const Choice& c);
std::string reminder_label(const Reminder& r);
std::string repeat_label(const Repeat& r);

// The checker has helpers of the same names (lib/compile/src/check/detail.hpp) with other caret
// rules; the inline namespace keeps the two apart at link time.
inline namespace compile_helpers {
// Columns a location covers on its first line (at least 1), for the caret underline.
std::uint32_t span(const Loc& loc);
std::string q(std::string_view name); // 'name'
} // namespace compile_helpers

} // namespace nudge::detail
