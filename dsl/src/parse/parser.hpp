#pragma once
// Internals of the .flow text front end that tests reach. The entry points users call are
// nudge::parse_flow_text (include/nudge/dsl.hpp) and detail::parse_expression (fragments.hpp).

namespace nudge::detail {

// The number of problems tao::pegtl::analyze finds in the grammar (rules that could loop
// without consuming input); 0 for a sound grammar. Kept here so that only parser.cpp includes
// PEGTL.
int analyze_text_grammar();

} // namespace nudge::detail
