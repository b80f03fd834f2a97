// The engine (include/nudge/engine.hpp): instances, timers, sends, replies, the inbox.
// Semantics: DESIGN §5 and dsl/REFERENCE.md. Everything here is deterministic: ids are
// sequential, timers fire in (deadline, order set) order, and every container that is
// iterated is ordered.
#include <nudge/engine.hpp>
#include <nudge/error.hpp>

#include "text/gsm7.hpp"
#include "text/merge_text.hpp"
#include "text/phone.hpp"
#include "text/reply_meaning.hpp"
#include "text/reply_text.hpp"
#include "text/time.hpp"
#include "text/value.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

namespace nudge {

using detail::Value;

namespace {

// A reply's text without the white space around it, as `on reply other as FIELD` keeps it.
std::string trimmed(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// Lets the hash maps keyed by std::string be searched with a string_view.
struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The indexes keyed by text keep only this hash of it, and check every hit.
std::uint64_t key_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

// Per-flow tables, built once when the flow is loaded.
struct FlowRt {
    std::shared_ptr<const CompiledFlow> compiled;
    const FlowDef* def = nullptr;
    detail::ValueContext ctx;
    std::string zone_name;
    // Money, numbers and dates in messages: the declared locale (then every merge follows it)
    // or the zone's (then only merges with a format do).
    std::shared_ptr<detail::LocaleFormat> locale;
    bool locale_declared = false;
    // Every value slot: fields first, then classifiers.
    std::map<std::string, std::size_t, std::less<>> slot;
    std::vector<FieldType> slot_type;
    // Fields with a default value (`field x: text = "…"`): the value a trigger's data lacks.
    std::vector<std::pair<std::size_t, Value>> defaults;
    std::map<std::string, const FactDecl*, std::less<>> facts;
    std::map<std::string, const WindowDecl*, std::less<>> windows;
    std::map<std::string, const SeasonDecl*, std::less<>> seasons;
    std::map<std::string, const ListDecl*, std::less<>> lists;
    std::map<std::string, const ChannelDecl*, std::less<>> channels;
    std::map<std::string, detail::KeywordMatcher, std::less<>> keywords;
    // Number tests (`keywords promoter = number 9 to 10`): their range, nullopt for any number.
    std::map<std::string, std::optional<KeywordsDecl::Range>, std::less<>> number_tests;
    // Pattern tests (`keywords order_no = pattern "…"`), compiled once per flow version.
    std::map<std::string, std::shared_ptr<const re2::RE2>, std::less<>> patterns;
    // Yes, no and date tests (`keywords agree = yes`), read in the flow's locale.
    std::map<std::string, KeywordMatch, std::less<>> meaning_tests;
    detail::KeywordMatcher opt_out;
    std::vector<std::size_t> reply_states; // states with reply routes (own or from any)
    // Per channel (in declaration order): what the engine would otherwise work out per event.
    struct Chan {
        std::string from;        // canonical own address ("" when none)
        std::string literal_to;  // canonical fixed recipient (to_is_literal)
        std::size_t to_slot = 0; // the recipient field's slot
        bool by_field = false;   // the recipient is a field (else a literal or a fact)
    };
    std::vector<Chan> chans;
    bool addresses_by_field = true;  // every channel's recipient is a literal or a field
    bool keeps_trigger_data = false; // some route restarts
    bool keeps_last_reply = false;   // some state runs host actions
    bool keeps_starts = false;       // some trigger has a cooldown
    FlowMetrics metrics;
    std::vector<std::int64_t> entries; // metrics.entries, by state index
    // Cooldowns, by key: kept only when some trigger has a cooldown (keeps_starts). A cooldown
    // `per FIELD` counts under "FIELD=VALUE" (cooldown_key).
    std::map<std::string, Instant, std::less<>> last_start;
    std::vector<std::string> cooldown_fields; // the fields some trigger's cooldown counts per
    // The live instance of each key, by the key's hash (a hit is checked against the
    // instance's own key: hashes may collide).
    std::unordered_multimap<std::uint64_t, std::uint64_t> active;
    // Versions of one name live side by side; only the newest (not superseded) starts.
    int version = 1;
    bool superseded = false;
};

enum class TimerKind : std::uint8_t { start, handler, reminder, repeat, send };

// What a timer does when it fires.
struct Timer {
    TimerKind kind = TimerKind::handler;
    std::uint32_t repeat_index = 0;
    union {
        const Handler* handler = nullptr; // handler
        const Repeat* repeat;             // repeat
        const Action* action;             // send
    };
};

// A timer in the engine's queue: a binary heap on (due, seq). Cancelling one does not look for
// it: the instance's generation counters move on and the queue drops it when it comes up.
struct QueuedTimer {
    Instant due;
    std::uint64_t seq = 0; // ties fire in the order set
    std::uint64_t instance = 0;
    std::uint32_t gen = 0;  // the instance's timer_gen (send_gen for a deferred send)
    std::uint32_t kgen = 0; // the instance's reminder_gen, for a reminder
    Timer what;
};

struct Later {
    bool operator()(const QueuedTimer& a, const QueuedTimer& b) const {
        return a.due != b.due ? a.due > b.due : a.seq > b.seq;
    }
};

// The state's last outbound message, which reminders send again.
struct Outbound {
    Instant at;       // the last sending: the message itself, or its last reminder
    Instant first_at; // the message's first sending (reminders `from first` count from it)
    const Action* action = nullptr; // the send it came from (nullptr: unknown)
    std::uint32_t channel = 0;      // index of the channel it went out on
    // The rendered text and subject, kept only when they cannot be read off the action again
    // (they had merge fields, whose values may have changed since).
    std::unique_ptr<std::pair<std::string, std::optional<std::string>>> rendered;
};

// What only some flows' instances need.
struct Extra {
    Data trigger_data;                                     // flows that restart
    std::vector<std::pair<std::string, Instant>> sent_log; // flows with caps
    std::vector<int> repeat_count;                         // states with `every`
    std::optional<double> outcome_value;
    std::string last_reply;      // flows that run host actions
    std::string send_error;      // why the last send failed, for `on send.failed`
    std::vector<Record> history; // when the engine keeps history
};

struct Inst {
    std::uint64_t id = 0;
    std::uint32_t flow = 0;
    std::uint32_t trigger = 0;
    std::int32_t state = -1; // -1: none yet (a delayed start is pending)
    InstanceStatus status = InstanceStatus::pending;
    bool send_failed = false;
    bool indexed = false;   // in the address index (live)
    bool listening = false; // its state waits for replies
    std::uint16_t reminder_index = 0;
    std::uint16_t reminder_count = 0;
    std::uint32_t timer_gen = 0, reminder_gen = 0, send_gen = 0;
    // Its standing queued timers by kind (the rest: start, handler and repeat timers).
    std::uint16_t pending_reminders = 0, pending_sends = 0, pending_rest = 0;
    std::uint32_t messages = 0;
    std::uint32_t epoch = 0; // counts state entries
    std::string key;
    Instant started;
    Instant entered;
    std::vector<Value> values;
    const date::time_zone* zone = nullptr; // the recipient's zone field, when set
    Outbound last;                         // no action: nothing sent in this state yet
    const std::string* outcome = nullptr;  // the final's label
    std::unique_ptr<Extra> extra;

    Extra& more() {
        if (!extra) extra = std::make_unique<Extra>();
        return *extra;
    }
};

// Instances by id: ids are 1, 2, 3, … and never reused. Each instance has its own allocation
// (stable references while the table grows); a retired one leaves an empty slot, and the slots
// before the oldest instance still held are dropped, so a table whose old instances retire in
// roughly the order they started stays as small as what it holds.
class InstanceTable {
public:
    Inst* find(std::uint64_t id) {
        return id < base_ || id - base_ >= items_.size() ? nullptr : items_[id - base_].get();
    }
    const Inst* find(std::uint64_t id) const {
        return id < base_ || id - base_ >= items_.size() ? nullptr : items_[id - base_].get();
    }
    Inst& add(Inst&& inst) {
        inst.id = next_id();
        ++held_;
        return *items_.emplace_back(std::make_unique<Inst>(std::move(inst)));
    }
    std::uint64_t next_id() const { return base_ + items_.size(); }
    // An id that was given out and whose instance is no longer held.
    bool retired(std::uint64_t id) const { return id != 0 && id < next_id() && !find(id); }
    void erase(std::uint64_t id) {
        if (!find(id)) return;
        items_[id - base_].reset();
        --held_;
        while (!items_.empty() && !items_.front()) {
            items_.pop_front();
            ++base_;
        }
    }
    std::size_t size() const { return held_; }

    // Iterates over the instances held, in id order.
    template <class Slots, class Value> class Iter {
    public:
        Iter(Slots* s, std::size_t i) : s_(s), i_(i) { skip(); }
        Value& operator*() const { return *(*s_)[i_]; }
        Iter& operator++() {
            ++i_;
            skip();
            return *this;
        }
        bool operator!=(const Iter& o) const { return i_ != o.i_; }

    private:
        void skip() {
            while (i_ < s_->size() && !(*s_)[i_])
                ++i_;
        }
        Slots* s_;
        std::size_t i_;
    };
    using Slots = std::deque<std::unique_ptr<Inst>>;
    auto begin() { return Iter<Slots, Inst>(&items_, 0); }
    auto end() { return Iter<Slots, Inst>(&items_, items_.size()); }
    auto begin() const { return Iter<const Slots, const Inst>(&items_, 0); }
    auto end() const { return Iter<const Slots, const Inst>(&items_, items_.size()); }

private:
    Slots items_;
    std::uint64_t base_ = 1; // the id of items_[0]
    std::size_t held_ = 0;
};

bool is_reply_handler(const Handler& h) { return h.kind == Handler::Kind::reply; }

// Who takes `on send.failed` for a send the transport (or the segment cap) failed: the step
// that sent it, once its actions are done (a state's entry, a repeat's tick, a deferred send),
// or the send itself, at once (a reminder, a message sent by hand).
enum class OnFailure : std::uint8_t { left_to_step, at_once };

} // namespace

struct Engine::Impl {
    Clock& clock;
    Transport& transport;
    EngineOptions options;
    std::vector<FlowRt> flows;
    InstanceTable instances;
    mutable std::vector<QueuedTimer> timers; // a heap (Later): the earliest on top
    // With EngineOptions::index_timers: each instance's queued timers (cancelled ones too,
    // until the queue drops them), for Engine::timers(id).
    mutable std::unordered_map<std::uint64_t, std::vector<QueuedTimer>> timer_index;
    std::uint64_t timer_seq = 0;
    // How many queued timers still stand: the rest of `timers` is cancelled ones that wait
    // to be dropped (see compact_timers).
    std::size_t standing_timers = 0;
    std::uint64_t compactions = 0; // times the queue was rebuilt without its cancelled timers
    // Live instances by the canonical address they send to, keyed by the address's hash (every
    // hit is checked against what the instance sends to). Instances whose recipient is a fact
    // are in `unindexed` instead.
    std::unordered_multimap<std::uint64_t, std::uint64_t> addressed;
    std::set<std::uint64_t> unindexed;
    // Our own numbers as written and as canonical, to their canonical form.
    std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> own;
    std::vector<InboxItem> inbox;
    std::vector<Suppression> suppressions;
    // By scope_key(business, address).
    std::map<std::string, std::size_t, std::less<>> suppressed_index;

