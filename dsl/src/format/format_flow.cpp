// nudge::format_flow: the canonical .flow text (dsl/REFERENCE.md, "Canonical form").
// Builds a layout tree in canonical order from the IR, attaches the comments by position and
// renders it.
#include "format/layout.hpp"
#include "format/statement_text.hpp"

#include <nudge/dsl.hpp>

#include <algorithm>
#include <set>

namespace nudge {

namespace detail {
namespace {

// Top-level groups that share one blank-line-separated block; every later node (classifier,
// trigger, state, from any) is a group of its own.
enum Group {
    header_group,
    data_group,
    channel_group,
    vocabulary_group,
    policy_group,
    template_group,
    first_own_group
};

LayoutNode leaf(const Loc& loc, std::string text, int group = 0) {
    LayoutNode n;
    n.begin = loc.begin;
    n.end = loc.end;
    n.text = std::move(text);
    n.group = group;
    return n;
}

LayoutNode block(const Loc& loc, std::string head, int group = 0) {
    LayoutNode n = leaf(loc, std::move(head), group);
    n.block = true;
    return n;
}

std::vector<LayoutNode> action_nodes(const std::vector<Action>& actions) {
    std::vector<LayoutNode> out;
    out.reserve(actions.size());
    for (const auto& a : actions)
        out.push_back(leaf(a.loc, statement_text(a)));
    return out;
}

void add_handlers(std::vector<LayoutNode>& out, const std::vector<Handler>& handlers) {
    for (const auto& h : handlers)
        out.push_back(leaf(h.loc, statement_text(h)));
}

// Trigger statements carry no positions in the IR. Their lines are inferred: the lines inside
// the braces that hold no own-line comment, taken in canonical order. Exact for canonical
// input (so formatting is idempotent); an approximation for hand-laid-out files.
void place_trigger_statements(LayoutNode& trigger, const std::set<std::uint32_t>& comment_lines) {
    if (trigger.begin.line == 0 || trigger.end.line <= trigger.begin.line) return;
    std::vector<std::uint32_t> lines;
    for (auto l = trigger.begin.line + 1; l < trigger.end.line; ++l) {
        if (!comment_lines.count(l)) lines.push_back(l);
    }
    if (lines.empty()) lines.push_back(trigger.begin.line);
    for (std::size_t i = 0; i < trigger.children.size(); ++i) {
        auto l = lines[std::min(i, lines.size() - 1)];
        trigger.children[i].begin = {l, 1};
        trigger.children[i].end = {l, 2};
    }
}

LayoutNode trigger_node(const TriggerDecl& t, int group,
                        const std::set<std::uint32_t>& comment_lines) {
    LayoutNode n = block(t.loc, trigger_head(t), group);
    Loc none;
    if (t.delay) n.children.push_back(leaf(none, "delay " + to_text(*t.delay)));
    if (t.only_during) n.children.push_back(leaf(none, "only during " + *t.only_during));
    if (t.cooldown)
        n.children.push_back(
            leaf(none, "cooldown " + to_text(*t.cooldown) +
                           (t.cooldown_per.empty() ? "" : " per " + t.cooldown_per)));
    if (t.unless) n.children.push_back(leaf(none, "unless " + to_text(*t.unless)));
    n.children.push_back(leaf(none, "start " + t.start));
    place_trigger_statements(n, comment_lines);
    return n;
}

LayoutNode state_node(const StateDecl& s, int group) {
    bool empty = s.actions.empty() && s.repeats.empty() && s.choices.empty() &&
                 s.handlers.empty() && s.reminders.empty() && !s.outcome;
    // `final x` keeps no braces; a waiting state always has them (even when empty).
    if (s.is_final && empty && !s.has_body) return leaf(s.loc, state_head(s), group);
    LayoutNode n = block(s.loc, state_head(s) + " {", group);
    n.children = action_nodes(s.actions);
    for (const auto& r : s.repeats) {
        LayoutNode rep = block(r.loc, repeat_head(r));
        rep.children = action_nodes(r.actions);
        n.children.push_back(std::move(rep));
    }
    for (const auto& c : s.choices)
        n.children.push_back(leaf(c.loc, statement_text(c)));
    add_handlers(n.children, s.handlers);
    for (const auto& r : s.reminders)
        n.children.push_back(leaf(r.loc, statement_text(r)));
    if (s.outcome) n.children.push_back(leaf(s.outcome->loc, statement_text(*s.outcome)));
    return n;
}

LayoutNode classifier_node(const ClassifierDecl& c, int group) {
    LayoutNode n = block(c.loc, classifier_head(c), group);
    for (std::size_t i = 0; i < c.rules.size(); ++i) {
        bool last = i + 1 == c.rules.size();
        n.children.push_back(leaf(c.rules[i].loc, rule_text(c.rules[i]) + (last ? "" : ";")));
    }
    return n;
}

Layout build_layout(const FlowDef& flow, const std::set<std::uint32_t>& comment_lines) {
    Layout layout;
    auto& out = layout.nodes;

    LayoutNode header = leaf(flow.loc, header_text(flow), header_group);
    header.header = true;
    if (flow.timezone) header.tail_text = "timezone " + quote(*flow.timezone);
    if (flow.locale) {
        if (!header.tail_text.empty()) header.tail_text += '\n';
        header.tail_text += "locale " + quote(*flow.locale);
    }
    out.push_back(std::move(header));

    for (const auto& f : flow.fields)
        out.push_back(leaf(f.loc, statement_text(f), data_group));
    for (const auto& f : flow.facts)
        out.push_back(leaf(f.loc, statement_text(f), data_group));
    for (const auto& c : flow.channels) {
        out.push_back(leaf(c.loc, statement_text(c), channel_group));
    }
    for (const auto& w : flow.windows) {
        out.push_back(leaf(w.loc, statement_text(w), vocabulary_group));
    }
    for (const auto& s : flow.seasons) {
        out.push_back(leaf(s.loc, statement_text(s), vocabulary_group));
    }
    for (const auto& k : flow.keywords) {
        out.push_back(leaf(k.loc, statement_text(k), vocabulary_group));
    }
    for (const auto& l : flow.lists) {
        out.push_back(leaf(l.loc, statement_text(l), vocabulary_group));
    }
    if (flow.numbers) {
        out.push_back(leaf(flow.numbers->loc, statement_text(*flow.numbers), policy_group));
    }
    if (!flow.opt_out.empty()) {
        out.push_back(leaf(flow.opt_out_loc, opt_out_text(flow.opt_out), policy_group));
    }
    for (const auto& c : flow.caps)
        out.push_back(leaf(c.loc, statement_text(c), policy_group));
    for (const auto& c : flow.segment_caps)
        out.push_back(leaf(c.loc, statement_text(c), policy_group));
    if (!flow.settings.empty()) {
        out.push_back(leaf(flow.settings.front().loc, settings_text(flow.settings), policy_group));
    }
    for (const auto& t : flow.templates) {
        out.push_back(leaf(t.loc, statement_text(t), template_group));
    }

    int group = first_own_group;
    for (const auto& c : flow.classifiers)
        out.push_back(classifier_node(c, group++));
    for (const auto& t : flow.triggers)
        out.push_back(trigger_node(t, group++, comment_lines));
    for (const auto& s : flow.states)
        out.push_back(state_node(s, group++));
    if (!flow.from_any.empty() || flow.from_any_loc.begin.line != 0) {
        LayoutNode any = block(flow.from_any_loc, "from any {", group++);
        add_handlers(any.children, flow.from_any);
        out.push_back(std::move(any));
    }
    return layout;
}

} // namespace
} // namespace detail

std::string format_flow(const FlowDef& flow, const FormatOptions& options) {
    std::set<std::uint32_t> comment_lines;
    if (options.keep_comments) {
        for (const auto& c : flow.source.comments) {
            if (c.own_line) comment_lines.insert(c.pos.line);
        }
    }
    auto layout = detail::build_layout(flow, comment_lines);
    if (options.keep_comments) detail::attach_comments(layout, flow.source.comments);
    return detail::render(layout);
}

} // namespace nudge
