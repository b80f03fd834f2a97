#pragma once
// Pieces of the text grammar that the YAML front end reuses for its scalar values, so that an
// expression means the same in both forms. Implemented in the PEGTL translation unit.

#include <nudge/diagnostic.hpp>
#include <nudge/flow.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace nudge::detail {

// Parses `text` as one whole expression. Positions in the result and in any diagnostic are
// reported as if `text` started at `origin` of `file` (columns advance along the line, lines
// advance after a newline). On a syntax error adds one diagnostic and returns nullopt.
std::optional<Expr> parse_expression(std::string_view text, const std::string& file,
                                     SourcePos origin, Diagnostics& diagnostics);

} // namespace nudge::detail
