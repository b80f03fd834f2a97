// Merge fields in message texts: `{name}` must be a declared field, fact or classifier;
// `{{` and `}}` are literal braces. Where the front end knows where the text lies in the source
// (`text_at`: one line, no escapes), a problem points at the merge field itself; otherwise at
// the statement that holds the text.
// The syntax itself is text/merge_text.hpp's, shared with the renderer.
#include "check/detail.hpp"
#include "text/locale_format.hpp"
#include "text/merge_text.hpp"

namespace nudge::detail {

namespace {

// `{name | format}`: a format the language has, fitting the value's type.
void check_format(Checker& c, const MergePart& part, Ty type, SourcePos pos, std::uint32_t length) {
    auto f = parse_merge_format(part.format);
    if (!f) {
        std::string all;
        for (const auto& n : merge_format_names())
            all += (all.empty() ? "" : ", ") + n;
        c.error("bad-format",
                "unknown format " + q(part.format) + " in " +
                    q("{" + std::string(part.text) + " | " + std::string(part.format) + "}") +
                    suggestion(part.format, merge_format_names()) + " (formats: " + all + ")",
                pos, length);
        return;
    }
    bool fits = format_fits_number(*f) ? type == Ty::number
                : format_fits_date(*f) ? type == Ty::date || type == Ty::datetime
                                       : type == Ty::datetime;
    if (type == Ty::unknown || fits) return;
    std::string wants = format_fits_number(*f) ? "a number or money"
                        : format_fits_date(*f) ? "a date or datetime"
                                               : "a datetime";
    c.error("bad-format",
            "format " + q(part.format) + " needs " + wants + ", but " + q(part.text) + " is " +
                a_ty(type),
            pos, length);
}

} // namespace

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
            length = static_cast<std::uint32_t>(braced ? part.braced_size() : part.text.size());
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
        case MergePart::Kind::field: {
            auto it = c.values.find(part.text);
            if (it == c.values.end()) {
                c.error("unknown-merge-field",
                        "unknown merge field " + q("{" + std::string(part.text) + "}") +
                            c.suggest("field", part.text, [&] { return keys_of(c.values); }),
                        pos, length);
            } else if (!part.format.empty()) {
                check_format(c, part, it->second.type, pos, length);
            }
            break;
        }
        }
    }
}

} // namespace nudge::detail
