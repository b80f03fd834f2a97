#pragma once
// Reading, checking and writing flows in their two forms: the .flow text language and its
// YAML twin (.flow.yaml). Every function here reports mistakes in the input as diagnostics;
// none throws for bad input. They keep no state between calls, so several threads may read,
// check and print flows at once (each its own FlowDef; a FlowDef is a plain value).

#include <nudge/diagnostic.hpp>
#include <nudge/flow.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// The result of reading a flow: a FlowDef when the input could be read at all, and every
// diagnostic found on the way. `flow` is set even when semantic errors were found (so tools
// can still print or convert it); it is empty only when the syntax was beyond repair.
struct ParseResult {
    std::optional<FlowDef> flow;
    Diagnostics diagnostics;
    bool ok() const { return flow.has_value() && !diagnostics.has_errors(); }
};

enum class SourceFormat { text, yaml };

// The format a file name implies: ".flow.yaml"/".flow.yml"/".yaml"/".yml" → yaml, else text.
SourceFormat format_of(std::string_view filename);

// Limits shared by both front ends: a flow file larger than this is refused before it is read
// (`too-large`), and reading and checking report at most this many errors and this many
// warnings, then one `too-many-errors` / `too-many-warnings` saying how many more there were.
inline constexpr std::size_t max_flow_bytes = std::size_t{2} * 1024 * 1024;
inline constexpr std::size_t max_reported = 100;

// Syntax only: builds the IR, reports syntax errors (and structural ones the grammar can see).
ParseResult parse_flow_text(std::string_view source, std::string filename = "<input>");
ParseResult parse_flow_yaml(std::string_view source, const std::string& filename = "<input>");

// Name resolution and type checks on a parsed flow (DESIGN §6 first half): unknown and
// duplicate names, merge fields, expression types, sender names, zone names, …
Diagnostics check_flow(const FlowDef& flow);

// How many SMS parts each SMS text of a flow takes at most (`nudge check --stats`, and the
// `too-many-segments` warning): its templates for SMS (or for any kind, when an SMS channel
// sends them) and its inline SMS texts, in declaration order. A merge field counts at the
// longest its type writes (a phone number 16 characters, a date in words 18, a classifier its
// longest label); a text or e-mail field has no longest and is listed as not counted, so
// `parts` is then a lower bound. The limit is the smallest `cap sms N segments` of the SMS
// channels that send the text, or 2 when none is set.
struct SmsSize {
    std::string message; // "template reminder", "state waiting: send sms \"…\""
    SourcePos pos;
    std::uint32_t length = 1;           // columns to underline at pos
    int parts = 1;                      // at least this many
    bool gsm7 = true;                   // GSM-7 (else UCS-2) for the written text
    std::vector<std::string> uncounted; // merge fields of unknown length
    int limit = 2;
    bool limit_set = false; // a `cap … segments` decides the limit (else the default 2)
};
std::vector<SmsSize> sms_sizes(const FlowDef& flow);

// Parse in the format the file name implies, then check. The usual entry point for tools.
ParseResult read_flow(std::string_view source, std::string filename);

// Reads the file (diagnostic `io` when it cannot), then read_flow.
ParseResult read_flow_file(const std::filesystem::path& path);

struct FormatOptions {
    bool keep_comments = true;
};

// The canonical .flow text of a flow. Idempotent: formatting the parse of the output gives
// the output again. Comments from flow.source are kept next to the code they preceded.
std::string format_flow(const FlowDef& flow, const FormatOptions& options = {});

// The .flow.yaml form (documented in dsl/YAML.md). Comments are not carried.
std::string flow_to_yaml(const FlowDef& flow);

} // namespace nudge

#pragma GCC visibility pop
