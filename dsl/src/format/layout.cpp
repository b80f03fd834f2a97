// Comment attachment and rendering of the printer's layout tree.
#include "format/layout.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

bool known(SourcePos p) { return p.line != 0; }

// A block's end as far as we know it: its own end, or its last child's when unset.
SourcePos effective_end(const LayoutNode& n) {
    SourcePos end = n.end;
    for (const auto& c : n.children)
        end = std::max(end, effective_end(c));
    return end;
}

bool contains(const LayoutNode& n, SourcePos p) {
    return known(n.begin) && n.begin < p && p < effective_end(n);
}

std::string comment_text(const Comment& c) { return "#" + c.text; }

void add_trailing(std::string& slot, std::vector<std::string>& overflow, std::string text) {
    // One comment fits at the end of a line; a second one (possible when a statement spanned
    // several lines) moves to its own line so nothing is lost.
    if (slot.empty()) {
        slot = std::move(text);
    } else {
        overflow.push_back(std::move(text));
    }
}

// Own-line comment at p among the siblings `list`; false when it belongs after all of them.
bool attach_own_line(std::vector<LayoutNode>& list, SourcePos p, const std::string& text) {
    for (auto& n : list) {
        if (!contains(n, p)) continue;
        if (n.block) {
            if (!attach_own_line(n.children, p, text)) n.inner.push_back(text);
        } else {
            n.leading.push_back(text); // inside a statement that spans lines
        }
        return true;
    }
    LayoutNode* next = nullptr;
    for (auto& n : list) {
        if (known(n.begin) && n.begin > p && (!next || n.begin < next->begin)) next = &n;
    }
    if (!next) return false;
    next->leading.push_back(text);
    return true;
}

void attach_to_line_end(LayoutNode& n, SourcePos p, const std::string& text) {
    if (n.block && known(n.end) && p >= n.end) {
        add_trailing(n.trailing_close, n.inner, text);
    } else if (!n.tail_text.empty() && p.line != n.begin.line) {
        add_trailing(n.tail_trailing, n.leading, text); // the second line of the header
    } else {
        add_trailing(n.trailing, n.leading, text);
    }
}

// Same-line comment at p: goes to the end of the printed line of the node it followed.
bool attach_same_line(std::vector<LayoutNode>& list, SourcePos p, const std::string& text) {
    for (auto& n : list) {
        if (!contains(n, p)) continue;
        if (n.block && attach_same_line(n.children, p, text)) return true;
        add_trailing(n.trailing, n.leading, text); // the block's head line, or a long statement
        return true;
    }
    // The sibling that ended last before p; it must end on p's line to own the comment.
    LayoutNode* before = nullptr;
    for (auto& n : list) {
        SourcePos end = effective_end(n);
        if (known(n.begin) && end <= p && (!before || end >= effective_end(*before))) before = &n;
    }
    if (!before) return false;
    // The timezone statement has no position of its own: code before a comment that follows
    // the header and precedes every declaration can only be the timezone line.
    bool on_zone_line = before->header && !before->tail_text.empty();
    if (effective_end(*before).line != p.line && !on_zone_line) return false;
    attach_to_line_end(*before, p, text);
    return true;
}

void render_node(std::string& out, const LayoutNode& n, int depth);

void line(std::string& out, int depth, const std::string& text, const std::string& comment) {
    if (text.empty() && comment.empty()) {
        out += '\n';
        return;
    }
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
    out += text;
    if (!comment.empty()) {
        if (!text.empty()) out += ' ';
        out += comment;
    }
    out += '\n';
}

void render_node(std::string& out, const LayoutNode& n, int depth) {
    for (const auto& c : n.leading)
        line(out, depth, "", c);
    if (!n.tail_text.empty()) {
        line(out, depth, n.text, n.trailing);
        line(out, depth, n.tail_text, n.tail_trailing);
    } else {
        line(out, depth, n.text, n.trailing);
    }
    if (!n.block) return;
    for (const auto& c : n.children)
        render_node(out, c, depth + 1);
    for (const auto& c : n.inner)
        line(out, depth + 1, "", c);
    line(out, depth, "}", n.trailing_close);
}

} // namespace

void attach_comments(Layout& layout, const std::vector<Comment>& comments) {
    for (const auto& c : comments) {
        std::string text = comment_text(c);
        if (!c.own_line && attach_same_line(layout.nodes, c.pos, text)) continue;
        if (!attach_own_line(layout.nodes, c.pos, text)) layout.end_comments.push_back(text);
    }
}

std::string render(const Layout& layout) {
    std::string out;
    const LayoutNode* previous = nullptr;
    for (const auto& n : layout.nodes) {
        if (previous && previous->group != n.group) out += '\n';
        render_node(out, n, 0);
        previous = &n;
    }
    if (!layout.end_comments.empty()) {
        if (previous) out += '\n';
        for (const auto& c : layout.end_comments)
            line(out, 0, "", c);
    }
    // Trailing spaces inside """…""" text are part of the message and stay; elsewhere none
    // arise. The file ends with exactly one newline.
    while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') {
        out.pop_back();
    }
    if (out.empty() || out.back() != '\n') out += '\n';
    return out;
}

} // namespace nudge::detail
