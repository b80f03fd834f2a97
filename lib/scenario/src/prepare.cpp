#include "prepare.hpp"

#include "model/suggest.hpp"

#include <nudge/settings.hpp>

#include <algorithm>
#include <set>

namespace nudge::detail {

namespace {

using Flows = std::vector<std::shared_ptr<const CompiledFlow>>;

bool is_number(std::string_view s) {
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    return s.size() >= 3 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void add_unique(std::vector<std::string>& out, const std::string& s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
}

std::string listed(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ", ";
        out += w;
    }
    return out;
}

// The names a scenario may use, gathered from the loaded flows.
struct Names {
    std::vector<std::string> flows, channels, trigger_events, signal_events, facts, actions,
        outcomes, senders;
    std::vector<std::string> states(const Flows& flows, const std::string* only) const {
        std::vector<std::string> out;
        for (const auto& f : flows) {
            if (only && f->flow().name != *only) continue;
            for (const auto& s : f->states())
                add_unique(out, s.name);
        }
        return out;
    }
    // The fields a trigger on `event` can fill, over every flow it starts.
    static std::vector<std::string> trigger_fields(const Flows& flows, std::string_view event) {
        std::vector<std::string> out;
        for (const auto& f : flows) {
            const auto& def = f->flow();
            bool starts = std::any_of(def.triggers.begin(), def.triggers.end(),
                                      [&](const TriggerDecl& t) { return t.event == event; });
            if (!starts) continue;
            for (const auto& field : def.fields)
                add_unique(out, field.name);
        }
        return out;
    }
};

Names gather(const Flows& flows) {
    Names n;
    for (const auto& f : flows) {
        const auto& def = f->flow();
        add_unique(n.flows, def.name);
        for (const auto& c : def.channels) {
            add_unique(n.channels, c.name);
            if (c.from && is_number(*c.from)) add_unique(n.senders, *c.from);
        }
        for (const auto& t : def.triggers)
            add_unique(n.trigger_events, t.event);
        for (const auto& fact : def.facts)
            add_unique(n.facts, fact.name);
        auto handlers = [&](const std::vector<Handler>& hs) {
            for (const auto& h : hs) {
                if (h.kind == Handler::Kind::event) add_unique(n.signal_events, h.event);
            }
        };
        handlers(def.from_any);
        for (const auto& s : def.states) {
            handlers(s.handlers);
            for (const auto& a : s.actions) {
                if (a.kind == Action::Kind::run) add_unique(n.actions, a.name);
            }
            for (const auto& r : s.repeats) {
                for (const auto& a : r.actions) {
                    if (a.kind == Action::Kind::run) add_unique(n.actions, a.name);
                }
            }
            if (s.outcome) add_unique(n.outcomes, s.outcome->label);
        }
    }
    return n;
}

class Preparer {
public:
    Preparer(PreparedScenario& out) : out_(out), file_(out.scenario.file) {}

    void load_flows(const std::filesystem::path& scenario_file,
                    const std::vector<std::filesystem::path>& overrides);
    void resolve();
    void check_names();

private:
    PreparedScenario& out_;
    std::string file_;
    Names names_;

    void error(std::string code, std::string message, Span at) {
        out_.diagnostics.error(std::move(code), std::move(message), file_, at.pos, at.length);
    }
    void warning(std::string code, std::string message, Span at) {
        out_.diagnostics.warning(std::move(code), std::move(message), file_, at.pos, at.length);
    }

    // Reports `value` when it is not among `known`: "no flow has a state 'confirmd'".
    bool known(const ScenarioValue& value, const std::vector<std::string>& names, std::string code,
               std::string_view phrase, bool as_error = true) {
        if (std::find(names.begin(), names.end(), value.text) != names.end()) return true;
        std::string message =
            std::string(phrase) + " '" + value.text + "'" + suggestion(value.text, names);
        if (names.empty()) {
            message += " (the flows have none)";
        } else if (names.size() <= 8) {
            message += " (known: " + listed(names) + ")";
        }
        if (as_error) {
            error(std::move(code), message, value.span);
        } else {
            warning(std::move(code), message, value.span);
        }
        return false;
    }

    // True when no flow is named or the named one is loaded.
    bool known_flow(const Text& flow) {
        return !flow || known(*flow, names_.flows, "unknown-flow", "no loaded flow is called");
    }

