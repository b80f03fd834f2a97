// The scenario reader: yaml-cpp builds a node tree, this file walks it against the scenario keys
// (README "Scenarios") and makes typed steps. Every mistake is reported with its position, not
// only the first; yaml-cpp stays inside this translation unit.
#include "dsl/yaml_walk.hpp"
#include "model.hpp"
#include "model/suggest.hpp"

#include <nudge/engine.hpp>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

namespace nudge::detail {

namespace {

using YAML::Node;

// A scenario is a page or two; anything this large is a mistake.
constexpr std::size_t max_source_bytes = std::size_t{2} * 1024 * 1024;
constexpr std::size_t max_errors = 100;

const std::vector<std::string> top_keys = {"flows",   "start", "zone",    "steps",
                                           "actions", "facts", "settings"};

const std::vector<std::string> step_keys = {"trigger",
                                            "advance",
                                            "until",
                                            "reply",
                                            "signal",
                                            "assign",
                                            "suppress",
                                            "expect_sent",
                                            "expect_state",
                                            "expect_inbox",
                                            "expect_event",
                                            "expect_no_sent",
                                            "expect_no_inbox",
                                            "expect_suppressed",
                                            "expect_action",
                                            "expect_history",
                                            "expect_no_history"};

// The names of the engine's lists (<nudge/engine.hpp>): statuses, inbox reasons, record kinds.
template <class Enum> std::vector<std::string> names_of(const std::vector<Enum>& values) {
    std::vector<std::string> names;
    names.reserve(values.size());
    for (auto v : values)
        names.emplace_back(to_string(v));
    return names;
}
const std::vector<std::string> status_names = names_of(instance_statuses());
const std::vector<std::string> inbox_reason_names = names_of(inbox_reasons());
// Every record kind, for `expect_history`.
const std::vector<std::string> record_kind_names = names_of(record_kinds());

// How near a misspelt word must be to an allowed one to be its likely typo (`expect_send` for
// `expect_sent`, `advnce` for `advance`, `text_contain` for `text_contains`).
Nearness near_enough(std::string_view word) {
    return {.below = word.size() <= 4 ? 2u : 3u, .prefix_from = 4};
}

using Entry = YamlEntry;

class Reader : YamlWalker {
public:
    Reader(std::string_view source, std::string file, Diagnostics& diagnostics)
        : YamlWalker(source, std::move(file), 0, diagnostics, max_errors, near_enough) {}

    Scenario read(const Node& root, bool flows_required);

private:
    // ---- positions and reports

    Span span(const Node& n) const { return {pos(n), length(n)}; }

    // A missing value (`key:`) is pointed at through its key.
    const Node& where(const Entry& e) const {
        if (!e.value.IsDefined() || e.value.IsNull()) return e.key;
        return e.value;
    }

    void error(std::string code, std::string message, const Node& at) {
        error(std::move(code), std::move(message), span(at));
    }

    void error(std::string code, std::string message, Span at) {
        report(std::move(code), std::move(message), at.pos, at.length);
    }

    // The entries of a map (YamlWalker::map_entries): a missing value is an empty map.
    std::optional<std::vector<Entry>> map(const Node& n, const Node& at, std::string_view what,
                                          const std::vector<std::string>& allowed) {
        return map_entries(n, at, what, allowed, Absent::empty);
    }

    void unknown_key(const Entry& e, std::string_view what, const std::vector<std::string>& ok) {
        YamlWalker::unknown_key(e, what, std::vector<std::string_view>(ok.begin(), ok.end()));
    }

    // ---- scalars

    // A single value; `null_ok` reads a missing value as "".
    std::optional<ScenarioValue> scalar(const Entry& e, bool null_ok = false) {
        if (!visit(e.value)) return std::nullopt;
        if (e.value.IsScalar()) return ScenarioValue{e.value.Scalar(), span(e.value)};
        if (null_ok && (!e.value.IsDefined() || e.value.IsNull()))
            return ScenarioValue{"", span(e.key)};
        if (!e.value.IsDefined() || e.value.IsNull()) {
            error("missing-value", "missing value for '" + shown(e.name) + "'", e.key);
        } else {
            error("expected-scalar",
                  "expected a single value for '" + shown(e.name) + "', saw " + kind_words(e.value),
                  e.value);
        }
        return std::nullopt;
    }

