// Pictures of a compiled flow: Graphviz DOT and Mermaid stateDiagram-v2.
#include "graph/detail.hpp"

#include <set>

namespace nudge {

namespace {

std::string dot_string(std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out + '"';
}

// Lines under a state's name: its repeats and reminders.
std::vector<std::string> state_notes(const StateDecl& d) {
    std::vector<std::string> notes;
    for (const auto& r : d.repeats)
        notes.push_back(detail::repeat_label(r));
    for (const auto& r : d.reminders)
        notes.push_back(detail::reminder_label(r));
    if (d.outcome) notes.push_back("outcome " + d.outcome->label);
    return notes;
}

// Mermaid reads ':' ';' '#' and angle brackets in labels as syntax; entity codes avoid that.
std::string mermaid_text(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case ':': out += "#58;"; break;
        case ';': out += "#59;"; break;
        case '#': out += "#35;"; break;
        case '<': out += "#lt;"; break;
        case '>': out += "#gt;"; break;
        case '"': out += "#quot;"; break;
        case '\n': out += ' '; break;
        default: out += c;
        }
    }
    return out;
}

// Mermaid ids must be plain identifiers and not words of its own syntax.
std::vector<std::string> mermaid_ids(const CompiledFlow& f) {
    static const std::set<std::string> reserved = {"state",    "note",  "end",   "direction",
                                                   "classDef", "class", "style", "as",
                                                   "click",    "left",  "right", "of"};
    std::vector<std::string> ids;
    std::set<std::string> used;
    for (const auto& s : f.states()) {
        std::string id;
        for (char c : s.name) {
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_';
            id += ok ? c : '_';
        }
        if (id.empty() || (id[0] >= '0' && id[0] <= '9')) id = "s_" + id;
        if (reserved.count(id)) id += '_';
        while (!used.insert(id).second)
            id += '_';
        ids.push_back(std::move(id));
    }
    return ids;
}

} // namespace

std::string to_dot(const CompiledFlow& f) {
    const auto& flow = f.flow();
    std::string out = "digraph " + dot_string(flow.name) + " {\n";
    out += "    rankdir=LR;\n";
    out += "    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
    out += "    edge [fontname=\"Helvetica\", fontsize=10];\n";
    // Quoted ids may hold any character; "start:" can never clash with a state name.
    out += "    \"start:\" [shape=point, width=0.2, label=\"\"];\n";
    for (std::size_t i = 0; i < f.states().size(); ++i) {
        const auto& s = f.states()[i];
        std::string label = s.name;
        for (const auto& n : state_notes(f.decl(i)))
            label += "\n" + n;
        out += "    " + dot_string(s.name) + " [label=" + dot_string(label);
        if (s.is_final) out += ", shape=doublecircle, style=solid";
        if (!s.reachable) out += ", color=gray, fontcolor=gray";
        out += "];\n";
    }
    for (const auto& t : flow.triggers) {
        if (!f.state_index(t.start)) continue;
        out +=
            "    \"start:\" -> " + dot_string(t.start) + " [label=" + dot_string(t.event) + "];\n";
    }
    for (const auto& e : f.edges()) {
        out += "    " + dot_string(f.states()[e.source].name) + " -> " +
               dot_string(f.states()[e.target].name) + " [label=" + dot_string(e.label);
        if (e.immediate()) out += ", style=bold";
        if (e.from_any) out += ", style=dashed";
        out += "];\n";
    }
    return out + "}\n";
}

std::string to_mermaid(const CompiledFlow& f) {
    auto ids = mermaid_ids(f);
    std::string out = "stateDiagram-v2\n";
    for (std::size_t i = 0; i < f.states().size(); ++i) {
        const auto& s = f.states()[i];
        if (ids[i] != s.name) {
            out += "    state \"" + mermaid_text(s.name) + "\" as " + ids[i] + "\n";
        }
        for (const auto& n : state_notes(f.decl(i))) {
            out += "    " + ids[i] + " : " + mermaid_text(n) + "\n";
        }
    }
    for (const auto& t : f.flow().triggers) {
        auto idx = f.state_index(t.start);
        if (!idx) continue;
        out += "    [*] --> " + ids[*idx] + " : " + mermaid_text(t.event) + "\n";
    }
    for (const auto& e : f.edges()) {
        out +=
            "    " + ids[e.source] + " --> " + ids[e.target] + " : " + mermaid_text(e.label) + "\n";
    }
    for (std::size_t i = 0; i < f.states().size(); ++i) {
        if (f.states()[i].is_final) out += "    " + ids[i] + " --> [*]\n";
    }
    return out;
}

} // namespace nudge
