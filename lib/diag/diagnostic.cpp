#include <nudge/diagnostic.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace nudge {

std::string_view to_string(Severity s) {
    switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::note: return "note";
    }
    return "error";
}

void Diagnostics::error(std::string code, std::string message, std::string file, SourcePos pos,
                        std::uint32_t length) {
    add({Severity::error, std::move(code), std::move(message), std::move(file), pos, length});
}

void Diagnostics::warning(std::string code, std::string message, std::string file, SourcePos pos,
                          std::uint32_t length) {
    add({Severity::warning, std::move(code), std::move(message), std::move(file), pos, length});
}

void Diagnostics::append(const Diagnostics& other) {
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

void Diagnostics::sort() {
    std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.file != b.file) return a.file < b.file;
        return a.pos < b.pos;
    });
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](auto& d) { return d.severity == Severity::error; }));
}

std::size_t Diagnostics::warning_count() const {
    return static_cast<std::size_t>(std::count_if(
        items_.begin(), items_.end(), [](auto& d) { return d.severity == Severity::warning; }));
}

namespace {

// The text of 1-based line `line` without its line break, or nullopt past the end.
std::optional<std::string_view> line_of(std::string_view source, std::uint32_t line) {
    std::size_t start = 0;
    for (std::uint32_t l = 1; l < line; ++l) {
        auto nl = source.find('\n', start);
        if (nl == std::string_view::npos) return std::nullopt;
        start = nl + 1;
    }
    if (start > source.size()) return std::nullopt;
    auto end = source.find('\n', start);
    auto text =
        source.substr(start, end == std::string_view::npos ? source.size() - start : end - start);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    return text;
}

// Tabs are kept in the caret line so that it lines up under the source in any tab width;
// other characters become spaces. Columns count bytes; the caret line counts characters, so a
// UTF-8 continuation byte (æ is two bytes) adds nothing to it.
std::string caret_line(std::string_view text, std::uint32_t column, std::uint32_t length) {
    auto continuation = [&](std::size_t i) {
        return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    };
    std::string out;
    std::uint32_t col = std::max<std::uint32_t>(column, 1);
    for (std::uint32_t i = 1; i < col; ++i) {
        if (continuation(i - 1)) continue;
        out += (i - 1 < text.size() && text[i - 1] == '\t') ? '\t' : ' ';
    }
    out += '^';
    std::uint32_t len = std::max<std::uint32_t>(length, 1);
    // Underline no further than the end of the line.
    if (col - 1 < text.size()) {
        len = std::min<std::uint32_t>(len, static_cast<std::uint32_t>(text.size() - (col - 1)));
    } else {
        len = 1;
    }
    for (std::uint32_t i = 1; i < len; ++i)
        if (!continuation(col - 1 + i)) out += '~';
    return out;
}

bool printable_line(std::string_view text) {
    // Binary garbage is not echoed back to the terminal.
    return std::none_of(text.begin(), text.end(),
                        [](char c) {
                            auto u = static_cast<unsigned char>(c);
                            return (u < 0x20 && c != '\t') || u == 0x7f;
                        }) &&
           text.size() <= 500;
}

} // namespace

std::string render(const Diagnostic& d, std::string_view source) {
    std::string out = d.file.empty() ? "<input>" : d.file;
    if (d.pos.line > 0) {
        out += ':' + std::to_string(d.pos.line) + ':' + std::to_string(d.pos.column);
    }
    out += ": ";
    out += to_string(d.severity);
    out += ": ";
    out += d.message;
    if (!d.code.empty()) out += " [" + d.code + "]";
    out += '\n';
    if (d.pos.line > 0 && !source.empty()) {
        if (auto text = line_of(source, d.pos.line); text && printable_line(*text)) {
            out += "  ";
            out += *text;
            out += "\n  ";
            out += caret_line(*text, d.pos.column, d.length);
            out += '\n';
        }
    }
    return out;
}

std::string render(const Diagnostics& ds, std::string_view source) {
    std::string out;
    for (const auto& d : ds)
        out += render(d, source);
    return out;
}

std::string to_json(const Diagnostics& ds) {
    using Json = nlohmann::ordered_json; // keys in the order written
    auto out = Json::array();
    for (const auto& d : ds) {
        out.push_back({{"severity", to_string(d.severity)},
                       {"code", d.code},
                       {"message", d.message},
                       {"file", d.file},
                       {"line", d.pos.line},
                       {"column", d.pos.column},
                       {"length", d.length}});
    }
    // Bytes that are not UTF-8 (a file name, an echoed value) become U+FFFD, so that the
    // output is always JSON.
    return out.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

} // namespace nudge