    static std::string scope_key(std::string_view business, std::string_view address) {
        if (business.empty()) return std::string(address);
        std::string key(business);
        key += '\x1f';
        key += address;
        return key;
    }
    // Whether the address opted out of every flow, or of the business flow `fi` runs for.
    bool opted_out(std::size_t fi, const std::string& address) const {
        if (suppressions.empty()) return false;
        if (suppressed_index.count(address)) return true;
        const auto& business = flows[fi].def->business;
        return !business.empty() && suppressed_index.count(scope_key(business, address));
    }
    void reindex_suppressions() {
        suppressed_index.clear();
        for (std::size_t i = 0; i < suppressions.size(); ++i)
            suppressed_index[scope_key(suppressions[i].business, suppressions[i].address)] = i;
    }
    // The business whose flows alone send from our number `to`; empty when none or several.
    std::string business_of_number(const std::string& to) const {
        std::optional<std::string> found;
        for (const auto& f : flows) {
            if (f.superseded) continue;
            for (const auto& c : f.chans) {
                if (c.from.empty() || c.from != to) continue;
                if (found && *found != f.def->business) return {};
                found = f.def->business;
            }
        }
        return found.value_or("");
    }
    std::function<void(const Record&)> observer;
    std::function<void(const Emitted&)> emit_handler;
    std::function<std::optional<Data>(const ActionCall&)> action_handler;
    std::function<std::optional<std::string>(const FactQuery&)> fact_provider;
    std::function<void(const Record&)> error_handler;
    // enter() calls in progress, one inside another (a choice, `on send.failed` or a restart
    // entering the next state): a guard against livelocks, and nothing else.
    int entering = 0;
    // With EngineOptions::keep_finished: the finished instances still held, oldest first.
    std::deque<std::uint64_t> finished_ids;
    std::uint64_t retired = 0;  // instances retired from memory
    std::size_t live_count = 0; // instances waiting or pending

    Impl(Clock& c, Transport& t, EngineOptions o) : clock(c), transport(t), options(o) {}

    Instant now() const { return clock.now(); }

    // ---- records -------------------------------------------------------------------------

    // Whether records are wanted at all (besides errors, which always reach on_error). The
    // callers of the frequent kinds ask first, so that nobody builds their fields for nothing.
    bool tracing() const { return options.keep_history || observer; }

    void record(Inst* inst, std::size_t flow, std::string kind, Fields fields) {
        bool is_error = kind == "error" || kind == "failed";
        if (!tracing() && !(is_error && error_handler)) return;
        Record r;
        r.at = now();
        r.instance = inst ? inst->id : 0;
        r.flow = flows[flow].def->name;
        r.kind = std::move(kind);
        r.fields = std::move(fields);
        if (observer) call_safely([&] { observer(r); }, inst, flow, "observer");
        if (is_error && error_handler) {
            auto handler = error_handler;
            try {
                handler(r);
            } catch (...) {}
        }
        if (inst && options.keep_history) inst->more().history.push_back(std::move(r));
    }

    // A record not about one instance or flow (a person's change to the inbox or the
    // suppression list): it reaches the observer only.
    void record_global(std::string kind, Fields fields) {
        if (!observer) return;
        Record r;
        r.at = now();
        r.kind = std::move(kind);
        r.fields = std::move(fields);
        try {
            observer(r);
        } catch (...) {} // an observer's failure does not undo a person's action
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
        std::optional<Instant> as_of; // what now() means here; the clock when empty
        InstScope(const Impl& e, const Inst& i, std::optional<Instant> as_of = {})
            : engine(e), inst(i), as_of(as_of) {
            ctx = e.flows[i.flow].ctx;
            if (i.zone) ctx.zone = i.zone;
        }
        Value lookup(std::string_view name) const override { return engine.lookup(inst, name); }
        const WindowDecl* window(std::string_view name) const override {
            const auto& w = engine.flows[inst.flow].windows;
            auto it = w.find(name);
            return it == w.end() ? nullptr : it->second;
        }
        Instant now() const override { return as_of ? *as_of : engine.now(); }
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

    // A merge field's text: `{name}` or `{name | format}` (text/locale_format.hpp).
    std::string merge_text(const Inst& inst, std::string_view name, std::string_view format) const {
        const auto& f = flows[inst.flow];
        auto fmt = detail::parse_merge_format(format);
        if (!fmt && !f.locale_declared) return text_of(inst, name);
        detail::ValueContext tmp;
        const auto& ctx = ctx_of(inst, tmp);
        if (auto it = f.slot.find(name); it != f.slot.end()) {
            return detail::formatted_text(inst.values[it->second], f.slot_type[it->second], ctx,
                                          *f.locale, fmt);
        }
        if (auto it = f.facts.find(name); it != f.facts.end()) {
            return detail::formatted_text(fact(inst, *it->second), it->second->type, ctx, *f.locale,
                                          fmt);
        }
        return {};
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
        bool was_indexed = inst.indexed;
        unindex_addresses(inst);
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
        if (was_indexed) index_addresses(inst);
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
        QueuedTimer q;
        q.due = due;
        q.seq = ++timer_seq;
        q.instance = inst.id;
        q.gen = t.kind == TimerKind::send ? inst.send_gen : inst.timer_gen;
        q.kgen = inst.reminder_gen;
        ++pending_of(inst, t.kind);
        ++standing_timers;
        q.what = t;
        timers.push_back(q);
        std::push_heap(timers.begin(), timers.end(), Later{});
        if (options.index_timers) timer_index[inst.id].push_back(q);
    }

    // Takes the earliest timer off the queue.
    QueuedTimer pop_timer() const {
        std::pop_heap(timers.begin(), timers.end(), Later{});
        QueuedTimer q = timers.back();
        timers.pop_back();
        if (options.index_timers) {
            if (auto it = timer_index.find(q.instance); it != timer_index.end()) {
                auto& v = it->second;
                v.erase(std::remove_if(v.begin(), v.end(),
                                       [&](const QueuedTimer& x) { return x.seq == q.seq; }),
                        v.end());
                if (v.empty()) timer_index.erase(it);
            }
        }
        return q;
    }

    // Whether a queued timer still stands (nothing cancelled it since it was set).
    bool standing(const QueuedTimer& q, const Inst& inst) const {
        switch (q.what.kind) {
        case TimerKind::send: return q.gen == inst.send_gen;
        case TimerKind::reminder: return q.gen == inst.timer_gen && q.kgen == inst.reminder_gen;
        default: return q.gen == inst.timer_gen;
        }
    }

    bool standing(const QueuedTimer& q) const {
        const Inst* inst = instances.find(q.instance);
        return inst && standing(q, *inst);
    }

    // Drops cancelled timers from the top of the queue.
    void prune() const {
        while (!timers.empty() && !standing(timers.front()))
            pop_timer();
    }

    static std::uint16_t& pending_of(Inst& inst, TimerKind kind) {
        switch (kind) {
        case TimerKind::send: return inst.pending_sends;
        case TimerKind::reminder: return inst.pending_reminders;
        default: return inst.pending_rest;
        }
    }

    // The instance's standing timers of one kind no longer stand (their generation moved on).
    void dropped(std::uint16_t& pending) {
        standing_timers -= std::min<std::size_t>(pending, standing_timers);
        pending = 0;
    }

    // Every timer of the instance, deferred sends included.
    void cancel_timers(Inst& inst) {
        ++inst.timer_gen;
        ++inst.send_gen;
        dropped(inst.pending_sends);
        dropped(inst.pending_reminders);
        dropped(inst.pending_rest);
        compact_timers();
    }

    // Every timer but the deferred sends.
    void cancel_timers_but_sends(Inst& inst) {
        ++inst.timer_gen;
        dropped(inst.pending_reminders);
        dropped(inst.pending_rest);
        compact_timers();
    }

    void cancel_timer_kind(Inst& inst, TimerKind kind) {
        if (kind == TimerKind::send) {
            ++inst.send_gen;
            dropped(inst.pending_sends);
        } else if (kind == TimerKind::reminder) {
            ++inst.reminder_gen;
            dropped(inst.pending_reminders);
        }
        compact_timers();
    }

    // A cancelled timer stays queued until it comes up, which for a recall a year ahead is a
    // year. Once the cancelled ones are at least compact_min and outnumber the standing ones,
    // the queue is rebuilt without them: O(queue) work after at least as many cancellations
    // (O(1) a timer, amortised), and the queue stays within twice the standing timers (or
    // compact_min) whatever deadlines were cancelled. Timers still fire in (due, seq) order, a
    // total order, so the rebuilt heap fires them exactly as before.
    static constexpr std::size_t compact_min = 1024;
    void compact_timers() {
        if (timers.size() <= standing_timers) return;
        const std::size_t cancelled = timers.size() - standing_timers;
        if (cancelled < compact_min || cancelled <= standing_timers) return;
        std::erase_if(timers, [&](const QueuedTimer& q) { return !standing(q); });
        std::make_heap(timers.begin(), timers.end(), Later{});
        if (timers.capacity() > 2 * timers.size()) timers.shrink_to_fit();
        standing_timers = timers.size();
        ++compactions;
        if (!options.index_timers) return;
        for (auto it = timer_index.begin(); it != timer_index.end();) {
            const Inst* inst = instances.find(it->first);
            std::erase_if(it->second,
                          [&](const QueuedTimer& q) { return !inst || !standing(q, *inst); });
            it = it->second.empty() ? timer_index.erase(it) : std::next(it);
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
        if (tracing())
            record(&inst, inst.flow, "deferred",
                   {{"what", std::string(what)},
                    {"from", detail::format_instant(due, zone_of(inst))},
                    {"to", detail::format_instant(*open, zone_of(inst))},
                    {"why", "outside " + *w}});
        return *open;
    }

    // ---- routing of replies --------------------------------------------------------------

    // A reply from X to Y reaches the live instances that listen (their state has reply
    // routes) and send by SMS from Y to X. They are found through the address index.
    void register_routes(Inst& inst) { inst.listening = true; }
    void unregister_routes(Inst& inst) { inst.listening = false; }

    // The canonical address `inst` sends to on channel `ci`, "" when it has none. `fixed`: the
    // text is its own canonical form.
    std::string address_of(const Inst& inst, std::size_t ci, bool* fixed = nullptr) const {
        const auto& f = flows[inst.flow];
        const auto& c = f.chans[ci];
        const auto& ch = f.def->channels[ci];
        if (fixed) *fixed = false;
        if (ch.to_is_literal) return c.literal_to;
        if (c.by_field) {
            const Value& v = inst.values[c.to_slot];
            if (v.empty()) return {};
            if (v.canonical) {
                if (fixed) *fixed = true;
                return v.text;
            }
        }
        auto to = recipient(inst, ch);
        return to.empty() ? std::string() : detail::canonical_address(to, f.ctx.region);
    }

    // Whether `inst` takes a reply from `from` to `to` (both canonical).
    bool takes_reply(const Inst& inst, std::string_view from, std::string_view to) const {
        return inst.listening && texts(inst, from, to);
    }

    // Whether live `inst` texts `from` from our number `to` (both canonical), listening or not.
    bool texts(const Inst& inst, std::string_view from, std::string_view to) const {
        if (!live(inst)) return false;
        const auto& f = flows[inst.flow];
        for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
            const auto& ch = f.def->channels[ci];
            if (ch.kind != ChannelKind::sms || !ch.from || f.chans[ci].from != to) continue;
            if (address_of(inst, ci) == from) return true;
        }
        return false;
    }

    // Live instances go in the address index (start, and again after their fields change);
    // finished ones leave it.
    void index_addresses(Inst& inst) {
        if (inst.indexed || !live(inst)) return;
        inst.indexed = true;
        const auto& f = flows[inst.flow];
        if (!f.addresses_by_field) {
            unindexed.insert(inst.id);
            return;
        }
        for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
            auto a = address_of(inst, ci);
            if (a.empty()) continue;
            auto h = key_hash(a);
            auto [begin, end] = addressed.equal_range(h);
            if (std::none_of(begin, end, [&](const auto& e) { return e.second == inst.id; }))
                addressed.emplace(h, inst.id);
        }
    }

