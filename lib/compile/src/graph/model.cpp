// From a checked FlowDef to the flat tables: states, edges, start states.
#include "graph/detail.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace nudge {

namespace detail {

inline namespace compile_helpers {

std::uint32_t span(const Loc& loc) {
    if (loc.end.line == loc.begin.line && loc.end.column > loc.begin.column) {
        return loc.end.column - loc.begin.column;
    }
    return 1;
}

std::string q(std::string_view name) {
    std::string out;
    out.reserve(name.size() + 2);
    out += '\'';
    out += name;
    out += '\'';
    return out;
}

} // namespace compile_helpers

namespace {

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

std::string within_suffix(const std::optional<std::string>& within) {
    return within ? " within " + *within : std::string();
}

std::string condition_suffix(const std::optional<Expr>& cond) {
    return cond ? " if " + one_line(to_text(*cond)) : std::string();
}

// State name → index of its first declaration (with duplicate names, an error the checker
// reports, the first one is found), built once: a lookup per edge stays constant time.
class StateIndex {
public:
    explicit StateIndex(const FlowDef& flow) {
        index_.reserve(flow.states.size());
        for (std::size_t i = 0; i < flow.states.size(); ++i)
            index_.emplace(flow.states[i].name, i);
    }
    std::optional<std::size_t> find(std::string_view name) const {
        auto it = index_.find(name);
        if (it == index_.end()) return std::nullopt;
        return it->second;
    }

private:
    std::unordered_map<std::string_view, std::size_t> index_;
};

bool has_send(const std::vector<Action>& actions) {
    return std::any_of(actions.begin(), actions.end(),
                       [](const Action& a) { return a.kind == Action::Kind::send; });
}

EdgeKind edge_kind(Handler::Kind k) {
    switch (k) {
    case Handler::Kind::reply: return EdgeKind::reply;
    case Handler::Kind::event: return EdgeKind::event;
    case Handler::Kind::after: return EdgeKind::after;
    case Handler::Kind::at: return EdgeKind::at;
    case Handler::Kind::season: return EdgeKind::season;
    }
    return EdgeKind::event;
}

} // namespace

std::string handler_label(const Handler& h) {
    std::string out;
    switch (h.kind) {
    case Handler::Kind::reply: out = "reply " + h.keywords + condition_suffix(h.condition); break;
    case Handler::Kind::event: out = h.event + condition_suffix(h.condition); break;
    case Handler::Kind::after: out = "after " + to_text(h.delay) + within_suffix(h.within); break;
    case Handler::Kind::at:
        out =
            "at " + (h.at ? one_line(to_text(*h.at)) : std::string("?")) + within_suffix(h.within);
        break;
    case Handler::Kind::season:
        out = "at season " + h.season;
        if (h.spread == Handler::Spread::evenly) out += " spread evenly";
        if (h.spread == Handler::Spread::by_field) out += " spread by " + h.spread_field;
        out += within_suffix(h.within);
        break;
    }
    return out;
}

std::string choice_label(const Choice& c) {
    return c.condition ? "if " + one_line(to_text(*c.condition)) : std::string("else");
}

std::string reminder_label(const Reminder& r) {
    std::string out = "remind after " + to_text(r.after) + within_suffix(r.within);
    if (r.via) out += " via " + *r.via;
    if (r.times != 1) out += " times " + std::to_string(r.times);
    return out;
}

std::string repeat_label(const Repeat& r) {
    std::string out = "every " + to_text(r.interval);
    if (r.max) out += " max " + std::to_string(*r.max);
    out += within_suffix(r.within);
    if (r.while_cond) out += " while " + one_line(to_text(*r.while_cond));
    return out;
}

FlowModel build_model(const FlowDef& flow) {
    FlowModel m;
    m.flow = &flow;
    m.states.reserve(flow.states.size());
    const StateIndex find_state(flow);
    for (std::size_t i = 0; i < flow.states.size(); ++i) {
        const auto& s = flow.states[i];
        CompiledState cs;
        cs.name = s.name;
        cs.decl = i;
        cs.is_final = s.is_final;
        cs.sends =
            has_send(s.actions) || std::any_of(s.repeats.begin(), s.repeats.end(),
                                               [](const Repeat& r) { return has_send(r.actions); });
        m.states.push_back(std::move(cs));
    }
    for (const auto& t : flow.triggers) {
        auto idx = find_state.find(t.start);
        if (!idx || m.states[*idx].is_start) continue;
        m.starts.push_back(*idx);
        m.states[*idx].is_start = true;
    }

    auto add = [&](std::size_t source, EdgeKind kind, std::string label, const Target& target,
                   bool from_any, std::size_t decl, SourcePos pos) {
        auto push = [&](std::size_t to, std::string text) {
            CompiledEdge e;
            e.kind = kind;
            e.label = std::move(text);
            e.source = source;
            e.target = to;
            e.target_kind = target.kind;
            e.from_any = from_any;
            e.decl = decl;
            e.pos = pos;
            m.states[source].edges.push_back(m.edges.size());
            m.edges.push_back(std::move(e));
        };
        switch (target.kind) {
        case Target::Kind::state:
            // Unknown names were reported by the checker; the edge is left out.
            if (auto to = find_state.find(target.state)) push(*to, std::move(label));
            break;
        case Target::Kind::restart:
            for (auto start : m.starts)
                push(start, label + " (restart)");
            break;
        case Target::Kind::inbox: push(source, label + " (inbox)"); break;
        }
    };

    for (std::size_t i = 0; i < flow.states.size(); ++i) {
        const auto& s = flow.states[i];
        for (std::size_t c = 0; c < s.choices.size(); ++c) {
            add(i, EdgeKind::choice, choice_label(s.choices[c]), s.choices[c].target, false, c,
                s.choices[c].loc.begin);
        }
        for (std::size_t h = 0; h < s.handlers.size(); ++h) {
            const auto& hd = s.handlers[h];
            add(i, edge_kind(hd.kind), handler_label(hd), hd.target, false, h, hd.loc.begin);
        }
        if (s.is_final) continue;
        for (std::size_t h = 0; h < flow.from_any.size(); ++h) {
            const auto& hd = flow.from_any[h];
            add(i, edge_kind(hd.kind), handler_label(hd), hd.target, true, h, hd.loc.begin);
        }
    }
    return m;
}

} // namespace detail

