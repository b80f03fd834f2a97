#include <nudge/diagnostic.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>

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
    errors_ += other.errors_;
    warnings_ += other.warnings_;
}

void Diagnostics::sort() {
    auto before = [](const Diagnostic& a, const Diagnostic& b) {
        if (a.file != b.file) return a.file < b.file;
        return a.pos < b.pos;
    };
    // Most lists come in order already (the checks walk the file top down), and each is sorted
    // again after every stage: one pass then.
    if (std::is_sorted(items_.begin(), items_.end(), before)) return;
    // Sort the indices and move each diagnostic once: moving three strings per swap is what a
    // sort of many thousands of diagnostics spent its time on.
    std::vector<std::size_t> order(items_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return before(items_[a], items_[b]); });
    std::vector<Diagnostic> sorted;
    sorted.reserve(items_.size());
    for (auto i : order)
        sorted.push_back(std::move(items_[i]));
    items_ = std::move(sorted);
}

namespace {

// Where each line of a source text starts, found on the first question and kept: rendering
// many diagnostics against one large source reads it once, not once per diagnostic.
class Lines {
public:
    explicit Lines(std::string_view source) : source_(source) {}

    // The byte where 1-based line `line` starts, or nullopt past the end. The text is read
    // only as far as the lines asked for.
    std::optional<std::size_t> start(std::uint32_t line) {
        if (line == 0) return std::nullopt;
        while (starts_.size() < line && !done_) {
            auto at = source_.find('\n', starts_.back());
            if (at == std::string_view::npos) {
                done_ = true;
            } else {
                starts_.push_back(at + 1);
            }
        }
        if (line > starts_.size()) return std::nullopt;
        return starts_[line - 1];
    }
    std::string_view source() const { return source_; }

private:
    std::string_view source_;
    std::vector<std::size_t> starts_{0};
    bool done_ = false;
};

// The text of 1-based line `line` without its line break, or nullopt past the end.
std::optional<std::string_view> line_of(Lines& lines, std::uint32_t line) {
    auto source = lines.source();
    auto first = lines.start(line);
    if (!first) return std::nullopt;
    std::size_t start = *first;
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

std::string render_with(const Diagnostic& d, Lines& lines) {
    auto source = lines.source();
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
        if (auto text = line_of(lines, d.pos.line); text && printable_line(*text)) {
            out += "  ";
            out += *text;
            out += "\n  ";
            out += caret_line(*text, d.pos.column, d.length);
            out += '\n';
        }
    }
    return out;
}

} // namespace

std::string render(const Diagnostic& d, std::string_view source) {
    Lines lines(source);
    return render_with(d, lines);
}

std::string render(const Diagnostics& ds, std::string_view source) {
    Lines lines(source);
    std::string out;
    for (const auto& d : ds)
        out += render_with(d, lines);
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
