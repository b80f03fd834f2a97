// The .flow.yaml front end: yaml-cpp builds a node tree, this file walks it against the schema
// in dsl/YAML.md and fills the same FlowDef the text front end makes. Scalars that hold a piece
// of the language (expressions, durations, window slots) are parsed with the text grammar's
// helpers so they mean the same in both forms. Every structural mistake is reported, not only
// the first; yaml-cpp stays inside this translation unit.
#include <nudge/dsl.hpp>

#include "dsl/yaml_walk.hpp"
#include "model/suggest.hpp"
#include "model/utf8.hpp"
#include "parse/fragments.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <initializer_list>
#include <sstream>
#include <unordered_set>

namespace nudge {

namespace {

using detail::is_dotted_name;
using detail::is_name;
using detail::join;
using detail::kind_words;
using detail::shown;
using YAML::Node;

// A flow file is a few kilobytes; anything this large is a mistake, and refusing it early
// keeps a stray `nudge check` on a log file fast (the text reader's limit too).
constexpr std::size_t max_source_bytes = max_flow_bytes;
// yaml-cpp parses nested collections recursively. The schema needs about ten levels; refusing
// deep nesting before yaml-cpp sees it keeps the stack small on any thread.
constexpr int max_nesting = 64;
// One mistake repeated through aliases must not bury the first report.
constexpr std::size_t max_errors = max_reported;

// The first character YAML does not allow in a stream as it stands (C0 controls but tab and
// line breaks, DEL, C1 controls but NEL, U+FFFE, U+FFFF), in valid UTF-8; npos when none.
// yaml-cpp reads some of them wrongly (a NUL in a block scalar swallows the next byte), and
// such a character can be written only as an escape in a double-quoted scalar.
std::size_t unprintable_at(std::string_view s, char32_t& bad) {
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        auto n = detail::decode_utf8(s, i, cp);
        if (n == 0) return std::string_view::npos; // not valid UTF-8: reported as such before
        bool printable = cp == 0x09 || cp == 0x0a || cp == 0x0d || (cp >= 0x20 && cp <= 0x7e) ||
                         cp == 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) ||
                         (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
        if (!printable) {
            bad = cp;
            return i;
        }
        i += n;
    }
    return std::string_view::npos;
}

// yaml-cpp decodes the escapes \_ and \N of a double-quoted scalar to the single bytes 0xA0
// and 0x85 (Latin-1), not to UTF-8. The input was valid UTF-8, so such a lone byte in a scalar
// can only come from there: it becomes the character the escape names (found by fuzz_yaml).
void repair_escapes(YAML::Node node) {
    if (node.IsScalar()) {
        const std::string& text = node.Scalar();
        if (detail::first_invalid_utf8(text) == std::string_view::npos) return;
        std::string fixed;
        fixed.reserve(text.size() + 4);
        for (std::size_t i = 0; i < text.size();) {
            auto bad = detail::first_invalid_utf8(std::string_view(text).substr(i));
            if (bad == std::string_view::npos) {
                fixed.append(text, i, std::string::npos);
                break;
            }
            fixed.append(text, i, bad);
            auto byte = static_cast<unsigned char>(text[i + bad]);
            if (byte >= 0x80 && byte <= 0xBF) fixed += '\xC2'; // U+0080–U+00BF in UTF-8
            fixed += text[i + bad];
            i += bad + 1;
        }
        node = fixed;
    } else if (node.IsSequence()) {
        for (auto item : node)
            repair_escapes(item);
    } else if (node.IsMap()) {
        for (auto item : node) {
            repair_escapes(item.first);
            repair_escapes(item.second);
        }
    }
}

SourcePos pos_at_offset(std::string_view s, std::size_t offset) {
    SourcePos p{1, 1};
    for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
        if (s[i] == '\n') {
            ++p.line;
            p.column = 1;
        } else {
            ++p.column;
        }
    }
    return p;
}

// Whether a line's value (what is left of it without its comment) is a block scalar header:
// `|` or `>`, perhaps with chomping and indentation indicators, after a space or at the start.
bool ends_with_block_header(std::string_view line) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
        line.remove_suffix(1);
    while (!line.empty() &&
           (line.back() == '-' || line.back() == '+' || (line.back() >= '1' && line.back() <= '9')))
        line.remove_suffix(1);
    if (line.empty() || (line.back() != '|' && line.back() != '>')) return false;
    line.remove_suffix(1);
    return line.empty() || line.back() == ' ';
}

// The deepest nesting of flow brackets and block sequence/key indicators, outside quoted
// scalars, block scalars and comments. It overestimates a little (brackets inside plain
// scalars count), which only matters for input no flow file looks like.
int nesting_depth(std::string_view s, std::size_t& where) {
    int flow = 0;
    int deepest = 0;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t line_start = i;
        // Block indicators at the start of a line: `- - - x` nests three sequences.
        int block = 0;
        while (i < s.size() && (s[i] == ' ' || s[i] == '-' || s[i] == '?')) {
            if ((s[i] == '-' || s[i] == '?') && i + 1 < s.size() &&
                (s[i + 1] == ' ' || s[i + 1] == '\n')) {
                ++block;
            }
            ++i;
        }
        // A block scalar's content is more indented than its key (or than its `|` when it
        // follows `- ` directly); taking the key's column keeps every line YAML reads as
        // structure in the count.
        const std::size_t key_column = i - line_start;
        std::size_t comment_at = std::string_view::npos;
        if (flow + block > deepest) {
            deepest = flow + block;
            where = i;
        }
        char quote = 0;
        while (i < s.size() && s[i] != '\n') {
            char c = s[i];
            if (quote) {
                if (c == quote) {
                    if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'')
                        ++i;
                    else
                        quote = 0;
                } else if (c == '\\' && quote == '"') {
                    ++i;
                }
            } else if ((c == '"' || c == '\'') &&
                       (i == 0 ||
                        std::string_view(" \t[{,:").find(s[i - 1]) != std::string_view::npos)) {
                quote = c;
            } else if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
                comment_at = i;
                while (i < s.size() && s[i] != '\n')
                    ++i;
                break;
            } else if (c == '[' || c == '{') {
                if (++flow + block > deepest) {
                    deepest = flow + block;
                    where = i;
                }
            } else if ((c == ']' || c == '}') && flow > 0) {
                --flow;
            }
            if (deepest > max_nesting) return deepest;
            ++i;
        }
        const std::string_view line = s.substr(line_start, std::min(i, comment_at) - line_start);
        // A quoted scalar may continue on the next line; the quote state carries over only
        // through the line loop above, which is good enough for a depth estimate.
        if (i < s.size()) ++i;
        if (quote || flow > 0 || !ends_with_block_header(line)) continue;
        // Skip the block scalar: blank lines and lines indented deeper than its key.
        while (i < s.size()) {
            const std::size_t text = std::min(s.find_first_not_of(' ', i), s.size());
            const bool blank = text == s.size() || s[text] == '\n';
            if (!blank && text - i <= key_column) break;
            i = s.find('\n', i);
            i = i == std::string_view::npos ? s.size() : i + 1;
        }
    }
    return deepest;
}

using Entry = detail::YamlEntry;

// How near a misspelt key must be to an allowed one to be its likely typo.
detail::Nearness near_key(std::string_view key) {
    return {.below = key.size() <= 3 ? 2u : 3u, .prefix_from = 2};
}

class Reader : detail::YamlWalker {
public:
    Reader(std::string_view source, std::string file, std::size_t column_shift,
           Diagnostics& diagnostics)
        : YamlWalker(source, std::move(file), column_shift, diagnostics, max_errors, near_key) {}

    FlowDef read(const Node& root);

private:
    // ---- positions and reports

