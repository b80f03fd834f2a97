#pragma once
// The printer's document model: a tree of lines and blocks in canonical order, each node
// remembering where it was written so that comments can be attached by position and travel
// with their node when the printer reorders declarations.

#include <nudge/flow.hpp>

#include <string>
#include <vector>

namespace nudge::detail {

struct LayoutNode {
    SourcePos begin; // line 0: unknown (hand-built IR); such nodes take no comments
    SourcePos end;
    std::string text;      // the first line (a block's head ends in " {"); may span lines
    std::string tail_text; // a second printed line owned by the node (the header's zone)
    bool block = false;    // children indented below text, then "}"
    std::vector<LayoutNode> children;
    int group = 0;       // top level: a blank line separates nodes of different groups
    bool header = false; // the `flow` line (text) and the `timezone` line (tail_text)

    // Filled by attach_comments.
    std::vector<std::string> leading; // own-line comments printed before the node
    std::vector<std::string> inner;   // own-line comments at the end of a block, before "}"
    std::string trailing;             // same-line comment after text
    std::string tail_trailing;        // same-line comment after tail_text
    std::string trailing_close;       // same-line comment after the block's "}"
};

// The whole file: top-level nodes in print order, plus comments that follow everything.
struct Layout {
    std::vector<LayoutNode> nodes;
    std::vector<std::string> end_comments;
};

// Attaches every comment to the node it was written before (own-line) or after (same line).
void attach_comments(Layout& layout, const std::vector<Comment>& comments);

// The text: two-space indentation, one trailing newline, no trailing spaces.
std::string render(const Layout& layout);

} // namespace nudge::detail
