// The .flow.yaml writer. It builds a small ordered tree from the IR and prints it with its own
// layout rules instead of yaml-cpp's emitter, so that the output is the same byte for byte on
// every platform and reads well: block maps, one key per line, short lists of plain values in
// flow style, multi-line text as literal blocks, and quotes only where YAML needs them (or where
// another YAML reader would take the value for a number, boolean or null).
#include <nudge/dsl.hpp>

#include "model/utf8.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace nudge {

namespace {

constexpr std::size_t line_limit = 100;

// ---------------------------------------------------------------------------------------------
// Scalars

// Characters YAML treats as line breaks or does not allow unescaped.
bool needs_escape(char32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0xfeff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0xfffe || cp == 0xffff;
}

// Valid UTF-8 with no character that must be escaped; `newlines` allows '\n'.
bool printable(std::string_view s, bool newlines) {
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        auto n = detail::decode_utf8(s, i, cp);
        if (n == 0) return false;
        if (needs_escape(cp) && !(newlines && cp == '\n')) return false;
        i += n;
    }
    return true;
}

bool equals_folded(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == y;
           });
}

bool all_of(std::string_view s, std::string_view allowed, bool need_digit) {
    bool digit = false;
    for (char c : s) {
        if (c >= '0' && c <= '9')
            digit = true;
        else if (allowed.find(c) == std::string_view::npos)
            return false;
    }
    return !need_digit || digit;
}

// Would some YAML reader (1.1 or 1.2) resolve this plain scalar to a number or timestamp?
bool looks_numeric(std::string_view s) {
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
    if (s.empty()) return false;
    if (s.size() > 2 && s[0] == '0' &&
        std::string_view("xXoObB").find(s[1]) != std::string_view::npos) {
        return all_of(s.substr(2), "abcdefABCDEF_", false);
    }
    if (all_of(s, "._:", true)) return true; // 42, 1.5, 1_000, 09:00 (base 60)
    auto e = s.find_first_of("eE");
    if (e != std::string_view::npos && e > 0 && all_of(s.substr(0, e), "._", true)) {
        auto exp = s.substr(e + 1);
        if (!exp.empty() && (exp[0] == '+' || exp[0] == '-')) exp.remove_prefix(1);
        if (!exp.empty() && all_of(exp, "", true)) return true;
    }
    // 2026-03-28 and friends
    return s.size() >= 10 && all_of(s.substr(0, 4), "", true) && s[4] == '-' &&
           all_of(s.substr(5, 2), "", true) && s[7] == '-';
}

// A plain (unquoted) scalar reads back as exactly this text, in any YAML reader.
bool plain_ok(std::string_view s, bool flow_context) {
    if (s.empty() || s.front() == ' ' || s.back() == ' ') return false;
    if (!printable(s, false)) return false;
    auto first = static_cast<unsigned char>(s[0]);
    if (!(std::isalnum(first) || first == '_' || first == '(' || first >= 0x80)) return false;
    for (char c : s) {
        if (c == ':' || c == '#' || c == '\t') return false;
        // yaml-cpp also refuses `?` inside a plain scalar in a flow collection.
        if (flow_context && std::string_view(",[]{}?").find(c) != std::string_view::npos) {
            return false;
        }
    }
    static constexpr std::array<std::string_view, 10> reserved = {
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"};
    for (auto word : reserved) {
        if (equals_folded(s, word)) return false;
    }
    return !looks_numeric(s);
}

std::string double_quoted(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        char32_t cp = 0;
        auto n = detail::decode_utf8(s, i, cp);
        if (n == 0) {
            // Not UTF-8: YAML text cannot hold this byte; \x gives the closest character.
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[i]));
            out += buf;
            ++i;
            continue;
        }
        switch (cp) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case 0: out += "\\0"; break;
        default:
            if (needs_escape(cp)) {
                char buf[12];
                if (cp < 0x100)
                    std::snprintf(buf, sizeof buf, "\\x%02X", unsigned(cp));
                else
                    std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(cp));
                out += buf;
            } else {
                out.append(s.substr(i, n));
            }
        }
        i += n;
    }
    out += '"';
    return out;
}

