// Canonical spellings of single statements (dsl/REFERENCE.md, "Canonical form").
#include "format/statement_text.hpp"

namespace nudge::detail {

namespace {

std::string quoted_list(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += quote(items[i]);
    }
    return out;
}

std::string name_list(const std::vector<std::string>& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += items[i];
    }
    return out;
}

std::string arrow(const Target& t) { return " -> " + to_text(t); }

std::string within(const std::optional<std::string>& w) {
    return w ? " within " + *w : std::string();
}

std::string condition(const std::optional<Expr>& c) {
    return c ? " if " + to_text(*c) : std::string();
}

// A pattern reads best with its backslashes as written: """…""" keeps them, when the
// pattern can sit between triple quotes; otherwise the plain string form escapes them.
std::string pattern_text(const std::string& p) {
    bool triple = p.find('\\') != std::string::npos && p.find('\n') == std::string::npos &&
                  p.find("\"\"\"") == std::string::npos && p.back() != '"';
    return triple ? "\"\"\"" + p + "\"\"\"" : quote(p);
}

} // namespace

std::string header_text(const FlowDef& flow) {
    std::string out = "flow " + std::string(base_name(flow));
    if (!flow.business.empty()) out += " for " + flow.business;
    if (flow.version != 1) out += " version " + std::to_string(flow.version);
    return out;
}

std::string statement_text(const FieldDecl& f) {
    return "field " + f.name + ": " + std::string(to_string(f.type)) + (f.optional ? "?" : "") +
           (f.default_value ? " = " + quote(*f.default_value) : "");
}

std::string statement_text(const FactDecl& f) {
    return "fact " + f.name + ": " + std::string(to_string(f.type));
}

std::string statement_text(const ChannelDecl& c) {
    std::string out = "channel ";
    // The short form names the channel after its kind.
    if (c.name != to_string(c.kind)) out += c.name + ' ';
    out += std::string(to_string(c.kind)) + " to " + (c.to_is_literal ? quote(c.to) : c.to);
    if (c.from) out += " from " + quote(*c.from);
    if (c.off) out += " off";
    return out;
}

std::string statement_text(const WindowDecl& w) {
    return "window " + w.name + " = " + window_body_text(w);
}

std::string statement_text(const SeasonDecl& s) { return "season " + s.name + " = " + to_text(s); }

std::string statement_text(const KeywordsDecl& k) {
    std::string_view match;
    switch (k.match) {
    case KeywordMatch::any: break;
    case KeywordMatch::all: match = "all of "; break;
    case KeywordMatch::start: match = "starting with "; break;
    case KeywordMatch::exact: match = "exactly "; break;
    case KeywordMatch::pattern:
        return "keywords " + k.name + " = pattern " + pattern_text(k.pattern);
    case KeywordMatch::number:
        return "keywords " + k.name + " = number" + (k.range ? " " + to_text(*k.range) : "");
    case KeywordMatch::yes:
    case KeywordMatch::no:
    case KeywordMatch::date:
    case KeywordMatch::time: return "keywords " + k.name + " = " + std::string(to_string(k.match));
    }
    return "keywords " + k.name + " = " + std::string(match) + quoted_list(k.words) +
           (k.ignore_accents ? " ignoring accents" : "");
}

std::string statement_text(const ListDecl& l) {
    return "list " + l.name + " = " + quoted_list(l.items);
}

std::string statement_text(const NumberPolicy& n) {
    std::string regions;
    switch (n.kind) {
    case NumberPolicy::Kind::all: regions = "all"; break;
    case NumberPolicy::Kind::nordic: regions = "nordic"; break;
    case NumberPolicy::Kind::regions:
        regions = n.regions.size() == 1 ? n.regions.front() : "[" + name_list(n.regions) + "]";
        break;
    }
    return "numbers " + regions + (n.every_kind ? ", every kind" : "");
}

