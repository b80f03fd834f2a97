#include "parse/parser.hpp"
#include <doctest/doctest.h>
#include <nudge/dsl.hpp>
TEST_CASE("grammar analyze") { CHECK(nudge::detail::analyze_text_grammar() == 0); }
