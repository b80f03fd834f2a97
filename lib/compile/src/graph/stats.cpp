// Summary numbers: bounds on messages per channel and on waiting steps, from a longest-path
// pass over the reachable part of the flow when it has no cycle.
#include "graph/detail.hpp"
#include "graph/graph.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace nudge::detail {

namespace {

using Counts = std::map<std::string, std::int64_t>;

void count_send(const Action& a, std::int64_t times, Counts& c) {
    if (a.kind != Action::Kind::send) return;
    // A fallback replaces the send, but which channel is used is only known at run time:
    // count the message on each channel it may use, for an upper bound per channel.
    c[a.channel] += times;
    for (const auto& fb : a.fallback) {
        if (fb != a.channel) c[fb] += times;
    }
}

// Messages one visit of the state can send; nullopt when an `every` without `max` sends.
std::optional<Counts> state_messages(const FlowDef& flow, const StateDecl& d) {
    Counts c;
    const Action* last = nullptr;
    for (const auto& a : d.actions) {
        count_send(a, 1, c);
        if (a.kind == Action::Kind::send) last = &a;
    }
    for (const auto& r : d.repeats) {
        bool sends = std::any_of(r.actions.begin(), r.actions.end(),
                                 [](const Action& a) { return a.kind == Action::Kind::send; });
        if (!sends) continue;
        if (!r.max) return std::nullopt;
        for (const auto& a : r.actions) {
            count_send(a, *r.max, c);
            if (a.kind == Action::Kind::send) last = &a;
        }
    }
    for (const auto& r : d.reminders) {
        if (r.times < 1) continue;
        if (r.via) {
            c[*r.via] += r.times;
        } else if (last) {
            count_send(*last, r.times, c);
        } else {
            // The last message was sent in an earlier state: any channel may be reused.
            for (const auto& ch : flow.channels)
                c[ch.name] += r.times;
        }
    }
    return c;
}

} // namespace

FlowStats compute_stats(const FlowModel& m) {
    FlowStats st;
    st.states = m.states.size();
    st.edges = m.edges.size();

    Digraph g;
    g.vertices = m.states.size();
    std::vector<const CompiledEdge*> used;
    for (const auto& e : m.edges) {
        if (e.target_kind == Target::Kind::inbox) continue;
        if (!m.states[e.source].reachable) continue;
        if (e.target_kind == Target::Kind::restart) {
            // A restart begins a new run: the bounds are per run, so its edges end a path.
            st.restarts = true;
            continue;
        }
        g.edges.emplace_back(e.source, e.target);
        used.push_back(&e);
    }
    st.reachable_states = static_cast<std::size_t>(
        std::count_if(m.states.begin(), m.states.end(), [](const auto& s) { return s.reachable; }));

    auto order = topological_order(g);
    if (!order) return st; // a reachable cycle: neither bound exists

    // Longest waiting path: edge weight 1 unless immediate.
    std::vector<std::optional<std::size_t>> waits(m.states.size());
    for (auto s : m.starts)
        waits[s] = 0;
    std::vector<std::vector<const CompiledEdge*>> out(m.states.size());
    for (const auto* e : used)
        out[e->source].push_back(e);
    for (auto v : *order) {
        if (!waits[v]) continue;
        for (const auto* e : out[v]) {
            std::size_t w = *waits[v] + (e->immediate() ? 0 : 1);
            if (!waits[e->target] || *waits[e->target] < w) waits[e->target] = w;
        }
    }
    std::size_t longest = 0;
    for (const auto& w : waits)
        longest = std::max(longest, w.value_or(0));
    st.longest_waiting_path = longest;

    // Messages: the heaviest path per channel.
    std::vector<Counts> per_state(m.states.size());
    for (std::size_t s = 0; s < m.states.size(); ++s) {
        if (!m.states[s].reachable) continue;
        auto c = state_messages(*m.flow, m.flow->states[m.states[s].decl]);
        if (!c) return st;
        per_state[s] = std::move(*c);
    }
    std::set<std::string> channels;
    for (const auto& ch : m.flow->channels)
        channels.insert(ch.name);
    for (const auto& c : per_state) {
        for (const auto& [name, n] : c)
            channels.insert(name);
    }
    std::vector<ChannelCount> result;
    for (const auto& ch : channels) {
        std::vector<std::optional<std::int64_t>> best(m.states.size());
        for (auto s : m.starts)
            best[s] = 0;
        std::int64_t most = 0;
        for (auto v : *order) {
            if (!best[v]) continue;
            auto here = *best[v] + (per_state[v].count(ch) ? per_state[v].at(ch) : 0);
            most = std::max(most, here);
            for (const auto* e : out[v]) {
                if (!best[e->target] || *best[e->target] < here) best[e->target] = here;
            }
        }
        result.push_back({ch, most});
    }
    st.max_messages = std::move(result);
    return st;
}

} // namespace nudge::detail

namespace nudge {

std::string to_text(const FlowStats& st) {
    const std::string per_run =
        st.restarts ? " per run (the flow restarts; each run counts anew)" : "";
    std::string out = "states: " + std::to_string(st.states) + "\n";
    out += "reachable states: " + std::to_string(st.reachable_states) + "\n";
    out += "edges: " + std::to_string(st.edges) + "\n";
    out += "longest waiting path: " +
           (st.longest_waiting_path
                ? std::to_string(*st.longest_waiting_path) +
                      (*st.longest_waiting_path == 1 ? " wait" : " waits") + per_run
                : std::string("unbounded (a cycle)")) +
           "\n";
    if (!st.max_messages) {
        out += "max messages per instance: unbounded (a cycle or an 'every' without 'max')\n";
    } else {
        for (const auto& c : *st.max_messages) {
            out += "max messages on " + c.channel + ": " + std::to_string(c.count) + per_run + "\n";
        }
    }
    return out;
}

} // namespace nudge