    // Where a scalar's text starts in the source, when each byte of `text` is the source's byte
    // at the same place (plain or quoted on one line, no escapes); line 0 otherwise.
    Loc text_loc(const Node& n, std::string_view text) const {
        auto at = offset(n);
        if (!n.IsScalar() || at >= source_.size()) return {};
        std::size_t open = quoted(n) ? 1 : 0;
        if (text.find('\n') != std::string_view::npos ||
            source_.substr(at + open, text.size()) != text)
            return {};
        Loc l;
        l.begin = pos(n);
        l.begin.column += static_cast<std::uint32_t>(open);
        l.end = l.begin;
        l.end.column += static_cast<std::uint32_t>(text.size());
        return l;
    }

    Loc loc(const Node& n) const {
        Loc l{pos(n), pos(n)};
        l.end.column += length(n);
        return l;
    }

    // Where to point at a value: a missing value (`key:`) points at its key instead of the
    // start of the next line.
    const Node& where(const Entry& e) const {
        if (!e.value.IsDefined()) return e.key;
        if (e.value.IsNull() && null_token(e.value) == 0) return e.key;
        return e.value;
    }

    std::string describe(const Node& n) const {
        if (null_token(n) > 0) return "null (quote it to mean the text)";
        return kind_words(n);
    }

    // ---- structure

    // The entries of a map (YamlWalker::map_entries); a null value (`key:`) is an empty map, an
    // absent one an error. `what` names the thing in messages.
    std::optional<std::vector<Entry>> map(const Node& n, const Node& at, std::string_view what,
                                          std::initializer_list<std::string_view> allowed) {
        return map_entries(n, at, what, allowed, Absent::error);
    }

    // Map with arbitrary keys (fields: name → type): duplicates reported, all kept.
    std::vector<Entry> named_map(const Entry& e, std::string_view what) {
        std::vector<Entry> out;
        std::unordered_set<std::string> seen; // one lookup per key: maps may be large
        if (!visit(e.value) || e.value.IsNull()) return out;
        if (!e.value.IsMap()) {
            error("expected-map",
                  "expected a map of " + std::string(what) + " for '" + shown(e.name) + "', saw " +
                      kind_words(e.value),
                  where(e));
            return out;
        }
        for (auto it = e.value.begin(); it != e.value.end(); ++it) {
            Entry item{it->first, it->second, {}};
            if (!item.key.IsScalar()) {
                error("expected-scalar",
                      "expected a name in '" + shown(e.name) + "', saw " + kind_words(item.key),
                      item.key);
                continue;
            }
            item.name = item.key.Scalar();
            if (!is_name(item.name)) {
                error("bad-value",
                      "expected a name (a letter or _, then letters, digits or _) "
                      "in '" +
                          shown(e.name) + "', saw '" + shown(item.name) + "'",
                      item.key);
                continue;
            }
            if (!seen.insert(item.name).second) {
                error("duplicate-key",
                      "duplicate key '" + shown(item.name) + "' in '" + shown(e.name) + "'",
                      item.key);
            }
            out.push_back(std::move(item));
        }
        return out;
    }

    // Items of a list; a missing value is an empty list.
    std::vector<Node> list(const Entry& e, std::string_view what) {
        std::vector<Node> out;
        if (!visit(e.value) || e.value.IsNull()) return out;
        if (!e.value.IsSequence()) {
            error("expected-list",
                  "expected a list of " + std::string(what) + " for '" + e.name + "', saw " +
                      kind_words(e.value),
                  where(e));
            return out;
        }
        for (const auto& item : e.value)
            out.push_back(item);
        return out;
    }

    static const Entry* find(const std::vector<Entry>& entries, std::string_view key) {
        for (const auto& e : entries) {
            if (e.name == key) return &e;
        }
        return nullptr;
    }

    const Entry* require(const std::vector<Entry>& entries, std::string_view key,
                         const Node& map_node, std::string_view what) {
        const Entry* e = find(entries, key);
        if (!e)
            error("missing-key", "missing key '" + std::string(key) + "' in " + std::string(what),
                  map_node);
        return e;
    }

    // ---- scalars

    std::optional<std::string> text(const Entry& e) {
        if (!visit(e.value)) return std::nullopt;
        if (e.value.IsScalar()) return e.value.Scalar();
        error("expected-scalar",
              "expected a single value for '" + shown(e.name) + "', saw " + describe(e.value),
              where(e));
        return std::nullopt;
    }

    std::optional<std::string> item_text(const Node& n, std::string_view what) {
        if (!visit(n)) return std::nullopt;
        if (n.IsScalar()) return n.Scalar();
        error("expected-scalar", "expected " + std::string(what) + ", saw " + describe(n), n);
        return std::nullopt;
    }

    std::optional<std::string> name(const Entry& e, std::string_view what = "a name") {
        auto t = text(e);
        if (!t) return std::nullopt;
        if (!is_name(*t)) {
            error("bad-value",
                  "expected " + std::string(what) + " for '" + shown(e.name) +
                      "' (a letter or _, then letters, digits or _), saw '" + shown(*t) + "'",
                  where(e));
            return std::nullopt;
        }
        return t;
    }

    std::optional<std::string> event_name(const Entry& e) {
        auto t = text(e);
        if (!t) return std::nullopt;
        if (!is_dotted_name(*t)) {
            error("bad-value",
                  "expected an event name like sale.saved for '" + shown(e.name) + "', saw '" +
                      shown(*t) + "'",
                  where(e));
            return std::nullopt;
        }
        return t;
    }

    std::optional<Duration> duration(const Entry& e) {
        auto t = text(e);
        if (!t) return std::nullopt;
        auto d = parse_duration(*t);
        if (!d) {
            error("bad-value",
                  "expected a duration like 30s, 2h or 3d for '" + shown(e.name) + "', saw '" +
                      shown(*t) + "'",
                  where(e));
        }
        return d;
    }

    std::optional<int> whole_number(const Entry& e, int min) {
        auto t = text(e);
        if (!t) return std::nullopt;
        int v = 0;
        auto [end, ec] = std::from_chars(t->data(), t->data() + t->size(), v);
        if (ec != std::errc{} || end != t->data() + t->size() || v < min) {
            error("bad-value",
                  "expected a whole number of at least " + std::to_string(min) + " for '" +
                      shown(e.name) + "', saw '" + shown(*t) + "'",
                  where(e));
            return std::nullopt;
        }
        return v;
    }

    // A bound of a number range: an optional minus, digits, an optional fraction ("9", "-5",
    // "9.5"), as the .flow form writes them.
    std::optional<double> bound(const Entry& e) {
        auto t = text(e);
        if (!t) return std::nullopt;
        std::string_view v = *t;
        std::size_t at = !v.empty() && v[0] == '-' ? 1 : 0;
        auto digits = [&] {
            auto start = at;
            while (at < v.size() && v[at] >= '0' && v[at] <= '9')
                ++at;
            return at > start;
        };
        bool ok = digits();
        if (ok && at < v.size() && v[at] == '.') {
            ++at;
            ok = digits();
        }
        double value = 0;
        if (ok && at == v.size()) std::from_chars(v.data(), v.data() + v.size(), value);
        if (!ok || at != v.size()) {
            error("bad-value",
                  "expected a number such as 9, -5 or 9.5 for '" + shown(e.name) + "', saw '" +
                      shown(*t) + "'",
                  where(e));
            return std::nullopt;
        }
        return value;
    }

    // Where the text of a scalar starts: after its quote, or on the line after `|` / `>`.
    SourcePos text_origin(const Node& n) const {
        auto p = pos(n);
        auto at = offset(n);
        if (at >= source_.size()) return p;
        char c = source_[at];
        if (c == '"' || c == '\'') {
            ++p.column;
        } else if (c == '|' || c == '>') {
            auto nl = source_.find('\n', at);
            if (nl != std::string_view::npos) {
                auto first = source_.find_first_not_of(' ', nl + 1);
                if (first != std::string_view::npos) {
                    p = {p.line + 1, static_cast<std::uint32_t>(first - nl)};
                }
            }
        }
        return p;
    }

