// Symbol tables: every declared name, duplicates and reserved names, and the lookups the other
// checks use to report unknown names with a suggestion.
#include "check/detail.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

std::string_view value_kind_name(ValueInfo::Kind k) {
    switch (k) {
    case ValueInfo::Kind::field: return "field";
    case ValueInfo::Kind::fact: return "fact";
    case ValueInfo::Kind::classifier: return "classifier";
    }
    return "field";
}

void add_value(Checker& c, const std::string& name, ValueInfo info, const Loc& loc,
               std::string_view keyword) {
    auto [it, inserted] = c.values.emplace(name, info);
    if (!inserted) {
        c.error("duplicate-name",
                q(name) + " is already declared as a " +
                    std::string(value_kind_name(it->second.kind)) + " on line " +
                    std::to_string(it->second.line),
                loc.begin, keyword_span(keyword, name));
    }
}

// Adds `decl` under its name unless taken; reports the duplicate against the first one.
template <class Map, class Decl>
void add_unique(Checker& c, Map& map, const Decl& decl, std::string_view what,
                std::string_view keyword) {
    auto [it, inserted] = map.emplace(decl.name, &decl);
    if (!inserted) {
        c.error("duplicate-name",
                std::string(what) + " " + q(decl.name) + " is already declared on line " +
                    std::to_string(it->second->loc.begin.line),
                decl.loc.begin, keyword_span(keyword, decl.name));
    }
}

void add_template(Checker& c, const TemplateDecl& t) {
    auto& variants = c.templates[t.name];
    for (const auto* other : variants) {
        if (other->kind != t.kind) continue;
        std::string variant = t.kind ? a_kind(*t.kind) + " variant" : "a variant without a kind";
        c.error("duplicate-name",
                "template " + q(t.name) + " already has " + variant + " on line " +
                    std::to_string(other->loc.begin.line),
                t.loc.begin, keyword_span("template", t.name));
        return;
    }
    variants.push_back(&t);
}

} // namespace

void collect_names(Checker& c) {
    const auto& f = c.flow;
    for (const auto& d : f.fields) {
        add_value(c, d.name,
                  {ValueInfo::Kind::field, type_of_field(d.type), d.optional, d.loc.begin.line},
                  d.loc, "field");
    }
    for (const auto& d : f.facts) {
        add_value(c, d.name, {ValueInfo::Kind::fact, type_of_field(d.type), true, d.loc.begin.line},
                  d.loc, "fact");
    }
    for (const auto& d : f.classifiers) {
        add_value(c, d.name, {ValueInfo::Kind::classifier, Ty::text, true, d.loc.begin.line}, d.loc,
                  "classify");
    }
    // Words an expression reads as operators or literals: a value so named could never be read.
    auto expression_word = [&](const std::string& name, const NodeLoc& loc, std::string_view kind) {
        static constexpr std::string_view words[] = {"and",  "or",    "not", "in",
                                                     "true", "false", "none"};
        if (std::find(std::begin(words), std::end(words), name) == std::end(words)) return;
        c.error("reserved-name",
                q(name) + " cannot name a " + std::string(kind) +
                    ": expressions read it as a word of the language",
                loc.begin, keyword_span(kind, name));
    };
    for (const auto& d : f.fields)
        expression_word(d.name, d.loc, "field");
    for (const auto& d : f.facts)
        expression_word(d.name, d.loc, "fact");
    for (const auto& d : f.lists)
        expression_word(d.name, d.loc, "list");
    for (const auto& s : f.states) {
        std::string_view keyword = s.is_final ? "final" : "state";
        add_unique(c, c.states, s, "state", keyword);
        if (s.name == "restart" || s.name == "inbox") {
            c.error("reserved-name",
                    q(s.name) + " cannot name a state: '-> " + s.name + "' has its own meaning",
                    s.loc.begin, keyword_span(keyword, s.name));
        }
    }
    for (const auto& d : f.channels)
        add_unique(c, c.channels, d, "channel", "channel");
    for (const auto& d : f.windows)
        add_unique(c, c.windows, d, "window", "window");
    for (const auto& d : f.seasons)
        add_unique(c, c.seasons, d, "season", "season");
    for (const auto& d : f.keywords) {
        add_unique(c, c.keywords, d, "keywords", "keywords");
        if (d.name == "other" || d.name == "any") {
            c.error("reserved-name",
                    q(d.name) + " cannot name a keyword set: 'on reply " + d.name + "' is built in",
                    d.loc.begin, keyword_span("keywords", d.name));
        }
    }
    for (const auto& d : f.lists)
        add_unique(c, c.lists, d, "list", "list");
    for (const auto& t : f.templates)
        add_template(c, t);
}

namespace {

template <class Map>
bool resolve(Checker& c, const Map& map, std::string_view code, std::string_view what,
             const std::string& name, SourcePos pos, std::uint32_t length) {
    if (map.find(name) != map.end()) return true;
    c.error(std::string(code),
            "unknown " + std::string(what) + " " + q(name) +
                c.suggest(what, name, [&] { return keys_of(map); }),
            pos, length);
    return false;
}

} // namespace

bool resolve_window(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length) {
    return resolve(c, c.windows, "unknown-window", "window", name, pos, length);
}

bool resolve_channel(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length) {
    return resolve(c, c.channels, "unknown-channel", "channel", name, pos, length);
}

bool resolve_season(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length) {
    return resolve(c, c.seasons, "unknown-season", "season", name, pos, length);
}

bool resolve_state(Checker& c, const std::string& name, SourcePos pos, std::uint32_t length) {
    return resolve(c, c.states, "unknown-state", "state", name, pos, length);
}

const ValueInfo* resolve_value(Checker& c, const std::string& name, SourcePos pos,
                               std::uint32_t length) {
    auto it = c.values.find(name);
    if (it != c.values.end()) return &it->second;
    c.error("unknown-field",
            "unknown field " + q(name) +
                c.suggest("field", name, [&] { return keys_of(c.values); }),
            pos, length);
    return nullptr;
}

} // namespace nudge::detail