    void resolve(InstantText& t) { t.at = resolve_instant(t, out_.zone); }
};

void Preparer::load_flows(const std::filesystem::path& scenario_file,
                          const std::vector<std::filesystem::path>& overrides) {
    auto& s = out_.scenario;
    std::vector<std::pair<std::filesystem::path, Span>> paths;
    if (!overrides.empty()) {
        for (const auto& p : overrides)
            paths.emplace_back(p, Span{});
    } else {
        for (const auto& f : s.flows)
            paths.emplace_back(scenario_file.parent_path() / f.text, f.span);
        if (s.flows.empty() && !out_.diagnostics.has_errors()) {
            error("no-flows", "the scenario names no flow to run", s.flows_span);
        }
    }
    for (const auto& [path, at] : paths) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec)) {
            error("missing-flow", "cannot read flow file '" + path.string() + "'", at);
            continue;
        }
        auto compiled = compile_file(path);
        if (!compiled.ok()) {
            for (const auto& d : compiled.diagnostics) {
                if (d.severity == Severity::error) out_.diagnostics.add(d);
            }
            error("flow-errors",
                  "flow file '" + path.string() + "' has " +
                      std::to_string(compiled.diagnostics.error_count()) + " error(s)",
                  at);
            continue;
        }
        if (auto it = s.settings.find(compiled.flow->flow().name); it != s.settings.end()) {
            SettingValues values;
            for (const auto& [name, v] : it->second)
                values[name] = v.text;
            auto applied = apply_settings(compiled.flow->flow(), {}, values);
            if (!applied.ok()) {
                for (const auto& d : applied.diagnostics)
                    if (d.severity == Severity::error)
                        error("bad-setting", d.message, s.settings_spans.at(it->first));
                continue;
            }
            compiled = applied;
        }
        const auto& name = compiled.flow->flow().name;
        bool twice = std::any_of(out_.flows.begin(), out_.flows.end(),
                                 [&](const auto& f) { return f->flow().name == name; });
        if (twice) {
            error("duplicate-flow", "a flow called '" + name + "' is already loaded", at);
            continue;
        }
        out_.flows.push_back(compiled.flow);
    }
    for (const auto& entry : s.settings) {
        const std::string& flow = entry.first; // captured below: not a structured binding
        bool known = std::any_of(out_.flows.begin(), out_.flows.end(),
                                 [&](const auto& f) { return f->flow().name == flow; });
        if (!known && !out_.diagnostics.has_errors())
            error("unknown-flow",
                  "'settings' names flow '" + flow +
                      "', which the scenario does "
                      "not load",
                  s.settings_spans.at(flow));
    }
    if (s.zone) {
        out_.zone = s.zone->text;
    } else if (!out_.flows.empty() && out_.flows.front()->flow().timezone &&
               known_zone(*out_.flows.front()->flow().timezone)) {
        out_.zone = *out_.flows.front()->flow().timezone;
    }
    names_ = gather(out_.flows);
}

// Instants in the zone, and where the clock stands at each step: an `until` may not go back.
void Preparer::resolve() {
    auto& s = out_.scenario;
    if (!s.start) return;
    resolve(*s.start);
    auto resolve_changes = [this](std::vector<FactChange>& changes) {
        for (auto& c : changes) {
            if (c.from) resolve(*c.from);
        }
    };
    for (auto& [name, values] : s.facts) {
        resolve_changes(values.all);
        for (auto& entry : values.by_key)
            resolve_changes(entry.second);
    }
    // A hundred years is far beyond any follow-up; more is a slip of the finger.
    const auto horizon = add_duration(s.start->at, Duration{100, DurationUnit::y}, out_.zone);
    auto clock = s.start->at;
    for (auto& step : s.steps) {
        if (auto* a = std::get_if<AdvanceStep>(&step.body)) {
            auto next = add_duration(clock, a->by, out_.zone);
            if (next > horizon) {
                error("bad-duration", "advance runs the clock more than 100 years past 'start'",
                      a->span);
                return;
            }
            clock = next;
        } else if (auto* u = std::get_if<UntilStep>(&step.body)) {
            resolve(u->to);
            if (u->to.at < clock) {
                error("until-in-past",
                      "until " + show_instant(u->to.at, out_.zone) +
                          " is before the clock's time at this step (" +
                          show_instant(clock, out_.zone) + ")",
                      u->to.span);
            } else if (u->to.at > horizon) {
                error("bad-instant", "until is more than 100 years after 'start'", u->to.span);
                return;
            } else {
                clock = u->to.at;
            }
        } else if (auto* e = std::get_if<ExpectSentStep>(&step.body)) {
            if (e->at) resolve(*e->at);
        }
    }
}

