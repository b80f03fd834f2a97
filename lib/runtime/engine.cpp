// The engine (include/nudge/engine.hpp): instances, timers, sends, replies, the inbox.
// Semantics: DESIGN §5 and dsl/REFERENCE.md. Everything here is deterministic: ids are
// sequential, timers fire in (deadline, order set) order, and every container that is
// iterated is ordered.
#include <nudge/engine.hpp>
#include <nudge/error.hpp>

#include "phone/numbers.hpp"
#include "runtime/value.hpp"
#include "text/merge_text.hpp"
#include "text/reply_text.hpp"
#include "time/time.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace nudge {

using detail::Value;

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Per-flow tables, built once when the flow is loaded.
struct FlowRt {
    std::shared_ptr<const CompiledFlow> compiled;
    const FlowDef* def = nullptr;
    detail::ValueContext ctx;
    std::string zone_name;
    // Every value slot: fields first, then classifiers.
    std::map<std::string, std::size_t, std::less<>> slot;
    std::vector<FieldType> slot_type;
    std::map<std::string, const FactDecl*, std::less<>> facts;
    std::map<std::string, const WindowDecl*, std::less<>> windows;
    std::map<std::string, const SeasonDecl*, std::less<>> seasons;
    std::map<std::string, const ListDecl*, std::less<>> lists;
    std::map<std::string, const ChannelDecl*, std::less<>> channels;
    std::map<std::string, detail::KeywordMatcher, std::less<>> keywords;
    detail::KeywordMatcher opt_out;
    std::vector<std::size_t> reply_states; // states with reply routes (own or from any)
    FlowMetrics metrics;
    std::map<std::string, Instant, std::less<>> last_start;   // cooldowns, by key
    std::map<std::string, std::uint64_t, std::less<>> active; // live instance by key
    // Versions of one name live side by side; only the newest (not superseded) starts.
    int version = 1;
    bool superseded = false;
};

enum class TimerKind { start, handler, reminder, repeat, send };

struct Timer {
    std::uint64_t instance = 0;
    TimerKind kind = TimerKind::handler;
    const Handler* handler = nullptr;
    const Repeat* repeat = nullptr;
    std::size_t repeat_index = 0;
    const Action* action = nullptr;
    std::string deferred_from; // for a deferred send: when it was first due
};

using TimerKey = std::pair<Instant, std::uint64_t>;

struct Outbound {
    std::string channel;
    std::string text;
    std::optional<std::string> subject;
    Instant at;
    // The template it came from, so that a reminder via another channel uses that channel's
    // variant of it.
    std::optional<std::string> template_name;
};

struct Inst {
    std::uint64_t id = 0;
    std::size_t flow = 0;
    std::string key;
    std::size_t trigger = 0;
    std::optional<std::size_t> state;
    InstanceStatus status = InstanceStatus::pending;
    Instant started;
    Instant entered;
    std::vector<Value> values;
    const date::time_zone* zone = nullptr; // the recipient's zone field, when set
    std::vector<TimerKey> timers;
    std::uint64_t epoch = 0; // counts state entries
    std::uint64_t messages = 0;
    std::optional<Outbound> last; // the state's last outbound message (reminders re-send it)
    std::size_t reminder_index = 0;
    int reminder_count = 0;
    std::vector<int> repeat_count;
    std::vector<std::pair<std::string, Instant>> sent_log; // for caps
    std::string last_reply;
    bool send_failed = false;
    std::optional<std::string> outcome;
    std::optional<double> outcome_value;
    std::vector<std::pair<std::string, std::string>> routes; // registered (from, to)
    std::vector<Record> history;
    Data trigger_data;
};

bool is_reply_handler(const Handler& h) { return h.kind == Handler::Kind::reply; }

} // namespace

struct Engine::Impl {
    Clock& clock;
    Transport& transport;
    std::vector<FlowRt> flows;
    std::map<std::uint64_t, Inst> instances;
    std::uint64_t next_id = 1;
    std::map<TimerKey, Timer> timers;
    std::uint64_t timer_seq = 0;
    std::map<std::pair<std::string, std::string>, std::vector<std::uint64_t>> routes;
    std::vector<InboxItem> inbox;
    std::vector<Suppression> suppressions;
    std::map<std::string, std::size_t, std::less<>> suppressed_index;
    std::function<void(const Record&)> observer;
    std::function<void(const Emitted&)> emit_handler;
    std::function<std::optional<Data>(const ActionCall&)> action_handler;
    std::function<std::optional<std::string>(const FactQuery&)> fact_provider;
    std::function<void(const Record&)> error_handler;
    int depth = 0;

    Impl(Clock& c, Transport& t) : clock(c), transport(t) {}

    Instant now() const { return clock.now(); }

    // ---- records -------------------------------------------------------------------------

    void record(Inst* inst, std::size_t flow, std::string kind, Fields fields) {
        Record r;
        r.at = now();
        r.instance = inst ? inst->id : 0;
        r.flow = flows[flow].def->name;
        r.kind = std::move(kind);
        r.fields = std::move(fields);
        if (observer) call_safely([&] { observer(r); }, inst, flow, "observer");
        bool is_error = r.kind == "error" || r.kind == "failed";
        if (is_error && error_handler) {
            auto handler = error_handler;
            try {
                handler(r);
            } catch (...) {}
        }
        if (inst) inst->history.push_back(std::move(r));
    }

    void error(Inst* inst, std::size_t flow, std::string what) {
        record(inst, flow, "error", {{"error", std::move(what)}});
    }

    template <class F> bool call_safely(F&& f, Inst* inst, std::size_t flow, std::string_view who) {
        try {
            f();
            return true;
        } catch (const std::exception& e) {
            if (who != "observer") error(inst, flow, std::string(who) + " failed: " + e.what());
        } catch (...) {
            if (who != "observer") error(inst, flow, std::string(who) + " failed");
        }
        return false;
    }

    // ---- values --------------------------------------------------------------------------

    const detail::ValueContext& ctx_of(const Inst& inst, detail::ValueContext& tmp) const {
        const auto& base = flows[inst.flow].ctx;
        if (!inst.zone) return base;
        tmp = base;
        tmp.zone = inst.zone;
        return tmp;
    }

    struct InstScope final : detail::Scope {
        const Impl& engine;
        const Inst& inst;
        detail::ValueContext ctx;
        InstScope(const Impl& e, const Inst& i) : engine(e), inst(i) {
            ctx = e.flows[i.flow].ctx;
            if (i.zone) ctx.zone = i.zone;
        }
        Value lookup(std::string_view name) const override { return engine.lookup(inst, name); }
        const WindowDecl* window(std::string_view name) const override {
            const auto& w = engine.flows[inst.flow].windows;
            auto it = w.find(name);
            return it == w.end() ? nullptr : it->second;
        }
        Instant now() const override { return engine.now(); }
        const detail::ValueContext& context() const override { return ctx; }
    };

    Value lookup(const Inst& inst, std::string_view name) const {
        const auto& f = flows[inst.flow];
        if (auto it = f.slot.find(name); it != f.slot.end()) return inst.values[it->second];
        if (auto it = f.facts.find(name); it != f.facts.end()) return fact(inst, *it->second);
        if (auto it = f.lists.find(name); it != f.lists.end()) {
            Value v;
            v.kind = Value::Kind::list;
            for (const auto& item : it->second->items)
                v.items.push_back(Value::of_text(item));
            return v;
        }
        return {};
    }

    Value fact(const Inst& inst, const FactDecl& decl) const {
        if (!fact_provider) return {};
        const auto& f = flows[inst.flow];
        std::optional<std::string> text;
        try {
            text = fact_provider({decl.name, f.def->name, inst.id, inst.key});
        } catch (...) {
            return {};
        }
        if (!text) return {};
        std::string why;
        auto v = detail::read_value(decl.type, *text, f.ctx, why);
        return v ? *v : Value{};
    }

