// Settings per business (<nudge/settings.hpp>): what a `settings` name refers to, the values a
// flow has, and a business's values applied to make the flow it runs.
#include <nudge/dsl.hpp>
#include <nudge/settings.hpp>

#include <algorithm>
#include <cctype>

namespace nudge {

namespace {

std::string trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    while (true) {
        auto at = s.find(sep);
        out.push_back(trim(s.substr(0, at)));
        if (at == std::string_view::npos) break;
        s.remove_prefix(at + 1);
    }
    return out;
}

bool valid_name(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

template <class Decls> bool has(const Decls& decls, std::string_view name) {
    return std::any_of(decls.begin(), decls.end(), [&](const auto& d) { return d.name == name; });
}

std::string numbers_text(const std::optional<NumberPolicy>& n) {
    if (!n) return "all, every kind";
    std::string out;
    switch (n->kind) {
    case NumberPolicy::Kind::all: out = "all"; break;
    case NumberPolicy::Kind::nordic: out = "nordic"; break;
    case NumberPolicy::Kind::regions:
        for (const auto& r : n->regions)
            out += (out.empty() ? "" : ", ") + r;
        break;
    }
    return out + (n->every_kind ? ", every kind" : "");
}

// The value of a trigger duration setting (cooldown, delay): the first trigger's that has one.
std::string trigger_duration_text(const FlowDef& flow,
                                  std::optional<Duration> TriggerDecl::*member) {
    for (const auto& t : flow.triggers)
        if (t.*member) return to_text(*(t.*member));
    return {};
}

// Sets the duration on every trigger that has one.
bool set_trigger_durations(FlowDef& flow, std::optional<Duration> TriggerDecl::*member,
                           const std::string& value, std::string_view example, std::string& why) {
    auto d = parse_duration(trim(value));
    if (!d) {
        why = "expected a duration such as " + std::string(example) + ", saw \"" + value + "\"";
        return false;
    }
    for (auto& t : flow.triggers)
        if (t.*member) t.*member = *d;
    return true;
}

// "10-01..11-08": a season's first and last day, every year (a leap day is allowed: in other
// years it is the month's last day).
bool read_season(std::string_view text, SeasonDecl& s, std::string& why) {
    auto t = trim(text);
    auto day = [](std::string_view d) -> std::optional<MonthDay> {
        if (d.size() != 5 || d[2] != '-') return std::nullopt;
        for (std::size_t i : {0, 1, 3, 4})
            if (!std::isdigit(static_cast<unsigned char>(d[i]))) return std::nullopt;
        MonthDay md{(d[0] - '0') * 10 + (d[1] - '0'), (d[3] - '0') * 10 + (d[4] - '0')};
        static constexpr int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        if (md.month < 1 || md.month > 12 || md.day < 1 || md.day > days_in[md.month - 1])
            return std::nullopt;
        return md;
    };
    auto dots = t.find("..");
    auto first = dots == std::string::npos ? std::nullopt : day(trim(t.substr(0, dots)));
    auto last = dots == std::string::npos ? std::nullopt : day(trim(t.substr(dots + 2)));
    if (!first || !last) {
        why = "expected the first and last day as MM-DD..MM-DD (10-01..11-08), saw \"" + t + "\"";
        return false;
    }
    s.first = *first;
    s.last = *last;
    return true;
}

std::optional<NumberPolicy> read_numbers(std::string_view text, std::string& why) {
    NumberPolicy p;
    auto parts = split(text, ',');
    if (!parts.empty() && parts.back() == "every kind") {
        p.every_kind = true;
        parts.pop_back();
    }
    if (parts.size() == 1 && (parts[0] == "all" || parts[0] == "nordic")) {
        p.kind = parts[0] == "all" ? NumberPolicy::Kind::all : NumberPolicy::Kind::nordic;
        return p;
    }
    p.kind = NumberPolicy::Kind::regions;
    for (const auto& r : parts) {
        if (r.size() != 2 || !std::isupper(static_cast<unsigned char>(r[0])) ||
            !std::isupper(static_cast<unsigned char>(r[1]))) {
            why = "expected all, nordic or two-letter country codes such as DK, SE (then "
                  "optionally \", every kind\"), saw \"" +
                  std::string(text) + "\"";
            return std::nullopt;
        }
        p.regions.push_back(r);
    }
    return p;
}

std::string unquoted(std::string_view s) {
    auto t = trim(s);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    return t;
}

// "on", "off", "on, from 4532100000", "on, to shop@example.test" (a channel with a fixed
// recipient)
bool read_channel(std::string_view text, ChannelDecl& c, std::string& why) {
    bool seen_switch = false;
    for (const auto& part : split(text, ',')) {
        if (part == "on" || part == "off") {
            c.off = part == "off";
            seen_switch = true;
        } else if (part.starts_with("from ") && !trim(part.substr(5)).empty()) {
            c.from = unquoted(part.substr(5));
        } else if (part.starts_with("to ") && !trim(part.substr(3)).empty() && c.to_is_literal) {
            c.to = unquoted(part.substr(3));
        } else {
            why = "expected on or off, then optionally \", from SENDER\"" +
                  std::string(c.to_is_literal ? " and \", to ADDRESS\"" : "") + ", saw \"" +
                  std::string(text) + "\"";
            return false;
        }
    }
    if (!seen_switch) {
        why = "expected on or off first, saw \"" + std::string(text) + "\"";
        return false;
    }
    return true;
}

} // namespace

std::string_view to_string(SettingKind k) {
    switch (k) {
    case SettingKind::window: return "window";
    case SettingKind::season: return "season";
    case SettingKind::list: return "list";
    case SettingKind::template_text: return "template";
    case SettingKind::channel: return "channel";
    case SettingKind::field: return "field";
    case SettingKind::numbers: return "numbers";
    case SettingKind::cooldown: return "cooldown";
    case SettingKind::delay: return "delay";
    }
    return "?";
}

std::optional<SettingKind> setting_kind(const FlowDef& flow, std::string_view name,
                                        std::string* why) {
    std::vector<SettingKind> kinds;
    if (name == "numbers") kinds.push_back(SettingKind::numbers);
    if (name == "cooldown") kinds.push_back(SettingKind::cooldown);
    if (name == "delay") kinds.push_back(SettingKind::delay);
    if (has(flow.windows, name)) kinds.push_back(SettingKind::window);
    if (has(flow.seasons, name)) kinds.push_back(SettingKind::season);
    if (has(flow.lists, name)) kinds.push_back(SettingKind::list);
    if (has(flow.templates, name)) kinds.push_back(SettingKind::template_text);
    if (has(flow.channels, name)) kinds.push_back(SettingKind::channel);
    if (has(flow.fields, name)) kinds.push_back(SettingKind::field);
    if (kinds.size() == 1) {
        if (kinds[0] == SettingKind::cooldown &&
            std::none_of(flow.triggers.begin(), flow.triggers.end(),
                         [](const TriggerDecl& t) { return t.cooldown.has_value(); })) {
            if (why) *why = "no trigger of the flow has a cooldown to set";
            return std::nullopt;
        }
        if (kinds[0] == SettingKind::delay &&
            std::none_of(flow.triggers.begin(), flow.triggers.end(),
                         [](const TriggerDecl& t) { return t.delay.has_value(); })) {
            if (why) *why = "no trigger of the flow has a delay to set";
            return std::nullopt;
        }
        return kinds[0];
    }
    if (why) {
        if (kinds.empty()) {
            *why = "'" + std::string(name) +
                   "' is not a window, season, list, template, channel or field of the flow, nor "
                   "numbers, cooldown or delay";
        } else {
            *why = "'" + std::string(name) + "' names both a " + std::string(to_string(kinds[0])) +
                   " and a " + std::string(to_string(kinds[1])) + "; rename one";
        }
    }
    return std::nullopt;
}

std::vector<Setting> settings_of(const FlowDef& flow) {
    std::vector<Setting> out;
    for (const auto& s : flow.settings) {
        auto kind = setting_kind(flow, s.name);
        if (!kind) continue;
        Setting setting{s.name, *kind, {}};
        switch (*kind) {
        case SettingKind::window:
            for (const auto& w : flow.windows)
                if (w.name == s.name) setting.value = window_body_text(w);
            break;
        case SettingKind::season:
            for (const auto& d : flow.seasons)
                if (d.name == s.name) setting.value = to_text(d);
            break;
        case SettingKind::list:
            for (const auto& l : flow.lists)
                if (l.name == s.name)
                    for (const auto& item : l.items)
                        setting.value += (setting.value.empty() ? "" : "\n") + item;
            break;
        case SettingKind::template_text:
            for (const auto& t : flow.templates)
                if (t.name == s.name) {
                    setting.value = t.text;
                    break;
                }
            break;
        case SettingKind::channel:
            for (const auto& c : flow.channels)
                if (c.name == s.name)
                    setting.value = std::string(c.off ? "off" : "on") +
                                    (c.from ? ", from " + *c.from : std::string()) +
                                    (c.to_is_literal ? ", to " + c.to : std::string());
            break;
        case SettingKind::field:
            for (const auto& f : flow.fields)
                if (f.name == s.name) setting.value = f.default_value.value_or("");
            break;
        case SettingKind::numbers: setting.value = numbers_text(flow.numbers); break;
        case SettingKind::cooldown:
            setting.value = trigger_duration_text(flow, &TriggerDecl::cooldown);
            break;
        case SettingKind::delay:
            setting.value = trigger_duration_text(flow, &TriggerDecl::delay);
            break;
        }
        out.push_back(std::move(setting));
    }
    return out;
}

CompileResult apply_settings(const FlowDef& flow, std::string_view business,
                             const SettingValues& values) {
    CompileResult result;
    const auto& file = flow.source.file;
    auto refuse = [&](const std::string& code, const std::string& message) {
        result.diagnostics.error(code, message, file, flow.loc.begin);
    };
    std::string who = business.empty() ? std::string("the settings")
                                       : "business " + std::string(business) + "'s settings";
    if (!flow.business.empty()) {
        refuse("bad-setting", "flow " + flow.name + " already has a business's settings applied");
        return result;
    }
    if (!business.empty() && !valid_name(business)) {
        refuse("bad-setting", "a business's name is a letter or _, then letters, digits or _; "
                              "saw '" +
                                  std::string(business) + "'");
        return result;
    }
    FlowDef out = flow;
    for (const auto& entry : values) {
        // Not a structured binding: clang 15 cannot capture one in the lambda below.
        const std::string& name = entry.first;
        const std::string& value = entry.second;
        bool listed = std::any_of(flow.settings.begin(), flow.settings.end(),
                                  [&](const SettingDecl& s) { return s.name == name; });
        std::string why;
        auto kind = listed ? setting_kind(flow, name, &why) : std::nullopt;
        if (!listed) {
            std::string names;
            for (const auto& s : flow.settings)
                names += (names.empty() ? "" : ", ") + s.name;
            refuse("unknown-setting",
                   who + ": flow " + flow.name + " has no setting '" + name + "'" +
                       (names.empty() ? " (it declares none)" : " (its settings: " + names + ")"));
            continue;
        }
        if (!kind) {
            refuse("unknown-setting", who + ": " + why);
            continue;
        }
        bool ok = true;
        switch (*kind) {
        case SettingKind::window:
            if (auto body = parse_window_body(value, why)) {
                for (auto& w : out.windows) {
                    if (w.name != name) continue;
                    w.slots = std::move(body->slots);
                    w.not_during = body->not_during;
                    w.closed = std::move(body->closed);
                }
            } else {
                ok = false;
            }
            break;
        case SettingKind::season:
            for (auto& d : out.seasons)
                if (d.name == name) ok = read_season(value, d, why);
            break;
        case SettingKind::list: {
            std::vector<std::string> items;
            for (auto& item : split(value, '\n'))
                if (!item.empty()) items.push_back(std::move(item));
            for (auto& l : out.lists)
                if (l.name == name) l.items = items;
            break;
        }
        case SettingKind::template_text:
            for (auto& t : out.templates)
                if (t.name == name) {
                    t.text = value;
                    t.text_loc = {};
                }
            break;
        case SettingKind::channel:
            for (auto& c : out.channels)
                if (c.name == name) ok = read_channel(value, c, why);
            break;
        case SettingKind::field:
            for (auto& f : out.fields)
                if (f.name == name) f.default_value = value;
            break;
        case SettingKind::numbers:
            if (auto policy = read_numbers(value, why)) {
                policy->loc = out.numbers ? out.numbers->loc : out.loc;
                out.numbers = *policy;
            } else {
                ok = false;
            }
            break;
        case SettingKind::cooldown:
            ok = set_trigger_durations(out, &TriggerDecl::cooldown, value, "30m", why);
            break;
        case SettingKind::delay:
            ok = set_trigger_durations(out, &TriggerDecl::delay, value, "30s", why);
            break;
        }
        if (!ok) refuse("bad-setting", who + ", " + name + ": " + why);
    }
    if (result.diagnostics.has_errors()) return result;
    if (!business.empty()) {
        out.business = std::string(business);
        out.name = flow.name + "@" + out.business;
    }
    // The flow's own warnings were reported when it was read: only errors the values cause
    // are said again, naming whose settings they come from.
    auto errors_of = [&](const Diagnostics& found) {
        for (auto d : found) {
            if (d.severity != Severity::error) continue;
            d.message = "with " + who + ": " + d.message;
            result.diagnostics.add(std::move(d));
        }
    };
    errors_of(check_flow(out));
    if (result.diagnostics.has_errors()) return result;
    auto compiled = compile(out);
    errors_of(compiled.diagnostics);
    if (!result.diagnostics.has_errors()) result.flow = compiled.flow;
    return result;
}

} // namespace nudge