    void unindex_addresses(Inst& inst) {
        if (!inst.indexed) return;
        inst.indexed = false;
        const auto& f = flows[inst.flow];
        if (!f.addresses_by_field) {
            unindexed.erase(inst.id);
            return;
        }
        for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
            auto a = address_of(inst, ci);
            if (a.empty()) continue;
            auto [begin, end] = addressed.equal_range(key_hash(a));
            for (auto it = begin; it != end; ++it) {
                if (it->second == inst.id) {
                    addressed.erase(it);
                    break;
                }
            }
        }
    }

    // Whether `inst` sends to `address` (canonical) now; `fixed`: on a channel whose recipient
    // is that very text in canonical form.
    bool sends_to(const Inst& inst, std::string_view address, bool* fixed = nullptr) const {
        const auto& f = flows[inst.flow];
        for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
            bool canonical = false;
            if (address_of(inst, ci, &canonical) == address && (!fixed || canonical)) {
                if (fixed) *fixed = true;
                return true;
            }
        }
        return false;
    }

    // The live instances that send to a canonical address, in id order.
    std::vector<std::uint64_t> sending_to(std::string_view address) const {
        std::vector<std::uint64_t> out;
        auto [begin, end] = addressed.equal_range(key_hash(address));
        for (auto it = begin; it != end; ++it)
            if (sends_to(*instances.find(it->second), address)) out.push_back(it->second);
        for (auto id : unindexed)
            if (sends_to(*instances.find(id), address)) out.push_back(id);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    std::string canonical_own(std::string_view to, const std::string& region) const {
        if (auto it = own.find(to); it != own.end()) return it->second;
        return detail::canonical_address(to, region);
    }

    // Handlers of a state: its own, then `from any` for non-finals. A pending start (no state
    // yet) has only the event routes of `from any`: no timers or reply routes of a state it has
    // not entered.
    template <class F> void each_handler(const Inst& inst, F&& f) const {
        const auto& flow = flows[inst.flow];
        if (inst.state < 0) {
            for (const auto& h : flow.def->from_any)
                if (h.kind == Handler::Kind::event && f(h)) return;
            return;
        }
        const auto& decl = flow.compiled->decl(static_cast<std::size_t>(inst.state));
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

    std::optional<std::uint64_t> active_id(const FlowRt& f, std::string_view key) const {
        auto [begin, end] = f.active.equal_range(key_hash(key));
        for (auto it = begin; it != end; ++it)
            if (instances.find(it->second)->key == key) return it->second;
        return std::nullopt;
    }

    void clear_active(FlowRt& f, const Inst& inst) {
        auto [begin, end] = f.active.equal_range(key_hash(inst.key));
        for (auto it = begin; it != end; ++it) {
            if (it->second == inst.id) {
                f.active.erase(it);
                return;
            }
        }
    }

    bool live(const Inst& inst) const {
        return inst.status == InstanceStatus::waiting || inst.status == InstanceStatus::pending;
    }

    void leave_state(Inst& inst) {
        cancel_timers(inst);
        unregister_routes(inst);
    }

    // Frees finished instances beyond EngineOptions::keep_finished, oldest finish first. Called
    // only where no instance is being worked on (at the start of a trigger, event, reply or
    // timer run). One with a deferred send still standing waits for it.
    void retire() {
        std::size_t waiting = 0;
        while (finished_ids.size() > options.keep_finished && waiting < finished_ids.size()) {
            auto id = finished_ids.front();
            finished_ids.pop_front();
            Inst* inst = instances.find(id);
            if (!inst || live(*inst)) continue; // moved back by hand: noted when it ends again
            if (inst->pending_sends + inst->pending_reminders + inst->pending_rest > 0) {
                finished_ids.push_back(id);
                ++waiting;
                continue;
            }
            if (options.index_timers) timer_index.erase(id);
            instances.erase(id);
            ++retired;
        }
    }

    Inst* find_or_throw(std::uint64_t id) {
        if (Inst* inst = instances.find(id)) return inst;
        if (instances.retired(id))
            throw nudge::error(
                "instance " + std::to_string(id) +
                " has ended and is no longer held in memory (EngineOptions::keep_finished)");
        throw nudge::error("no instance " + std::to_string(id));
    }

    void finish(Inst& inst, InstanceStatus status) {
        if (options.keep_finished != std::numeric_limits<std::size_t>::max())
            finished_ids.push_back(inst.id);
        if (status == InstanceStatus::finished) {
            // A final's deferred sends (`send … within office`) still go out.
            cancel_timers_but_sends(inst);
            unregister_routes(inst);
        } else {
            leave_state(inst);
        }
        unindex_addresses(inst);
        if (live(inst)) --live_count;
        inst.status = status;
        auto& f = flows[inst.flow];
        clear_active(f, inst);
    }

    void go(Inst& inst, const Target& target, std::string_view why,
            const Data* event_data = nullptr) {
        if (target.kind == Target::Kind::restart) {
            // Start over with the event's data on top of what the instance started with.
            Data data = inst.extra ? inst.extra->trigger_data : Data{};
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
        inst.started = now(); // a new run: `from any` deadlines count from here
        unindex_addresses(inst);
        inst.values.assign(f.slot_type.size(), Value{});
        if (f.keeps_trigger_data) inst.more().trigger_data = data;
        merge_data(inst, data);
        index_addresses(inst);
        inst.last = Outbound{};
        const auto& t = f.def->triggers[inst.trigger];
        auto idx = f.compiled->state_index(t.start);
        if (idx) enter(inst, *idx, "restart");
    }

    void enter(Inst& inst, std::size_t state, std::string_view why) {
        if (entering > 64) {
            error(&inst, inst.flow, "more than 64 immediate steps: stopped (a livelock?)");
            return;
        }
        ++entering;
        run_entry(inst, state, why);
        --entering;
    }

    // A state's entry: its actions, then (a final) the outcome, or the first choice that holds,
    // or its deadlines, reminders and reply routes. The sends among its actions leave
    // `on send.failed` and the reminders to it.
    void run_entry(Inst& inst, std::size_t state, std::string_view why) {
        auto& f = flows[inst.flow];
        leave_state(inst);
        const auto& decl = f.compiled->decl(state);
        inst.state = static_cast<std::int32_t>(state);
        if (!live(inst)) ++live_count; // a finished instance moved by hand
        inst.status = InstanceStatus::waiting;
        index_addresses(inst); // a finished instance moved by hand lives again
        inst.entered = now();
        ++inst.epoch;
        inst.last = Outbound{};
        inst.reminder_index = 0;
        inst.reminder_count = 0;
        if (!decl.repeats.empty() || inst.extra)
            inst.more().repeat_count.assign(decl.repeats.size(), 0);
        inst.send_failed = false;
        f.entries[state]++;
        if (tracing())
            record(&inst, inst.flow, "entered", {{"state", decl.name}, {"why", std::string(why)}});
        auto epoch = inst.epoch;

        for (const auto& a : decl.actions) {
            run_action(inst, a);
            if (inst.epoch != epoch || !live(inst)) return;
        }
        if (decl.is_final) {
            if (decl.outcome) {
                inst.outcome = &decl.outcome->label;
                Fields fields{{"outcome", decl.outcome->label}};
                auto& m = f.metrics.outcomes[decl.outcome->label];
                m.count++;
                if (decl.outcome->value) {
                    InstScope scope(*this, inst);
                    auto v = detail::evaluate(*decl.outcome->value, scope);
                    if (v.kind == Value::Kind::number) {
                        inst.more().outcome_value = v.number;
                        m.value += v.number;
                        fields.emplace_back("value",
                                            detail::value_text(v, FieldType::money, f.ctx));
                    }
                }
                record(&inst, inst.flow, "outcome", std::move(fields));
            }
            finish(inst, InstanceStatus::finished);
            if (tracing()) record(&inst, inst.flow, "finished", {{"state", decl.name}});
            return;
        }
        if (inst.send_failed && take_event(inst, "send.failed", failure_data(inst))) return;
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
                    return;
                }
            }
        }
        schedule_handlers(inst);
        schedule_reminder(inst);
        if (waits_for_replies(inst)) register_routes(inst);
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
                // A `from any` deadline belongs to the whole run, not to the state just
                // entered: now() and the window functions in it count from the start, so
                // `next_close(W)` stays the close after the start in every state.
                const auto& any = f.def->from_any;
                bool flow_wide = !any.empty() && &h >= any.data() && &h < any.data() + any.size();
                InstScope scope(*this, inst,
                                flow_wide ? std::optional<Instant>(inst.started) : std::nullopt);
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
        if (inst.state < 0 || !inst.last.action) return;
        const auto& decl = flows[inst.flow].compiled->decl(static_cast<std::size_t>(inst.state));
        if (inst.reminder_index >= decl.reminders.size()) return;
        const auto& r = decl.reminders[inst.reminder_index];
        auto due =
            detail::add(r.from_first ? inst.last.first_at : inst.last.at, r.after, zone_of(inst));
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
            ActionCall call{a.name,           f.def->name,
                            inst.id,          inst.key,
                            field_data(inst), inst.extra ? inst.extra->last_reply : std::string()};
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
            if (!a.value) return;
            InstScope scope(*this, inst);
            keep(inst, a.name, detail::evaluate(*a.value, scope));
            return;
        }
        }
    }

    // Stores `value` in the field `name` (set, or a reply route's `as FIELD`) and records it.
    void keep(Inst& inst, const std::string& name, detail::Value value) {
        auto& f = flows[inst.flow];
        auto it = f.slot.find(name);
        if (it == f.slot.end()) return;
        bool was_indexed = inst.indexed;
        unindex_addresses(inst);
        inst.values[it->second] = std::move(value);
        refresh_derived(inst);
        if (was_indexed) index_addresses(inst);
        detail::ValueContext tmp;
        // Instants print as everywhere else in the timeline (a merge prints them shorter).
        const auto& v = inst.values[it->second];
        record(&inst, inst.flow, "set",
               {{name, v.kind == Value::Kind::instant
                           ? detail::format_instant(v.instant, zone_of(inst))
                           : detail::value_text(v, f.slot_type[it->second], ctx_of(inst, tmp))}});
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

    // Whether the action's own text (inline, or its template for `kind`) is exactly what was
    // sent, so that last_message() can read it off again instead of keeping a copy.
    bool source_text(const FlowRt& f, const Action& a, ChannelKind kind, const std::string& text,
                     const std::optional<std::string>& subject) const {
        if (a.inline_text) return *a.inline_text == text && !subject;
        const auto* t = find_template(f, a.template_name, kind);
        return t && t->text == text && t->subject == subject;
    }

    // The text and subject of the state's last outbound message.
    std::pair<std::string, std::optional<std::string>> last_message(const Inst& inst) const {
        const auto& last = inst.last;
        if (last.rendered) return *last.rendered;
        const auto& f = flows[inst.flow];
        const Action& a = *last.action;
        if (a.inline_text) return {*a.inline_text, std::nullopt};
        const auto* t = find_template(f, a.template_name, f.def->channels[last.channel].kind);
        return {t->text, t->subject};
    }

    std::string recipient(const Inst& inst, const ChannelDecl& ch) const {
        return ch.to_is_literal ? ch.to : text_of(inst, ch.to);
    }

    void failed(Inst& inst, Fields fields) {
        inst.send_failed = true;
        for (const auto& [name, value] : fields)
            if (name == "error") inst.more().send_error = value;
        record(&inst, inst.flow, "failed", std::move(fields));
    }

    // What `on send.failed` hands the instance: `send_error`, the failure's text, which a flow
    // keeps by declaring a text field of that name.
    Data failure_data(Inst& inst) {
        if (!inst.extra || inst.extra->send_error.empty()) return {};
        return {{"send_error", inst.extra->send_error}};
    }

    // A message's text and subject with the instance's merge fields filled in, and the fields
    // that had no value (each once; `subject` becomes the rendered one).
    detail::Rendered render(const Inst& inst, std::string_view text,
                            std::optional<std::string>& subject) const {
        auto lookup = [&](std::string_view name,
                          std::string_view format) -> std::optional<std::string> {
            auto v = merge_text(inst, name, format);
            if (v.empty()) return std::nullopt;
            return v;
        };
        auto body = detail::render_merge(text, lookup);
        if (subject) {
            auto sub = detail::render_merge(*subject, lookup);
            subject = sub.text;
            for (auto& m : sub.missing)
                if (std::find(body.missing.begin(), body.missing.end(), m) == body.missing.end())
                    body.missing.push_back(m);
        }
        return body;
    }

    // Renders and sends (or fails, or suppresses) one send action. Always inside a step that
    // sends (a state's entry, a repeat's tick, a deferred send): the step takes
    // `on send.failed` and schedules the reminders once its actions are done.
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
            return;
        }
        auto body = render(inst, text, subject);
        const auto& missing = body.missing;
        if (!missing.empty()) {
            std::string names;
            for (const auto& m : missing)
                names += (names.empty() ? "" : ", ") + m;
            failed(inst, {{"channel", ch->name}, {"error", "missing merge value: " + names}});
            return;
        }
        if (deliver(inst, *ch, to, std::move(subject), std::move(body.text), &a,
                    OnFailure::left_to_step)) {
            // A new message: reminders count from it.
            inst.reminder_index = 0;
            inst.reminder_count = 0;
        }
    }

    // Policy (numbers, opt-out, cap) then the transport. True when the transport took it.
    // `source`: the send action; none for a reminder, or for a message a person wrote
    // (`by` names them), which neither counts as the state's message nor moves reminders.
    // `on_failure`: who takes `on send.failed` when the transport or the segment cap fails it.
    bool deliver(Inst& inst, const ChannelDecl& ch, const std::string& to,
                 std::optional<std::string> subject, std::string text, const Action* source,
                 OnFailure on_failure, std::string_view by = {}) {
        auto& f = flows[inst.flow];
        bool manual = !by.empty();
        bool reminder = source == nullptr && !manual;
        auto ci = static_cast<std::size_t>(&ch - f.def->channels.data());
        bool phone_channel = ch.kind == ChannelKind::sms || ch.kind == ChannelKind::voice;
        auto suppress = [&](std::string reason, std::string detail_text) {
            f.metrics.suppressed[reason]++;
            record(&inst, inst.flow, "suppressed",
                   {{"channel", ch.name}, {"to", to}, {"reason", reason}, {"why", detail_text}});
            return false;
        };
        if (ch.off) return suppress("channel_off", "channel " + ch.name + " is off");
        if (phone_channel && f.def->numbers && !ch.to_is_literal) {
            auto info = detail::inspect_number(to, f.ctx.region);
            using NT = detail::NumberType;
            bool personal = info.type == NT::mobile || info.type == NT::fixed_line ||
                            info.type == NT::fixed_line_or_mobile || info.type == NT::voip ||
                            info.type == NT::personal_number;
            bool kind_ok = personal || (f.def->numbers->every_kind && info.valid);
            if (!detail::number_allowed(*f.def->numbers, info) || !kind_ok) {
                std::string why = !info.valid
                                      ? "not a valid number"
                                      : std::string(detail::to_string(info.type)) + " number in " +
                                            (info.region.empty() ? "?" : info.region);
                return suppress("number_policy", why);
            }
        }
        if (!suppressions.empty()) {
            auto address = address_of(inst, ci);
            if (opted_out(inst.flow, address)) return suppress("opted_out", address + " opted out");
        }
        for (const auto& cap : f.def->caps) {
            if (cap.channel != ch.name) continue;
            auto since = detail::add(now(), Duration{-cap.per.count, cap.per.unit}, zone_of(inst));
            const auto& log = inst.more().sent_log;
            auto n = std::count_if(log.begin(), log.end(), [&](const auto& s) {
                return s.first == ch.name && s.second > since;
            });
            if (n >= cap.count) {
                return suppress("cap", std::to_string(cap.count) + " per " + to_text(cap.per));
            }
        }
        for (const auto& cap : f.def->segment_caps) {
            if (cap.channel != ch.name || ch.kind != ChannelKind::sms) continue;
            if (auto parts = detail::sms_segments(text); parts > cap.count) {
                failed(inst,
                       {{"channel", ch.name},
                        {"to", to},
                        {"error", "the message takes " + std::to_string(parts) +
                                      " SMS parts, over the cap of " + std::to_string(cap.count)}});
                if (on_failure == OnFailure::at_once) after_failure(inst);
                return false;
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
            if (on_failure == OnFailure::at_once) after_failure(inst);
            return false;
        }
        f.metrics.sends[ch.name]++;
        if (!f.def->caps.empty()) inst.more().sent_log.emplace_back(ch.name, m.at);
        if (tracing()) {
            Fields fields{{"channel", ch.name}, {"to", to}};
            if (subject) fields.emplace_back("subject", *subject);
            fields.emplace_back("text", text);
            fields.emplace_back("id", m.id);
            if (!result.transport_id.empty())
                fields.emplace_back("transport_id", result.transport_id);
            if (reminder) fields.emplace_back("reminder", "true");
            if (manual) fields.emplace_back("by", std::string(by));
            record(&inst, inst.flow, "sent", std::move(fields));
        }
        if (!reminder && !manual) {
            Outbound last;
            last.at = m.at;
            last.first_at = m.at;
            last.action = source;
            last.channel = static_cast<std::uint32_t>(ci);
            // Kept only when the action's own text would not give it back.
            if (!source_text(f, *source, ch.kind, text, m.subject))
                last.rendered =
                    std::make_unique<std::pair<std::string, std::optional<std::string>>>(
                        std::move(text), std::move(m.subject));
            inst.last = std::move(last);
        }
        return true;
    }

    // A failure outside a state's entry: `on send.failed` may route it.
    void after_failure(Inst& inst) {
        if (inst.send_failed && live(inst)) take_event(inst, "send.failed", failure_data(inst));
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
        if (tracing())
            record(&inst, inst.flow, "matched",
                   {{"route", "on " + std::string(event)}, {"target", to_text(chosen->target)}});
        go(inst, chosen->target, tracing() ? "on " + std::string(event) : std::string(), &data);
        return true;
    }

    // ---- timers firing -------------------------------------------------------------------

    void fire(Inst& inst, const Timer& t) {
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
            std::string label;
            if (tracing()) {
                label = h.kind == Handler::Kind::after ? "after " + to_text(h.delay)
                        : h.kind == Handler::Kind::at  ? "at " + to_text(*h.at)
                                                       : "at season " + h.season;
            }
            if (tracing())
                record(&inst, inst.flow, "timer",
                       {{"timer", label}, {"target", to_text(h.target)}});
            go(inst, h.target, label);
            return;
        }
        case TimerKind::reminder: {
            if (inst.state < 0 || !inst.last.action) return;
            const auto& decl = f.compiled->decl(static_cast<std::size_t>(inst.state));
            if (inst.reminder_index >= decl.reminders.size()) return;
            const auto& r = decl.reminders[inst.reminder_index];
            const auto* last_ch = &f.def->channels[inst.last.channel];
            std::string channel = r.via.value_or(last_ch->name);
            auto ci = f.channels.find(channel);
            if (ci != f.channels.end()) {
                auto to = recipient(inst, *ci->second);
                std::string prefix = r.prefix ? *r.prefix : std::string(default_reminder_prefix);
                auto [text, subject] = last_message(inst);
                std::vector<std::string> missing;
                // Via another kind of channel: that channel's variant of the same template.
                const Action* source = inst.last.action;
                if (source && !source->inline_text && last_ch->kind != ci->second->kind) {
                    if (const auto* tmpl =
                            find_template(f, source->template_name, ci->second->kind)) {
                        subject = tmpl->subject;
                        auto body = render(inst, tmpl->text, subject);
                        text = std::move(body.text);
                        missing = std::move(body.missing);
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
                    deliver(inst, *ci->second, to, std::move(subject), prefix + text, nullptr,
                            OnFailure::at_once);
                }
            }
            if (++inst.reminder_count >= std::max(r.times, 1)) {
                inst.reminder_index++;
                inst.reminder_count = 0;
            }
            // Reminders count from the last outbound message: this one.
            inst.last.at = now();
            if (live(inst)) schedule_reminder(inst);
            after_failure(inst);
            return;
        }
        case TimerKind::repeat: {
            const Repeat& r = *t.repeat;
            auto& count = inst.more().repeat_count[t.repeat_index];
            InstScope scope(*this, inst);
            bool go_on = !r.while_cond || detail::holds(*r.while_cond, scope);
            if (go_on && (!r.max || count < *r.max)) {
                { // `within` deferred the tick when it was set, so the window is open now
                    ++count;
                    auto epoch = inst.epoch;
                    // Its sends leave the reminders and `on send.failed` to the tick, below.
                    for (const auto& a : r.actions) {
                        run_action(inst, a);
                        if (inst.epoch != epoch || !live(inst)) break;
                    }
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
            send(inst, *t.action); // its reminders and `on send.failed` follow here
            if (live(inst) && inst.status == InstanceStatus::waiting) schedule_reminder(inst);
            after_failure(inst);
            return;
        }
        }
    }

    int run_due() {
        int fired = 0;
        for (prune(); !timers.empty() && timers.front().due <= now(); prune()) {
            QueuedTimer q = pop_timer();
            Inst& inst = *instances.find(q.instance);
            if (auto& pending = pending_of(inst, q.what.kind); pending > 0) {
                --pending;
                --standing_timers;
            }
            fire(inst, q.what);
            ++fired;
        }
        if (fired > 0) compact_timers(); // timers that fired no longer stand either
        return fired;
    }

    // ---- inputs --------------------------------------------------------------------------

    // Refuses, before anything happens, data a flow that takes `event` cannot use: a value its
    // field's type refuses, and (for a trigger) a required field missing or empty.
    void check_data(std::string_view event, const Data& data, bool triggers,
                    std::string_view only_flow = {},
                    std::optional<std::string_view> business = std::nullopt) const {
        for (const auto& f : flows) {
            if (f.superseded) continue;
            if (!only_flow.empty() && f.def->name != only_flow) continue;
            if (business && f.def->business != *business) continue;
            auto takes_as_key = [&](const std::string& field) {
                for (const auto& t : f.def->triggers)
                    if (t.event == event && t.key == field) return true;
                return false;
            };
            bool takes = !triggers;
            for (const auto& t : f.def->triggers)
                takes = takes || t.event == event;
            if (!takes) continue;
            for (const auto& field : f.def->fields) {
                auto it = data.find(field.name);
                bool absent = it == data.end() || it->second.empty();
                if (absent && field.default_value && !field.default_value->empty()) continue;
                if (absent) {
                    // A missing key starts nothing (no_key) instead.
                    if (triggers && !field.optional && !takes_as_key(field.name))
                        throw data_error("flow " + f.def->name + " needs field " + field.name +
                                             " (declared without ?) when " + std::string(event) +
                                             " starts it",
                                         f.def->name, field.name);
                    continue;
                }
                std::string why;
                auto slot = f.slot.find(field.name);
                if (slot == f.slot.end()) continue;
                if (!detail::read_value(f.slot_type[slot->second], it->second, f.ctx, why))
                    throw data_error("flow " + f.def->name + ", field " + field.name + ": " + why,
                                     f.def->name, field.name);
            }
        }
    }

    std::vector<std::uint64_t> trigger(std::string_view business, std::string_view event,
                                       const Data& data) {
        check_data(event, data, true, {}, business);
        std::vector<std::uint64_t> started;
        for (std::size_t fi = 0; fi < flows.size(); ++fi) {
            auto& f = flows[fi];
            if (f.superseded || f.def->business != business) continue;
            for (std::size_t ti = 0; ti < f.def->triggers.size(); ++ti) {
                const auto& t = f.def->triggers[ti];
                if (t.event != event) continue;
                if (auto id = start(fi, ti, data)) started.push_back(*id);
            }
        }
        run_due();
        return started;
    }

    // Where a cooldown `per FIELD` keeps the instance's last start: "FIELD=VALUE" ("" when
    // the field has no value, so that nothing counts).
    std::string cooldown_key(const std::string& field, const Inst& inst) const {
        auto value = text_of(inst, field);
        return value.empty() ? std::string() : field + "=" + value;
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
        probe.flow = static_cast<std::uint32_t>(fi);
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
        for (const auto& [slot, value] : f.defaults)
            if (probe.values[slot].empty()) probe.values[slot] = value;
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
            auto it = f.last_start.find(
                t.cooldown_per.empty() ? key : cooldown_key(t.cooldown_per, probe));
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
        for (std::size_t ci = 0; !suppressions.empty() && ci < f.chans.size(); ++ci) {
            auto address = address_of(probe, ci);
            if (!address.empty() && opted_out(fi, address)) {
                suppressed_trigger(fi, t, key, "opted_out",
                                   recipient(probe, f.def->channels[ci]) + " opted out");
                return std::nullopt;
            }
        }
        if (auto running = active_instance(fi, key)) {
            suppressed_trigger(fi, t, key, "active",
                               "instance " + std::to_string(*running) + " is running");
            return std::nullopt;
        }
        Inst& inst = instances.add(std::move(probe));
        ++live_count; // pending until its first state
        auto id = inst.id;
        inst.key = key;
        inst.trigger = static_cast<std::uint32_t>(ti);
        inst.started = now();
        inst.entered = now();
        if (f.keeps_trigger_data) inst.more().trigger_data = data;
        inst.status = InstanceStatus::pending;
        index_addresses(inst);
        f.active.emplace(key_hash(key), id);
        if (f.keeps_starts) {
            f.last_start[key] = now();
            for (const auto& field : f.cooldown_fields)
                if (auto ck = cooldown_key(field, inst); !ck.empty()) f.last_start[ck] = now();
        }
        f.metrics.starts++;
        if (tracing()) record(&inst, fi, "started", {{"event", t.event}, {"key", key}});
        for (auto& p : problems)
            error(&inst, fi, std::move(p));
        if (t.delay && (t.delay->count != 0)) {
            Timer timer;
            timer.kind = TimerKind::start;
            add_timer(inst, detail::add(now(), *t.delay, zone_of(inst)), timer);
        } else if (auto idx = f.compiled->state_index(t.start)) {
            enter(inst, *idx, tracing() ? "trigger " + t.event : std::string());
        }
        return id;
    }

    int signal(std::string_view flow, std::string_view key, std::string_view event,
               const Data& data) {
        if (!data.empty()) check_data(event, data, false, flow);
        std::vector<std::uint64_t> ids;
        for (std::size_t fi = 0; fi < flows.size(); ++fi) {
            auto& f = flows[fi];
            if (!flow.empty() && f.def->name != flow) continue;
            auto running = active_id(f, key);
            if (!running) running = active_id(f, detail::canonical_address(key, f.ctx.region));
            if (running) ids.push_back(*running);
        }
        std::sort(ids.begin(), ids.end());
        int moved = 0;
        for (auto id : ids) {
            auto& inst = *instances.find(id);
            if (!live(inst)) continue; // a pending start takes `from any` event routes too
            Fields fields{{"event", std::string(event)}};
            for (const auto& [k, v] : data)
                fields.emplace_back(k, v);
            if (tracing()) record(&inst, inst.flow, "received", std::move(fields));
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
        // An unmatched reply came to one instance: it is the one candidate a person sees.
        if (inst && candidates.empty()) item.candidates.push_back(inst->id);
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
        if (!inst && !candidates.empty()) fi = instances.find(candidates.front())->flow;
        if (flows.empty()) return;
        record(inst, fi, "inbox", std::move(fields));
    }

    void reply(const Inbound& m) {
        if (flows.empty()) return;
        auto region = flows.front().ctx.region;
        auto to = canonical_own(m.to, region);
        auto tokens = detail::reply_tokens(m.text);
        // The instances that send to the sender: found by the text as it came when that is an
        // instance's own canonical number (no parsing), else by its canonical form.
        std::string from;
        std::vector<std::uint64_t> senders;
        {
            auto [begin, end] = addressed.equal_range(key_hash(m.from));
            for (auto it = begin; it != end; ++it) {
                bool fixed = false;
                if (sends_to(*instances.find(it->second), m.from, &fixed)) {
                    from = m.from;
                    break;
                }
            }
            if (from.empty()) {
                from = detail::canonical_address(m.from, region);
                senders = sending_to(from);
            } else {
                for (auto it = begin; it != end; ++it)
                    if (sends_to(*instances.find(it->second), from)) senders.push_back(it->second);
                for (auto id : unindexed)
                    if (sends_to(*instances.find(id), from)) senders.push_back(id);
                std::sort(senders.begin(), senders.end());
                senders.erase(std::unique(senders.begin(), senders.end()), senders.end());
            }
        }
        std::vector<std::uint64_t> candidates;
        for (auto id : senders)
            if (takes_reply(*instances.find(id), from, to)) candidates.push_back(id);

        // Opt-out beats everything: the first word decides, across every flow.
        for (std::size_t fi = 0; fi < flows.size(); ++fi) {
            if (!flows[fi].opt_out.matches_first(tokens)) continue;
            // To a number only one business's flows send from: out of that business only.
            auto business = business_of_number(to);
            auto key = scope_key(business, from);
            if (suppressed_index.count(key) == 0) {
                suppressed_index[key] = suppressions.size();
                suppressions.push_back(
                    {from, now(), "reply \"" + m.text + "\" to " + m.to, business});
            }
            Inst* inst = candidates.size() == 1 ? instances.find(candidates.front()) : nullptr;
            if (tracing()) {
                Fields fields{{"address", from}, {"text", m.text}, {"to", m.to}};
                if (!business.empty()) fields.emplace_back("business", business);
                record(inst, inst ? inst->flow : fi, "opted_out", std::move(fields));
            }
            cancel_pending_sends(from, business);
            run_due();
            return;
        }
        if (candidates.empty()) {
            // No instance listens: the reply still belongs to the conversation of one that
            // texts this customer from this number (it waits for the host, say).
            for (auto id : senders)
                if (texts(*instances.find(id), from, to)) candidates.push_back(id);
            if (candidates.empty()) {
                to_inbox(m, "unknown", {}, nullptr);
            } else if (candidates.size() > 1) {
                to_inbox(m, "ambiguous", candidates, nullptr);
            } else {
                unmatched_reply(*instances.find(candidates.front()), m);
            }
        } else if (candidates.size() > 1) {
            to_inbox(m, "ambiguous", candidates, nullptr);
        } else {
            route_reply(*instances.find(candidates.front()), m, tokens);
        }
        run_due();
    }

    // An address opted out: the pending sends to it are cancelled, then every live instance
    // that sends to it gets the event `opted.out` (taken only where a route waits for it).
    void cancel_pending_sends(const std::string& address, std::string_view business = {}) {
        auto reached = sending_to(address);
        if (!business.empty())
            std::erase_if(reached, [&](std::uint64_t id) {
                return flows[instances.find(id)->flow].def->business != business;
            });
        for (auto id : reached) {
            Inst& inst = *instances.find(id);
            if (inst.pending_sends == 0 && inst.pending_reminders == 0) continue;
            cancel_timer_kind(inst, TimerKind::send);
            cancel_timer_kind(inst, TimerKind::reminder);
            if (tracing())
                record(&inst, inst.flow, "cancelled",
                       {{"what", "pending sends"}, {"why", address + " opted out"}});
        }
        for (auto id : reached) {
            Inst& inst = *instances.find(id);
            if (live(inst)) take_event(inst, "opted.out", {});
        }
    }

    // A reply received by an instance that no route of it takes: kept in the inbox on it.
    void unmatched_reply(Inst& inst, const Inbound& m) {
        flows[inst.flow].metrics.replies++;
        if (tracing())
            record(&inst, inst.flow, "received",
                   {{"from", m.from}, {"to", m.to}, {"text", m.text}});
        to_inbox(m, "unmatched", {}, &inst);
    }

    // A time test's moment: the reply's time of day on the reply's date, or (none given) the
    // next such time from now, in the recipient's zone.
    Instant moment_of_reply(const Inst& inst, const std::string& text) const {
        auto minutes = std::chrono::minutes{detail::reply_time(text).value_or(0)};
        const auto* zone = zone_of(inst);
        auto today = date::local_days{detail::local_date(now(), zone)};
        auto day = detail::reply_date(detail::without_time(text), flows[inst.flow].locale->locale(),
                                      date::year_month_day{today});
        auto on = [&](date::local_days d) {
            return detail::resolve_local(date::local_seconds{d} + minutes, zone);
        };
        if (day) return on(date::local_days{*day});
        auto t = on(today);
        return t > now() ? t : on(today + date::days{1});
    }

    void route_reply(Inst& inst, const Inbound& m, const std::vector<std::string>& tokens) {
        auto& f = flows[inst.flow];
        f.metrics.replies++;
        if (f.keeps_last_reply) inst.more().last_reply = m.text;
        if (tracing())
            record(&inst, inst.flow, "received",
                   {{"from", m.from}, {"to", m.to}, {"text", m.text}});
        const Handler* chosen = nullptr;
        InstScope scope(*this, inst);
        // The reply's number, read once when a number test asks for it.
        std::optional<std::optional<double>> number;
        auto number_of_reply = [&] {
            if (!number) number = detail::reply_number(m.text);
            return *number;
        };
        std::string found; // what a pattern test found: its first group, or the whole match
        // The reply's date, read once when a date test asks for it (in the recipient's zone).
        std::optional<std::optional<date::year_month_day>> day;
        auto date_of_reply = [&] {
            if (!day)
                day = detail::reply_date(m.text, f.locale->locale(),
                                         detail::local_date(now(), zone_of(inst)));
            return *day;
        };
        std::optional<detail::YesNo> said; // yes or no, read once for the state's yes/no routes
        each_handler(inst, [&](const Handler& h) {
            if (h.kind != Handler::Kind::reply) return false;
            bool match = h.keywords == "other" || h.keywords == "any";
            if (auto t = f.number_tests.find(h.keywords); !match && t != f.number_tests.end()) {
                auto n = number_of_reply();
                match = n && detail::in_range(*n, t->second);
            } else if (auto mt = f.meaning_tests.find(h.keywords);
                       !match && mt != f.meaning_tests.end()) {
                if (mt->second == KeywordMatch::date) {
                    match = date_of_reply().has_value();
                } else if (mt->second == KeywordMatch::time) {
                    match = detail::reply_time(m.text).has_value();
                } else {
                    if (!said) said = detail::reply_yes_no(m.text, f.locale->locale());
                    match = *said == (mt->second == KeywordMatch::yes ? detail::YesNo::yes
                                                                      : detail::YesNo::no);
                }
            } else if (auto p = f.patterns.find(h.keywords); !match && p != f.patterns.end()) {
                const re2::RE2& re = *p->second;
                re2::StringPiece parts[2];
                int group = re.NumberOfCapturingGroups() > 0 ? 1 : 0;
                match = re.ok() &&
                        re.Match(m.text, 0, m.text.size(), re2::RE2::UNANCHORED, parts, group + 1);
                if (match) found = std::string(parts[group].data(), parts[group].size());
            } else if (!match) {
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
        if (tracing())
            record(&inst, inst.flow, "matched",
                   {{"route", "reply " + chosen->keywords}, {"target", to_text(chosen->target)}});
        if (!chosen->capture.empty()) {
            // `as FIELD`: a number test keeps the number, any other route the reply's text.
            bool numeric = f.number_tests.count(chosen->keywords) > 0;
            bool pattern = f.patterns.count(chosen->keywords) > 0;
            auto mt = f.meaning_tests.find(chosen->keywords);
            bool dated = mt != f.meaning_tests.end() && mt->second == KeywordMatch::date;
            bool timed = mt != f.meaning_tests.end() && mt->second == KeywordMatch::time;
            keep(inst, chosen->capture,
                 numeric   ? detail::Value::of_number(number_of_reply().value_or(0))
                 : dated   ? detail::Value::of_date(date::sys_days{*date_of_reply()})
                 : timed   ? detail::Value::of_instant(moment_of_reply(inst, m.text))
                 : pattern ? detail::Value::of_text(found)
                           : detail::Value::of_text(trimmed(m.text)));
        }
        if (chosen->target.kind == Target::Kind::inbox) {
            to_inbox(m, "routed", {}, &inst);
            return;
        }
        go(inst, chosen->target, tracing() ? "reply " + chosen->keywords : std::string());
    }

    InstanceView view(const Inst& inst, bool with_history = true) const {
        InstanceView v;
        const auto& f = flows[inst.flow];
        v.id = inst.id;
        v.flow = f.def->name;
        v.version = f.version;
        v.key = inst.key;
        if (inst.state >= 0)
            v.state = f.compiled->states()[static_cast<std::size_t>(inst.state)].name;
        v.status = inst.status;
        v.started = inst.started;
        v.entered = inst.entered;
        v.fields = field_data(inst);
        if (inst.outcome) v.outcome = *inst.outcome;
        if (inst.extra) v.outcome_value = inst.extra->outcome_value;
        if (with_history && inst.extra) v.history = inst.extra->history;
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
    std::optional<std::uint64_t> active_instance(std::size_t fi, std::string_view key) const {
        const auto& f = flows[fi];
        if (auto id = active_id(f, key)) return id;
        if (f.version == 1) return std::nullopt;
        for (const auto& g : flows) {
            if (&g == &f || g.def->name != f.def->name) continue;
            if (auto id = active_id(g, key)) return id;
        }
        return std::nullopt;
    }

    // When each key last started an instance of any version of flow `name` (the instances'
    // own start times: the same as the cooldown table, which only some flows keep).
    // Instances retired from memory count through the cooldown tables of the versions that
    // keep one.
    std::map<std::string, Instant> starts_of(std::string_view name) const {
        std::map<std::string, Instant> out;
        for (const auto& f : flows) {
            if (f.def->name != name) continue;
            for (const auto& [key, at] : f.last_start) {
                auto [it, fresh] = out.emplace(key, at);
                if (!fresh && it->second < at) it->second = at;
            }
        }
        for (const auto& inst : instances) {
            if (flows[inst.flow].def->name != name) continue;
            auto [it, fresh] = out.emplace(inst.key, inst.started);
            if (!fresh && it->second < inst.started) it->second = inst.started;
        }
        return out;
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
        for (auto& inst : instances) {
            auto id = inst.id;
            const auto& from = flows[inst.flow];
            if (inst.flow == *to || !live(inst) || from.def->name != name) continue;
            std::string state =
                inst.state >= 0 ? from.compiled->states()[static_cast<std::size_t>(inst.state)].name
                                : "";
            auto trigger = map_trigger(inst.flow, inst.trigger, *to);
            if (inst.state >= 0 && !target.compiled->state_index(state)) {
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
        // A pending start (the only timer of an instance without a state) and deferred sends
        // keep their deadlines; every other timer goes.
        if (inst.state >= 0) cancel_timers_but_sends(inst);
        unregister_routes(inst);
        clear_active(from, inst);
        target.active.emplace(key_hash(inst.key), inst.id);
        std::string state = inst.state >= 0
                                ? from.compiled->states()[static_cast<std::size_t>(inst.state)].name
                                : "";
        int from_version = from.version;
        // The last message as it was sent, kept whole: its action and channel are the old
        // version's.
        if (inst.last.action) {
            auto [text, subject] = last_message(inst);
            const auto& old_channel = from.def->channels[inst.last.channel].name;
            auto ci = target.channels.find(old_channel);
            if (ci == target.channels.end()) {
                inst.last = Outbound{};
            } else {
                inst.last.channel =
                    static_cast<std::uint32_t>(ci->second - target.def->channels.data());
                inst.last.rendered =
                    std::make_unique<std::pair<std::string, std::optional<std::string>>>(
                        std::move(text), std::move(subject));
            }
        }
        bool was_indexed = inst.indexed;
        unindex_addresses(inst);
        inst.flow = static_cast<std::uint32_t>(to);
        inst.trigger = static_cast<std::uint32_t>(trigger);
        inst.values = std::move(values);
        refresh_derived(inst);
        if (was_indexed) index_addresses(inst);
        record(&inst, to, "migrated",
               {{"from", std::to_string(from_version)},
                {"to", std::to_string(target.version)},
                {"state", state}});
        for (auto& d : dropped)
            error(&inst, to, std::move(d));
        if (inst.state < 0) return; // the delayed start enters the new version's start state
        auto idx = *target.compiled->state_index(state);
        inst.state = static_cast<std::int32_t>(idx);
        const auto& decl = target.compiled->decl(idx);
        if (!decl.repeats.empty() || inst.extra)
            inst.more().repeat_count.resize(decl.repeats.size(), 0);
        for (std::size_t i = 0; i < decl.repeats.size(); ++i) {
            const auto& r = decl.repeats[i];
            if (r.max && inst.more().repeat_count[i] >= *r.max) continue;
            Timer t;
            t.kind = TimerKind::repeat;
            t.repeat = &r;
            t.repeat_index = static_cast<std::uint32_t>(i);
            add_timer(
                inst,
                within(inst, detail::add(now(), r.interval, zone_of(inst)), r.within, "every"), t);
        }
        schedule_handlers(inst); // `after` counts from when the state was entered
        schedule_reminder(inst);
        if (waits_for_replies(inst)) register_routes(inst);
    }

    PendingTimer pending(const QueuedTimer& q) const {
        const Timer& t = q.what;
        PendingTimer p;
        p.instance = q.instance;
        p.due = q.due;
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
            if (const Inst* inst = instances.find(q.instance))
                p.what = "reminder " + std::to_string(inst->reminder_index + 1);
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

Engine::Engine(Clock& clock, Transport& transport, EngineOptions options)
    : impl_(std::make_unique<Impl>(clock, transport, options)) {}

Engine::~Engine() = default;

void Engine::load(const std::shared_ptr<const CompiledFlow>& flow) {
    if (!flow) throw error("no flow to load");
    if (impl_->flow_index(flow->flow().name)) {
        throw error("a flow named '" + flow->flow().name + "' is already loaded");
    }
    load_version(flow);
}

int Engine::load_version(const std::shared_ptr<const CompiledFlow>& flow, int version) {
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
    f.locale_declared = def.locale.has_value();
    f.locale = std::make_shared<detail::LocaleFormat>(
        def.locale ? *def.locale : detail::locale_of_zone(f.zone_name));
    for (const auto& fd : def.fields) {
        if (fd.default_value && !fd.default_value->empty()) {
            std::string why;
            auto v = detail::read_value(fd.type, *fd.default_value, f.ctx, why);
            if (!v) throw error("flow " + def.name + ", field " + fd.name + " default: " + why);
            f.defaults.emplace_back(f.slot_type.size(), std::move(*v));
        }
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
    for (const auto& k : def.keywords) {
        if (k.match == KeywordMatch::number)
            f.number_tests.emplace(k.name, k.range);
        else if (k.match == KeywordMatch::pattern)
            f.patterns.emplace(k.name, std::make_shared<const re2::RE2>(k.pattern, RE2::Quiet));
        else if (k.match == KeywordMatch::yes || k.match == KeywordMatch::no ||
                 k.match == KeywordMatch::date || k.match == KeywordMatch::time)
            f.meaning_tests.emplace(k.name, k.match);
        else
            f.keywords.emplace(k.name, detail::KeywordMatcher(k.words, k.match, k.ignore_accents));
    }
    f.opt_out = detail::KeywordMatcher(def.opt_out);
    for (const auto& ch : def.channels) {
        FlowRt::Chan c;
        if (ch.from) {
            c.from = detail::canonical_address(*ch.from, f.ctx.region);
            impl_->own.emplace(*ch.from, c.from);
            impl_->own.emplace(c.from, c.from);
        }
        if (ch.to_is_literal) {
            c.literal_to = detail::canonical_address(ch.to, f.ctx.region);
        } else if (auto it = f.slot.find(ch.to); it != f.slot.end()) {
            c.by_field = true;
            c.to_slot = it->second;
        } else {
            f.addresses_by_field = false; // a fact: it may change without the engine knowing
        }
        f.chans.push_back(std::move(c));
    }
    f.entries.assign(flow->states().size(), 0);
    for (const auto& t : def.triggers) {
        if (t.cooldown) f.keeps_starts = true;
        if (t.cooldown && !t.cooldown_per.empty() &&
            std::find(f.cooldown_fields.begin(), f.cooldown_fields.end(), t.cooldown_per) ==
                f.cooldown_fields.end())
            f.cooldown_fields.push_back(t.cooldown_per);
    }
    auto uses = [&](const Handler& h) {
        if (h.target.kind == Target::Kind::restart) f.keeps_trigger_data = true;
    };
    for (const auto& h : def.from_any)
        uses(h);
    for (const auto& st : flow->states()) {
        const auto& decl = flow->decl(static_cast<std::size_t>(&st - flow->states().data()));
        for (const auto& h : decl.handlers)
            uses(h);
        for (const auto& c : decl.choices)
            if (c.target.kind == Target::Kind::restart) f.keeps_trigger_data = true;
        auto runs = [&](const std::vector<Action>& actions) {
            for (const auto& a : actions)
                if (a.kind == Action::Kind::run) f.keeps_last_reply = true;
        };
        runs(decl.actions);
        for (const auto& r : decl.repeats)
            runs(r.actions);
    }
    if (version != 0) f.version = version;
    if (auto previous = impl_->newest(def.name)) {
        auto& p = impl_->flows[*previous];
        if (version == 0) f.version = p.version + 1;
        // Only the newest starts instances from now on; its cooldowns count from the starts
        // of every version.
        if (f.keeps_starts) {
            for (const auto& [key, at] : impl_->starts_of(def.name))
                f.last_start[key] = at;
        }
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
    impl_->retire();
    return impl_->trigger({}, event, data);
}

std::vector<std::uint64_t> Engine::trigger_for(std::string_view business, std::string_view event,
                                               const Data& data) {
    impl_->retire();
    return impl_->trigger(business, event, data);
}

int Engine::signal(std::string_view flow, std::string_view key, std::string_view event,
                   const Data& data) {
    impl_->retire();
    return impl_->signal(flow, key, event, data);
}

void Engine::reply(const Inbound& message) {
    impl_->retire();
    impl_->reply(message);
}

int Engine::run_due() {
    impl_->retire();
    return impl_->run_due();
}

std::optional<Instant> Engine::next_due() const {
    impl_->prune();
    if (impl_->timers.empty()) return std::nullopt;
    return impl_->timers.front().due;
}

void Engine::assign(std::uint64_t inbox_id, std::uint64_t instance, std::string_view by) {
    auto& in = impl_->inbox;
    if (inbox_id == 0 || inbox_id > in.size())
        throw error("no inbox message " + std::to_string(inbox_id));
    auto* inst = impl_->find_or_throw(instance);
    auto& item = in[inbox_id - 1];
    item.assigned_to = instance;
    Fields fields{{"inbox", std::to_string(inbox_id)},
                  {"from", item.message.from},
                  {"text", item.message.text}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record(inst, inst->flow, "assigned", std::move(fields));
}

void Engine::close(std::uint64_t inbox_id, std::string_view note, std::string_view by) {
    auto& in = impl_->inbox;
    if (inbox_id == 0 || inbox_id > in.size())
        throw error("no inbox message " + std::to_string(inbox_id));
    auto& item = in[inbox_id - 1];
    item.handled_at = impl_->now();
    item.handled_by = std::string(by);
    item.note = std::string(note);
    Fields fields{{"inbox", std::to_string(inbox_id)},
                  {"from", item.message.from},
                  {"text", item.message.text},
                  {"note", item.note}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record_global("handled", std::move(fields));
}

void Engine::move(std::uint64_t instance, std::string_view state, std::string_view by) {
    auto& inst = *impl_->find_or_throw(instance);
    auto idx = impl_->flows[inst.flow].compiled->state_index(state);
    if (!idx)
        throw error("flow " + impl_->flows[inst.flow].def->name + " has no state '" +
                    std::string(state) + "'");
    if (inst.status == InstanceStatus::finished || inst.status == InstanceStatus::cancelled) {
        auto& f = impl_->flows[inst.flow];
        if (!impl_->active_id(f, inst.key)) f.active.emplace(key_hash(inst.key), inst.id);
    }
    Fields fields{{"state", std::string(state)}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record(&inst, inst.flow, "moved", std::move(fields));
    impl_->enter(inst, *idx, by.empty() ? "moved by hand" : "moved by " + std::string(by));
    impl_->run_due();
}

bool Engine::send_by_hand(std::uint64_t instance, std::string_view channel, std::string_view text,
                          std::string_view by, std::optional<std::string> subject) {
    if (by.empty()) throw error("a message sent by hand names who sent it");
    if (impl_->instances.retired(instance))
        throw error("instance " + std::to_string(instance) + " has ended and left memory");
    auto& inst = *impl_->find_or_throw(instance);
    auto& f = impl_->flows[inst.flow];
    auto it = f.channels.find(channel);
    if (it == f.channels.end())
        throw error("flow " + f.def->name + " has no channel " + std::string(channel));
    const auto& ch = *it->second;
    auto to = impl_->recipient(inst, ch);
    if (to.empty()) throw error("instance " + std::to_string(instance) + " has no " + ch.to);
    if (text.empty()) throw error("the message is empty");
    auto body = impl_->render(inst, text, subject);
    if (!body.missing.empty()) {
        std::string names;
        for (const auto& m : body.missing)
            names += (names.empty() ? "{" : ", {") + m + "}";
        throw error("the message needs " + names + ", which instance " + std::to_string(instance) +
                    " has no value for; nothing was sent");
    }
    return impl_->deliver(inst, ch, to, std::move(subject), std::move(body.text), nullptr,
                          OnFailure::at_once, by);
}

void Engine::cancel(std::uint64_t instance, std::string_view reason, std::string_view by) {
    if (impl_->instances.retired(instance)) return; // it had ended
    auto& inst = *impl_->find_or_throw(instance);
    if (!impl_->live(inst)) return;
    impl_->finish(inst, InstanceStatus::cancelled);
    Fields fields{{"why", std::string(reason)}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    impl_->record(&inst, inst.flow, "cancelled", std::move(fields));
}

void Engine::report(const DeliveryReport& report) {
    // A report that comes after its instance ended and was retired changes nothing.
    if (impl_->instances.retired(report.instance)) return;
    auto* found = impl_->find_or_throw(report.instance);
    auto& inst = *found;
    if (report.delivered) {
        impl_->record(&inst, inst.flow, "delivered",
                      {{"channel", report.channel},
                       {"to", report.to},
                       {"message", report.message_id},
                       {"detail", report.detail}});
        return;
    }
    impl_->failed(inst, {{"channel", report.channel},
                         {"to", report.to},
                         {"message", report.message_id},
                         {"error", report.detail}});
    impl_->after_failure(inst);
    impl_->run_due();
}

void Engine::suppress(std::string_view address, std::string_view source, std::string_view by,
                      std::string_view business) {
    std::string region = impl_->flows.empty() ? "" : impl_->flows.front().ctx.region;
    auto a = detail::canonical_address(address, region);
    auto key = Impl::scope_key(business, a);
    if (impl_->suppressed_index.count(key)) return;
    impl_->suppressed_index[key] = impl_->suppressions.size();
    impl_->suppressions.push_back({a, impl_->now(), std::string(source), std::string(business)});
    impl_->cancel_pending_sends(a, business);
    if (!by.empty()) {
        Fields fields{{"address", a}, {"reason", std::string(source)}, {"by", std::string(by)}};
        if (!business.empty()) fields.emplace_back("business", std::string(business));
        impl_->record_global("opt_out_added", std::move(fields));
    }
}

void Engine::note_settings(std::string_view flow,
                           const std::vector<std::pair<std::string, std::string>>& changes,
                           std::string_view by) {
    Fields fields{{"flow", std::string(flow)}, {"by", std::string(by)}};
    for (const auto& [name, value] : changes)
        fields.emplace_back(name, value);
    impl_->record_global("settings_changed", std::move(fields));
}

std::optional<std::string> Engine::unsuppress(std::string_view address, std::string_view reason,
                                              std::string_view by, std::string_view business) {
    std::string region = impl_->flows.empty() ? "" : impl_->flows.front().ctx.region;
    auto a = detail::canonical_address(address, region);
    auto it = impl_->suppressed_index.find(Impl::scope_key(business, a));
    if (it == impl_->suppressed_index.end()) return std::nullopt;
    auto& list = impl_->suppressions;
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(it->second));
    impl_->reindex_suppressions();
    Fields fields{{"address", a}, {"reason", std::string(reason)}};
    if (!by.empty()) fields.emplace_back("by", std::string(by));
    if (!business.empty()) fields.emplace_back("business", std::string(business));
    impl_->record_global("opt_out_removed", std::move(fields));
    return a;
}

std::optional<InstanceView> Engine::instance(std::uint64_t id, bool with_history) const {
    const auto* inst = impl_->instances.find(id);
    if (!inst) return std::nullopt;
    return impl_->view(*inst, with_history);
}

std::vector<InstanceView> Engine::instances(std::string_view flow, std::string_view state) const {
    std::vector<InstanceView> out;
    for (const auto& inst : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        if (f.def->name != flow) continue;
        if (!state.empty() &&
            (inst.state < 0 ||
             f.compiled->states()[static_cast<std::size_t>(inst.state)].name != state))
            continue;
        out.push_back(impl_->view(inst));
    }
    return out;
}

std::map<std::string, std::size_t> Engine::state_counts(std::string_view flow) const {
    std::map<std::string, std::size_t> out;
    for (const auto& inst : impl_->instances) {
        const auto& f = impl_->flows[inst.flow];
        if (inst.state < 0 || f.def->name != flow) continue;
        ++out[f.compiled->states()[static_cast<std::size_t>(inst.state)].name];
    }
    return out;
}

std::vector<InstanceView> Engine::instances_by_key(std::string_view key) const {
    std::vector<InstanceView> out;
    // The key as each flow's region spells a phone number, worked out once per region.
    std::map<std::string, std::string, std::less<>> canonical;
    for (const auto& inst : impl_->instances) {
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
    for (std::size_t j = *i; j < impl_->flows.size(); ++j) {
        const auto& f = impl_->flows[j];
        if (f.def->name != flow) continue;
        for (std::size_t s = 0; s < f.entries.size(); ++s)
            if (f.entries[s] != 0) sum.entries[f.compiled->states()[s].name] += f.entries[s];
    }
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
    const Inst* inst = impl_->instances.find(instance);
    if (!inst) return out;
    std::vector<QueuedTimer> standing;
    if (impl_->options.index_timers) {
        if (auto it = impl_->timer_index.find(instance); it != impl_->timer_index.end())
            for (const auto& q : it->second)
                if (impl_->standing(q, *inst)) standing.push_back(q);
    } else {
        for (const auto& q : impl_->timers) // the whole queue: slow, see EngineOptions
            if (q.instance == instance && impl_->standing(q, *inst)) standing.push_back(q);
    }
    std::sort(standing.begin(), standing.end(), [](const auto& a, const auto& b) {
        return a.due != b.due ? a.due < b.due : a.seq < b.seq;
    });
    for (const auto& q : standing)
        out.push_back(impl_->pending(q));
    return out;
}

EngineStats Engine::stats() const {
    EngineStats s;
    s.instances = impl_->instances.size();
    s.live = impl_->live_count;
    s.timers = impl_->standing_timers;
    s.queued_timers = impl_->timers.size();
    s.queue_compactions = impl_->compactions;
    s.inbox = impl_->inbox.size();
    s.suppressions = impl_->suppressions.size();
    s.retired = impl_->retired;
    return s;
}

std::map<std::string, Instant> Engine::last_starts(std::string_view flow) const {
    if (!impl_->newest(flow)) throw error("no flow named '" + std::string(flow) + "'");
    return impl_->starts_of(flow);
}

void Engine::keep_finished(std::size_t count) {
    if (count != std::numeric_limits<std::size_t>::max() &&
        impl_->options.keep_finished == std::numeric_limits<std::size_t>::max()) {
        // Noted from now on; the ones that ended before are noted now, oldest id first.
        for (const auto& inst : impl_->instances)
            if (!impl_->live(inst)) impl_->finished_ids.push_back(inst.id);
    }
    impl_->options.keep_finished = count;
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