    std::optional<Expr> expression(const Entry& e) {
        auto t = text(e);
        if (!t) return std::nullopt;
        Diagnostics found;
        auto expr = detail::parse_expression(*t, file_, text_origin(e.value), found);
        for (const auto& d : found) {
            if (diags_.error_count() < max_errors) diags_.add(d);
        }
        return expr;
    }

    std::optional<Target> target(const Entry& e) {
        auto t = text(e);
        if (!t) return std::nullopt;
        Target out;
        out.loc = loc(e.value);
        if (*t == "restart") {
            out.kind = Target::Kind::restart;
        } else if (*t == "inbox") {
            out.kind = Target::Kind::inbox;
        } else if (is_name(*t)) {
            out.state = *t;
        } else {
            error("bad-value",
                  "expected a state name, restart or inbox for 'goto', saw '" + *t + "'", where(e));
            return std::nullopt;
        }
        return out;
    }

    // A list of strings; a single value may stand for a one-item list.
    std::vector<std::string> strings(const Entry& e, std::string_view what) {
        if (e.value.IsScalar()) return {e.value.Scalar()};
        std::vector<std::string> out;
        for (const auto& item : list(e, what)) {
            if (auto t = item_text(item, "a single value in '" + e.name + "'")) {
                out.push_back(*t);
            }
        }
        return out;
    }

    std::vector<std::string> names(const Entry& e, std::string_view what) {
        std::vector<Node> items;
        if (e.value.IsScalar())
            items.push_back(e.value);
        else
            items = list(e, what);
        std::vector<std::string> out;
        for (const auto& item : items) {
            auto t = item_text(item, "a name in '" + e.name + "'");
            if (!t) continue;
            if (!is_name(*t)) {
                error("bad-value",
                      "expected a name in '" + shown(e.name) + "', saw '" + shown(*t) + "'", item);
                continue;
            }
            out.push_back(*t);
        }
        return out;
    }

    // ---- declarations

    void fields(const Entry& e, FlowDef& flow);
    void facts(const Entry& e, FlowDef& flow);
    void channels(const Entry& e, FlowDef& flow);
    void windows(const Entry& e, FlowDef& flow);
    void seasons(const Entry& e, FlowDef& flow);
    void word_sets(const Entry& e, FlowDef& flow, bool keywords);
    void keyword_set(const Entry& item, FlowDef& flow);
    void numbers(const Entry& e, FlowDef& flow);
    void number_kinds(const Entry& e, FlowDef& flow);
    void caps(const Entry& e, FlowDef& flow);
    void templates(const Entry& e, FlowDef& flow);
    void classifiers(const Entry& e, FlowDef& flow);
    void triggers(const Entry& e, FlowDef& flow);
    void states(const Entry& e, FlowDef& flow);
    std::optional<StateDecl> state(const Node& n);
    std::vector<Action> actions(const Entry& e);
    std::optional<Action> action(const Node& n);
    std::optional<Repeat> repeat(const Node& n);
    std::optional<Choice> choice(const Node& n);
    std::vector<Handler> handlers(const Entry& e);
    std::optional<Handler> handler(const Node& n);
    std::optional<Reminder> reminder(const Node& n);
    std::optional<Outcome> outcome(const Entry& e);
    std::optional<FieldType> field_type(const Entry& e, bool& optional, bool allow_optional);
};

std::optional<FieldType> Reader::field_type(const Entry& e, bool& optional, bool allow_optional) {
    auto t = text(e);
    if (!t) return std::nullopt;
    std::string_view type = *t;
    optional = !type.empty() && type.back() == '?';
    if (optional) type.remove_suffix(1);
    auto parsed = parse_field_type(type);
    if (!parsed || (optional && !allow_optional)) {
        error("bad-value",
              "expected a type for '" + shown(e.name) +
                  "' (text, number, money, bool, phone, email, "
                  "date, datetime, duration or zone" +
                  std::string(allow_optional ? ", with ? when it may be empty" : "") + "), saw '" +
                  shown(*t) + "'",
              where(e));
        return std::nullopt;
    }
    return parsed;
}

// `name: type` or, with a default value, `name: {type: text, default: "…"}`.
void Reader::fields(const Entry& e, FlowDef& flow) {
    for (const auto& item : named_map(e, "field types")) {
        bool optional = false;
        if (item.value.IsMap()) {
            auto m = map(item.value, item.value, "a field", {"type", "default"});
            if (!m) continue;
            auto t = require(*m, "type", item.value, "a field");
            auto type = t ? field_type(*t, optional, true) : std::nullopt;
            std::optional<std::string> value;
            if (auto d = find(*m, "default")) {
                value = text(*d);
                if (!value) continue;
            }
            if (type) flow.fields.push_back({item.name, *type, optional, loc(item.key), value});
            continue;
        }
        if (auto type = field_type(item, optional, true)) {
            flow.fields.push_back({item.name, *type, optional, loc(item.key)});
        }
    }
}

void Reader::facts(const Entry& e, FlowDef& flow) {
    for (const auto& item : named_map(e, "fact types")) {
        bool optional = false;
        if (auto type = field_type(item, optional, false)) {
            flow.facts.push_back({item.name, *type, loc(item.key)});
        }
    }
}

void Reader::channels(const Entry& e, FlowDef& flow) {
    for (const auto& n : list(e, "channels")) {
        auto m = map(n, n, "a channel", {"name", "kind", "to", "to_address", "from", "off"});
        if (!m) continue;
        ChannelDecl c;
        c.loc = loc(n);
        bool ok = true;
        if (auto k = require(*m, "kind", n, "a channel")) {
            auto t = text(*k);
            auto kind = t ? parse_channel_kind(*t) : std::nullopt;
            if (t && !kind) {
                error("bad-value",
                      "expected a channel kind (sms, email, letter, voice or "
                      "webhook), saw '" +
                          shown(*t) + "'",
                      where(*k));
            }
            if (kind) c.kind = *kind;
            ok = ok && kind;
        } else {
            ok = false;
        }
        if (auto k = find(*m, "name")) {
            auto t = name(*k, "a channel name");
            ok = ok && t;
            if (t) {
                c.name = *t;
                c.loc = loc(k->value);
            }
        } else {
            c.name = std::string(to_string(c.kind));
        }
        const Entry* to = find(*m, "to");
        const Entry* address = find(*m, "to_address");
        if (to && address) {
            error("conflicting-keys",
                  "a channel has both 'to' and 'to_address'; use 'to' for a "
                  "field, 'to_address' for a fixed recipient",
                  address->key);
            ok = false;
        } else if (to) {
            auto t = name(*to, "a field name");
            ok = ok && t;
            if (t) c.to = *t;
        } else if (address) {
            auto t = text(*address);
            ok = ok && t;
            if (t) c.to = *t;
            c.to_is_literal = true;
        } else {
            error("missing-key",
                  "missing key 'to' (a field) or 'to_address' (a fixed "
                  "recipient) in a channel",
                  n);
            ok = false;
        }
        if (auto k = find(*m, "from")) {
            c.from = text(*k);
            ok = ok && c.from;
        }
        if (auto k = find(*m, "off")) {
            auto t = text(*k);
            if (t && (*t == "true" || *t == "false")) {
                c.off = *t == "true";
            } else {
                if (t)
                    error("bad-value", "expected true or false for 'off', saw '" + shown(*t) + "'",
                          where(*k));
                ok = false;
            }
        }
        if (ok) flow.channels.push_back(std::move(c));
    }
}

