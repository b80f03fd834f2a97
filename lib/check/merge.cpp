// Merge fields in message texts: `{name}` must be a declared field, fact or classifier;
// `{{` and `}}` are literal braces. Positions inside a string cannot be mapped back to columns
// once escapes are undone, so problems point at the statement that holds the text.
// The syntax itself is text/merge_text.hpp's, shared with the renderer.
#include "check/detail.hpp"
#include "text/merge_text.hpp"

namespace nudge::detail {

void check_merge_text(Checker& c, std::string_view text, const Loc& where) {
    auto pos = where.begin;
    auto length = span(where);
    for (const auto& part : parse_merge(text)) {
        switch (part.kind) {
        case MergePart::Kind::text: break;
        case MergePart::Kind::stray_close:
            c.error("bad-template",
                    "'}' without a matching '{' in " + quote(text) +
                        " (write '}}' for a literal brace)",
                    pos, length);
            return;
        case MergePart::Kind::unclosed:
            c.error("bad-template",
                    "unclosed '{' in " + quote(text) + " (write '{{' for a literal brace)", pos,
                    length);
            return;
        case MergePart::Kind::bad_name:
            c.error("bad-template",
                    q("{" + std::string(part.text) + "}") +
                        " is not a merge field (write '{{' for a literal brace)",
                    pos, length);
            break;
        case MergePart::Kind::field:
            if (c.values.find(part.text) == c.values.end()) {
                c.error("unknown-merge-field",
                        "unknown merge field " + q("{" + std::string(part.text) + "}") +
                            suggestion(part.text, keys_of(c.values)),
                        pos, length);
            }
            break;
        }
    }
}

} // namespace nudge::detail
