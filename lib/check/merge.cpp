// Merge fields in message texts: `{name}` must be a declared field, fact or classifier;
// `{{` and `}}` are literal braces. Positions inside a string cannot be mapped back to columns
// once escapes are undone, so problems point at the statement that holds the text.
#include "check/detail.hpp"

namespace nudge::detail {

namespace {

bool name_start(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
bool name_char(char ch) { return name_start(ch) || (ch >= '0' && ch <= '9'); }

} // namespace

void check_merge_text(Checker& c, std::string_view text, const Loc& where) {
    auto pos = where.begin;
    auto length = span(where);
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (ch == '}') {
            if (i + 1 < text.size() && text[i + 1] == '}') {
                ++i;
                continue;
            }
            c.error("bad-template",
                    "'}' without a matching '{' in " + quote(text) +
                        " (write '}}' for a literal brace)",
                    pos, length);
            return;
        }
        if (ch != '{') continue;
        if (i + 1 < text.size() && text[i + 1] == '{') {
            ++i;
            continue;
        }
        auto close = text.find('}', i + 1);
        if (close == std::string_view::npos) {
            c.error("bad-template",
                    "unclosed '{' in " + quote(text) + " (write '{{' for a literal brace)", pos,
                    length);
            return;
        }
        auto name = text.substr(i + 1, close - i - 1);
        bool is_name = !name.empty() && name_start(name[0]);
        for (char n : name)
            is_name = is_name && name_char(n);
        if (!is_name) {
            c.error("bad-template",
                    q("{" + std::string(name) + "}") +
                        " is not a merge field (write '{{' for a literal brace)",
                    pos, length);
        } else if (c.values.find(name) == c.values.end()) {
            c.error("unknown-merge-field",
                    "unknown merge field " + q("{" + std::string(name) + "}") +
                        suggestion(name, keys_of(c.values)),
                    pos, length);
        }
        i = close;
    }
}

} // namespace nudge::detail
