#pragma once
// How `nudge test` and `nudge simulate` print what a scenario gave.

#include <nudge/diagnostic.hpp>
#include <nudge/engine.hpp>

#include <string>
#include <string_view>

namespace nudge::cli {

// Every diagnostic with its source line and caret: the scenario's own against `source`, a
// flow's against that flow file.
std::string render_diagnostics(const Diagnostics& ds, std::string_view scenario_file,
                               std::string_view source);

// One record for people: `2026-03-28T20:55:30+01:00  #1 sale_confirmation  sent  channel=sms …`.
std::string timeline_line(const Record& record, std::string_view zone);

} // namespace nudge::cli