// A window is its slots (a list, or the text form's right-hand side as one string, which may
// also say `not during` and `closed on`), or a map {slots, not_during, closed_on}.
void Reader::windows(const Entry& e, FlowDef& flow) {
    for (const auto& item : named_map(e, "window slots")) {
        WindowDecl w{item.name, {}, loc(item.key)};
        const Entry* slots_entry = &item;
        std::optional<std::vector<Entry>>
            m; // outlives the loop body: slots_entry may point into it
        if (item.value.IsMap()) {
            m = map(item.value, item.value, "a window", {"slots", "not_during", "closed_on"});
            if (!m) continue;
            slots_entry = require(*m, "slots", item.value, "a window");
            if (!slots_entry) continue;
            if (const auto* k = find(*m, "not_during")) {
                auto t = text(*k);
                if (t && (*t == "true" || *t == "false")) {
                    w.not_during = *t == "true";
                } else if (t) {
                    error("bad-value",
                          "expected true or false for 'not_during', saw '" + shown(*t) + "'",
                          where(*k));
                }
            }
            if (const auto* k = find(*m, "closed_on")) {
                for (const auto& n : list(*k, "closed days")) {
                    auto t = item_text(n, "a closed day like 12-24 or 2026-04-03");
                    if (!t) continue;
                    if (auto d = parse_closed_day(*t)) {
                        w.closed.push_back(*d);
                    } else {
                        error("bad-value",
                              "no such day: '" + shown(*t) +
                                  "' (write MM-DD for every year, YYYY-MM-DD for one day)",
                              n);
                    }
                }
            }
        }
        const Node& value = slots_entry->value;
        if (value.IsScalar()) {
            std::string why;
            if (auto body = parse_window_body(value.Scalar(), why)) {
                for (auto& slot : body->slots) {
                    slot.loc = loc(value);
                    w.slots.push_back(slot);
                }
                w.not_during = w.not_during || body->not_during;
                w.closed.insert(w.closed.end(), body->closed.begin(), body->closed.end());
            } else {
                error("bad-value", "in window '" + item.name + "': " + why, value);
            }
        } else {
            for (const auto& n : list(*slots_entry, "window slots")) {
                auto t = item_text(n, "a slot like \"mon-fri 08:00-16:00\"");
                if (!t) continue;
                auto slot = parse_window_slot(*t);
                if (!slot) {
                    error("bad-value",
                          "expected a window slot like \"mon-fri 08:00-16:00\" in '" + item.name +
                              "', saw '" + shown(*t) + "'",
                          n);
                    continue;
                }
                slot->loc = loc(n);
                w.slots.push_back(*slot);
            }
        }
        flow.windows.push_back(std::move(w));
    }
}

