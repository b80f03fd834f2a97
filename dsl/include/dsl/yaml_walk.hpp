#pragma once
// The skeleton both YAML readers stand on, the flow reader (dsl/src/yaml) and the scenario reader
// (lib/scenario/src): node positions and underline lengths, errors capped at a maximum, a visit
// budget that keeps aliases from blowing the walk up, the entries of a map with wrong kinds,
// duplicate and unknown keys reported ("did you mean"), the words for what a node is, and the
// document count and yaml-cpp's messages for a file that is not YAML.

#include <nudge/diagnostic.hpp>

#include "model/suggest.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::detail {

// A value from the input as a message shows it: control characters escaped, long text cut.
std::string shown(std::string_view s);

// The words, joined with ", ".
template <class Words> std::string join(const Words& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ", ";
        out += w;
    }
    return out;
}

// A letter or _, then letters, digits or _.
bool is_name(std::string_view s);
// sale.saved, booking.rescheduled: names joined by single dots.
bool is_dotted_name(std::string_view s);

// What a node is, for messages: "a map", "a list", "'text'", "nothing".
std::string kind_words(const YAML::Node& n);

// One document, or two when there are more. Not YAML::LoadAll: in yaml-cpp 0.7 it loops
// forever, allocating, on a stray `,` (jbeder/yaml-cpp#1040, fixed upstream in #1319), so the
// documents are counted with a bound instead.
int count_yaml_documents(const std::string& text);

// yaml-cpp's wording for the errors people make most, said in terms of what they wrote;
// `map_value_hint` says how to mend a stray ':' in this kind of file.
std::string yaml_syntax_message(const std::string& msg, std::string_view map_value_hint);

// A yaml-cpp mark as a 1-based position (line 0 when it has none). `column_shift`: bytes
// stripped from the start of line 1 (a byte-order mark) before yaml-cpp saw the text.
SourcePos mark_pos(const YAML::Mark& m, std::size_t column_shift = 0);

// One key: value pair of a map, with the key's text.
struct YamlEntry {
    YAML::Node key;
    YAML::Node value;
    std::string name;
};

class YamlWalker {
protected:
    // `near` says how close a misspelt key must be to an allowed one to be suggested.
    YamlWalker(std::string_view source, std::string file, std::size_t column_shift,
               Diagnostics& diagnostics, std::size_t max_errors,
               Nearness (*near)(std::string_view word))
        : source_(source), file_(std::move(file)), column_shift_(column_shift), diags_(diagnostics),
          max_errors_(max_errors), near_(near), budget_(source.size() + 4096) {}

    std::string_view source_;
    std::string file_;
    std::size_t column_shift_; // bytes of a byte-order mark stripped from line 1
    Diagnostics& diags_;

    // ---- positions

    SourcePos pos(const YAML::Node& n) const { return mark_pos(n.Mark(), column_shift_); }
    // The node's byte offset in the source; npos when it has none.
    std::size_t offset(const YAML::Node& n) const;
    bool quoted(const YAML::Node& n) const;
    // The length of an explicit `null` or `~` a null node was written as; 0 for an empty value.
    std::size_t null_token(const YAML::Node& n) const;
    // Columns to underline: a scalar with its quotes (at most 200), a null's token, else 1.
    std::uint32_t length(const YAML::Node& n) const;

    // ---- reports

    // An error at `pos`; past the maximum one `too-many-errors`, then nothing.
    void report(std::string code, std::string message, SourcePos pos, std::uint32_t length);
    void error(std::string code, std::string message, const YAML::Node& at) {
        report(std::move(code), std::move(message), pos(at), length(at));
    }
    void unknown_key(const YamlEntry& e, std::string_view what,
                     const std::vector<std::string_view>& allowed);

    // Counts visits so that aliases cannot make the walk (and what it builds) grow without
    // bound: false, with one `too-large`, once the budget is spent.
    bool visit(const YAML::Node& n);

    // ---- maps

    enum class Absent { empty, error };
    // The entries of a map; reports a wrong node kind, keys that are not scalars, duplicate
    // keys and (when `allowed` is not empty) unknown keys, each left out. A null value (`key:`)
    // is an empty map; an absent one is too, or an error at `at`. `what` names the map.
    std::optional<std::vector<YamlEntry>>
    map_entries(const YAML::Node& n, const YAML::Node& at, std::string_view what,
                std::initializer_list<std::string_view> allowed, Absent absent) {
        return entries(n, at, what, std::vector<std::string_view>(allowed), absent);
    }
    std::optional<std::vector<YamlEntry>> map_entries(const YAML::Node& n, const YAML::Node& at,
                                                      std::string_view what,
                                                      const std::vector<std::string>& allowed,
                                                      Absent absent) {
        return entries(n, at, what, std::vector<std::string_view>(allowed.begin(), allowed.end()),
                       absent);
    }

    static const YamlEntry* find(const std::vector<YamlEntry>& entries, std::string_view key) {
        for (const auto& e : entries) {
            if (e.name == key) return &e;
        }
        return nullptr;
    }

private:
    std::optional<std::vector<YamlEntry>> entries(const YAML::Node& n, const YAML::Node& at,
                                                  std::string_view what,
                                                  const std::vector<std::string_view>& allowed,
                                                  Absent absent);

    std::size_t max_errors_;
    Nearness (*near_)(std::string_view word);
    std::size_t budget_; // node visits left; aliases can repeat a subtree many times
    bool out_of_budget_ = false;
};

} // namespace nudge::detail
