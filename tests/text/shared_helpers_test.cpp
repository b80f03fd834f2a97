// The helpers the front ends, the checker, the scenario reader and the store share: edit
// distance and "did you mean", UTF-8 decoding, the stable hash.
#include <doctest/doctest.h>

#include "model/hash.hpp"
#include "model/suggest.hpp"
#include "model/utf8.hpp"

#include <string>
#include <string_view>
#include <vector>

using namespace nudge::detail;

TEST_CASE("edit distance counts inserts, deletes, replacements and swaps of neighbours") {
    CHECK(edit_distance("sent", "sent") == 0);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("sent", "snet") == 1); // a swap
    CHECK(edit_distance("advance", "advnce") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance(std::string(65, 'a'), "a") == 64); // too long to be near anything
}

TEST_CASE("nearest: the closest candidate under the limit, a prefix counting as one edit") {
    std::vector<std::string> states{"confirmed", "cancelled", "lapsed"};
    CHECK(nearest("confimred", states, {.below = 3}) == "confirmed");
    CHECK(nearest("lapsed", states, {.below = 3}).empty()); // the word itself is no suggestion
    CHECK(nearest("zzz", states, {.below = 3}).empty());
    std::vector<std::string_view> keys{"goto", "template", "text"};
    CHECK(nearest("go", keys, {.below = 2, .prefix_from = 2}) == "goto");
    CHECK(nearest("go", keys, {.below = 2}).empty()); // two edits without the prefix rule
    CHECK(nearest("template_name", keys, {.below = 3, .prefix_from = 2}) == "template");
    // Ties go to the fewer real edits, then to the first.
    CHECK(nearest("tex", keys, {.below = 3, .prefix_from = 2}) == "text");
    CHECK(nearest("ab", std::vector<std::string>{"ax", "ay"}, {.below = 2}) == "ax");
}

TEST_CASE("UTF-8: well-formed sequences decode, anything else is refused where it starts") {
    char32_t cp = 0;
    CHECK(decode_utf8("a", 0, cp) == 1);
    CHECK(cp == U'a');
    CHECK(decode_utf8("\xC3\xA6", 0, cp) == 2);
    CHECK(cp == U'æ');
    CHECK(decode_utf8("\xE2\x82\xAC", 0, cp) == 3);
    CHECK(cp == U'€');
    CHECK(decode_utf8("\xF0\x9F\x98\x80", 0, cp) == 4);
    CHECK(cp == U'\U0001F600');
    CHECK(decode_utf8("\xC0\xAF", 0, cp) == 0);         // overlong
    CHECK(decode_utf8("\xED\xA0\x80", 0, cp) == 0);     // a surrogate
    CHECK(decode_utf8("\xF4\x90\x80\x80", 0, cp) == 0); // past U+10FFFF
    CHECK(decode_utf8("\xE2\x82", 0, cp) == 0);         // cut short
    CHECK(decode_utf8("\x80", 0, cp) == 0);             // a lone continuation byte
    CHECK(decode_utf8("a", 1, cp) == 0);                // past the end
    CHECK(first_invalid_utf8("plain ascii") == std::string_view::npos);
    CHECK(first_invalid_utf8("bl\xC3\xA5"
                             "b\xC3\xA6r") == std::string_view::npos);
    CHECK(first_invalid_utf8("ok \xFF then") == 3);
    CHECK(first_invalid_utf8("\xC3\xA6\xC3") == 2);
}

TEST_CASE("the stable hash is 64-bit FNV-1a") {
    CHECK(fnv1a("") == 14695981039346656037ull);
    CHECK(fnv1a("a") == 0xaf63dc4c8601ec8cull);
    CHECK(fnv1a("foobar") == 0x85944171f73967e8ull);
    static_assert(fnv1a("a") == 0xaf63dc4c8601ec8cull);
}