std::optional<MonthDay> parse_month_day(std::string_view s) {
    if (s.size() != 5 || s[2] != '-') return std::nullopt;
    for (std::size_t i : {0u, 1u, 3u, 4u}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    MonthDay md{(s[0] - '0') * 10 + (s[1] - '0'), (s[3] - '0') * 10 + (s[4] - '0')};
    static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (md.month < 1 || md.month > 12 || md.day < 1 || md.day > days[md.month - 1]) {
        return std::nullopt;
    }
    return md;
}

void Reader::seasons(const Entry& e, FlowDef& flow) {
    for (const auto& item : named_map(e, "date ranges")) {
        auto t = text(item);
        if (!t) continue;
        auto dots = t->find("..");
        auto first = parse_month_day(std::string_view(*t).substr(0, dots));
        auto last = dots == std::string::npos
                        ? std::nullopt
                        : parse_month_day(std::string_view(*t).substr(dots + 2));
        if (!first || !last) {
            error("bad-value",
                  "expected a date range like \"10-01..11-08\" (MM-DD..MM-DD) for "
                  "season '" +
                      shown(item.name) + "', saw '" + shown(*t) + "'",
                  where(item));
            continue;
        }
        flow.seasons.push_back({item.name, *first, *last, loc(item.key)});
    }
}

void Reader::word_sets(const Entry& e, FlowDef& flow, bool keywords) {
    for (const auto& item : named_map(e, keywords ? "word lists" : "item lists")) {
        if (keywords && item.value.IsMap()) {
            keyword_set(item, flow);
            continue;
        }
        auto words = strings(item, keywords ? "words" : "items");
        if (keywords)
            flow.keywords.push_back({item.name, std::move(words), loc(item.key)});
        else
            flow.lists.push_back({item.name, std::move(words), loc(item.key)});
    }
}

// A keyword set with options: {words: [...], match: all, ignore_accents: true}.
void Reader::keyword_set(const Entry& item, FlowDef& flow) {
    auto m = map(item.value, item.value, "a keyword set",
                 {"words", "match", "ignore_accents", "from", "to", "pattern"});
    if (!m) return;
    KeywordsDecl k{item.name, {}, loc(item.key)};
    bool ok = true;
    // A number test ({match: number, from: 9, to: 10}) has a range instead of words.
    auto match_entry = find(*m, "match");
    auto match_text = match_entry && match_entry->value.IsScalar()
                          ? std::optional<std::string>(match_entry->value.Scalar())
                          : std::nullopt;
    if (match_text && *match_text == "pattern") {
        // A pattern test ({match: pattern, pattern: "#(\\d{5})"}): the regular expression only.
        for (std::string_view key : {"words", "ignore_accents", "from", "to"}) {
            if (auto v = find(*m, key)) {
                error("bad-value",
                      "a pattern test has no '" + std::string(key) +
                          "'; it takes a reply in which its 'pattern' is found",
                      v->key);
                ok = false;
            }
        }
        k.match = KeywordMatch::pattern;
        if (auto p = require(*m, "pattern", item.value, "a pattern test")) {
            auto t = text(*p);
            if (t) {
                k.pattern = *t;
                k.pattern_loc = loc(where(*p));
            }
            ok = ok && t;
        } else {
            ok = false;
        }
        (void)text(*match_entry);
        if (ok) flow.keywords.push_back(std::move(k));
        return;
    }
    if (auto v = find(*m, "pattern")) {
        error("bad-value", "'pattern' is only for pattern tests ('match: pattern')", v->key);
        ok = false;
    }
    if (match_text && (*match_text == "yes" || *match_text == "no" || *match_text == "date" ||
                       *match_text == "time")) {
        // {match: yes}: what the reply means, in the flow's language; nothing else to say.
        for (std::string_view key : {"words", "ignore_accents", "from", "to"}) {
            if (auto v = find(*m, key)) {
                error("bad-value",
                      "a '" + *match_text + "' test has no '" + std::string(key) +
                          "'; it reads the reply in the flow's language",
                      v->key);
                ok = false;
            }
        }
        k.match = *parse_keyword_match(*match_text);
        (void)text(*match_entry);
        if (ok) flow.keywords.push_back(std::move(k));
        return;
    }
    if (match_text && *match_text == "number") {
        for (std::string_view key : {"words", "ignore_accents"}) {
            if (auto v = find(*m, key)) {
                error("bad-value",
                      "a number test has no '" + std::string(key) +
                          "'; it takes a reply that holds a number, within 'from' and 'to' "
                          "when given",
                      v->key);
                ok = false;
            }
        }
        auto from = find(*m, "from");
        auto to = find(*m, "to");
        if (from && to) {
            auto lo = bound(*from);
            auto hi = bound(*to);
            if (lo && hi) k.range = KeywordsDecl::Range{*lo, *hi};
            ok = ok && lo && hi;
        } else if (from || to) {
            error("missing-key",
                  std::string("missing key '") + (from ? "to" : "from") +
                      "' in a number range (write both, or neither for any number)",
                  item.value);
            ok = false;
        }
        k.match = KeywordMatch::number;
        (void)text(*match_entry);
        if (ok) flow.keywords.push_back(std::move(k));
        return;
    }
    for (std::string_view key : {"from", "to"}) {
        if (auto v = find(*m, key)) {
            error("bad-value",
                  "'" + std::string(key) + "' is only for number tests ('match: number')", v->key);
            ok = false;
        }
    }
    if (auto w = require(*m, "words", item.value, "a keyword set")) {
        k.words = strings(*w, "words");
    } else {
        ok = false;
    }
    if (auto v = find(*m, "match")) {
        auto t = text(*v);
        auto match = t ? parse_keyword_match(*t) : std::nullopt;
        if (t && !match) {
            error("bad-value",
                  "expected how the words must match for 'match' (any, all, start, exact, "
                  "number or pattern), "
                  "saw '" +
                      shown(*t) + "'",
                  where(*v));
        }
        if (match) k.match = *match;
        ok = ok && match;
    }
    if (auto v = find(*m, "ignore_accents")) {
        auto t = text(*v);
        if (t && (*t == "true" || *t == "false")) {
            k.ignore_accents = *t == "true";
        } else {
            if (t)
                error("bad-value",
                      "expected true or false for 'ignore_accents', saw '" + shown(*t) + "'",
                      where(*v));
            ok = false;
        }
    }
    if (ok) flow.keywords.push_back(std::move(k));
}

bool is_region(std::string_view s) {
    return s.size() == 2 && std::isupper(static_cast<unsigned char>(s[0])) &&
           std::isupper(static_cast<unsigned char>(s[1]));
}

void Reader::numbers(const Entry& e, FlowDef& flow) {
    NumberPolicy p;
    p.loc = loc(e.key);
    if (e.value.IsScalar()) {
        const auto& t = e.value.Scalar();
        if (t == "all") {
            p.kind = NumberPolicy::Kind::all;
        } else if (t == "nordic") {
            p.kind = NumberPolicy::Kind::nordic;
        } else if (is_region(t)) {
            p.kind = NumberPolicy::Kind::regions;
            p.regions.push_back(t);
        } else {
            error("bad-value",
                  "expected all, nordic, a region code like DK or a list of "
                  "region codes for 'numbers', saw '" +
                      shown(t) + "'",
                  e.value);
            return;
        }
        flow.numbers = p;
        return;
    }
    if (!e.value.IsSequence()) {
        error("expected-list",
              "expected all, nordic, a region code or a list of region codes "
              "for 'numbers', saw " +
                  kind_words(e.value),
              where(e));
        return;
    }
    p.kind = NumberPolicy::Kind::regions;
    for (const auto& n : list(e, "region codes")) {
        auto t = item_text(n, "a region code like DK");
        if (!t) continue;
        if (!is_region(*t)) {
            error("bad-value", "expected a two-letter region code like DK, saw '" + shown(*t) + "'",
                  n);
            continue;
        }
        p.regions.push_back(*t);
    }
    flow.numbers = p;
}

void Reader::caps(const Entry& e, FlowDef& flow) {
    for (const auto& n : list(e, "caps")) {
        auto m = map(n, n, "a cap", {"channel", "max", "per", "segments"});
        if (!m) continue;
        CapDecl c;
        c.loc = loc(n);
        bool ok = true;
        if (auto k = require(*m, "channel", n, "a cap")) {
            auto t = name(*k, "a channel name");
            ok = ok && t;
            if (t) c.channel = *t;
        } else {
            ok = false;
        }
        // {channel: sms, segments: 2}: a cap on a message's SMS parts, not on messages.
        if (const auto* k = find(*m, "segments")) {
            for (const char* other : {"max", "per"}) {
                if (const auto* o = find(*m, other))
                    error("conflicting-keys",
                          "a cap has 'segments' or 'max' and 'per', not both ('" +
                              std::string(other) + "' here)",
                          o->key);
            }
            auto v = whole_number(*k, 0);
            if (ok && v) flow.segment_caps.push_back({c.channel, *v, c.loc});
            continue;
        }
        if (auto k = require(*m, "max", n, "a cap")) {
            auto v = whole_number(*k, 0);
            ok = ok && v;
            if (v) c.count = *v;
        } else {
            ok = false;
        }
        if (auto k = require(*m, "per", n, "a cap")) {
            auto d = duration(*k);
            ok = ok && d;
            if (d) c.per = *d;
        } else {
            ok = false;
        }
        if (ok) flow.caps.push_back(std::move(c));
    }
}

void Reader::templates(const Entry& e, FlowDef& flow) {
    for (const auto& n : list(e, "templates")) {
        auto m = map(n, n, "a template", {"name", "kind", "subject", "text"});
        if (!m) continue;
        TemplateDecl t;
        t.loc = loc(n);
        bool ok = true;
        if (auto k = require(*m, "name", n, "a template")) {
            auto v = name(*k, "a template name");
            ok = ok && v;
            if (v) {
                t.name = *v;
                t.loc = loc(k->value);
            }
        } else {
            ok = false;
        }
        if (auto k = find(*m, "kind")) {
            auto v = text(*k);
            auto kind = v ? parse_channel_kind(*v) : std::nullopt;
            if (v && !kind) {
                error("bad-value",
                      "expected a channel kind (sms, email, letter, voice or "
                      "webhook), saw '" +
                          shown(*v) + "'",
                      where(*k));
            }
            ok = ok && kind;
            t.kind = kind;
        }
        if (auto k = find(*m, "subject")) {
            t.subject = text(*k);
            ok = ok && t.subject;
            if (t.subject) t.subject_loc = text_loc(k->value, *t.subject);
        }
        if (auto k = require(*m, "text", n, "a template")) {
            auto v = text(*k);
            ok = ok && v;
            if (v) {
                t.text = *v;
                t.text_loc = text_loc(k->value, *v);
            }
        } else {
            ok = false;
        }
        if (ok) flow.templates.push_back(std::move(t));
    }
}

void Reader::classifiers(const Entry& e, FlowDef& flow) {
    for (const auto& n : list(e, "classifiers")) {
        auto m = map(n, n, "a classifier", {"name", "from", "rules"});
        if (!m) continue;
        ClassifierDecl c;
        c.loc = loc(n);
        bool ok = true;
        if (auto k = require(*m, "name", n, "a classifier")) {
            auto v = name(*k, "a classifier name");
            ok = ok && v;
            if (v) {
                c.name = *v;
                c.loc = loc(k->value);
            }
        } else {
            ok = false;
        }
        if (auto k = require(*m, "from", n, "a classifier")) {
            c.sources = names(*k, "field names");
        } else {
            ok = false;
        }
        if (auto k = require(*m, "rules", n, "a classifier")) {
            for (const auto& rn : list(*k, "rules")) {
                auto rm = map(rn, rn, "a classifier rule", {"label", "keywords"});
                if (!rm) continue;
                ClassifierRule r;
                r.loc = loc(rn);
                auto label = require(*rm, "label", rn, "a classifier rule");
                auto words = require(*rm, "keywords", rn, "a classifier rule");
                std::optional<std::string> l = label ? name(*label, "a label") : std::nullopt;
                if (!l || !words) continue;
                r.label = *l;
                r.keywords = strings(*words, "keywords");
                c.rules.push_back(std::move(r));
            }
        } else {
            ok = false;
        }
        if (ok) flow.classifiers.push_back(std::move(c));
    }
}

void Reader::triggers(const Entry& e, FlowDef& flow) {
    for (const auto& n : list(e, "triggers")) {
        auto m = map(n, n, "a trigger",
                     {"event", "key", "delay", "only_during", "cooldown", "cooldown_per", "unless",
                      "start"});
        if (!m) continue;
        TriggerDecl t;
        t.loc = loc(n);
        bool ok = true;
        if (auto k = require(*m, "event", n, "a trigger")) {
            auto v = event_name(*k);
            ok = ok && v;
            if (v) t.event = *v;
        } else {
            ok = false;
        }
        if (auto k = require(*m, "key", n, "a trigger")) {
            auto v = name(*k, "a field name");
            ok = ok && v;
            if (v) t.key = *v;
        } else {
            ok = false;
        }
        if (auto k = find(*m, "delay")) {
            t.delay = duration(*k);
            ok = ok && t.delay;
        }
        if (auto k = find(*m, "only_during")) {
            t.only_during = name(*k, "a window name");
            ok = ok && t.only_during;
        }
        if (auto k = find(*m, "cooldown")) {
            t.cooldown = duration(*k);
            ok = ok && t.cooldown;
        }
        if (auto k = find(*m, "cooldown_per")) {
            auto v = name(*k, "a field name");
            ok = ok && v;
            if (v) t.cooldown_per = *v;
            if (!find(*m, "cooldown")) {
                error("missing-key", "'cooldown_per' needs a 'cooldown' in the same trigger",
                      k->key);
                ok = false;
            }
        }
        if (auto k = find(*m, "unless")) {
            t.unless = expression(*k);
            ok = ok && t.unless;
        }
        if (auto k = require(*m, "start", n, "a trigger")) {
            auto v = name(*k, "a state name");
            ok = ok && v;
            if (v) t.start = *v;
        } else {
            ok = false;
        }
        if (ok) flow.triggers.push_back(std::move(t));
    }
}

std::optional<Action> Reader::action(const Node& n) {
    static constexpr std::string_view kinds[] = {"send", "do", "emit", "set"};
    if (!visit(n)) return std::nullopt;
    if (!n.IsMap()) {
        error("expected-map",
              "expected an action (a map with send, do, emit or set), saw " + kind_words(n), n);
        return std::nullopt;
    }
    const Node* kind_key = nullptr;
    std::string kind;
    for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        auto k = it->first.Scalar();
        if (std::find(std::begin(kinds), std::end(kinds), k) == std::end(kinds)) continue;
        if (kind_key && k == kind) continue; // a duplicate key, reported by map()
        if (kind_key) {
            error("conflicting-keys",
                  "an action has both '" + shown(kind) + "' and '" + shown(k) +
                      "'; write one action per list item",
                  it->first);
            return std::nullopt;
        }
        kind = k;
        kind_key = &it->first;
    }
    if (!kind_key) {
        error("missing-key", "an action needs one of the keys send, do, emit or set", n);
        return std::nullopt;
    }
    Action a;
    a.loc = loc(n);
    if (kind == "send") {
        auto m = map(n, n, "a send action", {"send", "template", "text", "fallback", "within"});
        if (!m) return std::nullopt;
        a.kind = Action::Kind::send;
        auto channel = name(*find(*m, "send"), "a channel name");
        const Entry* tmpl = find(*m, "template");
        const Entry* inline_text = find(*m, "text");
        bool ok = channel.has_value();
        if (channel) a.channel = *channel;
        if (tmpl && inline_text) {
            error("conflicting-keys", "a send action has both 'template' and 'text'; use one",
                  inline_text->key);
            ok = false;
        } else if (tmpl) {
            auto v = name(*tmpl, "a template name");
            ok = ok && v;
            if (v) a.template_name = *v;
        } else if (inline_text) {
            a.inline_text = text(*inline_text);
            ok = ok && a.inline_text;
            if (a.inline_text) a.text_loc = text_loc(inline_text->value, *a.inline_text);
        } else {
            error("missing-key", "missing key 'template' or 'text' in a send action", n);
            ok = false;
        }
        if (auto k = find(*m, "fallback")) a.fallback = names(*k, "channel names");
        if (auto k = find(*m, "within")) {
            a.within = name(*k, "a window name");
            ok = ok && a.within;
        }
        if (!ok) return std::nullopt;
    } else if (kind == "do") {
        auto m = map(n, n, "a do action", {"do"});
        if (!m) return std::nullopt;
        a.kind = Action::Kind::run;
        auto v = text(*find(*m, "do"));
        if (!v) return std::nullopt;
        a.name = *v;
    } else if (kind == "emit") {
        auto m = map(n, n, "an emit action", {"emit"});
        if (!m) return std::nullopt;
        a.kind = Action::Kind::emit;
        auto v = event_name(*find(*m, "emit"));
        if (!v) return std::nullopt;
        a.name = *v;
    } else {
        auto m = map(n, n, "a set action", {"set", "value"});
        if (!m) return std::nullopt;
        a.kind = Action::Kind::set;
        auto field = name(*find(*m, "set"), "a field name");
        auto value_key = require(*m, "value", n, "a set action");
        if (value_key) a.value = expression(*value_key);
        if (!field || !a.value) return std::nullopt;
        a.name = *field;
    }
    return a;
}