// The shortest faithful spelling: plain, else "…" unless the text has " or \ (then '…'),
// else "…" with escapes.
std::string scalar(std::string_view s, bool flow_context = false) {
    if (plain_ok(s, flow_context)) return std::string(s);
    bool simple = printable(s, false);
    if (simple && s.find_first_of("\"\\") == std::string_view::npos) {
        return "\"" + std::string(s) + "\"";
    }
    if (simple) {
        std::string out = "'";
        for (char c : s) {
            out += c;
            if (c == '\'') out += '\'';
        }
        return out + "'";
    }
    return double_quoted(s);
}

// Multi-line text reads best as a literal block (`|`); only used when it reads back exactly.
bool literal_ok(std::string_view s) {
    if (s.find('\n') == std::string_view::npos || !printable(s, true)) return false;
    if (s.front() == ' ' || s.front() == '\n') return false;
    // Keeping several final newlines (`|+`) would also keep the blank line the printer puts
    // between list items; such text is rare and goes in double quotes instead.
    if (s.size() >= 2 && s.substr(s.size() - 2) == "\n\n") return false;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto nl = s.find('\n', start);
        auto line = s.substr(start, nl == std::string_view::npos ? nl : nl - start);
        // A line of only spaces is ambiguous against the block's indentation.
        if (!line.empty() && line.find_first_not_of(' ') == std::string_view::npos) return false;
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// The tree and its printer

struct YNode {
    enum class Kind { text, raw, list, map } kind = Kind::text;
    std::string value;             // text: any string; raw: printed as is
    std::vector<YNode> items;      // list: the items; map: the values
    std::vector<std::string> keys; // map: keys[i] names items[i]
    bool spaced = false;           // list: blank line between items
    bool user_keys = false;        // map: keys are user names (quoted when needed), not schema keys
};

YNode text(std::string v) { return {YNode::Kind::text, std::move(v), {}, {}, false, false}; }
YNode raw(std::string v) { return {YNode::Kind::raw, std::move(v), {}, {}, false, false}; }
YNode list() { return {YNode::Kind::list, {}, {}, {}, false, false}; }
YNode map() { return {YNode::Kind::map, {}, {}, {}, false, false}; }
// A map from user names (fields, windows, keyword sets, …) to values.
YNode name_map() { return {YNode::Kind::map, {}, {}, {}, false, true}; }

YNode text_list(const std::vector<std::string>& items) {
    YNode out = list();
    for (const auto& i : items)
        out.items.push_back(text(i));
    return out;
}

void add(YNode& m, std::string key, YNode value) {
    m.keys.push_back(std::move(key));
    m.items.push_back(std::move(value));
}
void add(YNode& m, std::string key, std::string value) {
    add(m, std::move(key), text(std::move(value)));
}

bool is_scalar(const YNode& n) { return n.kind == YNode::Kind::text || n.kind == YNode::Kind::raw; }

std::string inline_scalar(const YNode& n, bool flow_context) {
    return n.kind == YNode::Kind::raw ? n.value : scalar(n.value, flow_context);
}

// `[a, b]` when every item is a one-line scalar; nullopt otherwise.
std::optional<std::string> flow_list(const YNode& n) {
    std::string out = "[";
    for (std::size_t i = 0; i < n.items.size(); ++i) {
        if (!is_scalar(n.items[i])) return std::nullopt;
        if (i) out += ", ";
        out += inline_scalar(n.items[i], true);
    }
    return out + "]";
}

class Printer {
public:
    std::string out;

    // `key: value` at `indent`; `lead` is what starts the line ("- " for a list item's first
    // key), already counted in `indent`.
    // Schema keys are printed bare, as the documentation spells them (`on:` included, as in
    // GitHub Actions); user names are quoted when another YAML reader could misread them.
    void entry(std::size_t indent, std::string_view lead, const std::string& key,
               const YNode& value, bool user_key = false) {
        std::string head = std::string(indent - lead.size(), ' ') + std::string(lead) +
                           (user_key ? scalar(key) : key) + ":";
        switch (value.kind) {
        case YNode::Kind::raw: out += head + " " + value.value + "\n"; break;
        case YNode::Kind::text:
            if (literal_ok(value.value)) {
                literal(head, indent + 2, value.value);
            } else {
                out += head + " " + scalar(value.value) + "\n";
            }
            break;
        case YNode::Kind::list: {
            auto flow = flow_list(value);
            if (value.items.empty() || (flow && head.size() + 1 + flow->size() <= line_limit)) {
                out += head + " " + (flow ? *flow : "[]") + "\n";
            } else {
                out += head + "\n";
                items(indent + 2, value);
            }
            break;
        }
        case YNode::Kind::map:
            if (value.keys.empty()) {
                out += head + " {}\n";
            } else {
                out += head + "\n";
                for (std::size_t i = 0; i < value.keys.size(); ++i) {
                    entry(indent + 2, "", value.keys[i], value.items[i], value.user_keys);
                }
            }
            break;
        }
    }

    void items(std::size_t indent, const YNode& list_node) {
        bool first = true;
        for (const auto& item : list_node.items) {
            if (list_node.spaced && !first) out += "\n";
            first = false;
            switch (item.kind) {
            case YNode::Kind::map:
                if (item.keys.empty()) {
                    out += std::string(indent, ' ') + "- {}\n";
                    break;
                }
                for (std::size_t i = 0; i < item.keys.size(); ++i) {
                    entry(indent + 2, i == 0 ? "- " : "", item.keys[i], item.items[i]);
                }
                break;
            case YNode::Kind::list:
                out += std::string(indent, ' ') + "- " + flow_list(item).value_or("[]") + "\n";
                break;
            default:
                if (item.kind == YNode::Kind::text && item.value.find('\n') != std::string::npos) {
                    out += std::string(indent, ' ') + "- " + double_quoted(item.value) + "\n";
                } else {
                    out += std::string(indent, ' ') + "- " + inline_scalar(item, false) + "\n";
                }
            }
        }
    }

private:
    void literal(const std::string& head, std::size_t indent, std::string_view s) {
        std::size_t trailing = 0;
        while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n')
            ++trailing;
        out += head + (trailing == 0 ? " |-" : " |") + "\n";
        auto body = s.substr(0, s.size() - trailing);
        std::size_t start = 0;
        while (true) {
            auto nl = body.find('\n', start);
            auto line = body.substr(start, nl == std::string_view::npos ? nl : nl - start);
            if (!line.empty()) out += std::string(indent, ' ') + std::string(line);
            out += "\n";
            if (nl == std::string_view::npos) break;
            start = nl + 1;
        }
    }
};

// ---------------------------------------------------------------------------------------------
// IR → tree

std::string spread_text(const Handler& h) {
    return h.spread == Handler::Spread::evenly ? "evenly" : "by " + h.spread_field;
}

YNode action_node(const Action& a);

YNode actions_node(const std::vector<Action>& actions) {
    YNode out = list();
    for (const auto& a : actions)
        out.items.push_back(action_node(a));
    return out;
}

YNode action_node(const Action& a) {
    YNode m = map();
    switch (a.kind) {
    case Action::Kind::send:
        add(m, "send", a.channel);
        if (a.inline_text)
            add(m, "text", *a.inline_text);
        else
            add(m, "template", a.template_name);
        if (!a.fallback.empty()) add(m, "fallback", text_list(a.fallback));
        if (a.within) add(m, "within", *a.within);
        break;
    case Action::Kind::run: add(m, "do", a.name); break;
    case Action::Kind::emit: add(m, "emit", a.name); break;
    case Action::Kind::set:
        add(m, "set", a.name);
        add(m, "value", a.value ? to_text(*a.value) : std::string());
        break;
    }
    return m;
}

YNode handler_node(const Handler& h) {
    YNode m = map();
    switch (h.kind) {
    case Handler::Kind::reply:
        add(m, "reply", h.keywords);
        if (!h.capture.empty()) add(m, "as", h.capture);
        break;
    case Handler::Kind::event: add(m, "event", h.event); break;
    case Handler::Kind::after: add(m, "after", to_text(h.delay)); break;
    case Handler::Kind::at: add(m, "at", h.at ? to_text(*h.at) : std::string()); break;
    case Handler::Kind::season:
        add(m, "season", h.season);
        if (h.spread != Handler::Spread::none) add(m, "spread", spread_text(h));
        break;
    }
    if (h.condition && (h.kind == Handler::Kind::reply || h.kind == Handler::Kind::event)) {
        add(m, "if", to_text(*h.condition));
    }
    if (h.within && h.kind != Handler::Kind::reply && h.kind != Handler::Kind::event) {
        add(m, "within", *h.within);
    }
    add(m, "goto", to_text(h.target));
    return m;
}

YNode handlers_node(const std::vector<Handler>& handlers) {
    YNode out = list();
    for (const auto& h : handlers)
        out.items.push_back(handler_node(h));
    return out;
}

YNode state_node(const StateDecl& s) {
    YNode m = map();
    add(m, s.is_final ? "final" : "state", s.name);
    if (!s.actions.empty()) add(m, "actions", actions_node(s.actions));
    if (!s.repeats.empty()) {
        YNode reps = list();
        for (const auto& r : s.repeats) {
            YNode rm = map();
            add(rm, "interval", to_text(r.interval));
            if (r.max) add(rm, "max", raw(std::to_string(*r.max)));
            if (r.within) add(rm, "within", *r.within);
            if (r.while_cond) add(rm, "while", to_text(*r.while_cond));
            add(rm, "actions", actions_node(r.actions));
            reps.items.push_back(std::move(rm));
        }
        add(m, "every", std::move(reps));
    }
    if (!s.choices.empty()) {
        YNode choices = list();
        for (const auto& c : s.choices) {
            YNode cm = map();
            if (c.condition) {
                add(cm, "if", to_text(*c.condition));
                add(cm, "goto", to_text(c.target));
            } else {
                add(cm, "else", to_text(c.target));
            }
            choices.items.push_back(std::move(cm));
        }
        add(m, "choices", std::move(choices));
    }
    if (!s.handlers.empty()) add(m, "on", handlers_node(s.handlers));
    if (!s.reminders.empty()) {
        YNode rems = list();
        for (const auto& r : s.reminders) {
            YNode rm = map();
            add(rm, "after", to_text(r.after));
            if (r.from_first) add(rm, "from", "first");
            if (r.within) add(rm, "within", *r.within);
            if (r.via) add(rm, "via", *r.via);
            if (r.prefix) add(rm, "prefix", *r.prefix);
            if (r.times != 1) add(rm, "times", raw(std::to_string(r.times)));
            rems.items.push_back(std::move(rm));
        }
        add(m, "remind", std::move(rems));
    }
    if (s.outcome) {
        if (s.outcome->value) {
            YNode om = map();
            add(om, "label", s.outcome->label);
            add(om, "value", to_text(*s.outcome->value));
            add(m, "outcome", std::move(om));
        } else {
            add(m, "outcome", s.outcome->label);
        }
    }
    // `final x { }`: an empty body must still be visible.
    if (s.is_final && s.has_body && m.keys.size() == 1) add(m, "actions", list());
    return m;
}

YNode flow_node(const FlowDef& f) {
    YNode root = map();
    add(root, "flow", std::string(base_name(f)));
    if (!f.business.empty()) add(root, "business", f.business);
    if (f.version != 1) add(root, "version", raw(std::to_string(f.version)));
    if (f.timezone) add(root, "timezone", *f.timezone);
    if (f.locale) add(root, "locale", *f.locale);
    if (!f.fields.empty()) {
        YNode m = name_map();
        for (const auto& d : f.fields) {
            auto type = std::string(to_string(d.type)) + (d.optional ? "?" : "");
            if (!d.default_value) {
                add(m, d.name, type);
                continue;
            }
            YNode field = map();
            add(field, "type", type);
            add(field, "default", *d.default_value);
            add(m, d.name, std::move(field));
        }
        add(root, "fields", std::move(m));
    }
    if (!f.facts.empty()) {
        YNode m = name_map();
        for (const auto& d : f.facts)
            add(m, d.name, std::string(to_string(d.type)));
        add(root, "facts", std::move(m));
    }
    if (!f.channels.empty()) {
        YNode l = list();
        for (const auto& c : f.channels) {
            YNode m = map();
            if (c.name != to_string(c.kind)) add(m, "name", c.name);
            add(m, "kind", std::string(to_string(c.kind)));
            add(m, c.to_is_literal ? "to_address" : "to", c.to);
            if (c.from) add(m, "from", *c.from);
            if (c.off) add(m, "off", raw("true"));
            l.items.push_back(std::move(m));
        }
        add(root, "channels", std::move(l));
    }
    if (!f.windows.empty()) {
        YNode m = name_map();
        for (const auto& w : f.windows) {
            std::vector<std::string> slots;
            for (const auto& s : w.slots)
                slots.push_back(to_text(s));
            if (!w.not_during && w.closed.empty()) {
                add(m, w.name, text_list(slots));
                continue;
            }
            YNode wm = map();
            add(wm, "slots", text_list(slots));
            if (w.not_during) add(wm, "not_during", raw("true"));
            if (!w.closed.empty()) {
                std::vector<std::string> days;
                for (const auto& d : w.closed)
                    days.push_back(to_text(d));
                add(wm, "closed_on", text_list(days));
            }
            add(m, w.name, std::move(wm));
        }
        add(root, "windows", std::move(m));
    }
    if (!f.seasons.empty()) {
        YNode m = name_map();
        for (const auto& s : f.seasons)
            add(m, s.name, to_text(s));
        add(root, "seasons", std::move(m));
    }
    if (!f.keywords.empty()) {
        YNode m = name_map();
        for (const auto& k : f.keywords) {
            if (k.match == KeywordMatch::pattern) {
                YNode set = map();
                add(set, "match", std::string(to_string(k.match)));
                add(set, "pattern", k.pattern);
                add(m, k.name, std::move(set));
                continue;
            }
            if (k.match == KeywordMatch::yes || k.match == KeywordMatch::no ||
                k.match == KeywordMatch::date || k.match == KeywordMatch::time) {
                YNode set = map();
                add(set, "match", std::string(to_string(k.match)));
                add(m, k.name, std::move(set));
                continue;
            }
            if (k.match == KeywordMatch::number) {
                YNode set = map();
                add(set, "match", std::string(to_string(k.match)));
                if (k.range) {
                    auto bounds = to_text(*k.range); // "MIN to MAX"
                    auto gap = bounds.find(" to ");
                    add(set, "from", raw(bounds.substr(0, gap)));
                    add(set, "to", raw(bounds.substr(gap + 4)));
                }
                add(m, k.name, std::move(set));
                continue;
            }
            if (k.match == KeywordMatch::any && !k.ignore_accents) {
                add(m, k.name, text_list(k.words));
                continue;
            }
            YNode set = map();
            add(set, "words", text_list(k.words));
            if (k.match != KeywordMatch::any) add(set, "match", std::string(to_string(k.match)));
            if (k.ignore_accents) add(set, "ignore_accents", raw("true"));
            add(m, k.name, std::move(set));
        }
        add(root, "keywords", std::move(m));
    }
    if (!f.lists.empty()) {
        YNode m = name_map();
        for (const auto& l : f.lists)
            add(m, l.name, text_list(l.items));
        add(root, "lists", std::move(m));
    }
    if (f.numbers) {
        switch (f.numbers->kind) {
        case NumberPolicy::Kind::all: add(root, "numbers", "all"); break;
        case NumberPolicy::Kind::nordic: add(root, "numbers", "nordic"); break;
        case NumberPolicy::Kind::regions:
            if (f.numbers->regions.size() == 1)
                add(root, "numbers", f.numbers->regions[0]);
            else
                add(root, "numbers", text_list(f.numbers->regions));
            break;
        }
        if (f.numbers->every_kind) add(root, "number_kinds", "every");
    }
    if (!f.opt_out.empty()) add(root, "opt_out", text_list(f.opt_out));
    if (!f.caps.empty() || !f.segment_caps.empty()) {
        YNode l = list();
        for (const auto& c : f.caps) {
            YNode m = map();
            add(m, "channel", c.channel);
            add(m, "max", raw(std::to_string(c.count)));
            add(m, "per", to_text(c.per));
            l.items.push_back(std::move(m));
        }
        for (const auto& c : f.segment_caps) {
            YNode m = map();
            add(m, "channel", c.channel);
            add(m, "segments", raw(std::to_string(c.count)));
            l.items.push_back(std::move(m));
        }
        add(root, "caps", std::move(l));
    }
    if (!f.settings.empty()) {
        std::vector<std::string> names;
        for (const auto& st : f.settings)
            names.push_back(st.name);
        add(root, "settings", text_list(names));
    }
    if (!f.templates.empty()) {
        YNode l = list();
        l.spaced = true;
        for (const auto& t : f.templates) {
            YNode m = map();
            add(m, "name", t.name);
            if (t.kind) add(m, "kind", std::string(to_string(*t.kind)));
            if (t.subject) add(m, "subject", *t.subject);
            add(m, "text", t.text);
            l.items.push_back(std::move(m));
        }
        add(root, "templates", std::move(l));
    }
    if (!f.classifiers.empty()) {
        YNode l = list();
        for (const auto& c : f.classifiers) {
            YNode m = map();
            add(m, "name", c.name);
            add(m, "from", text_list(c.sources));
            YNode rules = list();
            for (const auto& r : c.rules) {
                YNode rm = map();
                add(rm, "label", r.label);
                add(rm, "keywords", text_list(r.keywords));
                rules.items.push_back(std::move(rm));
            }
            add(m, "rules", std::move(rules));
            l.items.push_back(std::move(m));
        }
        add(root, "classifiers", std::move(l));
    }
    if (!f.triggers.empty()) {
        YNode l = list();
        l.spaced = true;
        for (const auto& t : f.triggers) {
            YNode m = map();
            add(m, "event", t.event);
            add(m, "key", t.key);
            if (t.delay) add(m, "delay", to_text(*t.delay));
            if (t.only_during) add(m, "only_during", *t.only_during);
            if (t.cooldown) add(m, "cooldown", to_text(*t.cooldown));
            if (!t.cooldown_per.empty()) add(m, "cooldown_per", t.cooldown_per);
            if (t.unless) add(m, "unless", to_text(*t.unless));
            add(m, "start", t.start);
            l.items.push_back(std::move(m));
        }
        add(root, "triggers", std::move(l));
    }
    if (!f.states.empty()) {
        YNode l = list();
        l.spaced = true;
        for (const auto& s : f.states)
            l.items.push_back(state_node(s));
        add(root, "states", std::move(l));
    }
    if (!f.from_any.empty()) add(root, "from_any", handlers_node(f.from_any));
    return root;
}

} // namespace

std::string flow_to_yaml(const FlowDef& flow) {
    auto root = flow_node(flow);
    Printer p;
    bool header = true;
    for (std::size_t i = 0; i < root.keys.size(); ++i) {
        const auto& key = root.keys[i];
        const auto& value = root.items[i];
        // The header (flow, version, timezone, locale) stays together; every section after it
        // gets a blank line above it.
        if (!is_scalar(value) || (key != "version" && key != "timezone" && key != "locale" &&
                                  key != "flow" && key != "business")) {
            header = false;
        }
        if (!header && !p.out.empty()) p.out += "\n";
        p.entry(0, "", key, value);
    }
    return p.out;
}

} // namespace nudge
