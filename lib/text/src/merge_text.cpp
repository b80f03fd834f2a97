// The merge syntax. lib/compile/src/check/merge.cpp reports on the same parts, so what the checker
// accepts is exactly what renders cleanly.
#include "text/merge_text.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

bool name_start(char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}
bool name_char(char ch) { return name_start(ch) || (ch >= '0' && ch <= '9'); }

bool is_name(std::string_view s) {
    return !s.empty() && name_start(s[0]) && std::all_of(s.begin(), s.end(), name_char);
}

// `name` or `name | format` (spaces around the bar only), else a bad name.
MergePart merge_field(std::string_view inside) {
    auto bar = inside.find('|');
    if (bar == std::string_view::npos) {
        return {is_name(inside) ? MergePart::Kind::field : MergePart::Kind::bad_name, inside};
    }
    auto name = inside.substr(0, bar);
    while (!name.empty() && name.back() == ' ')
        name.remove_suffix(1);
    auto format = inside.substr(bar + 1);
    while (!format.empty() && format.front() == ' ')
        format.remove_prefix(1);
    if (!is_name(name) || !is_name(format)) return {MergePart::Kind::bad_name, inside};
    return {MergePart::Kind::field, name, format};
}

} // namespace

std::vector<MergePart> parse_merge(std::string_view text) {
    std::vector<MergePart> parts;
    std::size_t literal = 0; // start of the literal run not yet emitted
    auto emit_literal = [&](std::size_t end) {
        if (end > literal)
            parts.push_back({MergePart::Kind::text, text.substr(literal, end - literal)});
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char ch = text[i];
        if (ch != '{' && ch != '}') continue;
        emit_literal(i);
        bool doubled = i + 1 < text.size() && text[i + 1] == ch;
        if (doubled) {
            parts.push_back({MergePart::Kind::text, text.substr(i, 1)});
            literal = ++i + 1;
            continue;
        }
        if (ch == '}') {
            parts.push_back({MergePart::Kind::stray_close, text.substr(i, 1)});
            literal = i + 1;
            continue;
        }
        auto close = text.find('}', i + 1);
        if (close == std::string_view::npos) {
            parts.push_back({MergePart::Kind::unclosed, text.substr(i)});
            return parts;
        }
        auto inside = text.substr(i + 1, close - i - 1);
        parts.push_back(merge_field(inside));
        i = close;
        literal = close + 1;
    }
    emit_literal(text.size());
    return parts;
}

Rendered render_merge(std::string_view text, const MergeLookup& lookup) {
    Rendered out;
    out.text.reserve(text.size());
    for (const auto& part : parse_merge(text)) {
        switch (part.kind) {
        case MergePart::Kind::field: {
            auto value = lookup ? lookup(part.text, part.format) : std::nullopt;
            if (value && !value->empty()) {
                out.text += *value;
                break;
            }
            if (std::find(out.missing.begin(), out.missing.end(), part.text) == out.missing.end())
                out.missing.emplace_back(part.text);
            out.text += '{';
            out.text += part.text;
            out.text += '}';
            break;
        }
        case MergePart::Kind::bad_name:
            out.text += '{';
            out.text += part.text;
            out.text += '}';
            break;
        case MergePart::Kind::text:
        case MergePart::Kind::stray_close:
        case MergePart::Kind::unclosed: out.text += part.text; break;
        }
    }
    return out;
}

std::vector<std::string> merge_names(std::string_view text) {
    std::vector<std::string> names;
    for (const auto& part : parse_merge(text)) {
        if (part.kind != MergePart::Kind::field) continue;
        if (std::find(names.begin(), names.end(), part.text) == names.end())
            names.emplace_back(part.text);
    }
    return names;
}

} // namespace nudge::detail