std::vector<Action> Reader::actions(const Entry& e) {
    std::vector<Action> out;
    for (const auto& n : list(e, "actions")) {
        if (auto a = action(n)) out.push_back(std::move(*a));
    }
    return out;
}

std::optional<Repeat> Reader::repeat(const Node& n) {
    auto m = map(n, n, "a repeat", {"interval", "max", "within", "while", "actions"});
    if (!m) return std::nullopt;
    Repeat r;
    r.loc = loc(n);
    bool ok = true;
    if (auto k = require(*m, "interval", n, "a repeat")) {
        auto d = duration(*k);
        ok = ok && d;
        if (d) r.interval = *d;
    } else {
        ok = false;
    }
    if (auto k = find(*m, "max")) {
        r.max = whole_number(*k, 1);
        ok = ok && r.max;
    }
    if (auto k = find(*m, "within")) {
        r.within = name(*k, "a window name");
        ok = ok && r.within;
    }
    if (auto k = find(*m, "while")) {
        r.while_cond = expression(*k);
        ok = ok && r.while_cond;
    }
    if (auto k = require(*m, "actions", n, "a repeat")) {
        r.actions = actions(*k);
    } else {
        ok = false;
    }
    if (!ok) return std::nullopt;
    return r;
}

std::optional<Choice> Reader::choice(const Node& n) {
    auto m = map(n, n, "a choice", {"if", "goto", "else"});
    if (!m) return std::nullopt;
    Choice c;
    c.loc = loc(n);
    const Entry* cond = find(*m, "if");
    const Entry* otherwise = find(*m, "else");
    if (cond && otherwise) {
        error("conflicting-keys", "a choice has both 'if' and 'else'; write them as two choices",
              otherwise->key);
        return std::nullopt;
    }
    if (otherwise) {
        if (auto g = find(*m, "goto")) {
            error("conflicting-keys", "'else' names its target itself: write {else: STATE}",
                  g->key);
            return std::nullopt;
        }
        auto t = target(*otherwise);
        if (!t) return std::nullopt;
        c.target = *t;
        return c;
    }
    if (!cond) {
        error("missing-key", "a choice needs 'if' with 'goto', or 'else'", n);
        return std::nullopt;
    }
    c.condition = expression(*cond);
    auto g = require(*m, "goto", n, "a choice");
    auto t = g ? target(*g) : std::nullopt;
    if (!c.condition || !t) return std::nullopt;
    c.target = *t;
    return c;
}

