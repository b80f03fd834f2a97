// Merge fields in message texts: `{name}` must be a declared field, fact or classifier;
// `{{` and `}}` are literal braces. Where the front end knows where the text lies in the source
// (`text_at`: one line, no escapes), a problem points at the merge field itself; otherwise at
// the statement that holds the text.
// The syntax itself is text/merge_text.hpp's, shared with the renderer.
#include "check/detail.hpp"
#include "text/merge_text.hpp"

namespace nudge::detail {

void check_merge_text(Checker& c, std::string_view text, const Loc& where, const Loc& text_at) {
    auto pos = where.begin;
    auto length = span(where);
    for (const auto& part : parse_merge(text)) {
        if (text_at.begin.line != 0 && part.kind != MergePart::Kind::text) {
            // The part's own place: `{name}` with its braces, or the stray brace.
            auto offset = static_cast<std::uint32_t>(part.text.data() - text.data());
            bool braced =
                part.kind == MergePart::Kind::field || part.kind == MergePart::Kind::bad_name;
            pos = text_at.begin;
            pos.column += offset - (braced ? 1 : 0);
            length = static_cast<std::uint32_t>(part.text.size() + (braced ? 2 : 0));
        }
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
                            c.suggest("field", part.text, [&] { return keys_of(c.values); }),
                        pos, length);
            }
            break;
        }
    }
}

} // namespace nudge::detail
