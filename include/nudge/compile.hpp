#pragma once
// Compiling a checked flow: the whole-flow analyses (reachability, dead ends, livelocks,
// reminders that cannot fire, …), the flat tables the runtime dispatches on, and pictures of
// the flow (DOT, Mermaid). A CompiledFlow never changes after compile() returns, so one can be
// shared between threads freely through std::shared_ptr<const CompiledFlow>. The functions
// here keep no state between calls: several threads may compile (and draw) at once.

#include <nudge/diagnostic.hpp>
#include <nudge/flow.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// Why an edge is taken. Only choices are immediate (taken on entry without waiting); all
// other kinds wait for something.
enum class EdgeKind { reply, event, after, at, season, choice };
std::string_view to_string(EdgeKind k);

// One way out of a state. Routes to `restart` become one edge per distinct trigger start state
// (all with the same `decl`); an `-> inbox` reply route is a self-loop (the instance stays).
struct CompiledEdge {
    EdgeKind kind = EdgeKind::reply;
    std::string label;      // why it is taken: "reply yes", "after 2h within daytime"
    std::size_t source = 0; // state index
    std::size_t target = 0; // state index
    Target::Kind target_kind = Target::Kind::state;
    bool from_any = false; // copied from the flow's `from any` block
    // Index of the declaration: in the source state's `choices` (choice edges), its
    // `handlers`, or, when from_any, in FlowDef::from_any.
    std::size_t decl = 0;
    SourcePos pos;
    bool immediate() const { return kind == EdgeKind::choice; }
};

struct CompiledState {
    std::string name;
    std::size_t decl = 0; // index in FlowDef::states
    bool is_final = false;
    bool is_start = false;  // some trigger starts here
    bool reachable = false; // from some trigger's start state
    bool sends = false;     // a send among its entry actions or repeats
    // Outgoing edges (indices into CompiledFlow::edges) in dispatch order: choices, the
    // state's own handlers, then the `from any` handlers.
    std::vector<std::size_t> edges;
};

struct ChannelCount {
    std::string channel;
    std::int64_t count = 0;
    friend bool operator==(const ChannelCount&, const ChannelCount&) = default;
};

// Summary numbers for `nudge check --stats`.
struct FlowStats {
    std::size_t states = 0;
    std::size_t edges = 0;
    std::size_t reachable_states = 0;
    // Upper bound of messages one instance can send per channel (sends, repeats with `max`,
    // reminders with `times`, fallbacks counted on every channel they may use), sorted by
    // channel name; nullopt when a cycle or an `every` without `max` makes it unbounded.
    std::optional<std::vector<ChannelCount>> max_messages;
    // The most waiting (non-immediate) steps on any path from a start state; nullopt when a
    // reachable cycle makes it unbounded.
    std::optional<std::size_t> longest_waiting_path;
    // The flow can `-> restart`: both bounds above count one run, from a start to the next
    // restart (or the end), since a restart begins the count again.
    bool restarts = false;
};

class CompiledFlow {
public:
    CompiledFlow(FlowDef flow, std::vector<CompiledState> states, std::vector<CompiledEdge> edges,
                 std::vector<std::size_t> starts, FlowStats stats);

    const FlowDef& flow() const { return flow_; }
    const std::vector<CompiledState>& states() const { return states_; }
    const std::vector<CompiledEdge>& edges() const { return edges_; }
    // Distinct trigger start states, in trigger order.
    const std::vector<std::size_t>& starts() const { return starts_; }
    const FlowStats& stats() const { return stats_; }

    // The state's index, or nullopt for an unknown name.
    std::optional<std::size_t> state_index(std::string_view name) const;
    const StateDecl& decl(std::size_t state) const { return flow_.states[states_[state].decl]; }

private:
    FlowDef flow_;
    std::vector<CompiledState> states_;
    std::vector<CompiledEdge> edges_;
    std::vector<std::size_t> starts_;
    std::vector<std::size_t> by_name_; // state indices sorted by name, for state_index()
    FlowStats stats_;
};

// `flow` is set whenever the flow could be modelled (even with analysis errors, so tools can
// still draw it); ok() says whether it is fit to run.
struct CompileResult {
    std::shared_ptr<const CompiledFlow> flow;
    Diagnostics diagnostics;
    bool ok() const { return flow != nullptr && !diagnostics.has_errors(); }
};

// Runs the whole-flow analyses on a flow that check_flow accepted. Deterministic: compiling
// the same flow twice gives identical diagnostics, tables and pictures. Never throws for bad
// input; unknown state names (which the checker reports) are skipped.
CompileResult compile(const FlowDef& flow);

// read_flow (parse and check) then compile, with the diagnostics of both: the usual way to
// get a runnable flow. `flow` is null when the text could not be read or checked.
CompileResult compile_source(std::string_view source, std::string filename);
// The same for a file (diagnostic `io` when it cannot be read).
CompileResult compile_file(const std::filesystem::path& path);

// Graphviz DOT: the start as a point, finals as double circles, reminders in their state's
// label, each edge labelled with why it is taken.
std::string to_dot(const CompiledFlow& flow);

// An SVG picture: DOT text rendered by Graphviz's `dot` (run as a child process; it must be on
// PATH). `error` says why nothing came out. Blocks until `dot` exits: a server calls it off its
// event loop. Safe to call from several threads when SIGPIPE is ignored process-wide (it
// sets SIGPIPE's handler for the call otherwise).
struct Svg {
    std::string out;
    std::optional<std::string> error;
};
Svg render_svg(const std::string& dot_text);
Svg to_svg(const CompiledFlow& flow);

// A Mermaid `stateDiagram-v2`, renderable in Markdown viewers that support Mermaid.
std::string to_mermaid(const CompiledFlow& flow);

// The stats as `key: value` lines, for `nudge check --stats`.
std::string to_text(const FlowStats& stats);

} // namespace nudge

#pragma GCC visibility pop
