#include "dsl/yaml_walk.hpp"

#include <yaml-cpp/eventhandler.h>

#include <cctype>
#include <cstdio>
#include <sstream>
#include <unordered_set>

namespace nudge::detail {

std::string shown(std::string_view s) {
    constexpr std::size_t max_shown = 40;
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max_shown; ++i) {
        auto u = static_cast<unsigned char>(s[i]);
        if (s[i] == '\n') {
            out += "\\n";
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += s[i];
        }
    }
    if (s.size() > max_shown) {
        // Do not cut a UTF-8 character in half.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xc0) == 0x80) {
            out.pop_back();
        }
        if (!out.empty() && static_cast<unsigned char>(out.back()) >= 0xc0) out.pop_back();
        out += "…";
    }
    return out;
}

bool is_name(std::string_view s) {
    if (s.empty()) return false;
    auto head = static_cast<unsigned char>(s[0]);
    if (!(std::isalpha(head) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return std::isalnum(u) || c == '_';
    });
}

bool is_dotted_name(std::string_view s) {
    std::size_t start = 0;
    while (true) {
        auto dot = s.find('.', start);
        if (!is_name(s.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
            return false;
        }
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::string kind_words(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "'" + shown(n.Scalar()) + "'";
    default: return "nothing";
    }
}

namespace {

// Receives parser events and drops them: used to count documents without building them.
class IgnoreEvents final : public YAML::EventHandler {
public:
    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

} // namespace

int count_yaml_documents(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    IgnoreEvents ignore;
    int documents = 0;
    while (documents < 2 && parser.HandleNextDocument(ignore))
        ++documents;
    return documents;
}

std::string yaml_syntax_message(const std::string& msg, std::string_view map_value_hint) {
    if (msg == "end of map flow not found") return "'{' is not closed: expected ',' or '}'";
    if (msg == "end of sequence flow not found") return "'[' is not closed: expected ',' or ']'";
    if (msg == "illegal map value") return "unexpected ':' (" + std::string(map_value_hint) + ")";
    return msg;
}

SourcePos mark_pos(const YAML::Mark& m, std::size_t column_shift) {
    if (m.line < 0 || m.column < 0) return {};
    SourcePos p{static_cast<std::uint32_t>(m.line + 1), static_cast<std::uint32_t>(m.column + 1)};
    if (p.line == 1) p.column += static_cast<std::uint32_t>(column_shift);
    return p;
}

std::size_t YamlWalker::offset(const YAML::Node& n) const {
    auto m = n.Mark();
    return m.pos < 0 ? std::string_view::npos : static_cast<std::size_t>(m.pos) + column_shift_;
}

bool YamlWalker::quoted(const YAML::Node& n) const {
    auto at = offset(n);
    return n.IsScalar() && at < source_.size() && (source_[at] == '"' || source_[at] == '\'');
}

std::size_t YamlWalker::null_token(const YAML::Node& n) const {
    auto at = offset(n);
    if (!n.IsNull() || at >= source_.size()) return 0;
    auto rest = source_.substr(at);
    auto ends = [&](std::size_t len) {
        return rest.size() == len ||
               std::string_view(" \t\r\n,]}#").find(rest[len]) != std::string_view::npos;
    };
    if (rest[0] == '~' && ends(1)) return 1;
    for (std::string_view word : {"null", "Null", "NULL"}) {
        if (rest.substr(0, 4) == word && ends(4)) return 4;
    }
    return 0;
}

std::uint32_t YamlWalker::length(const YAML::Node& n) const {
    if (n.IsNull()) return static_cast<std::uint32_t>(std::max<std::size_t>(null_token(n), 1));
    if (!n.IsScalar()) return 1;
    auto size = n.Scalar().size() + (quoted(n) ? 2 : 0);
    return static_cast<std::uint32_t>(std::clamp<std::size_t>(size, 1, 200));
}

void YamlWalker::report(std::string code, std::string message, SourcePos at,
                        std::uint32_t columns) {
    if (diags_.error_count() == max_errors_) {
        diags_.error("too-many-errors", "too many errors; stopping here", file_, at);
    }
    if (diags_.error_count() > max_errors_) return;
    diags_.error(std::move(code), std::move(message), file_, at, columns);
}

void YamlWalker::unknown_key(const YamlEntry& e, std::string_view what,
                             const std::vector<std::string_view>& allowed) {
    auto guess = nearest(e.name, allowed, near_(e.name));
    error("unknown-key",
          "unknown key '" + shown(e.name) + "' in " + std::string(what) +
              (guess.empty() ? "; allowed: " + join(allowed)
                             : "; did you mean '" + guess + "'? (allowed: " + join(allowed) + ")"),
          e.key);
}

bool YamlWalker::visit(const YAML::Node& n) {
    if (budget_ > 0) {
        --budget_;
        return true;
    }
    if (!out_of_budget_) {
        out_of_budget_ = true;
        error("too-large", "aliases expand this file beyond its own size", n);
    }
    return false;
}

std::optional<std::vector<YamlEntry>>
YamlWalker::entries(const YAML::Node& n, const YAML::Node& at, std::string_view what,
                    const std::vector<std::string_view>& allowed, Absent absent) {
    if (!visit(n)) return std::nullopt;
    if ((absent == Absent::empty && !n.IsDefined()) || n.IsNull()) return std::vector<YamlEntry>{};
    if (!n.IsMap()) {
        error("expected-map", "expected a map for " + std::string(what) + ", saw " + kind_words(n),
              n.IsDefined() ? n : at);
        return std::nullopt;
    }
    std::vector<YamlEntry> out;
    std::unordered_set<std::string> seen; // one lookup per key: maps may be large
    for (auto it = n.begin(); it != n.end(); ++it) {
        YamlEntry e{it->first, it->second, {}};
        if (!e.key.IsScalar()) {
            error("expected-scalar",
                  "expected a key name in " + std::string(what) + ", saw " + kind_words(e.key),
                  e.key);
            continue;
        }
        e.name = e.key.Scalar();
        if (!seen.insert(e.name).second) {
            error("duplicate-key", "duplicate key '" + shown(e.name) + "' in " + std::string(what),
                  e.key);
            continue;
        }
        if (!allowed.empty() &&
            std::find(allowed.begin(), allowed.end(), e.name) == allowed.end()) {
            unknown_key(e, what, allowed);
            continue;
        }
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace nudge::detail