void Preparer::check_names() {
    auto& s = out_.scenario;
    if (out_.flows.empty()) return;
    for (auto& step : s.steps) {
        if (auto* t = std::get_if<TriggerStep>(&step.body)) {
            if (!known(t->event, names_.trigger_events, "unknown-trigger", "no flow starts on",
                       false))
                continue;
            auto fields = Names::trigger_fields(out_.flows, t->event.text);
            for (const auto& [name, value] : t->data) {
                if (std::find(fields.begin(), fields.end(), name) != fields.end()) continue;
                warning("unknown-field",
                        "no flow started by '" + t->event.text + "' has a field '" + name + "'" +
                            suggestion(name, fields),
                        {value.span.pos, value.span.length});
            }
        } else if (auto* sig = std::get_if<SignalStep>(&step.body)) {
            known_flow(sig->flow);
            known(sig->event, names_.signal_events, "unknown-event", "no flow waits for the event",
                  false);
        } else if (auto* r = std::get_if<ReplyStep>(&step.body)) {
            if (r->to) continue;
            if (names_.senders.size() == 1) {
                r->to = ScenarioValue{names_.senders.front(), {step.pos, 5}};
            } else {
                error("missing-key",
                      names_.senders.empty()
                          ? "reply needs 'to': no channel of the flows has a sender number"
                          : "reply needs 'to': the flows have several sender numbers (" +
                                listed(names_.senders) + ")",
                      {step.pos, 5});
            }
        } else if (auto* e = std::get_if<ExpectSentStep>(&step.body)) {
            if (e->channel)
                known(*e->channel, names_.channels, "unknown-channel", "no flow has a channel");
        } else if (auto* st = std::get_if<ExpectStateStep>(&step.body)) {
            if (!known_flow(st->flow)) continue;
            if (st->state) {
                const std::string* only = st->flow ? &st->flow->text : nullptr;
                known(*st->state, names_.states(out_.flows, only), "unknown-state",
                      only ? "flow '" + *only + "' has no state" : "no flow has a state");
            }
            if (st->outcome && st->outcome->text == no_outcome) {
                if (std::find(names_.outcomes.begin(), names_.outcomes.end(), no_outcome) !=
                    names_.outcomes.end()) {
                    warning("ambiguous-outcome",
                            "'outcome: none' checks for no outcome, not the outcome a flow calls "
                            "'none'",
                            st->outcome->span);
                }
            } else if (st->outcome) {
                known(*st->outcome, names_.outcomes, "unknown-outcome", "no flow has an outcome");
            }
        } else if (auto* h = std::get_if<ExpectHistoryStep>(&step.body)) {
            known_flow(h->flow);
        } else if (auto* a = std::get_if<ExpectActionStep>(&step.body)) {
            known(a->action, names_.actions, "unknown-action", "no flow does the action", false);
        }
    }
    for (const auto& [name, values] : s.actions) {
        if (std::find(names_.actions.begin(), names_.actions.end(), name) == names_.actions.end() &&
            !values.empty()) {
            warning("unknown-action",
                    "no flow does the action '" + name + "'" + suggestion(name, names_.actions),
                    values.front().second.span);
        }
    }
    for (const auto& [name, values] : s.facts) {
        if (std::find(names_.facts.begin(), names_.facts.end(), name) == names_.facts.end()) {
            warning("unknown-fact",
                    "no flow has a fact '" + name + "'" + suggestion(name, names_.facts),
                    values.span);
        }
    }
}

} // namespace

PreparedScenario prepare_scenario(std::string_view yaml, const std::filesystem::path& file,
                                  const std::vector<std::filesystem::path>& flow_overrides) {
    PreparedScenario out;
    auto read = read_scenario(yaml, file.string(), flow_overrides.empty());
    out.diagnostics = std::move(read.diagnostics);
    if (!read.scenario) return out;
    out.scenario = std::move(*read.scenario);
    Preparer p(out);
    p.load_flows(file, flow_overrides);
    p.resolve();
    p.check_names();
    return out;
}

} // namespace nudge::detail
