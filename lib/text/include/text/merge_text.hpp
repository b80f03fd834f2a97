#pragma once
// Merge fields in message texts: `{name}` is replaced by a value, `{name | money}` by the value
// in a format (text/locale_format.hpp names them), `{{` and `}}` are literal braces. One parser
// serves the checker (which reports bad braces and unknown names), the compiler (which lists the
// names a message needs) and the engine (which renders at send time).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

// One piece of a message text, in order. `text` views the parsed string.
struct MergePart {
    enum class Kind {
        text,        // literal text; an escape `{{` or `}}` gives one brace
        field,       // `{name}` or `{name | format}`: text is the name, format the format
        bad_name,    // `{…}` whose inside is not a name: text is the inside
        stray_close, // a `}` that is not part of `}}`: text is "}"
        unclosed,    // a `{` with no `}` after it: text is the rest, from the `{`
    };
    Kind kind = Kind::text;
    std::string_view text;
    std::string_view format{}; // field only: "money" in `{total | money}`, else empty
    friend bool operator==(const MergePart&, const MergePart&) = default;
    // The whole `{…}` of a field or bad name, braces included, in the parsed text.
    std::size_t braced_size() const {
        auto end = format.empty() ? text.data() + text.size() : format.data() + format.size();
        return static_cast<std::size_t>(end - text.data()) + 2;
    }
};

// Names (and formats) are [A-Za-z_][A-Za-z0-9_]*; spaces may stand around the '|' only.
// Never fails: bad braces come back as parts of their own.
std::vector<MergePart> parse_merge(std::string_view text);

// Renders "{field}" merges; `lookup(name, format)` returns the text of a value (in the format,
// when one is given; format is "" for a plain `{name}`) or nullopt when missing/empty.
// Every missing name is listed (in order, once each); text is rendered with what was found.
// A missing merge stays in the text as "{name}" (the send fails anyway, and the recorded text
// shows where the gap is). Bad braces, which the checker rejects, are kept as written.
struct Rendered {
    std::string text;
    std::vector<std::string> missing;
};
using MergeLookup =
    std::function<std::optional<std::string>(std::string_view name, std::string_view format)>;
Rendered render_merge(std::string_view text, const MergeLookup& lookup);

// Names used in a text, in order, once each (for the checker and the compiler).
std::vector<std::string> merge_names(std::string_view text);

} // namespace nudge::detail