    std::string text_of(const Inst& inst, std::string_view name) const {
        const auto& f = flows[inst.flow];
        detail::ValueContext tmp;
        const auto& ctx = ctx_of(inst, tmp);
        if (auto it = f.slot.find(name); it != f.slot.end()) {
            return detail::value_text(inst.values[it->second], f.slot_type[it->second], ctx);
        }
        if (auto it = f.facts.find(name); it != f.facts.end()) {
            return detail::value_text(fact(inst, *it->second), it->second->type, ctx);
        }
        return {};
    }

    // Merges host data into the instance's fields, typed; bad values are recorded.
    void merge_data(Inst& inst, const Data& data) {
        auto& f = flows[inst.flow];
        for (const auto& [name, text] : data) {
            auto it = f.slot.find(name);
            if (it == f.slot.end() || it->second >= f.def->fields.size()) continue;
            std::string why;
            auto v = detail::read_value(f.slot_type[it->second], text, f.ctx, why);
            if (!v) {
                error(&inst, inst.flow, "field " + name + ": " + why);
                continue;
            }
            inst.values[it->second] = std::move(*v);
        }
        refresh_derived(inst);
    }

    // Classifiers and the recipient's zone follow the fields.
    void refresh_derived(Inst& inst) {
        auto& f = flows[inst.flow];
        const auto& def = *f.def;
        for (const auto& c : def.classifiers) {
            std::vector<std::string> texts;
            for (const auto& s : c.sources)
                texts.push_back(text_of(inst, s));
            std::vector<std::string_view> views(texts.begin(), texts.end());
            auto label = detail::classify(c, views);
            inst.values[f.slot.at(c.name)] = label ? Value::of_text(*label) : Value{};
        }
        inst.zone = nullptr;
        for (std::size_t i = 0; i < def.fields.size(); ++i) {
            if (def.fields[i].type == FieldType::zone && !inst.values[i].empty()) {
                inst.zone = detail::find_zone(inst.values[i].text);
                if (inst.zone) break;
            }
        }
    }

    Data field_data(const Inst& inst) const {
        Data out;
        const auto& f = flows[inst.flow];
        detail::ValueContext tmp;
        const auto& ctx = ctx_of(inst, tmp);
        for (const auto& [name, slot] : f.slot) {
            if (!inst.values[slot].empty())
                out[name] = detail::value_text(inst.values[slot], f.slot_type[slot], ctx);
        }
        return out;
    }

    const date::time_zone* zone_of(const Inst& inst) const {
        return inst.zone ? inst.zone : flows[inst.flow].ctx.zone;
    }

    // ---- timers --------------------------------------------------------------------------

    void add_timer(Inst& inst, Instant due, Timer t) {
        t.instance = inst.id;
        TimerKey key{due, ++timer_seq};
        timers.emplace(key, std::move(t));
        inst.timers.push_back(key);
    }

    void cancel_timers(Inst& inst) {
        for (const auto& k : inst.timers)
            timers.erase(k);
        inst.timers.clear();
    }

    void cancel_timer_kind(Inst& inst, TimerKind kind) {
        auto& ks = inst.timers;
        for (auto it = ks.begin(); it != ks.end();) {
            auto t = timers.find(*it);
            if (t != timers.end() && t->second.kind == kind) {
                timers.erase(t);
                it = ks.erase(it);
            } else {
                ++it;
            }
        }
    }

    // The deadline moved into window `w` (when given): records the deferral.
    Instant within(Inst& inst, Instant due, const std::optional<std::string>& w,
                   std::string_view what) {
        if (!w) return due;
        const auto& f = flows[inst.flow];
        auto it = f.windows.find(*w);
        if (it == f.windows.end()) return due;
        if (detail::is_open(*it->second, due, zone_of(inst))) return due;
        auto open = detail::next_open(*it->second, due, zone_of(inst));
        if (!open) {
            error(&inst, inst.flow, std::string(what) + ": window " + *w + " never opens");
            return due;
        }
        record(&inst, inst.flow, "deferred",
               {{"what", std::string(what)},
                {"from", detail::format_instant(due, zone_of(inst))},
                {"to", detail::format_instant(*open, zone_of(inst))},
                {"why", "outside " + *w}});
        return *open;
    }

    // ---- routing of replies --------------------------------------------------------------

    void register_routes(Inst& inst) {
        const auto& f = flows[inst.flow];
        for (const auto& ch : f.def->channels) {
            if (ch.kind != ChannelKind::sms || !ch.from) continue;
            auto to = ch.to_is_literal ? ch.to : text_of(inst, ch.to);
            if (to.empty()) continue;
            std::pair<std::string, std::string> key{
                detail::canonical_address(to, f.ctx.region),
                detail::canonical_address(*ch.from, f.ctx.region)};
            if (std::find(inst.routes.begin(), inst.routes.end(), key) != inst.routes.end())
                continue;
            routes[key].push_back(inst.id);
            inst.routes.push_back(key);
        }
    }

    void unregister_routes(Inst& inst) {
        for (const auto& key : inst.routes) {
            auto it = routes.find(key);
            if (it == routes.end()) continue;
            auto& ids = it->second;
            ids.erase(std::remove(ids.begin(), ids.end(), inst.id), ids.end());
            if (ids.empty()) routes.erase(it);
        }
        inst.routes.clear();
    }

    // Handlers of a state: its own, then `from any` for non-finals.
    template <class F> void each_handler(const Inst& inst, F&& f) const {
        if (!inst.state) return;
        const auto& flow = flows[inst.flow];
        const auto& decl = flow.compiled->decl(*inst.state);
        for (const auto& h : decl.handlers)
            if (f(h)) return;
        if (decl.is_final) return;
        for (const auto& h : flow.def->from_any)
            if (f(h)) return;
    }

    bool waits_for_replies(const Inst& inst) const {
        bool any = false;
        each_handler(inst, [&](const Handler& h) { return any = is_reply_handler(h); });
        return any;
    }

    // ---- lifecycle -----------------------------------------------------------------------

    bool live(const Inst& inst) const {
        return inst.status == InstanceStatus::waiting || inst.status == InstanceStatus::pending;
    }

    void leave_state(Inst& inst) {
        cancel_timers(inst);
        unregister_routes(inst);
    }

    void finish(Inst& inst, InstanceStatus status) {
        if (status == InstanceStatus::finished) {
            // A final's deferred sends (`send … within office`) still go out.
            std::vector<TimerKey> keep;
            for (const auto& k : inst.timers) {
                auto t = timers.find(k);
                if (t != timers.end() && t->second.kind == TimerKind::send) {
                    keep.push_back(k);
                } else if (t != timers.end()) {
                    timers.erase(t);
                }
            }
            inst.timers = std::move(keep);
            unregister_routes(inst);
        } else {
            leave_state(inst);
        }
        inst.status = status;
        auto& f = flows[inst.flow];
        if (auto it = f.active.find(inst.key); it != f.active.end() && it->second == inst.id)
            f.active.erase(it);
    }

    void go(Inst& inst, const Target& target, std::string_view why,
            const Data* event_data = nullptr) {
        if (target.kind == Target::Kind::restart) {
            // Start over with the event's data on top of what the instance started with.
            Data data = inst.trigger_data;
            if (event_data)
                for (const auto& [k, v] : *event_data)
                    data[k] = v;
            restart(inst, data, why);
            return;
        }
        if (target.kind == Target::Kind::inbox) return;
        auto idx = flows[inst.flow].compiled->state_index(target.state);
        if (!idx) {
            error(&inst, inst.flow, "unknown state " + target.state);
            return;
        }
        enter(inst, *idx, why);
    }

    void restart(Inst& inst, const Data& data, std::string_view why) {
        auto& f = flows[inst.flow];
        leave_state(inst);
        record(&inst, inst.flow, "restarted", {{"why", std::string(why)}});
        inst.values.assign(f.slot_type.size(), Value{});
        inst.trigger_data = data;
        merge_data(inst, data);
        inst.last.reset();
        const auto& t = f.def->triggers[inst.trigger];
        auto idx = f.compiled->state_index(t.start);
        if (idx) enter(inst, *idx, "restart");
    }

