#pragma once
// A scenario file as typed data: what the reader makes of the YAML, before any flow is loaded.
// Instants are kept as read (with or without an offset) because a time without an offset means
// something only once the scenario's zone is known, and that may come from the first flow.

#include <nudge/diagnostic.hpp>
#include <nudge/flow.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nudge::detail {

// Where a value was written: the position and how many columns a caret should cover.
struct Span {
    SourcePos pos;
    std::uint32_t length = 1;
};

// `2026-03-28T20:55:00+01:00`, `…Z`, `2026-03-28T20:55:00` (local), `2026-03-28 20:55`,
// `2026-03-28` (local midnight). `offset` is empty for local times.
struct InstantText {
    std::string text;
    int year = 1970;
    unsigned month = 1, day = 1;
    int hour = 0, minute = 0, second = 0;
    std::optional<std::chrono::seconds> offset; // east of UTC
    Span span;
    std::chrono::sys_seconds at{}; // set by prepare_scenario once the zone is known
};

// Reads the forms above; nullopt with a reason ("month 13 does not exist") when the text is not
// one of them.
struct InstantSyntax {
    std::optional<InstantText> instant;
    std::string problem;
};
InstantSyntax parse_instant_text(std::string_view text);

// An instant read in `zone` when it has no offset. A local time in a spring-forward gap means
// the first instant after the gap; one that happens twice means the earlier (DESIGN §5).
std::chrono::sys_seconds resolve_instant(const InstantText& t, std::string_view zone);

// Whether the tz database knows the zone name.
bool known_zone(std::string_view zone);

// "2026-03-28T20:55:00+01:00" in `zone` (UTC when the zone is unknown).
std::string show_instant(std::chrono::sys_seconds t, std::string_view zone);

// `t + d`: s/m/h exactly, d/w/mo/y as calendar steps on the local date in `zone` (a day across a
// DST change is 23 or 25 hours, 31 Jan + 1mo is the last of February).
std::chrono::sys_seconds add_duration(std::chrono::sys_seconds t, const Duration& d,
                                      std::string_view zone);

// Field values by name, as text, each with where it was written.
struct ScenarioValue {
    std::string text;
    Span span;
};
using Values = std::vector<std::pair<std::string, ScenarioValue>>;

// A value that may say nothing ("not given"): matchers only compare what was written.
using Text = std::optional<ScenarioValue>;

// ---- steps --------------------------------------------------------------------------------

struct TriggerStep {
    ScenarioValue event;
    Values data;
    // `refused: TEXT`: the engine must refuse the trigger, with TEXT in its reason.
    Text refused;
};
struct AdvanceStep {
    Duration by;
    Span span;
};
struct UntilStep {
    InstantText to;
};
struct ReplyStep {
    ScenarioValue from;
    Text to; // empty: the one sender number of the loaded flows
    ScenarioValue text;
};
struct SignalStep {
    Text flow;
    ScenarioValue key;
    ScenarioValue event;
    Values data;
};
// Hands the newest unassigned inbox entry from `from` to the instance with `key` (Engine::assign).
struct AssignStep {
    ScenarioValue from;
    ScenarioValue key;
    Text flow;
};
// An opt-out reported by the host (Engine::suppress).
struct SuppressStep {
    ScenarioValue address;
    Text source;
};
struct ExpectSentStep {
    Text channel, to, text, text_contains, subject;
    std::optional<InstantText> at;
};
// `outcome: none` checks that the instance has no outcome.
inline constexpr std::string_view no_outcome = "none";
struct ExpectStateStep {
    ScenarioValue key;
    Text flow, state, status, outcome;
};
struct ExpectInboxStep {
    ScenarioValue from;
    ScenarioValue reason;
    Text text;
};
struct ExpectEventStep {
    ScenarioValue event;
    Text key;
    Values data; // fields the emitted event must carry, with these values
};
struct ExpectNoSentStep {};
// No message waits in the inbox for a person: each was assigned or closed.
struct ExpectNoInboxStep {};
struct ExpectSuppressedStep {
    ScenarioValue reason;
    Text key;
};
struct ExpectActionStep {
    ScenarioValue action;
    Text key;
};
// An entry of the history of the instance with `key`: of `kind`, with every other given field
// equal to the record's field of that name. `absent` (expect_no_history): no such entry.
struct ExpectHistoryStep {
    ScenarioValue key;
    Text flow;
    ScenarioValue kind;
    Values fields;
    bool absent = false;
};

using StepBody = std::variant<TriggerStep, AdvanceStep, UntilStep, ReplyStep, SignalStep,
                              AssignStep, SuppressStep, ExpectSentStep, ExpectStateStep,
                              ExpectInboxStep, ExpectEventStep, ExpectNoSentStep, ExpectNoInboxStep,
                              ExpectSuppressedStep, ExpectActionStep, ExpectHistoryStep>;

struct Step {
    std::string kind; // the step's key: "trigger", "expect_sent", …
    SourcePos pos;    // where the step's key is
    StepBody body;
};

// ---- the scenario -------------------------------------------------------------------------

// A fact's value from an instant on; a constant fact has one change with no instant.
struct FactChange {
    std::optional<InstantText> from;
    ScenarioValue value;
};

// A fact's values: `all` for every instance (the plain form, or `default:`), `by_key` for the
// instances with that key (`{by_key: {q-1: 30s}}`). No change that applies: the fact is unknown.
struct FactValues {
    std::vector<FactChange> all;
    std::map<std::string, std::vector<FactChange>, std::less<>> by_key;
    Span span; // the fact's name

    // The changes that apply to the instance with `key`.
    const std::vector<FactChange>& of(std::string_view key) const {
        auto it = by_key.find(key);
        return it == by_key.end() ? all : it->second;
    }
};

struct Scenario {
    std::string file;
    std::vector<ScenarioValue> flows; // paths as written, relative to the scenario file
    Span flows_span;                  // the `flows` key, or 1:1 when absent
    std::optional<InstantText> start;
    std::optional<ScenarioValue> zone;
    std::vector<Step> steps;
    // `actions: {order.parse: {order_total: "249"}}`: what the host answers to `do "…"`.
    std::map<std::string, Values, std::less<>> actions;
    std::map<std::string, FactValues, std::less<>> facts;
    // `settings: {missed_call: {active_hours: "mon-fri 10:00-20:00"}}`: values of a flow's
    // settings (<nudge/settings.hpp>) the scenario runs it with; a list is one item per line.
    std::map<std::string, Values, std::less<>> settings;
    std::map<std::string, Span, std::less<>> settings_spans; // each flow's key
};

struct ReadScenario {
    std::optional<Scenario> scenario; // empty when the YAML could not be read at all
    Diagnostics diagnostics;
};

// Reads a scenario from YAML. Every mistake is a diagnostic with a position; nothing throws.
// `flows_required`: whether a missing `flows` key is an error (not when the flows are given
// from elsewhere, as by `nudge simulate FLOW…`).
ReadScenario read_scenario(std::string_view yaml, const std::string& file,
                           bool flows_required = true);

// The keys the reader accepts, in the order the documentation lists them.
const std::vector<std::string>& scenario_top_keys();
const std::vector<std::string>& scenario_step_keys();

} // namespace nudge::detail