std::string opt_out_text(const std::vector<std::string>& words) {
    return "opt_out " + quoted_list(words);
}

std::string settings_text(const std::vector<SettingDecl>& settings) {
    std::string out = "settings ";
    for (std::size_t i = 0; i < settings.size(); ++i)
        out += (i ? ", " : "") + settings[i].name;
    return out;
}

std::string statement_text(const CapDecl& c) {
    return "cap " + c.channel + ' ' + std::to_string(c.count) + " per " + to_text(c.per);
}

std::string statement_text(const SegmentCapDecl& c) {
    return "cap " + c.channel + ' ' + std::to_string(c.count) + " segments";
}

std::string statement_text(const TemplateDecl& t) {
    std::string out = "template " + t.name;
    if (t.kind) out += ' ' + std::string(to_string(*t.kind));
    if (t.subject) out += " subject " + quote(*t.subject);
    out += ' ' + quote(t.text);
    return out;
}

std::string classifier_head(const ClassifierDecl& c) {
    return "classify " + c.name + " from " + name_list(c.sources) + " {";
}

std::string rule_text(const ClassifierRule& r) { return r.label + ": " + quoted_list(r.keywords); }

std::string trigger_head(const TriggerDecl& t) {
    return "trigger " + t.event + " as " + t.key + " {";
}

std::string state_head(const StateDecl& s) { return (s.is_final ? "final " : "state ") + s.name; }

std::string statement_text(const Action& a) {
    switch (a.kind) {
    case Action::Kind::send: {
        std::string out = "send " + a.channel + ' ';
        out += a.inline_text ? quote(*a.inline_text) : a.template_name;
        if (!a.fallback.empty()) out += " fallback " + name_list(a.fallback);
        out += within(a.within);
        return out;
    }
    case Action::Kind::run: return "do " + quote(a.name);
    case Action::Kind::emit: return "emit " + a.name;
    case Action::Kind::set: return "set " + a.name + " = " + (a.value ? to_text(*a.value) : "");
    }
    return {};
}

std::string repeat_head(const Repeat& r) {
    std::string out = "every " + to_text(r.interval);
    if (r.max) out += " max " + std::to_string(*r.max);
    out += within(r.within);
    if (r.while_cond) out += " while " + to_text(*r.while_cond);
    return out + " {";
}

std::string statement_text(const Choice& c) {
    return (c.condition ? "if " + to_text(*c.condition) : std::string("else")) + arrow(c.target);
}

std::string statement_text(const Handler& h) {
    std::string out;
    switch (h.kind) {
    case Handler::Kind::reply:
        out = "on reply " + h.keywords + (h.capture.empty() ? "" : " as " + h.capture) +
              condition(h.condition);
        break;
    case Handler::Kind::event: out = "on " + h.event + condition(h.condition); break;
    case Handler::Kind::after: out = "after " + to_text(h.delay) + within(h.within); break;
    case Handler::Kind::at:
        out = "at " + (h.at ? to_text(*h.at) : std::string()) + within(h.within);
        break;
    case Handler::Kind::season:
        out = "at season " + h.season;
        if (h.spread == Handler::Spread::evenly) out += " spread evenly";
        if (h.spread == Handler::Spread::by_field) out += " spread by " + h.spread_field;
        out += within(h.within);
        break;
    }
    return out + arrow(h.target);
}

std::string statement_text(const Reminder& r) {
    std::string out =
        "remind after " + to_text(r.after) + (r.from_first ? " from first" : "") + within(r.within);
    if (r.via) out += " via " + *r.via;
    if (r.prefix && *r.prefix != default_reminder_prefix) out += " prefix " + quote(*r.prefix);
    if (r.times != 1) out += " times " + std::to_string(r.times);
    return out;
}

std::string statement_text(const Outcome& o) {
    return "outcome " + o.label + (o.value ? " value " + to_text(*o.value) : std::string());
}

} // namespace nudge::detail
