// Runs a prepared scenario against the engine: a fake clock at `start`, a recording transport,
// the scenario playing the host (answers to actions, facts), then each step in order.
#include "expect.hpp"
#include "prepare.hpp"
#include "runtime/advance.hpp"
#include "text/phone.hpp"

#include <nudge/error.hpp>
#include <nudge/scenario.hpp>
#include <nudge/store.hpp>

#include <fstream>
#include <set>
#include <sstream>

namespace nudge {

namespace detail {
namespace {

Data to_data(const Values& values) {
    Data out;
    for (const auto& [name, value] : values)
        out[name] = value.text;
    return out;
}

class Run {
public:
    Run(PreparedScenario& prepared, ScenarioResult& result, const std::filesystem::path& database)
        : p_(prepared), s_(prepared.scenario), result_(result), clock_(s_.start->at) {
        if (database.empty()) {
            plain_ = std::make_unique<Engine>(clock_, transport_);
        } else {
            durable_ = std::make_unique<DurableEngine>(database, clock_, transport_);
        }
    }

    void go();

private:
    PreparedScenario& p_;
    Scenario& s_;
    ScenarioResult& result_;
    FakeClock clock_;
    RecordingTransport transport_;
    // In memory, or durable on a database (ScenarioOptions::database): one of the two.
    std::unique_ptr<Engine> plain_;
    std::unique_ptr<DurableEngine> durable_;
    Observed seen_;

    // The engine to query, and a call on whichever engine runs.
    const Engine& q() const { return durable_ ? durable_->engine() : *plain_; }
    template <class F> decltype(auto) on(F&& f) { return durable_ ? f(*durable_) : f(*plain_); }

    // Instances whose `error` records a step expected (0: records about no instance).
    std::set<std::uint64_t> expected_errors_;