std::optional<Handler> Reader::handler(const Node& n) {
    static constexpr std::string_view kinds[] = {"reply", "event", "after", "at", "season"};
    if (!visit(n)) return std::nullopt;
    if (!n.IsMap()) {
        error("expected-map",
              "expected a handler (a map with reply, event, after, at or "
              "season), saw " +
                  kind_words(n),
              n);
        return std::nullopt;
    }
    std::string kind;
    for (auto it = n.begin(); it != n.end(); ++it) {
        if (!it->first.IsScalar()) continue;
        auto k = it->first.Scalar();
        if (std::find(std::begin(kinds), std::end(kinds), k) == std::end(kinds)) continue;
        if (k == kind) continue; // a duplicate key, reported by map()
        if (!kind.empty()) {
            error("conflicting-keys",
                  "a handler has both '" + shown(kind) + "' and '" + shown(k) +
                      "'; write one handler per list item",
                  it->first);
            return std::nullopt;
        }
        kind = k;
    }
    if (kind.empty()) {
        error("missing-key", "a handler needs one of the keys reply, event, after, at or season",
              n);
        return std::nullopt;
    }
    Handler h;
    h.loc = loc(n);
    std::optional<std::vector<Entry>> m;
    bool ok = true;
    if (kind == "reply") {
        m = map(n, n, "a reply handler", {"reply", "as", "if", "goto"});
        if (!m) return std::nullopt;
        h.kind = Handler::Kind::reply;
        auto v = name(*find(*m, "reply"), "a keyword set name, other or any");
        ok = v.has_value();
        if (v) h.keywords = *v;
        if (auto k = find(*m, "as")) {
            auto field = name(*k, "a field name");
            if (field) {
                h.capture = *field;
                h.capture_loc = loc(k->value);
            }
            ok = ok && field;
        }
    } else if (kind == "event") {
        m = map(n, n, "an event handler", {"event", "if", "goto"});
        if (!m) return std::nullopt;
        h.kind = Handler::Kind::event;
        auto v = event_name(*find(*m, "event"));
        ok = v.has_value();
        if (v) h.event = *v;
    } else if (kind == "after") {
        m = map(n, n, "an after handler", {"after", "within", "goto"});
        if (!m) return std::nullopt;
        h.kind = Handler::Kind::after;
        auto d = duration(*find(*m, "after"));
        ok = d.has_value();
        if (d) h.delay = *d;
    } else if (kind == "at") {
        m = map(n, n, "an at handler", {"at", "within", "goto"});
        if (!m) return std::nullopt;
        h.kind = Handler::Kind::at;
        h.at = expression(*find(*m, "at"));
        ok = h.at.has_value();
    } else {
        m = map(n, n, "a season handler", {"season", "spread", "within", "goto"});
        if (!m) return std::nullopt;
        h.kind = Handler::Kind::season;
        auto v = name(*find(*m, "season"), "a season name");
        ok = v.has_value();
        if (v) h.season = *v;
        if (auto k = find(*m, "spread")) {
            auto s = text(*k);
            if (s && *s == "evenly") {
                h.spread = Handler::Spread::evenly;
            } else if (s && s->rfind("by ", 0) == 0 && is_name(s->substr(3))) {
                h.spread = Handler::Spread::by_field;
                h.spread_field = s->substr(3);
            } else {
                if (s) {
                    error("bad-value",
                          "expected evenly or \"by FIELD\" for 'spread', saw '" + *s + "'",
                          where(*k));
                }
                ok = false;
            }
        }
    }
    if (auto k = find(*m, "if")) {
        h.condition = expression(*k);
        ok = ok && h.condition;
    }
    if (auto k = find(*m, "within")) {
        h.within = name(*k, "a window name");
        ok = ok && h.within;
    }
    auto g = require(*m, "goto", n,
                     (kind == "reply" || kind == "season" ? "a " : "an ") + kind + " handler");
    auto t = g ? target(*g) : std::nullopt;
    if (!ok || !t) return std::nullopt;
    h.target = *t;
    return h;
}

std::vector<Handler> Reader::handlers(const Entry& e) {
    std::vector<Handler> out;
    for (const auto& n : list(e, "handlers")) {
        if (auto h = handler(n)) out.push_back(std::move(*h));
    }
    return out;
}

std::optional<Reminder> Reader::reminder(const Node& n) {
    auto m = map(n, n, "a reminder", {"after", "from", "within", "via", "prefix", "times"});
    if (!m) return std::nullopt;
    Reminder r;
    r.loc = loc(n);
    bool ok = true;
    if (auto k = require(*m, "after", n, "a reminder")) {
        auto d = duration(*k);
        ok = ok && d;
        if (d) r.after = *d;
    } else {
        ok = false;
    }
    if (auto k = find(*m, "from")) {
        // `from: first` counts from the message's first sending; `last` (the default) from the
        // last outbound message.
        auto v = text(*k);
        if (v && *v != "first" && *v != "last") {
            error("bad-value",
                  "expected first or last for a reminder's 'from', saw '" + shown(*v) + "'",
                  k->value);
            v.reset();
        }
        ok = ok && v;
        if (v) r.from_first = *v == "first";
    }
    if (auto k = find(*m, "within")) {
        r.within = name(*k, "a window name");
        ok = ok && r.within;
    }
    if (auto k = find(*m, "via")) {
        r.via = name(*k, "a channel name");
        ok = ok && r.via;
    }
    if (auto k = find(*m, "prefix")) {
        auto given = text(*k);
        ok = ok && given;
        if (given && *given != default_reminder_prefix) r.prefix = std::move(given);
    }
    if (auto k = find(*m, "times")) {
        auto v = whole_number(*k, 1);
        ok = ok && v;
        if (v) r.times = *v;
    }
    if (!ok) return std::nullopt;
    return r;
}

std::optional<Outcome> Reader::outcome(const Entry& e) {
    Outcome o;
    o.loc = loc(e.key);
    if (e.value.IsScalar()) {
        auto v = name(e, "an outcome label");
        if (!v) return std::nullopt;
        o.label = *v;
        return o;
    }
    auto m = map(e.value, e.key, "an outcome", {"label", "value"});
    if (!m) return std::nullopt;
    auto label = require(*m, "label", where(e), "an outcome");
    auto v = label ? name(*label, "an outcome label") : std::nullopt;
    if (auto k = find(*m, "value")) {
        o.value = expression(*k);
        if (!o.value) return std::nullopt;
    }
    if (!v) return std::nullopt;
    o.label = *v;
    return o;
}

std::optional<StateDecl> Reader::state(const Node& n) {
    auto m = map(n, n, "a state",
                 {"state", "final", "actions", "every", "choices", "on", "remind", "outcome"});
    if (!m) return std::nullopt;
    StateDecl s;
    s.loc = loc(n);
    const Entry* plain = find(*m, "state");
    const Entry* final = find(*m, "final");
    if (plain && final) {
        error("conflicting-keys", "a state has both 'state' and 'final'; use one", final->key);
        return std::nullopt;
    }
    if (!plain && !final) {
        error("missing-key", "a state needs 'state: NAME' or 'final: NAME'", n);
        return std::nullopt;
    }
    s.is_final = final != nullptr;
    auto v = name(plain ? *plain : *final, "a state name");
    if (!v) return std::nullopt;
    s.name = *v;
    s.loc = loc((plain ? plain : final)->value);
    // A state always has a body; a final has one as soon as any body key is written, so that
    // `final x { }` survives as `{final: x, actions: []}`.
    s.has_body = !s.is_final || m->size() > 1;
    for (const auto& e : *m) {
        if (e.name == "actions") {
            s.actions = actions(e);
        } else if (e.name == "every") {
            for (const auto& r : list(e, "repeats")) {
                if (auto rep = repeat(r)) s.repeats.push_back(std::move(*rep));
            }
        } else if (e.name == "choices") {
            for (const auto& c : list(e, "choices")) {
                if (auto ch = choice(c)) s.choices.push_back(std::move(*ch));
            }
        } else if (e.name == "on") {
            s.handlers = handlers(e);
        } else if (e.name == "remind") {
            for (const auto& r : list(e, "reminders")) {
                if (auto rem = reminder(r)) s.reminders.push_back(std::move(*rem));
            }
        } else if (e.name == "outcome") {
            s.outcome = outcome(e);
        }
    }
    return s;
}

void Reader::states(const Entry& e, FlowDef& flow) {
    for (const auto& n : list(e, "states")) {
        if (auto s = state(n)) flow.states.push_back(std::move(*s));
    }
}