    void enter(Inst& inst, std::size_t state, std::string_view why) {
        auto& f = flows[inst.flow];
        if (depth > 64) {
            error(&inst, inst.flow, "more than 64 immediate steps: stopped (a livelock?)");
            return;
        }
        ++depth;
        leave_state(inst);
        const auto& decl = f.compiled->decl(state);
        inst.state = state;
        inst.status = InstanceStatus::waiting;
        inst.entered = now();
        ++inst.epoch;
        inst.last.reset();
        inst.reminder_index = 0;
        inst.reminder_count = 0;
        inst.repeat_count.assign(decl.repeats.size(), 0);
        inst.send_failed = false;
        f.metrics.entries[decl.name]++;
        record(&inst, inst.flow, "entered", {{"state", decl.name}, {"why", std::string(why)}});
        auto epoch = inst.epoch;

        for (const auto& a : decl.actions) {
            run_action(inst, a);
            if (inst.epoch != epoch || !live(inst)) {
                --depth;
                return;
            }
        }
        if (decl.is_final) {
            if (decl.outcome) {
                inst.outcome = decl.outcome->label;
                Fields fields{{"outcome", decl.outcome->label}};
                auto& m = f.metrics.outcomes[decl.outcome->label];
                m.count++;
                if (decl.outcome->value) {
                    InstScope scope(*this, inst);
                    auto v = detail::evaluate(*decl.outcome->value, scope);
                    if (v.kind == Value::Kind::number) {
                        inst.outcome_value = v.number;
                        m.value += v.number;
                        fields.emplace_back("value",
                                            detail::value_text(v, FieldType::money, f.ctx));
                    }
                }
                record(&inst, inst.flow, "outcome", std::move(fields));
            }
            finish(inst, InstanceStatus::finished);
            record(&inst, inst.flow, "finished", {{"state", decl.name}});
            --depth;
            return;
        }
        if (inst.send_failed && take_event(inst, "send.failed", {})) {
            --depth;
            return;
        }
        for (std::size_t i = 0; i < decl.repeats.size(); ++i) {
            const auto& r = decl.repeats[i];
            Timer t;
            t.kind = TimerKind::repeat;
            t.repeat = &r;
            t.repeat_index = i;
            add_timer(
                inst,
                within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"), t);
        }
        {
            InstScope scope(*this, inst);
            for (const auto& c : decl.choices) {
                if (!c.condition || detail::holds(*c.condition, scope)) {
                    record(&inst, inst.flow, "matched",
                           {{"route", c.condition ? "if " + to_text(*c.condition) : "else"},
                            {"target", to_text(c.target)}});
                    go(inst, c.target, "choice");
                    --depth;
                    return;
                }
            }
        }
        schedule_handlers(inst);
        schedule_reminder(inst);
        if (waits_for_replies(inst)) register_routes(inst);
        --depth;
    }

    void schedule_handlers(Inst& inst) {
        const auto& f = flows[inst.flow];
        auto z = zone_of(inst);
        each_handler(inst, [&](const Handler& h) {
            Timer t;
            t.kind = TimerKind::handler;
            t.handler = &h;
            std::optional<Instant> due;
            switch (h.kind) {
            case Handler::Kind::after: due = detail::add(inst.entered, h.delay, z); break;
            case Handler::Kind::at: {
                InstScope scope(*this, inst);
                auto v = detail::evaluate(*h.at, scope);
                detail::ValueContext tmp;
                due = detail::as_instant(v, ctx_of(inst, tmp));
                if (!due) error(&inst, inst.flow, "at " + to_text(*h.at) + ": no date");
                break;
            }
            case Handler::Kind::season: {
                auto s = f.seasons.find(h.season);
                if (s == f.seasons.end()) break;
                auto iv = detail::season_at_or_after(*s->second, now(), z);
                const WindowDecl* w = nullptr;
                if (h.within) {
                    auto wi = f.windows.find(*h.within);
                    if (wi != f.windows.end()) w = wi->second;
                }
                double fraction = 0;
                if (h.spread == Handler::Spread::evenly) {
                    fraction = detail::stable_fraction(f.def->name + "/" + inst.key);
                } else if (h.spread == Handler::Spread::by_field) {
                    fraction = detail::stable_fraction(f.def->name + "/" + inst.key);
                    detail::ValueContext tmp;
                    auto last = detail::as_instant(lookup(inst, h.spread_field), ctx_of(inst, tmp));
                    if (last) {
                        // The same point of the season as last time, measured in the
                        // window's open time when there is one (so 30 % stays 30 %).
                        if (auto past = detail::season_containing(*s->second, *last, z)) {
                            fraction = detail::fraction_through(*past, *last, w, z);
                        }
                    }
                }
                if (h.spread == Handler::Spread::none && !w) {
                    due = iv.begin;
                } else {
                    due = detail::spread_point(iv, fraction, w, z);
                }
                add_timer(inst, std::max(*due, now()), t);
                return false;
            }
            default: return false;
            }
            if (!due) return false;
            auto when = std::max(*due, now()); // a deadline already past fires at once
            when = within(inst, when, h.within, "deadline");
            add_timer(inst, when, t);
            return false;
        });
    }

    void schedule_reminder(Inst& inst) {
        cancel_timer_kind(inst, TimerKind::reminder);
        if (!inst.state || !inst.last) return;
        const auto& decl = flows[inst.flow].compiled->decl(*inst.state);
        if (inst.reminder_index >= decl.reminders.size()) return;
        const auto& r = decl.reminders[inst.reminder_index];
        auto due = detail::add(inst.last->at, r.after, zone_of(inst));
        due = within(inst, std::max(due, now()), r.within, "reminder");
        Timer t;
        t.kind = TimerKind::reminder;
        add_timer(inst, due, t);
    }

    // ---- actions -------------------------------------------------------------------------

    void run_action(Inst& inst, const Action& a) {
        auto& f = flows[inst.flow];
        switch (a.kind) {
        case Action::Kind::send: {
            if (a.within) {
                auto wi = f.windows.find(*a.within);
                if (wi != f.windows.end() && !detail::is_open(*wi->second, now(), zone_of(inst))) {
                    auto when = within(inst, now(), a.within, "send " + a.channel);
                    Timer t;
                    t.kind = TimerKind::send;
                    t.action = &a;
                    add_timer(inst, when, t);
                    return;
                }
            }
            send(inst, a);
            return;
        }
        case Action::Kind::run: {
            record(&inst, inst.flow, "action", {{"action", a.name}});
            if (!action_handler) return;
            ActionCall call{a.name,   f.def->name,      inst.id,
                            inst.key, field_data(inst), inst.last_reply};
            std::optional<Data> answer;
            auto handler = action_handler;
            if (call_safely([&] { answer = handler(call); }, &inst, inst.flow,
                            "action " + a.name) &&
                answer && !answer->empty()) {
                merge_data(inst, *answer);
                Fields fields;
                for (const auto& [k, v] : *answer)
                    fields.emplace_back(k, v);
                record(&inst, inst.flow, "set", std::move(fields));
            }
            return;
        }
        case Action::Kind::emit: {
            record(&inst, inst.flow, "emitted", {{"event", a.name}});
            if (!emit_handler) return;
            Emitted e{a.name, f.def->name, inst.id, inst.key, field_data(inst), now()};
            auto handler = emit_handler;
            call_safely([&] { handler(e); }, &inst, inst.flow, "emit " + a.name);
            return;
        }
        case Action::Kind::set: {
            auto it = f.slot.find(a.name);
            if (it == f.slot.end() || !a.value) return;
            InstScope scope(*this, inst);
            inst.values[it->second] = detail::evaluate(*a.value, scope);
            refresh_derived(inst);
            detail::ValueContext tmp;
            // Instants print as everywhere else in the timeline (a merge prints them shorter).
            const auto& v = inst.values[it->second];
            record(&inst, inst.flow, "set",
                   {{a.name,
                     v.kind == Value::Kind::instant
                         ? detail::format_instant(v.instant, zone_of(inst))
                         : detail::value_text(v, f.slot_type[it->second], ctx_of(inst, tmp))}});
            return;
        }
        }
    }

    const TemplateDecl* find_template(const FlowRt& f, const std::string& name,
                                      ChannelKind kind) const {
        const TemplateDecl* any = nullptr;
        for (const auto& t : f.def->templates) {
            if (t.name != name) continue;
            if (t.kind == kind) return &t;
            if (!t.kind) any = &t;
        }
        return any;
    }

    std::string recipient(const Inst& inst, const ChannelDecl& ch) const {
        return ch.to_is_literal ? ch.to : text_of(inst, ch.to);
    }

    void failed(Inst& inst, Fields fields) {
        inst.send_failed = true;
        record(&inst, inst.flow, "failed", std::move(fields));
    }

    // Renders and sends (or fails, or suppresses) one send action.
    void send(Inst& inst, const Action& a) {
        auto& f = flows[inst.flow];
        std::vector<std::string> order{a.channel};
        order.insert(order.end(), a.fallback.begin(), a.fallback.end());
        const ChannelDecl* ch = nullptr;
        std::string to;
        for (const auto& name : order) {
            auto it = f.channels.find(name);
            if (it == f.channels.end()) continue;
            auto r = recipient(inst, *it->second);
            if (!r.empty()) {
                ch = it->second;
                to = r;
                break;
            }
            if (order.size() > 1) {
                record(&inst, inst.flow, "fallback",
                       {{"channel", name}, {"why", "no " + it->second->to}});
            }
        }
        if (!ch) {
            failed(inst, {{"channel", a.channel}, {"error", "no recipient on any channel"}});
            if (depth == 0) after_failure(inst);
            return;
        }
        std::string text;
        std::optional<std::string> subject;
        if (a.inline_text) {
            text = *a.inline_text;
        } else if (const auto* t = find_template(f, a.template_name, ch->kind)) {
            text = t->text;
            subject = t->subject;
        } else {
            failed(inst, {{"channel", ch->name}, {"error", "no template " + a.template_name}});
            if (depth == 0) after_failure(inst);
            return;
        }
        auto lookup = [&](std::string_view name) -> std::optional<std::string> {
            auto s = text_of(inst, name);
            if (s.empty()) return std::nullopt;
            return s;
        };
        auto body = detail::render_merge(text, lookup);
        std::vector<std::string> missing = body.missing;
        if (subject) {
            auto sub = detail::render_merge(*subject, lookup);
            subject = sub.text;
            for (auto& m : sub.missing)
                if (std::find(missing.begin(), missing.end(), m) == missing.end())
                    missing.push_back(m);
        }
        if (!missing.empty()) {
            std::string names;
            for (const auto& m : missing)
                names += (names.empty() ? "" : ", ") + m;
            failed(inst, {{"channel", ch->name}, {"error", "missing merge value: " + names}});
            if (depth == 0) after_failure(inst);
            return;
        }
        if (deliver(inst, *ch, to, std::move(subject), std::move(body.text), false)) {
            if (!a.inline_text) inst.last->template_name = a.template_name;
            // A new message: reminders count from it.
            inst.reminder_index = 0;
            inst.reminder_count = 0;
            if (inst.status == InstanceStatus::waiting && depth == 0) schedule_reminder(inst);
        }
    }

    // Policy (numbers, opt-out, cap) then the transport. True when the transport took it.
    bool deliver(Inst& inst, const ChannelDecl& ch, const std::string& to,
                 std::optional<std::string> subject, std::string text, bool reminder) {
        auto& f = flows[inst.flow];
        auto address = detail::canonical_address(to, f.ctx.region);
        bool phone_channel = ch.kind == ChannelKind::sms || ch.kind == ChannelKind::voice;
        auto suppress = [&](std::string reason, std::string detail_text) {
            f.metrics.suppressed[reason]++;
            record(&inst, inst.flow, "suppressed",
                   {{"channel", ch.name}, {"to", to}, {"reason", reason}, {"why", detail_text}});
            return false;
        };
        if (phone_channel && f.def->numbers && !ch.to_is_literal) {
            auto info = detail::inspect_number(to, f.ctx.region);
            using NT = detail::NumberType;
            bool personal = info.type == NT::mobile || info.type == NT::fixed_line ||
                            info.type == NT::fixed_line_or_mobile || info.type == NT::voip ||
                            info.type == NT::personal_number;
            if (!detail::number_allowed(*f.def->numbers, info) || !personal) {
                std::string why = !info.valid
                                      ? "not a valid number"
                                      : std::string(detail::to_string(info.type)) + " number in " +
                                            (info.region.empty() ? "?" : info.region);
                return suppress("number_policy", why);
            }
        }
        if (suppressed_index.count(address) != 0)
            return suppress("opted_out", address + " opted out");
        for (const auto& cap : f.def->caps) {
            if (cap.channel != ch.name) continue;
            auto since = detail::add(now(), Duration{-cap.per.count, cap.per.unit}, zone_of(inst));
            auto n = std::count_if(inst.sent_log.begin(), inst.sent_log.end(), [&](const auto& s) {
                return s.first == ch.name && s.second > since;
            });
            if (n >= cap.count) {
                return suppress("cap", std::to_string(cap.count) + " per " + to_text(cap.per));
            }
        }
        Message m;
        m.id = f.def->name + "/" + std::to_string(inst.id) + "/" + std::to_string(++inst.messages);
        m.flow = f.def->name;
        m.instance = inst.id;
        m.key = inst.key;
        m.channel = ch.name;
        m.kind = ch.kind;
        m.to = to;
        m.from = ch.from.value_or("");
        m.subject = subject;
        m.text = text;
        m.at = now();
        m.reminder = reminder;
        SendResult result;
        try {
            result = transport.send(m);
        } catch (const std::exception& e) {
            result = {false, {}, e.what()};
        } catch (...) {
            result = {false, {}, "the transport threw"};
        }
        if (!result.accepted) {
            failed(inst, {{"channel", ch.name}, {"to", to}, {"error", result.error}});
            if (depth == 0) after_failure(inst);
            return false;
        }
        f.metrics.sends[ch.name]++;
        inst.sent_log.emplace_back(ch.name, m.at);
        Fields fields{{"channel", ch.name}, {"to", to}};
        if (subject) fields.emplace_back("subject", *subject);
        fields.emplace_back("text", text);
        fields.emplace_back("id", m.id);
        if (!result.transport_id.empty()) fields.emplace_back("transport_id", result.transport_id);
        if (reminder) fields.emplace_back("reminder", "true");
        record(&inst, inst.flow, "sent", std::move(fields));
        if (!reminder) inst.last = Outbound{ch.name, std::move(text), std::move(subject), m.at, {}};
        return true;
    }

    // A failure outside a state's entry: `on send.failed` may route it.
    void after_failure(Inst& inst) {
        if (inst.send_failed && live(inst)) take_event(inst, "send.failed", {});
    }

    // ---- events --------------------------------------------------------------------------

    bool take_event(Inst& inst, std::string_view event, const Data& data) {
        inst.send_failed = false;
        if (!data.empty()) merge_data(inst, data);
        const Handler* chosen = nullptr;
        InstScope scope(*this, inst);
        each_handler(inst, [&](const Handler& h) {
            if (h.kind != Handler::Kind::event || h.event != event) return false;
            if (h.condition && !detail::holds(*h.condition, scope)) return false;
            chosen = &h;
            return true;
        });
        if (!chosen) return false;
        record(&inst, inst.flow, "matched",
               {{"route", "on " + std::string(event)}, {"target", to_text(chosen->target)}});
        go(inst, chosen->target, "on " + std::string(event), &data);
        return true;
    }

    // ---- timers firing -------------------------------------------------------------------

    void fire(const Timer& t) {
        auto it = instances.find(t.instance);
        if (it == instances.end()) return;
        Inst& inst = it->second;
        auto& f = flows[inst.flow];
        switch (t.kind) {
        case TimerKind::start: {
            const auto& trig = f.def->triggers[inst.trigger];
            auto idx = f.compiled->state_index(trig.start);
            // (A migrated instance's new trigger may have no delay.)
            if (idx) enter(inst, *idx, trig.delay ? "delay " + to_text(*trig.delay) : "delay");
            return;
        }
        case TimerKind::handler: {
            const Handler& h = *t.handler;
            std::string label = h.kind == Handler::Kind::after ? "after " + to_text(h.delay)
                                : h.kind == Handler::Kind::at  ? "at " + to_text(*h.at)
                                                               : "at season " + h.season;
            record(&inst, inst.flow, "timer", {{"timer", label}, {"target", to_text(h.target)}});
            go(inst, h.target, label);
            return;
        }
        case TimerKind::reminder: {
            if (!inst.state || !inst.last) return;
            const auto& decl = f.compiled->decl(*inst.state);
            if (inst.reminder_index >= decl.reminders.size()) return;
            const auto& r = decl.reminders[inst.reminder_index];
            std::string channel = r.via.value_or(inst.last->channel);
            auto ci = f.channels.find(channel);
            if (ci != f.channels.end()) {
                auto to = recipient(inst, *ci->second);
                std::string prefix = r.prefix ? *r.prefix : std::string(default_reminder_prefix);
                auto subject = inst.last->subject;
                auto text = inst.last->text;
                std::vector<std::string> missing;
                // Via another kind of channel: that channel's variant of the same template.
                const auto* last_ch = f.channels.count(inst.last->channel)
                                          ? f.channels.find(inst.last->channel)->second
                                          : nullptr;
                if (inst.last->template_name && last_ch && last_ch->kind != ci->second->kind) {
                    if (const auto* tmpl =
                            find_template(f, *inst.last->template_name, ci->second->kind)) {
                        auto lookup = [&](std::string_view name) -> std::optional<std::string> {
                            auto v = text_of(inst, name);
                            if (v.empty()) return std::nullopt;
                            return v;
                        };
                        auto body = detail::render_merge(tmpl->text, lookup);
                        text = body.text;
                        missing = body.missing;
                        subject.reset();
                        if (tmpl->subject)
                            subject = detail::render_merge(*tmpl->subject, lookup).text;
                    }
                }
                if (ci->second->kind != ChannelKind::email) subject.reset();
                if (to.empty()) {
                    failed(inst, {{"channel", channel}, {"error", "no " + ci->second->to}});
                } else if (!missing.empty()) {
                    std::string names;
                    for (const auto& m : missing)
                        names += (names.empty() ? "" : ", ") + m;
                    failed(inst,
                           {{"channel", channel}, {"error", "missing merge value: " + names}});
                } else {
                    deliver(inst, *ci->second, to, std::move(subject), prefix + text, true);
                }
            }
            if (++inst.reminder_count >= std::max(r.times, 1)) {
                inst.reminder_index++;
                inst.reminder_count = 0;
            }
            // Reminders count from the last outbound message: this one.
            inst.last->at = now();
            if (live(inst)) schedule_reminder(inst);
            after_failure(inst);
            return;
        }
        case TimerKind::repeat: {
            const Repeat& r = *t.repeat;
            auto& count = inst.repeat_count[t.repeat_index];
            InstScope scope(*this, inst);
            bool go_on = !r.while_cond || detail::holds(*r.while_cond, scope);
            if (go_on && (!r.max || count < *r.max)) {
                { // `within` deferred the tick when it was set, so the window is open now
                    ++count;
                    auto epoch = inst.epoch;
                    ++depth; // sends inside a repeat do not reschedule reminders themselves
                    for (const auto& a : r.actions) {
                        run_action(inst, a);
                        if (inst.epoch != epoch || !live(inst)) break;
                    }
                    --depth;
                    if (inst.epoch != epoch || !live(inst)) return;
                    schedule_reminder(inst);
                    after_failure(inst);
                    if (inst.epoch != epoch || !live(inst)) return;
                }
            }
            if (!r.max || count < *r.max) {
                Timer next = t;
                add_timer(
                    inst,
                    within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"),
                    next);
            }
            return;
        }
        case TimerKind::send: {
            ++depth;
            send(inst, *t.action);
            --depth;
            if (live(inst) && inst.status == InstanceStatus::waiting) schedule_reminder(inst);
            after_failure(inst);
            return;
        }
        }
    }

    int run_due() {
        int fired = 0;
        while (!timers.empty() && timers.begin()->first.first <= now()) {
            auto node = timers.extract(timers.begin());
            auto& inst_timers = instances[node.mapped().instance].timers;
            inst_timers.erase(std::remove(inst_timers.begin(), inst_timers.end(), node.key()),
                              inst_timers.end());
            fire(node.mapped());
            ++fired;
        }
        return fired;
    }

    // ---- inputs --------------------------------------------------------------------------

    std::vector<std::uint64_t> trigger(std::string_view event, const Data& data) {
        std::vector<std::uint64_t> started;
        for (std::size_t fi = 0; fi < flows.size(); ++fi) {
            auto& f = flows[fi];
            if (f.superseded) continue;
            for (std::size_t ti = 0; ti < f.def->triggers.size(); ++ti) {
                const auto& t = f.def->triggers[ti];
                if (t.event != event) continue;
                if (auto id = start(fi, ti, data)) started.push_back(*id);
            }
        }
        run_due();
        return started;
    }

    void suppressed_trigger(std::size_t fi, const TriggerDecl& t, const std::string& key,
                            std::string reason, std::string why) {
        flows[fi].metrics.suppressed[reason]++;
        record(nullptr, fi, "suppressed",
               {{"event", t.event},
                {"key", key},
                {"reason", std::move(reason)},
                {"why", std::move(why)}});
    }

    std::optional<std::uint64_t> start(std::size_t fi, std::size_t ti, const Data& data) {
        auto& f = flows[fi];
        const auto& t = f.def->triggers[ti];
        f.metrics.triggers++;
        Inst probe;
        probe.flow = fi;
        probe.values.assign(f.slot_type.size(), Value{});
        probe.id = 0;
        // Values are read before the instance exists; bad ones are reported on it.
        std::vector<std::string> problems;
        for (const auto& [name, text] : data) {
            auto it = f.slot.find(name);
            if (it == f.slot.end() || it->second >= f.def->fields.size()) continue;
            std::string why;
            auto v = detail::read_value(f.slot_type[it->second], text, f.ctx, why);
            if (!v) {
                problems.push_back("field " + name + ": " + why);
                continue;
            }
            probe.values[it->second] = std::move(*v);
        }
        refresh_derived(probe);
        auto key = text_of(probe, t.key);
        if (key.empty()) {
            suppressed_trigger(fi, t, key, "no_key", "no value for " + t.key);
            return std::nullopt;
        }
        if (t.only_during) {
            auto wi = f.windows.find(*t.only_during);
            if (wi != f.windows.end() && !detail::is_open(*wi->second, now(), zone_of(probe))) {
                suppressed_trigger(fi, t, key, "outside_window", "outside " + *t.only_during);
                return std::nullopt;
            }
        }
        if (t.cooldown) {
            auto it = f.last_start.find(key);
            if (it != f.last_start.end() &&
                now() < detail::add(it->second, *t.cooldown, zone_of(probe))) {
                suppressed_trigger(fi, t, key, "cooldown",
                                   "started " + detail::format_instant(it->second, f.ctx.zone) +
                                       ", cooldown " + to_text(*t.cooldown));
                return std::nullopt;
            }
        }
        if (t.unless) {
            InstScope scope(*this, probe);
            if (detail::holds(*t.unless, scope)) {
                suppressed_trigger(fi, t, key, "unless", "unless " + to_text(*t.unless));
                return std::nullopt;
            }
        }
        for (const auto& ch : f.def->channels) {
            auto to = recipient(probe, ch);
            if (!to.empty() &&
                suppressed_index.count(detail::canonical_address(to, f.ctx.region))) {
                suppressed_trigger(fi, t, key, "opted_out", to + " opted out");
                return std::nullopt;
            }
        }
        if (auto running = active_instance(fi, key)) {
            suppressed_trigger(fi, t, key, "active",
                               "instance " + std::to_string(*running) + " is running");
            return std::nullopt;
        }
        auto id = next_id++;
        Inst& inst = instances[id];
        inst = std::move(probe);
        inst.id = id;
        inst.key = key;
        inst.trigger = ti;
        inst.started = now();
        inst.entered = now();
        inst.trigger_data = data;
        inst.status = InstanceStatus::pending;
        f.active[key] = id;
        f.last_start[key] = now();
        f.metrics.starts++;
        record(&inst, fi, "started", {{"event", t.event}, {"key", key}});
        for (auto& p : problems)
            error(&inst, fi, std::move(p));
        if (t.delay && (t.delay->count != 0)) {
            Timer timer;
            timer.kind = TimerKind::start;
            add_timer(inst, detail::add(now(), *t.delay, zone_of(inst)), timer);
        } else if (auto idx = f.compiled->state_index(t.start)) {
            enter(inst, *idx, "trigger " + t.event);
        }
        return id;
    }

    int signal(std::string_view flow, std::string_view key, std::string_view event,
               const Data& data) {
        std::vector<std::uint64_t> ids;
        for (std::size_t fi = 0; fi < flows.size(); ++fi) {
            auto& f = flows[fi];
            if (!flow.empty() && f.def->name != flow) continue;
            auto it = f.active.find(key);
            if (it == f.active.end()) {
                it = f.active.find(detail::canonical_address(key, f.ctx.region));
            }
            if (it != f.active.end()) ids.push_back(it->second);
        }
        std::sort(ids.begin(), ids.end());
        int moved = 0;
        for (auto id : ids) {
            auto& inst = instances[id];
            if (inst.status != InstanceStatus::waiting) continue;
            Fields fields{{"event", std::string(event)}};
            for (const auto& [k, v] : data)
                fields.emplace_back(k, v);
            record(&inst, inst.flow, "received", std::move(fields));
            if (take_event(inst, event, data)) ++moved;
        }
        run_due();
        return moved;
    }

    void to_inbox(const Inbound& m, std::string reason, std::vector<std::uint64_t> candidates,
                  Inst* inst) {
        InboxItem item;
        item.id = inbox.size() + 1;
        item.at = now();
        item.message = m;
        item.reason = reason;
        item.candidates = candidates;
        inbox.push_back(item);
        Fields fields{{"inbox", std::to_string(item.id)},
                      {"reason", reason},
                      {"from", m.from},
                      {"to", m.to},
                      {"text", m.text}};
        if (!candidates.empty()) {
            std::string c;
            for (auto id : candidates)
                c += (c.empty() ? "" : ",") + std::to_string(id);
            fields.emplace_back("candidates", c);
        }
        std::size_t fi = inst ? inst->flow : 0;
        if (!inst && !candidates.empty()) fi = instances[candidates.front()].flow;
        if (flows.empty()) return;
        record(inst, fi, "inbox", std::move(fields));
    }

    void reply(const Inbound& m) {
        if (flows.empty()) return;
        auto region = flows.front().ctx.region;
        auto from = detail::canonical_address(m.from, region);
        auto to = detail::canonical_address(m.to, region);
        auto tokens = detail::reply_tokens(m.text);
        auto it = routes.find({from, to});
        std::vector<std::uint64_t> candidates;
        if (it != routes.end()) candidates = it->second;
        std::sort(candidates.begin(), candidates.end());

        // Opt-out beats everything: the first word decides, across every flow.
        for (std::size_t fi = 0; fi < flows.size(); ++fi) {
            if (!flows[fi].opt_out.matches_first(tokens)) continue;
            if (suppressed_index.count(from) == 0) {
                suppressed_index[from] = suppressions.size();
                suppressions.push_back({from, now(), "reply \"" + m.text + "\" to " + m.to});
            }
            Inst* inst = candidates.size() == 1 ? &instances[candidates.front()] : nullptr;
            record(inst, inst ? inst->flow : fi, "opted_out",
                   {{"address", from}, {"text", m.text}, {"to", m.to}});
            cancel_pending_sends(from);
            run_due();
            return;
        }
        if (candidates.empty()) {
            to_inbox(m, "unknown", {}, nullptr);
        } else if (candidates.size() > 1) {
            to_inbox(m, "ambiguous", candidates, nullptr);
        } else {
            route_reply(instances[candidates.front()], m, tokens);
        }
        run_due();
    }

    // An address opted out: the pending sends to it are cancelled, then every live instance
    // that sends to it gets the event `opted.out` (taken only where a route waits for it).
    void cancel_pending_sends(const std::string& address) {
        std::vector<std::uint64_t> reached;
        for (auto& [id, inst] : instances) {
            if (!live(inst)) continue;
            bool addressed = false;
            for (const auto& ch : flows[inst.flow].def->channels) {
                auto to = recipient(inst, ch);
                if (!to.empty() &&
                    detail::canonical_address(to, flows[inst.flow].ctx.region) == address)
                    addressed = true;
            }
            if (!addressed) continue;
            reached.push_back(id);
            bool any = false;
            for (auto k : inst.timers) {
                auto t = timers.find(k);
                if (t != timers.end() &&
                    (t->second.kind == TimerKind::send || t->second.kind == TimerKind::reminder))
                    any = true;
            }
            if (!any) continue;
            cancel_timer_kind(inst, TimerKind::send);
            cancel_timer_kind(inst, TimerKind::reminder);
            record(&inst, inst.flow, "cancelled",
                   {{"what", "pending sends"}, {"why", address + " opted out"}});
        }
        for (auto id : reached) {
            auto it = instances.find(id);
            if (it != instances.end() && live(it->second)) take_event(it->second, "opted.out", {});
        }
    }

    void route_reply(Inst& inst, const Inbound& m, const std::vector<std::string>& tokens) {
        auto& f = flows[inst.flow];
        f.metrics.replies++;
        inst.last_reply = m.text;
        record(&inst, inst.flow, "received", {{"from", m.from}, {"to", m.to}, {"text", m.text}});
        const Handler* chosen = nullptr;
        InstScope scope(*this, inst);
        each_handler(inst, [&](const Handler& h) {
            if (h.kind != Handler::Kind::reply) return false;
            bool match = h.keywords == "other" || h.keywords == "any";
            if (!match) {
                auto k = f.keywords.find(h.keywords);
                match = k != f.keywords.end() && k->second.matches(tokens);
            }
            if (match && h.condition && !detail::holds(*h.condition, scope)) match = false;
            if (match) chosen = &h;
            return match;
        });
        if (!chosen) {
            to_inbox(m, "unmatched", {}, &inst);
            return;
        }
        record(&inst, inst.flow, "matched",
               {{"route", "reply " + chosen->keywords}, {"target", to_text(chosen->target)}});
        if (chosen->target.kind == Target::Kind::inbox) {
            to_inbox(m, "routed", {}, &inst);
            return;
        }
        go(inst, chosen->target, "reply " + chosen->keywords);
    }

    InstanceView view(const Inst& inst, bool with_history = true) const {
        InstanceView v;
        const auto& f = flows[inst.flow];
        v.id = inst.id;
        v.flow = f.def->name;
        v.version = f.version;
        v.key = inst.key;
        if (inst.state) v.state = f.compiled->states()[*inst.state].name;
        v.status = inst.status;
        v.started = inst.started;
        v.entered = inst.entered;
        v.fields = field_data(inst);
        v.outcome = inst.outcome;
        v.outcome_value = inst.outcome_value;
        if (with_history) v.history = inst.history;
        return v;
    }

    std::optional<std::size_t> flow_index(std::string_view name) const {
        for (std::size_t i = 0; i < flows.size(); ++i)
            if (flows[i].def->name == name) return i;
        return std::nullopt;
    }

    // ---- versions ------------------------------------------------------------------------

    std::optional<std::size_t> newest(std::string_view name) const {
        for (std::size_t i = flows.size(); i-- > 0;)
            if (flows[i].def->name == name) return i;
        return std::nullopt;
    }

    // The live instance with `key` on any version of flow `fi`'s name.
    std::optional<std::uint64_t> active_instance(std::size_t fi, const std::string& key) const {
        const auto& f = flows[fi];
        if (auto it = f.active.find(key); it != f.active.end()) return it->second;
        if (f.version == 1) return std::nullopt;
        for (const auto& g : flows) {
            if (&g == &f || g.def->name != f.def->name) continue;
            if (auto it = g.active.find(key); it != g.active.end()) return it->second;
        }
        return std::nullopt;
    }

    // Trigger `ti` of flow `from` in flow `to`: the same position when it is on the same
    // event, else the first on that event.
    std::optional<std::size_t> map_trigger(std::size_t from, std::size_t ti, std::size_t to) const {
        const auto& event = flows[from].def->triggers[ti].event;
        const auto& triggers = flows[to].def->triggers;
        if (ti < triggers.size() && triggers[ti].event == event) return ti;
        for (std::size_t i = 0; i < triggers.size(); ++i)
            if (triggers[i].event == event) return i;
        return std::nullopt;
    }

    Migration migrate(std::string_view name, bool dry_run) {
        auto to = newest(name);
        if (!to) throw nudge::error("no flow named '" + std::string(name) + "'");
        const auto& target = flows[*to];
        Migration m;
        m.flow = std::string(name);
        m.version = target.version;
        std::map<std::pair<int, std::string>, std::size_t> missing;
        std::vector<std::pair<Inst*, std::size_t>> moving; // with the trigger it maps to
        for (auto& [id, inst] : instances) {
            const auto& from = flows[inst.flow];
            if (inst.flow == *to || !live(inst) || from.def->name != name) continue;
            std::string state = inst.state ? from.compiled->states()[*inst.state].name : "";
            auto trigger = map_trigger(inst.flow, inst.trigger, *to);
            if (inst.state && !target.compiled->state_index(state)) {
                ++missing[{from.version, state}];
            } else if (!trigger) {
                ++missing[{from.version, "trigger on " + from.def->triggers[inst.trigger].event}];
            } else {
                m.moved.push_back({id, from.version, state});
                moving.emplace_back(&inst, *trigger);
            }
        }
        for (const auto& [what, n] : missing)
            m.missing.push_back({what.second, what.first, n});
        if (!m.missing.empty()) {
            m.moved.clear();
            return m;
        }
        if (dry_run) return m;
        for (auto& [inst, trigger] : moving)
            rebind(*inst, *to, trigger);
        run_due();
        return m;
    }

    // Moves one instance to flow `to` in the state of the same name (the rule is in
    // dsl/REFERENCE.md, "Flow versions"): nothing is entered, fields carry over by name,
    // timers of the state are set again from the new version's declarations.
    void rebind(Inst& inst, std::size_t to, std::size_t trigger) {
        auto& from = flows[inst.flow];
        auto& target = flows[to];
        std::vector<Value> values(target.slot_type.size(), Value{});
        std::vector<std::string> dropped;
        for (std::size_t i = 0; i < target.def->fields.size(); ++i) {
            const auto& fd = target.def->fields[i];
            auto old = from.slot.find(fd.name);
            if (old == from.slot.end() || old->second >= from.def->fields.size() ||
                inst.values[old->second].empty())
                continue;
            if (from.slot_type[old->second] == fd.type) {
                values[i] = inst.values[old->second];
                continue;
            }
            // A field whose type changed is read again from its text.
            detail::ValueContext tmp;
            auto text = detail::value_text(inst.values[old->second], from.slot_type[old->second],
                                           ctx_of(inst, tmp));
            std::string why;
            if (auto v = detail::read_value(fd.type, text, target.ctx, why)) {
                values[i] = std::move(*v);
            } else {
                dropped.push_back("field " + fd.name + ": " + why + " (dropped by the migration)");
            }
        }
        std::vector<TimerKey> keep; // a pending start and deferred sends keep their deadlines
        for (const auto& k : inst.timers) {
            auto t = timers.find(k);
            if (t == timers.end()) continue;
            if (t->second.kind == TimerKind::start || t->second.kind == TimerKind::send) {
                keep.push_back(k);
            } else {
                timers.erase(t);
            }
        }
        inst.timers = std::move(keep);
        unregister_routes(inst);
        if (auto it = from.active.find(inst.key); it != from.active.end() && it->second == inst.id)
            from.active.erase(it);
        target.active[inst.key] = inst.id;
        std::string state = inst.state ? from.compiled->states()[*inst.state].name : "";
        int from_version = from.version;
        inst.flow = to;
        inst.trigger = trigger;
        inst.values = std::move(values);
        refresh_derived(inst);
        record(&inst, to, "migrated",
               {{"from", std::to_string(from_version)},
                {"to", std::to_string(target.version)},
                {"state", state}});
        for (auto& d : dropped)
            error(&inst, to, std::move(d));
        if (!inst.state) return; // the delayed start enters the new version's start state
        inst.state = *target.compiled->state_index(state);
        const auto& decl = target.compiled->decl(*inst.state);
        inst.repeat_count.resize(decl.repeats.size(), 0);
        for (std::size_t i = 0; i < decl.repeats.size(); ++i) {
            const auto& r = decl.repeats[i];
            if (r.max && inst.repeat_count[i] >= *r.max) continue;
            Timer t;
            t.kind = TimerKind::repeat;
            t.repeat = &r;
            t.repeat_index = i;
            add_timer(
                inst,
                within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"), t);
        }
        schedule_handlers(inst); // `after` counts from when the state was entered
        schedule_reminder(inst);
        if (waits_for_replies(inst)) register_routes(inst);
    }

    PendingTimer pending(const TimerKey& key, const Timer& t) const {
        PendingTimer p;
        p.instance = t.instance;
        p.due = key.first;
        switch (t.kind) {
        case TimerKind::start: p.kind = "start"; break;
        case TimerKind::handler: {
            const Handler& h = *t.handler;
            p.kind = h.kind == Handler::Kind::after ? "after"
                     : h.kind == Handler::Kind::at  ? "at"
                                                    : "season";
            p.what = h.kind == Handler::Kind::after ? "after " + to_text(h.delay)
                     : h.kind == Handler::Kind::at  ? "at " + to_text(*h.at)
                                                    : "at season " + h.season;
            p.what += " -> " + to_text(h.target);
            return p;
        }
        case TimerKind::reminder: {
            p.kind = "reminder";
            auto it = instances.find(t.instance);
            if (it != instances.end())
                p.what = "reminder " + std::to_string(it->second.reminder_index + 1);
            return p;
        }
        case TimerKind::repeat:
            p.kind = "every";
            p.what = "every " + to_text(t.repeat->interval);
            return p;
        case TimerKind::send:
            p.kind = "send";
            p.what = "send " + t.action->channel;
            return p;
        }
        p.what = "start";
        return p;
    }
};

Engine::Engine(Clock& clock, Transport& transport)
    : impl_(std::make_unique<Impl>(clock, transport)) {}

Engine::~Engine() = default;

void Engine::load(std::shared_ptr<const CompiledFlow> flow) {
    if (!flow) throw error("no flow to load");
    if (impl_->flow_index(flow->flow().name)) {
        throw error("a flow named '" + flow->flow().name + "' is already loaded");
    }
    load_version(std::move(flow));
}

int Engine::load_version(std::shared_ptr<const CompiledFlow> flow, int version) {
    if (!flow) throw error("no flow to load");
    const FlowDef& def = flow->flow();
    if (auto previous = impl_->newest(def.name);
        version != 0 && (version < 1 || (previous && impl_->flows[*previous].version >= version)))
        throw error("flow " + def.name + ": version " + std::to_string(version) +
                    " is not above the loaded ones");
    FlowRt f;
    f.compiled = flow;
    f.def = &flow->flow();
    f.zone_name = def.timezone.value_or("UTC");
    f.ctx.zone = detail::find_zone(f.zone_name);
    if (!f.ctx.zone) throw error("unknown time zone '" + f.zone_name + "'");
    f.ctx.region = detail::region_of_zone(f.zone_name);
    for (const auto& fd : def.fields) {
        f.slot[fd.name] = f.slot_type.size();
        f.slot_type.push_back(fd.type);
    }
    for (const auto& c : def.classifiers) {
        f.slot[c.name] = f.slot_type.size();
        f.slot_type.push_back(FieldType::text);
    }
    for (const auto& x : def.facts)
        f.facts[x.name] = &x;
    for (const auto& x : def.windows)
        f.windows[x.name] = &x;
    for (const auto& x : def.seasons)
        f.seasons[x.name] = &x;
    for (const auto& x : def.lists)
        f.lists[x.name] = &x;
    for (const auto& x : def.channels)
        f.channels[x.name] = &x;
    for (const auto& k : def.keywords)
        f.keywords.emplace(k.name, detail::KeywordMatcher(k.words));
    f.opt_out = detail::KeywordMatcher(def.opt_out);
    if (version != 0) f.version = version;
    if (auto previous = impl_->newest(def.name)) {
        auto& p = impl_->flows[*previous];
        if (version == 0) f.version = p.version + 1;
        f.last_start = p.last_start; // only the newest starts instances from now on
        p.superseded = true;
    }
    impl_->flows.push_back(std::move(f));
    return impl_->flows.back().version;
}

Migration Engine::migrate(std::string_view flow, bool dry_run) {
    return impl_->migrate(flow, dry_run);
}

int Engine::version(std::string_view flow) const {
    auto i = impl_->newest(flow);
    return i ? impl_->flows[*i].version : 0;
}

std::vector<std::uint64_t> Engine::trigger(std::string_view event, const Data& data) {
    return impl_->trigger(event, data);
}

int Engine::signal(std::string_view flow, std::string_view key, std::string_view event,
                   const Data& data) {
    return impl_->signal(flow, key, event, data);
}

void Engine::reply(const Inbound& message) { impl_->reply(message); }

int Engine::run_due() { return impl_->run_due(); }

std::optional<Instant> Engine::next_due() const {
    if (impl_->timers.empty()) return std::nullopt;
    return impl_->timers.begin()->first.first;
}

void Engine::assign(std::uint64_t inbox_id, std::uint64_t instance) {
    auto& in = impl_->inbox;
    if (inbox_id == 0 || inbox_id > in.size())
        throw error("no inbox message " + std::to_string(inbox_id));
    auto it = impl_->instances.find(instance);
    if (it == impl_->instances.end()) throw error("no instance " + std::to_string(instance));
    auto& item = in[inbox_id - 1];
    item.assigned_to = instance;
    impl_->record(&it->second, it->second.flow, "assigned",
                  {{"inbox", std::to_string(inbox_id)},
                   {"from", item.message.from},
                   {"text", item.message.text}});
}

void Engine::move(std::uint64_t instance, std::string_view state) {
    auto it = impl_->instances.find(instance);
    if (it == impl_->instances.end()) throw error("no instance " + std::to_string(instance));
    auto& inst = it->second;
    auto idx = impl_->flows[inst.flow].compiled->state_index(state);
    if (!idx)
        throw error("flow " + impl_->flows[inst.flow].def->name + " has no state '" +
                    std::string(state) + "'");
    if (inst.status == InstanceStatus::finished || inst.status == InstanceStatus::cancelled) {
        impl_->flows[inst.flow].active[inst.key] = inst.id;
    }
    impl_->record(&inst, inst.flow, "moved", {{"state", std::string(state)}});
    impl_->enter(inst, *idx, "moved by hand");
    impl_->run_due();
}

void Engine::cancel(std::uint64_t instance, std::string_view reason) {
    auto it = impl_->instances.find(instance);
    if (it == impl_->instances.end()) throw error("no instance " + std::to_string(instance));
    auto& inst = it->second;
    if (!impl_->live(inst)) return;
    impl_->finish(inst, InstanceStatus::cancelled);
    impl_->record(&inst, inst.flow, "cancelled", {{"why", std::string(reason)}});
}

void Engine::suppress(std::string_view address, std::string_view source) {
    std::string region = impl_->flows.empty() ? "" : impl_->flows.front().ctx.region;
    auto a = detail::canonical_address(address, region);
    if (impl_->suppressed_index.count(a)) return;
    impl_->suppressed_index[a] = impl_->suppressions.size();
    impl_->suppressions.push_back({a, impl_->now(), std::string(source)});
    impl_->cancel_pending_sends(a);
}

std::optional<InstanceView> Engine::instance(std::uint64_t id, bool with_history) const {
    auto it = impl_->instances.find(id);
    if (it == impl_->instances.end()) return std::nullopt;
    return impl_->view(it->second, with_history);
}

std::vector<InstanceView> Engine::instances(std::string_view flow, std::string_view state) const {
    std::vector<InstanceView> out;
    for (const auto& [id, inst] : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        if (f.def->name != flow) continue;
        if (!state.empty() && (!inst.state || f.compiled->states()[*inst.state].name != state))
            continue;
        out.push_back(impl_->view(inst));
    }
    return out;
}

std::vector<InstanceView> Engine::instances_by_key(std::string_view key) const {
    std::vector<InstanceView> out;
    // The key as each flow's region spells a phone number, worked out once per region.
    std::map<std::string, std::string, std::less<>> canonical;
    for (const auto& [id, inst] : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        auto c = canonical.find(f.ctx.region);
        if (c == canonical.end())
            c = canonical.emplace(f.ctx.region, detail::canonical_address(key, f.ctx.region)).first;
        if (inst.key == key || inst.key == c->second) out.push_back(impl_->view(inst));
    }
    return out;
}

const std::vector<InboxItem>& Engine::inbox() const { return impl_->inbox; }
const std::vector<Suppression>& Engine::suppressions() const { return impl_->suppressions; }

FlowMetrics Engine::metrics(std::string_view flow) const {
    auto i = impl_->flow_index(flow);
    if (!i) throw error("no flow named '" + std::string(flow) + "'");
    FlowMetrics sum = impl_->flows[*i].metrics;
    for (std::size_t j = *i + 1; j < impl_->flows.size(); ++j) {
        const auto& f = impl_->flows[j];
        if (f.def->name != flow) continue;
        const auto& m = f.metrics;
        sum.triggers += m.triggers;
        sum.starts += m.starts;
        sum.replies += m.replies;
        for (const auto& [k, n] : m.suppressed)
            sum.suppressed[k] += n;
        for (const auto& [k, n] : m.sends)
            sum.sends[k] += n;
        for (const auto& [k, n] : m.entries)
            sum.entries[k] += n;
        for (const auto& [k, o] : m.outcomes) {
            sum.outcomes[k].count += o.count;
            sum.outcomes[k].value += o.value;
        }
    }
    return sum;
}

std::vector<std::string> Engine::flows() const {
    std::vector<std::string> out;
    for (const auto& f : impl_->flows)
        if (std::find(out.begin(), out.end(), f.def->name) == out.end()) out.push_back(f.def->name);
    return out;
}

std::vector<PendingTimer> Engine::timers(std::uint64_t instance) const {
    std::vector<PendingTimer> out;
    auto it = impl_->instances.find(instance);
    if (it == impl_->instances.end()) return out;
    auto keys = it->second.timers;
    std::sort(keys.begin(), keys.end());
    for (const auto& k : keys)
        if (auto t = impl_->timers.find(k); t != impl_->timers.end())
            out.push_back(impl_->pending(k, t->second));
    return out;
}

std::map<std::string, Instant> Engine::last_starts(std::string_view flow) const {
    auto i = impl_->newest(flow);
    if (!i) throw error("no flow named '" + std::string(flow) + "'");
    const auto& m = impl_->flows[*i].last_start;
    return {m.begin(), m.end()};
}

void Engine::on_record(std::function<void(const Record&)> f) { impl_->observer = std::move(f); }
void Engine::on_emit(std::function<void(const Emitted&)> f) { impl_->emit_handler = std::move(f); }
void Engine::on_action(std::function<std::optional<Data>(const ActionCall&)> f) {
    impl_->action_handler = std::move(f);
}
void Engine::on_fact(std::function<std::optional<std::string>(const FactQuery&)> f) {
    impl_->fact_provider = std::move(f);
}
void Engine::on_error(std::function<void(const Record&)> f) { impl_->error_handler = std::move(f); }

} // namespace nudge