    void hooks();
    void step(std::size_t index, const Step& step);
    void unexpected_errors();
    // Moves the clock to `target`, stopping at every deadline on the way to fire it.
    std::optional<std::string> move_clock(Instant target);
    std::vector<InstanceView> by_key(const std::string& key) const {
        return q().instances_by_key(key);
    }
    std::optional<std::string> assign(const AssignStep& a) {
        std::string problem;
        auto candidates = by_key(a.key.text);
        const InstanceView* inst = pick(candidates, a.key, a.flow, problem);
        if (!inst) return "cannot assign: " + problem;
        const auto& inbox = q().inbox();
        auto from = detail::canonical_address(a.from.text);
        for (auto it = inbox.rbegin(); it != inbox.rend(); ++it) {
            if (it->assigned_to) continue;
            if (it->message.from != a.from.text &&
                detail::canonical_address(it->message.from) != from)
                continue;
            on([&](auto& e) { e.assign(it->id, inst->id); });
            return std::nullopt;
        }
        return "cannot assign: no unassigned inbox entry from " + a.from.text;
    }
    void refresh() {
        seen_.sent = transport_.sent();
        seen_.inbox = q().inbox();
        seen_.timeline = result_.timeline;
        seen_.sync();
    }
};

void Run::hooks() {
    auto record = [this](const Record& r) { result_.timeline.push_back(r); };
    auto emit = [this](const Emitted& em) { seen_.emitted.push_back(em); };
    auto action = [this](const ActionCall& call) -> std::optional<Data> {
        seen_.actions.push_back(call);
        auto it = s_.actions.find(call.action);
        if (it == s_.actions.end()) return std::nullopt;
        return to_data(it->second);
    };
    auto fact = [this](const FactQuery& fq) -> std::optional<std::string> {
        auto it = s_.facts.find(fq.fact);
        if (it == s_.facts.end()) return std::nullopt;
        // The last change at or before now; a constant applies from the start.
        std::optional<std::string> value;
        for (const auto& change : it->second.of(fq.key)) {
            if (!change.from || change.from->at <= clock_.now()) value = change.value.text;
        }
        return value;
    };
    on([&](auto& e) {
        e.on_record(record);
        e.on_emit(emit);
        e.on_action(action);
        e.on_fact(fact);
    });
}

std::optional<std::string> Run::move_clock(Instant target) {
    // The engine the run is on, plain or durable, as advance_clock sees it.
    struct Timers {
        Run& run;
        std::optional<Instant> next_due() {
            return run.on([](auto& e) { return e.next_due(); });
        }
        int run_due() {
            return run.on([](auto& e) { return e.run_due(); });
        }
    } timers{*this};
    auto moved = advance_clock(clock_, timers, target);
    if (moved.stuck) {
        return "the engine keeps a timer due at " + show_instant(*moved.stuck, p_.zone) +
               " that does not fire";
    }
    if (moved.runaway) {
        return "more than " + std::to_string(max_timer_runs) +
               " timers fired in one step; is an 'every' without 'max' running?";
    }
    return std::nullopt;
}

void Run::step(std::size_t index, const Step& st) {
    std::optional<std::string> failure;
    try {
        std::visit(
            [&](const auto& b) {
                using T = std::decay_t<decltype(b)>;
                if constexpr (std::is_same_v<T, TriggerStep>) {
                    if (b.refused) {
                        // The engine must refuse it, with the given words in its reason.
                        try {
                            on([&](auto& e) { return e.trigger(b.event.text, to_data(b.data)); });
                            failure = "expected the engine to refuse the trigger (" +
                                      b.refused->text + "); it took it";
                        } catch (const store_error&) {
                            throw;
                        } catch (const error& e) {
                            std::string why = e.what();
                            if (why.find(b.refused->text) == std::string::npos)
                                failure = "the engine refused the trigger, but not for '" +
                                          b.refused->text + "': " + why;
                        }
                    } else {
                        on([&](auto& e) { return e.trigger(b.event.text, to_data(b.data)); });
                    }
                } else if constexpr (std::is_same_v<T, AdvanceStep>) {
                    failure = move_clock(add_duration(clock_.now(), b.by, p_.zone));
                } else if constexpr (std::is_same_v<T, UntilStep>) {
                    failure = move_clock(b.to.at);
                } else if constexpr (std::is_same_v<T, ReplyStep>) {
                    on([&](auto& e) {
                        e.reply({b.from.text, b.to ? b.to->text : std::string(), b.text.text});
                    });
                } else if constexpr (std::is_same_v<T, SignalStep>) {
                    // A signal for a key no instance has ever had is almost always a typo: say so.
                    // (One that instances ignore, or that comes after the end, is a legitimate
                    // thing to test.)
                    bool anyone = false;
                    for (const auto& v : by_key(b.key.text))
                        if (!b.flow || v.flow == b.flow->text) anyone = true;
                    on([&](auto& e) {
                        return e.signal(b.flow ? b.flow->text : std::string(), b.key.text,
                                        b.event.text, to_data(b.data));
                    });
                    if (!anyone) {
                        failure = "signal " + b.event.text +
                                  " reached nobody: no instance has key " + b.key.text +
                                  (b.flow ? " in flow " + b.flow->text : std::string());
                    }
                } else if constexpr (std::is_same_v<T, AssignStep>) {
                    failure = assign(b);
                } else if constexpr (std::is_same_v<T, SuppressStep>) {
                    on([&](auto& e) {
                        e.suppress(b.address.text, b.source ? b.source->text : "host");
                    });
                } else if constexpr (std::is_same_v<T, ExpectSentStep>) {
                    refresh();
                    failure = expect_sent(b, seen_, p_.zone);
                } else if constexpr (std::is_same_v<T, ExpectNoSentStep>) {
                    refresh();
                    failure = expect_no_sent(seen_, p_.zone);
                } else if constexpr (std::is_same_v<T, ExpectNoInboxStep>) {
                    refresh();
                    failure = expect_no_inbox(seen_, p_.zone);
                } else if constexpr (std::is_same_v<T, ExpectInboxStep>) {
                    refresh();
                    failure = expect_inbox(b, seen_, p_.zone);
                } else if constexpr (std::is_same_v<T, ExpectEventStep>) {
                    refresh();
                    failure = expect_event(b, seen_);
                } else if constexpr (std::is_same_v<T, ExpectActionStep>) {
                    refresh();
                    failure = expect_action(b, seen_);
                } else if constexpr (std::is_same_v<T, ExpectSuppressedStep>) {
                    refresh();
                    failure = expect_suppressed(b, seen_, p_.zone, [this](std::uint64_t id) {
                        auto inst = q().instance(id);
                        return inst ? inst->key : std::string();
                    });
                } else if constexpr (std::is_same_v<T, ExpectStateStep>) {
                    failure = expect_state(b, by_key(b.key.text));
                } else if constexpr (std::is_same_v<T, ExpectHistoryStep>) {
                    auto candidates = by_key(b.key.text);
                    failure = expect_history(b, candidates, p_.zone);
                    if (b.kind.text == "error")
                        for (const auto& v : candidates)
                            if (!b.flow || v.flow == b.flow->text) expected_errors_.insert(v.id);
                }
            },
            st.body);
    } catch (const store_error&) {
        throw; // the database is gone: the run stops
    } catch (const error& e) {
        // The engine refused the input (data a flow cannot take): this step fails, the rest
        // of the scenario goes on.
        failure = std::string("the engine refused it: ") + e.what();
    }
    if (failure) {
        result_.failures.push_back("step " + std::to_string(index + 1) + " (" + st.kind +
                                   ", line " + std::to_string(st.pos.line) + "): " + *failure);
    }
}

void Run::unexpected_errors() {
    // An `error` record is a mistake in the flow or its data; a scenario must expect it
    // (expect_history kind: error), or it fails.
    std::set<std::uint64_t> reported;
    for (const auto& r : result_.timeline) {
        if (r.kind != "error" || expected_errors_.count(r.instance) || reported.count(r.instance))
            continue;
        reported.insert(r.instance);
        result_.failures.push_back(
            (r.instance ? "instance #" + std::to_string(r.instance) + " (" + r.flow + ")"
                        : "flow " + r.flow) +
            " recorded an error no step expected (expect_history kind: error makes it "
            "expected): " +
            std::string(r.get("error")));
    }
}

void Run::go() {
    hooks();
    for (std::size_t i = 0; i < p_.flows.size(); ++i) {
        try {
            on([&](auto& e) { e.load(p_.flows[i]); });
        } catch (const std::exception& e) {
            Span at = i < s_.flows.size() ? s_.flows[i].span : s_.flows_span;
            p_.diagnostics.error("flow-error",
                                 "flow '" + p_.flows[i]->flow().name + "' cannot run: " + e.what(),
                                 s_.file, at.pos, at.length);
            return;
        }
    }
    for (std::size_t i = 0; i < s_.steps.size(); ++i)
        step(i, s_.steps[i]);
    unexpected_errors();
}

} // namespace
} // namespace detail

ScenarioResult run_scenario(std::string_view yaml, const std::filesystem::path& file,
                            const ScenarioOptions& options) {
    ScenarioResult result;
    auto prepared = detail::prepare_scenario(yaml, file, options.flows);
    result.zone = prepared.zone;
    result.steps = prepared.scenario.steps.size();
    if (prepared.ok() && prepared.scenario.start) {
        try {
            detail::Run run(prepared, result, options.database);
            run.go();
        } catch (const std::exception& e) {
            // The engine's event path does not throw; this is a bug, reported rather than lost.
            result.failures.push_back(std::string("the run stopped: ") + e.what());
        }
    }
    result.diagnostics = std::move(prepared.diagnostics);
    result.ok = !result.diagnostics.has_errors() && result.failures.empty();
    return result;
}

ScenarioResult run_scenario_file(const std::filesystem::path& file,
                                 const ScenarioOptions& options) {
    std::ifstream in(file, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(file, ec)) {
        ScenarioResult result;
        result.diagnostics.error("io", "cannot read scenario file", file.string(), {});
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return run_scenario(text.str(), file, options);
}

} // namespace nudge
