#pragma once
// Diagnostics are data: every mistake in a user's flow or scenario file comes back as a
// Diagnostic with a 1-based line and column, never as an exception or a crash. Plain values:
// thread-safe as the standard containers are (any number of readers, one writer alone).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// A position in a source file, 1-based. Line 0 means "no position" (whole file).
struct SourcePos {
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    friend bool operator==(const SourcePos&, const SourcePos&) = default;
    friend auto operator<=>(const SourcePos&, const SourcePos&) = default;
};

enum class Severity { error, warning, note };

std::string_view to_string(Severity s);

// One finding. `code` is a stable kebab-case identifier (e.g. "unknown-state"); `message`
// starts lowercase, says what was seen, and has no trailing period. `length` is the number of
// columns the caret underline covers (at least 1).
struct Diagnostic {
    Severity severity = Severity::error;
    std::string code;
    std::string message;
    std::string file;
    SourcePos pos;
    std::uint32_t length = 1;
    friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// An ordered list of diagnostics with helpers; order is the order found, sort() puts it in
// file/line/column order (stable, so equal positions keep the order they were found in).
class Diagnostics {
public:
    void add(Diagnostic d) {
        count(d.severity, 1);
        items_.push_back(std::move(d));
    }
    void error(std::string code, std::string message, std::string file, SourcePos pos,
               std::uint32_t length = 1);
    void warning(std::string code, std::string message, std::string file, SourcePos pos,
                 std::uint32_t length = 1);
    void append(const Diagnostics& other);
    void sort();

    bool has_errors() const { return errors_ > 0; }
    std::size_t error_count() const { return errors_; }
    std::size_t warning_count() const { return warnings_; }
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    const std::vector<Diagnostic>& items() const { return items_; }
    auto begin() const { return items_.begin(); }
    auto end() const { return items_.end(); }

private:
    void count(Severity s, std::size_t n) {
        if (s == Severity::error) errors_ += n;
        if (s == Severity::warning) warnings_ += n;
    }
    std::vector<Diagnostic> items_;
    // Kept as items are added: a reader that asks after every item stays linear.
    std::size_t errors_ = 0;
    std::size_t warnings_ = 0;
};

// `file:line:col: error: message [code]`, then the source line and a `^~~~` caret when the
// source text is given and the position is inside it. Ends with a newline.
std::string render(const Diagnostic& d, std::string_view source = {});

// All diagnostics rendered in order, against one source text.
std::string render(const Diagnostics& ds, std::string_view source = {});

// A JSON array of objects {severity, code, message, file, line, column, length} for editors.
std::string to_json(const Diagnostics& ds);

} // namespace nudge

#pragma GCC visibility pop