    std::optional<ScenarioValue> required(const std::vector<Entry>& entries, std::string_view key,
                                          const Node& map_node, const Node& step_key,
                                          std::string_view what) {
        const Entry* e = find(entries, key);
        if (!e) {
            error("missing-key", "missing key '" + std::string(key) + "' in " + std::string(what),
                  map_node.IsMap() && map_node.size() > 0 ? map_node : step_key);
            return std::nullopt;
        }
        return scalar(*e);
    }

    Text optional(const std::vector<Entry>& entries, std::string_view key) {
        const Entry* e = find(entries, key);
        if (!e) return std::nullopt;
        return scalar(*e);
    }

    // A value that must be one of `allowed` (a status, an inbox reason).
    bool one_of(const Text& v, std::string_view key, const std::vector<std::string>& allowed) {
        if (!v || std::find(allowed.begin(), allowed.end(), v->text) != allowed.end()) {
            return true;
        }
        auto guess = nearest(v->text, allowed, near_enough(v->text));
        error("bad-value",
              "unknown " + std::string(key) + " '" + shown(v->text) + "'" +
                  (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                  " (one of: " + join(allowed) + ")",
              v->span);
        return false;
    }

    bool dotted(const Text& v, std::string_view what) {
        if (!v || is_dotted_name(v->text)) return true;
        error("bad-value",
              "expected " + std::string(what) + " like sale.saved (names joined by dots), saw '" +
                  shown(v->text) + "'",
              v->span);
        return false;
    }

    std::optional<InstantText> instant(const Node& n, const Node& at) {
        if (!visit(n)) return std::nullopt;
        if (!n.IsScalar()) {
            error("bad-instant",
                  "expected an instant like 2026-03-28T20:55:00+01:00, saw " +
                      (n.IsDefined() && !n.IsNull() ? kind_words(n) : std::string("nothing")),
                  n.IsDefined() && !n.IsNull() ? n : at);
            return std::nullopt;
        }
        auto syntax = parse_instant_text(n.Scalar());
        if (!syntax.instant) {
            error("bad-instant", syntax.problem, n);
            return std::nullopt;
        }
        syntax.instant->span = span(n);
        return syntax.instant;
    }

    // `name: value` pairs with names the flow defines (payload fields, action answers).
    Values values(const Entry& e, std::string_view what) {
        Values out;
        auto entries = map(e.value, e.key, what, {});
        if (!entries) return out;
        for (const auto& item : *entries) {
            if (!is_name(item.name)) {
                error("bad-value",
                      "expected a field name (a letter or _, then letters, digits or _) in " +
                          std::string(what) + ", saw '" + shown(item.name) + "'",
                      item.key);
                continue;
            }
            if (auto v = scalar(item, true)) out.emplace_back(item.name, std::move(*v));
        }
        return out;
    }

    // ---- steps

    std::optional<Step> step(const Node& item);
    std::optional<StepBody> step_body(const Entry& e, const Entry* data);

    std::optional<std::vector<Entry>> fields_of(const Entry& e,
                                                const std::vector<std::string>& ok) {
        return map(e.value, e.key, "'" + e.name + "'", ok);
    }

    void flows(const Entry& e, Scenario& s);
    void actions(const Entry& e, Scenario& s);
    void facts(const Entry& e, Scenario& s);
    void settings(const Entry& e, Scenario& s);
    std::vector<FactChange> fact_changes(const Entry& e, const std::string& what);
};

Scenario Reader::read(const Node& root, bool flows_required) {
    Scenario s;
    s.file = file_;
    s.flows_span = {{1, 1}, 1};
    auto entries = map(root, root, "the scenario", top_keys);
    if (!entries) return s;
    bool has_start = false;
    bool has_steps = false;
    for (const auto& e : *entries) {
        if (e.name == "flows") {
            s.flows_span = span(e.key);
            flows(e, s);
        } else if (e.name == "start") {
            has_start = true;
            s.start = instant(e.value, e.key);
        } else if (e.name == "zone") {
            s.zone = scalar(e);
            if (s.zone && !known_zone(s.zone->text)) {
                error("unknown-zone",
                      "unknown time zone '" + shown(s.zone->text) +
                          "'; expected an IANA name like Europe/Oslo",
                      s.zone->span);
                s.zone.reset();
            }
        } else if (e.name == "steps") {
            has_steps = true;
            if (!visit(e.value) || e.value.IsNull()) continue;
            if (!e.value.IsSequence()) {
                error("expected-list",
                      "expected a list of steps for 'steps', saw " + kind_words(e.value), where(e));
                continue;
            }
            for (const auto& item : e.value) {
                if (auto st = step(item)) s.steps.push_back(std::move(*st));
            }
        } else if (e.name == "actions") {
            actions(e, s);
        } else if (e.name == "facts") {
            facts(e, s);
        } else if (e.name == "settings") {
            settings(e, s);
        }
    }
    Node first = root.begin() != root.end() ? root.begin()->first : root;
    if (!has_start) {
        error("missing-key",
              "missing key 'start': the fake clock's start, like "
              "2026-03-28T20:55:00+01:00",
              first);
    }
    if (!has_steps) error("missing-key", "missing key 'steps': the list of steps to run", first);
    if (flows_required && !find(*entries, "flows")) {
        error("missing-key", "missing key 'flows': the flow files to run, relative to this file",
              first);
    }
    return s;
}

void Reader::flows(const Entry& e, Scenario& s) {
    if (!visit(e.value)) return;
    if (e.value.IsScalar()) {
        s.flows.push_back({e.value.Scalar(), span(e.value)});
        return;
    }
    if (!e.value.IsSequence()) {
        error("expected-list",
              "expected a list of flow files for 'flows', saw " +
                  (e.value.IsNull() ? std::string("nothing") : kind_words(e.value)),
              where(e));
        return;
    }
    for (const auto& item : e.value) {
        if (!visit(item)) return;
        if (!item.IsScalar() || item.Scalar().empty()) {
            error("expected-scalar",
                  "expected a flow file name in 'flows', saw " + kind_words(item), item);
            continue;
        }
        s.flows.push_back({item.Scalar(), span(item)});
    }
    if (s.flows.empty()) error("expected-list", "'flows' names no flow file", where(e));
}

void Reader::actions(const Entry& e, Scenario& s) {
    auto entries = map(e.value, e.key, "'actions'", {});
    if (!entries) return;
    for (const auto& a : *entries) {
        if (!is_dotted_name(a.name)) {
            error("bad-value",
                  "expected an action name like order.parse in 'actions', saw '" + shown(a.name) +
                      "'",
                  a.key);
            continue;
        }
        s.actions[a.name] = values(a, "the answer to '" + a.name + "'");
    }
}

// settings: {FLOW: {NAME: VALUE or [ITEM, …]}}
void Reader::settings(const Entry& e, Scenario& s) {
    auto flows = map(e.value, e.key, "'settings'", {});
    if (!flows) return;
    for (const auto& f : *flows) {
        if (!is_name(f.name)) {
            error("bad-value", "expected a flow name in 'settings', saw '" + shown(f.name) + "'",
                  f.key);
            continue;
        }
        auto entries = map(f.value, f.key, "the settings of '" + f.name + "'", {});
        if (!entries) continue;
        auto& out = s.settings[f.name];
        s.settings_spans[f.name] = span(f.key);
        for (const auto& item : *entries) {
            if (!visit(item.value)) continue;
            if (item.value.IsSequence()) {
                ScenarioValue v{{}, span(item.key)};
                for (const auto& n : item.value) {
                    if (!n.IsScalar()) {
                        error("expected-scalar",
                              "expected a value in the list of setting '" + shown(item.name) + "'",
                              span(item.key));
                        continue;
                    }
                    v.text += (v.text.empty() ? "" : "\n") + n.Scalar();
                }
                out.emplace_back(item.name, std::move(v));
            } else if (auto v = scalar(item, true)) {
                out.emplace_back(item.name, std::move(*v));
            }
        }
    }
}

void Reader::facts(const Entry& e, Scenario& s) {
    auto entries = map(e.value, e.key, "'facts'", {});
    if (!entries) return;
    for (const auto& f : *entries) {
        if (!is_name(f.name)) {
            error("bad-value", "expected a fact name in 'facts', saw '" + shown(f.name) + "'",
                  f.key);
            continue;
        }
        if (!visit(f.value)) return;
        FactValues values;
        values.span = span(f.key);
        if (!f.value.IsMap()) {
            values.all = fact_changes(f, "fact '" + f.name + "'");
            s.facts[f.name] = std::move(values);
            continue;
        }
        // Per instance: {by_key: {KEY: V, …}, default: V}, each V a constant or changes.
        std::string what = "fact '" + f.name + "'";
        auto fields = map(f.value, f.key, what, {"by_key", "default"});
        if (!fields) continue;
        if (const Entry* d = find(*fields, "default")) values.all = fact_changes(*d, what);
        const Entry* by = find(*fields, "by_key");
        if (!by) {
            error("missing-key",
                  "missing key 'by_key' in " + what +
                      " (instance keys and their values; a value for every instance stands "
                      "alone: '" +
                      f.name + ": 4m')",
                  f.value.size() > 0 ? f.value : f.key);
            continue;
        }
        auto keys = map(by->value, by->key, "'by_key' of " + what, {});
        if (!keys) continue;
        if (keys->empty()) {
            error("missing-value", "'by_key' of " + what + " names no instance key", by->key);
            continue;
        }
        for (const auto& k : *keys)
            values.by_key[k.name] = fact_changes(k, what + " for key '" + shown(k.name) + "'");
        s.facts[f.name] = std::move(values);
    }
}

// A constant (`4m`) or a list of changes ([{from: INSTANT, value: V}, …], in time order).
std::vector<FactChange> Reader::fact_changes(const Entry& f, const std::string& what) {
    std::vector<FactChange> changes;
    if (!f.value.IsSequence()) {
        if (auto v = scalar(f)) changes.push_back({std::nullopt, std::move(*v)});
        return changes;
    }
    for (const auto& item : f.value) {
        auto fields = map(item, f.key, "a change of " + what, {"from", "value"});
        if (!fields) continue;
        const Entry* from = find(*fields, "from");
        const Entry* value = find(*fields, "value");
        if (!from || !value) {
            error("missing-key",
                  std::string("missing key '") + (from ? "value" : "from") + "' in a change of " +
                      what,
                  item.IsMap() && item.size() > 0 ? item : f.key);
            continue;
        }
        auto at = instant(from->value, from->key);
        auto v = scalar(*value, true);
        if (at && v) changes.push_back({std::move(at), std::move(*v)});
    }
    return changes;
}

std::optional<Step> Reader::step(const Node& item) {
    if (!visit(item)) return std::nullopt;
    if (!item.IsMap()) {
        error("expected-map",
              "expected a step like '- advance: 30s' or '- expect_sent: {…}', saw " +
                  kind_words(item),
              item);
        return std::nullopt;
    }
    std::vector<std::string> allowed = step_keys;
    allowed.push_back("data");
    allowed.push_back("refused");
    auto entries = map(item, item, "a step", allowed);
    if (!entries) return std::nullopt;
    const Entry* action = nullptr;
    const Entry* data = nullptr;
    const Entry* refused = nullptr;
    for (const auto& e : *entries) {
        if (e.name == "data") {
            data = &e;
        } else if (e.name == "refused") {
            refused = &e;
        } else if (action) {
            error("one-thing-per-step",
                  "a step does one thing; saw '" + action->name + "' and '" + e.name +
                      "' (start a new step with '- " + e.name + ":')",
                  e.key);
        } else {
            action = &e;
        }
    }
    if (!action) {
        if (data) {
            error("missing-key", "'data' needs a 'trigger' in the same step", data->key);
        } else if (entries->empty() && item.size() == 0) {
            error("expected-map", "empty step", item);
        }
        return std::nullopt;
    }
    if (data && action->name != "trigger") {
        error("unknown-key",
              "'data' belongs to a 'trigger' step; for '" + action->name +
                  "' put it inside the map",
              data->key);
    }
    if (refused && action->name != "trigger") {
        error("unknown-key", "'refused' belongs to a 'trigger' step", refused->key);
    }
    auto body = step_body(*action, action->name == "trigger" ? data : nullptr);
    if (!body) return std::nullopt;
    if (refused && action->name == "trigger") {
        if (auto v = scalar(*refused)) std::get<TriggerStep>(*body).refused = std::move(*v);
    }
    return Step{action->name, pos(action->key), std::move(*body)};
}

std::optional<StepBody> Reader::step_body(const Entry& e, const Entry* data) {
    const std::string& k = e.name;
    std::string what = "'" + k + "'";
    if (k == "trigger") {
        auto event = scalar(e);
        if (!event || !dotted(event, "an event name")) return std::nullopt;
        TriggerStep t{std::move(*event), {}, std::nullopt};
        if (data) t.data = values(*data, "'data'");
        return t;
    }
    if (k == "advance") {
        auto v = scalar(e);
        if (!v) return std::nullopt;
        auto d = parse_duration(v->text);
        if (!d) {
            error("bad-duration",
                  "expected a duration like 30s, 2h or 3d (one whole number and one unit of s m "
                  "h d w mo y), saw '" +
                      shown(v->text) + "'",
                  v->span);
            return std::nullopt;
        }
        return AdvanceStep{*d, v->span};
    }
    if (k == "until") {
        auto at = instant(e.value, e.key);
        if (!at) return std::nullopt;
        return UntilStep{std::move(*at)};
    }
    if (k == "expect_no_sent" || k == "expect_no_inbox") {
        auto v = scalar(e);
        if (!v) return std::nullopt;
        if (v->text != "true") {
            error("bad-value",
                  "expected '" + std::string(k) + ": true', saw '" + shown(v->text) + "'", v->span);
            return std::nullopt;
        }
        if (k == "expect_no_inbox") return ExpectNoInboxStep{};
        return ExpectNoSentStep{};
    }

    // Every other step is a map of named values.
    static const std::map<std::string, std::vector<std::string>, std::less<>> keys = {
        {"reply", {"from", "to", "text"}},
        {"signal", {"flow", "key", "event", "data"}},
        {"assign", {"from", "key", "flow"}},
        {"suppress", {"address", "source"}},
        {"expect_sent", {"channel", "to", "at", "text", "text_contains", "subject"}},
        {"expect_state", {"key", "flow", "state", "status", "outcome"}},
        {"expect_inbox", {"from", "reason", "text"}},
        {"expect_event", {"event", "key", "data"}},
        {"expect_suppressed", {"reason", "key"}},
        {"expect_action", {"action", "key"}},
        {"expect_history", {}},
        {"expect_no_history", {}},
    };
    auto fields = fields_of(e, keys.find(k)->second);
    if (!fields) return std::nullopt;
    const Node& m = e.value;
    const Node& key_node = e.key;
    auto before = diags_.error_count();
    auto ok = [&] { return diags_.error_count() == before; };

    if (k == "reply") {
        auto from = required(*fields, "from", m, key_node, what);
        auto text = required(*fields, "text", m, key_node, what);
        auto to = optional(*fields, "to");
        if (!from || !text || !ok()) return std::nullopt;
        return ReplyStep{std::move(*from), std::move(to), std::move(*text)};
    }
    if (k == "signal") {
        SignalStep s;
        auto event = required(*fields, "event", m, key_node, what);
        auto key = required(*fields, "key", m, key_node, what);
        s.flow = optional(*fields, "flow");
        if (const Entry* d = find(*fields, "data")) s.data = values(*d, "'data'");
        if (!event || !key || !dotted(event, "an event name") || !ok()) return std::nullopt;
        s.event = std::move(*event);
        s.key = std::move(*key);
        return s;
    }
    if (k == "assign") {
        auto from = required(*fields, "from", m, key_node, what);
        auto key = required(*fields, "key", m, key_node, what);
        auto flow = optional(*fields, "flow");
        if (!from || !key || !ok()) return std::nullopt;
        return AssignStep{std::move(*from), std::move(*key), std::move(flow)};
    }
    if (k == "suppress") {
        auto address = required(*fields, "address", m, key_node, what);
        auto source = optional(*fields, "source");
        if (!address || !ok()) return std::nullopt;
        return SuppressStep{std::move(*address), std::move(source)};
    }
    if (k == "expect_sent") {
        ExpectSentStep s;
        s.channel = optional(*fields, "channel");
        s.to = optional(*fields, "to");
        s.text = optional(*fields, "text");
        s.text_contains = optional(*fields, "text_contains");
        s.subject = optional(*fields, "subject");
        if (const Entry* at = find(*fields, "at")) s.at = instant(at->value, at->key);
        if (s.text && s.text_contains) {
            error("conflicting-keys",
                  "'text' and 'text_contains' in one expect_sent; 'text' is the whole text, "
                  "'text_contains' a part of it: keep one",
                  find(*fields, "text_contains")->key);
        }
        if (!ok()) return std::nullopt;
        return s;
    }
    if (k == "expect_state") {
        ExpectStateStep s;
        auto key = required(*fields, "key", m, key_node, what);
        s.flow = optional(*fields, "flow");
        s.state = optional(*fields, "state");
        s.status = optional(*fields, "status");
        s.outcome = optional(*fields, "outcome");
        one_of(s.status, "status", status_names);
        if (s.outcome && s.outcome->text.empty()) {
            error("bad-value",
                  "empty outcome; write 'outcome: none' to check that the instance has no outcome",
                  s.outcome->span);
        }
        if (key && !s.state && !s.status && !s.outcome) {
            error("missing-key", "expect_state checks nothing: give 'state', 'status' or 'outcome'",
                  m.IsMap() && m.size() > 0 ? m : key_node);
        }
        if (!key || !ok()) return std::nullopt;
        s.key = std::move(*key);
        return s;
    }
    if (k == "expect_inbox") {
        auto from = required(*fields, "from", m, key_node, what);
        auto reason = required(*fields, "reason", m, key_node, what);
        auto text = optional(*fields, "text");
        if (reason) one_of(*reason, "inbox reason", inbox_reason_names);
        if (!from || !reason || !ok()) return std::nullopt;
        return ExpectInboxStep{std::move(*from), std::move(*reason), std::move(text)};
    }
    if (k == "expect_event") {
        auto event = required(*fields, "event", m, key_node, what);
        auto key = optional(*fields, "key");
        Values carried;
        if (const Entry* d = find(*fields, "data")) carried = values(*d, "'data'");
        if (!event || !dotted(event, "an event name") || !ok()) return std::nullopt;
        return ExpectEventStep{std::move(*event), std::move(key), std::move(carried)};
    }
    if (k == "expect_suppressed") {
        auto reason = required(*fields, "reason", m, key_node, what);
        auto key = optional(*fields, "key");
        if (!reason || !ok()) return std::nullopt;
        return ExpectSuppressedStep{std::move(*reason), std::move(key)};
    }
    if (k == "expect_action") {
        auto action = required(*fields, "action", m, key_node, what);
        auto key = optional(*fields, "key");
        if (!action || !dotted(action, "an action name") || !ok()) return std::nullopt;
        return ExpectActionStep{std::move(*action), std::move(key)};
    }
    // expect_history and expect_no_history: key, kind and flow, then any record field to
    // compare.
    ExpectHistoryStep s;
    s.absent = k == "expect_no_history";
    auto key = required(*fields, "key", m, key_node, what);
    auto kind = required(*fields, "kind", m, key_node, what);
    s.flow = optional(*fields, "flow");
    if (kind && !record_kind(kind->text)) one_of(*kind, "history kind", record_kind_names);
    for (const auto& f : *fields) {
        if (f.name == "key" || f.name == "kind" || f.name == "flow") continue;
        if (auto v = scalar(f, true)) s.fields.emplace_back(f.name, std::move(*v));
    }
    if (!key || !kind || !ok()) return std::nullopt;
    s.key = std::move(*key);
    s.kind = std::move(*kind);
    return s;
}

} // namespace

const std::vector<std::string>& scenario_top_keys() { return top_keys; }
const std::vector<std::string>& scenario_step_keys() { return step_keys; }

ReadScenario read_scenario(std::string_view yaml, const std::string& file, bool flows_required) {
    ReadScenario result;
    auto& diags = result.diagnostics;
    if (yaml.size() > max_source_bytes) {
        diags.error("too-large",
                    "file is " + std::to_string(yaml.size()) +
                        " bytes; a scenario may be at most " + std::to_string(max_source_bytes) +
                        " bytes",
                    file, {});
        return result;
    }
    if (yaml.substr(0, 3) == "\xEF\xBB\xBF") {
        diags.error("encoding", "the file starts with a byte-order mark; save it as plain UTF-8",
                    file, {1, 1});
        return result;
    }
    Node root;
    int documents = 0;
    try {
        std::string text(yaml);
        root = YAML::Load(text);
        documents = count_yaml_documents(text);
    } catch (const YAML::Exception& e) {
        diags.error("yaml-syntax",
                    "invalid YAML: " +
                        yaml_syntax_message(e.msg, "put a space after ':' or quote the value"),
                    file, mark_pos(e.mark));
        return result;
    } catch (const std::exception& e) {
        diags.error("yaml-syntax", std::string("invalid YAML: ") + e.what(), file, {});
        return result;
    }
    if (!root.IsDefined() || root.IsNull()) {
        diags.error("expected-map",
                    "expected a map with 'flows', 'start' and 'steps', saw an empty document", file,
                    {1, 1});
        return result;
    }
    if (documents > 1) {
        diags.error("yaml-syntax", "a scenario file holds one YAML document, saw more after '---'",
                    file, {1, 1});
    }
    try {
        Reader reader(yaml, file, diags);
        auto scenario = reader.read(root, flows_required);
        if (root.IsMap()) result.scenario = std::move(scenario);
    } catch (const std::exception& e) {
        // yaml-cpp's accessors may throw on shapes the walk did not expect: a bug here, but it
        // must still come back as a diagnostic.
        diags.error("yaml-syntax", std::string("could not read the YAML: ") + e.what(), file, {});
        result.scenario.reset();
    }
    return result;
}

} // namespace nudge::detail