FlowDef Reader::read(const Node& root) {
    FlowDef flow;
    flow.source.file = file_;
    auto m = map(root, root, "the flow",
                 {"flow",        "business",     "version", "timezone", "locale",   "fields",
                  "facts",       "channels",     "windows", "seasons",  "keywords", "lists",
                  "numbers",     "number_kinds", "opt_out", "caps",     "settings", "templates",
                  "classifiers", "triggers",     "states",  "from_any"});
    if (!m) return flow;
    flow.loc = loc(root);
    if (auto k = require(*m, "flow", root, "the file (every flow starts with 'flow: NAME')")) {
        if (auto v = name(*k, "a flow name")) flow.name = *v;
        flow.loc = loc(k->value);
    }
    const Entry* kinds = nullptr; // number_kinds: applied once numbers is read
    for (const auto& e : *m) {
        const auto& key = e.name;
        if (key == "number_kinds") kinds = &e;
        if (key == "version") {
            if (auto v = whole_number(e, 1)) flow.version = *v;
        } else if (key == "business") {
            if (auto v = name(e, "a business's name")) flow.business = *v;
        } else if (key == "settings") {
            for (auto& n : names(e, "setting names"))
                flow.settings.push_back({std::move(n), loc(e.key)});
        } else if (key == "timezone") {
            flow.timezone = text(e);
            flow.timezone_loc = loc(e.value);
        } else if (key == "locale") {
            flow.locale = text(e);
            flow.locale_loc = loc(e.value);
        } else if (key == "fields") {
            fields(e, flow);
        } else if (key == "facts") {
            facts(e, flow);
        } else if (key == "channels") {
            channels(e, flow);
        } else if (key == "windows") {
            windows(e, flow);
        } else if (key == "seasons") {
            seasons(e, flow);
        } else if (key == "keywords" || key == "lists") {
            word_sets(e, flow, key == "keywords");
        } else if (key == "numbers") {
            numbers(e, flow);
        } else if (key == "opt_out") {
            flow.opt_out = strings(e, "opt-out words");
            flow.opt_out_loc = loc(e.key);
        } else if (key == "caps") {
            caps(e, flow);
        } else if (key == "templates") {
            templates(e, flow);
        } else if (key == "classifiers") {
            classifiers(e, flow);
        } else if (key == "triggers") {
            triggers(e, flow);
        } else if (key == "states") {
            states(e, flow);
        } else if (key == "from_any") {
            flow.from_any = handlers(e);
            flow.from_any_loc = loc(e.key);
        }
    }
    if (kinds) number_kinds(*kinds, flow);
    if (!flow.business.empty()) flow.name += "@" + flow.business;
    return flow;
}

// `number_kinds: every` (premium-rate and other service numbers too) or `personal` (the
// default); it qualifies `numbers`, which must be there.
void Reader::number_kinds(const Entry& e, FlowDef& flow) {
    auto t = e.value.IsScalar() ? std::optional<std::string>(e.value.Scalar()) : std::nullopt;
    if (!t || (*t != "every" && *t != "personal")) {
        error("bad-value",
              "expected every or personal for 'number_kinds', saw " +
                  (t ? "'" + shown(*t) + "'" : kind_words(e.value)),
              e.value);
        return;
    }
    if (!flow.numbers) {
        error("bad-value", "'number_kinds' qualifies 'numbers', which this flow does not have",
              e.key);
        return;
    }
    flow.numbers->every_kind = *t == "every";
}

// The position of a tab in the indentation of `line` (or the line before), else line 0.
SourcePos indenting_tab(std::string_view source, std::uint32_t line) {
    if (line == 0) return {};
    std::uint32_t current = 1;
    std::size_t start = 0;
    while (start < source.size()) {
        auto end = source.find('\n', start);
        if (end == std::string_view::npos) end = source.size();
        if (current + 1 >= line && current <= line) {
            for (std::size_t i = start; i < end && (source[i] == ' ' || source[i] == '\t'); ++i) {
                if (source[i] == '\t') {
                    return {current, static_cast<std::uint32_t>(i - start + 1)};
                }
            }
        }
        if (current > line) break;
        ++current;
        start = end + 1;
    }
    return {};
}

} // namespace

ParseResult parse_flow_yaml(std::string_view source, const std::string& filename) {
    ParseResult result;
    auto& diags = result.diagnostics;
    if (source.size() > max_source_bytes) {
        diags.error("too-large",
                    "file is " + std::to_string(source.size()) +
                        " bytes; a flow file may be at most " + std::to_string(max_source_bytes) +
                        " bytes",
                    filename, {});
        return result;
    }
    if (auto bad = detail::first_invalid_utf8(source); bad != std::string_view::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(source[bad]));
        diags.error("encoding",
                    std::string("invalid UTF-8: byte ") + byte +
                        " cannot start or continue a character here",
                    filename, pos_at_offset(source, bad));
        return result;
    }
    char32_t unprintable = 0;
    if (auto bad = unprintable_at(source, unprintable); bad != std::string_view::npos) {
        char code[16];
        std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(unprintable));
        diags.error("encoding",
                    std::string("character ") + code +
                        " is not allowed in YAML as it stands; in a double-quoted string write "
                        "it as an escape such as \\x19",
                    filename, pos_at_offset(source, bad));
        return result;
    }
    // yaml-cpp skips a byte-order mark without counting it; strip it here and shift line 1.
    std::size_t shift = 0;
    std::string_view body = source;
    if (body.substr(0, 3) == "\xEF\xBB\xBF") {
        body.remove_prefix(3);
        shift = 3;
    }
    std::size_t deep_at = 0;
    if (nesting_depth(body, deep_at) > max_nesting) {
        diags.error("too-deep",
                    "collections nested more than " + std::to_string(max_nesting) + " levels deep",
                    filename, pos_at_offset(source, deep_at + shift));
        return result;
    }
    Node root;
    int documents = 0;
    try {
        std::string text(body);
        root = YAML::Load(text);
        repair_escapes(root);
        documents = detail::count_yaml_documents(text);
    } catch (const YAML::Exception& e) {
        SourcePos p = detail::mark_pos(e.mark, shift);
        // yaml-cpp's DeepRecursion carries a meaningless message.
        std::string message =
            dynamic_cast<const YAML::DeepRecursion*>(&e)
                ? "collections nested too deep"
                : detail::yaml_syntax_message(e.msg,
                                              "put a value with ': ' on its own line, or quote it");
        // The most common cause of yaml-cpp's puzzling errors deserves its own words.
        if (auto tab = indenting_tab(source, p.line); tab.line > 0) {
            p = tab;
            message = "a tab indents this line; YAML indents with spaces only";
        }
        diags.error("yaml-syntax", "invalid YAML: " + message, filename, p);
        return result;
    } catch (const std::exception& e) {
        diags.error("yaml-syntax", std::string("invalid YAML: ") + e.what(), filename, {});
        return result;
    }
    if (!root.IsDefined() || root.IsNull()) {
        diags.error("expected-map",
                    "expected a map starting with 'flow: NAME', saw an empty "
                    "document",
                    filename, {1, 1});
        return result;
    }
    if (documents > 1) {
        diags.error("yaml-syntax", "a flow file holds one YAML document, saw more after '---'",
                    filename, {1, 1});
    }
    try {
        Reader reader(source, filename, shift, diags);
        auto flow = reader.read(root);
        if (root.IsMap()) result.flow = std::move(flow);
    } catch (const std::exception& e) {
        // yaml-cpp's accessors may throw on shapes the walk did not expect; that is a bug
        // here, but it must still come back as a diagnostic, not escape to the caller.
        diags.error("yaml-syntax", std::string("could not read the YAML: ") + e.what(), filename,
                    {});
        result.flow.reset();
    }
    return result;
}

} // namespace nudge