std::string_view to_string(EdgeKind k) {
    switch (k) {
    case EdgeKind::reply: return "reply";
    case EdgeKind::event: return "event";
    case EdgeKind::after: return "after";
    case EdgeKind::at: return "at";
    case EdgeKind::season: return "season";
    case EdgeKind::choice: return "choice";
    }
    return "?";
}

CompiledFlow::CompiledFlow(FlowDef flow, std::vector<CompiledState> states,
                           std::vector<CompiledEdge> edges, std::vector<std::size_t> starts,
                           FlowStats stats)
    : flow_(std::move(flow)), states_(std::move(states)), edges_(std::move(edges)),
      starts_(std::move(starts)), stats_(std::move(stats)) {
    by_name_.resize(states_.size());
    for (std::size_t i = 0; i < by_name_.size(); ++i)
        by_name_[i] = i;
    // Stable: with duplicate names (an error the checker reports) the first one is found.
    std::stable_sort(by_name_.begin(), by_name_.end(), [&](std::size_t a, std::size_t b) {
        return states_[a].name < states_[b].name;
    });
}

std::optional<std::size_t> CompiledFlow::state_index(std::string_view name) const {
    auto it =
        std::lower_bound(by_name_.begin(), by_name_.end(), name,
                         [&](std::size_t i, std::string_view n) { return states_[i].name < n; });
    if (it == by_name_.end() || states_[*it].name != name) return std::nullopt;
    return *it;
}

CompileResult compile(const FlowDef& flow) {
    CompileResult result;
    auto model = detail::build_model(flow);
    detail::run_analyses(model, result.diagnostics);
    auto stats = detail::compute_stats(model);
    result.diagnostics.sort();
    result.flow =
        std::make_shared<const CompiledFlow>(flow, std::move(model.states), std::move(model.edges),
                                             std::move(model.starts), std::move(stats));
    return result;
}

} // namespace nudge
