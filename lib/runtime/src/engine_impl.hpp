#pragma once
// Engine::Impl: the engine's state and the declarations of its steps. Where each part lives:
//   link_flow.cpp    linking a flow version (Engine::load_version): the per-flow tables
//   instances.cpp    the instance table: lookups, retirement, views
//   timers.cpp       the timer queue: setting, cancelling, compacting, running what is due
//   firing.cpp       what a timer does when it fires (a start, deadline, reminder, repeat, send)
//   deadlines.cpp    deadline arithmetic: after/at/season/spread/within, reminders scheduled
//   addresses.cpp    the address book: own numbers, address -> instances, key -> active
//                    instance, suppressions and opt-outs
//   replies.cpp      the reply router: opt-out, unknown, ambiguous, a reply matched to a route
//   outbound.cpp     outbound messages: channel and fallback, rendering, policies, the transport
//   transitions.cpp  entering and leaving states: actions, choices, events, restarts, finishing
//   triggers.cpp     triggers and signals: data checks, cooldowns, starting instances
//   values.cpp       field values, facts and merge text
//   history.cpp      records: history, the observer and error hooks
//   versions.cpp     flow versions and migration
//   engine.cpp       the public Engine members, a thin facade over these
#include "flow_rt.hpp"
#include "instances.hpp"
#include "timers.hpp"

#include <nudge/engine.hpp>
#include <nudge/error.hpp>

#include "text/gsm7.hpp"
#include "text/merge_text.hpp"
#include "text/phone.hpp"
#include "text/reply_meaning.hpp"
#include "text/reply_text.hpp"
#include "text/time.hpp"
#include "text/value.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nudge {

// Who takes `on send.failed` for a send the transport (or the segment cap) failed: the step
// that sent it, once its actions are done (a state's entry, a repeat's tick, a deferred send),
// or the send itself, at once (a reminder, a message sent by hand).
enum class OnFailure : std::uint8_t { left_to_step, at_once };

struct Engine::Impl {
    Clock& clock;
    Transport& transport;
    EngineOptions options;
    std::vector<FlowRt> flows;
    InstanceTable instances;

    Impl(Clock& c, Transport& t, EngineOptions o) : clock(c), transport(t), options(o) {}
    Instant now() const { return clock.now(); }

    // ---- history.cpp: records, the observer and error hooks --------------------------

    // The host's hooks (Engine::on_record, on_emit, on_action, on_fact, on_error).
    std::function<void(const Record&)> observer;
    std::function<void(const Emitted&)> emit_handler;
    std::function<std::optional<Data>(const ActionCall&)> action_handler;
    std::function<std::optional<std::string>(const FactQuery&)> fact_provider;
    std::function<void(const Record&)> error_handler;

    // Whether records are wanted at all (besides errors, which always reach on_error). The
    // callers of the frequent kinds ask first, so that nobody builds their fields for nothing.
    bool tracing() const { return options.keep_history || observer; }
    void record(Inst* inst, std::size_t flow, RecordKind kind, Fields fields);
    void record_global(RecordKind kind, Fields fields);
    void error(Inst* inst, std::size_t flow, std::string what);
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

    // ---- values.cpp: field values, facts, merge text ---------------------------------

    const detail::ValueContext& ctx_of(const Inst& inst, detail::ValueContext& tmp) const;
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
    Value lookup(const Inst& inst, std::string_view name) const;
    Value fact(const Inst& inst, const FactDecl& decl) const;
    std::string merge_text(const Inst& inst, std::string_view name, std::string_view format) const;
    std::string text_of(const Inst& inst, std::string_view name) const;
    void merge_data(Inst& inst, const Data& data);
    void refresh_derived(Inst& inst);
    Data field_data(const Inst& inst) const;
    const date::time_zone* zone_of(const Inst& inst) const {
        return inst.zone ? inst.zone : flows[inst.flow].ctx.zone;
    }
    void keep(Inst& inst, const std::string& name, detail::Value value);

    // ---- instances.cpp: the instance table -------------------------------------------

    // With EngineOptions::keep_finished: the finished instances still held, oldest first.
    std::deque<std::uint64_t> finished_ids;
    std::uint64_t retired = 0;  // instances retired from memory
    std::size_t live_count = 0; // instances waiting or pending

    bool live(const Inst& inst) const {
        return inst.status == InstanceStatus::waiting || inst.status == InstanceStatus::pending;
    }
    void retire();
    Inst* find_or_throw(std::uint64_t id);
    InstanceView view(const Inst& inst, bool with_history = true) const;

    // ---- addresses.cpp: the address book (addresses, active keys, suppressions) ------

    // Live instances by the canonical address they send to, keyed by the address's hash (every
    // hit is checked against what the instance sends to). Instances whose recipient is a fact
    // are in `unindexed` instead.
    std::unordered_multimap<std::uint64_t, std::uint64_t> addressed;
    std::set<std::uint64_t> unindexed;
    // Our own numbers as written and as canonical, to their canonical form.
    std::unordered_map<std::string, std::string, TextHash, std::equal_to<>> own;
    std::vector<Suppression> suppressions;
    // By scope_key(business, address).
    std::map<std::string, std::size_t, std::less<>> suppressed_index;

    static std::string scope_key(std::string_view business, std::string_view address);
    bool opted_out(std::size_t fi, const std::string& address) const;
    void reindex_suppressions();
    std::string business_of_number(const std::string& to) const;
    // A reply from X to Y reaches the live instances that listen (their state has reply
    // routes) and send by SMS from Y to X. They are found through the address index.
    void register_routes(Inst& inst) { inst.listening = true; }
    void unregister_routes(Inst& inst) { inst.listening = false; }
    std::string address_of(const Inst& inst, std::size_t ci, bool* fixed = nullptr) const;
    bool takes_reply(const Inst& inst, std::string_view from, std::string_view to) const;
    bool texts(const Inst& inst, std::string_view from, std::string_view to) const;
    void index_addresses(Inst& inst);
    void unindex_addresses(Inst& inst);
    bool sends_to(const Inst& inst, std::string_view address, bool* fixed = nullptr) const;
    std::vector<std::uint64_t> sending_to(std::string_view address) const;
    std::string canonical_own(std::string_view to, const std::string& region) const;
    std::optional<std::uint64_t> active_id(const FlowRt& f, std::string_view key) const;
    void clear_active(FlowRt& f, const Inst& inst);

    // ---- timers.cpp: the timer queue -------------------------------------------------

    mutable std::vector<QueuedTimer> timers; // a heap (Later): the earliest on top
    // With EngineOptions::index_timers: each instance's queued timers (cancelled ones too,
    // until the queue drops them), for Engine::timers(id).
    mutable std::unordered_map<std::uint64_t, std::vector<QueuedTimer>> timer_index;
    std::uint64_t timer_seq = 0;
    // How many queued timers still stand: the rest of `timers` is cancelled ones that wait
    // to be dropped (see compact_timers).
    std::size_t standing_timers = 0;
    std::uint64_t compactions = 0; // times the queue was rebuilt without its cancelled timers

    void add_timer(Inst& inst, Instant due, Timer t);
    QueuedTimer pop_timer() const;
    bool standing(const QueuedTimer& q, const Inst& inst) const;
    bool standing(const QueuedTimer& q) const;
    void prune() const;
    static std::uint16_t& pending_of(Inst& inst, FireKind kind);
    void dropped(std::uint16_t& pending);
    void cancel_timers(Inst& inst);
    void cancel_timers_but_sends(Inst& inst);
    void cancel_timer_kind(Inst& inst, FireKind kind);
    // A cancelled timer stays queued until it comes up, which for a recall a year ahead is a
    // year. Once the cancelled ones are at least compact_min and outnumber the standing ones,
    // the queue is rebuilt without them: O(queue) work after at least as many cancellations
    // (O(1) a timer, amortised), and the queue stays within twice the standing timers (or
    // compact_min) whatever deadlines were cancelled. Timers still fire in (due, seq) order, a
    // total order, so the rebuilt heap fires them exactly as before.
    static constexpr std::size_t compact_min = 1024;
    void compact_timers();
    int run_due();
    PendingTimer pending(const QueuedTimer& q) const;

    // ---- firing.cpp: timers firing ---------------------------------------------------

    void fire(Inst& inst, const Timer& t);

    // ---- deadlines.cpp: deadlines and reminders scheduled ----------------------------

    Instant within(Inst& inst, Instant due, const std::optional<std::string>& w,
                   std::string_view what);
    void schedule_handlers(Inst& inst);
    void schedule_reminder(Inst& inst);

    // ---- transitions.cpp: entering and leaving states --------------------------------

    // enter() calls in progress, one inside another (a choice, `on send.failed` or a restart
    // entering the next state): a guard against livelocks, and nothing else.
    int entering = 0;

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
    bool waits_for_replies(const Inst& inst) const;
    void leave_state(Inst& inst);
    void finish(Inst& inst, InstanceStatus status);
    void go(Inst& inst, const Target& target, std::string_view why,
            const Data* event_data = nullptr);
    void restart(Inst& inst, const Data& data, std::string_view why);
    void enter(Inst& inst, std::size_t state, std::string_view why);
    void run_entry(Inst& inst, std::size_t state, std::string_view why);
    void run_action(Inst& inst, const Action& a);
    bool take_event(Inst& inst, std::string_view event, const Data& data);

    // ---- outbound.cpp: where a message is sent ---------------------------------------

    const TemplateDecl* find_template(const FlowRt& f, const std::string& name,
                                      ChannelKind kind) const;
    bool source_text(const FlowRt& f, const Action& a, ChannelKind kind, const std::string& text,
                     const std::optional<std::string>& subject) const;
    std::pair<std::string, std::optional<std::string>> last_message(const Inst& inst) const;
    std::string recipient(const Inst& inst, const ChannelDecl& ch) const;
    void failed(Inst& inst, Fields fields);
    Data failure_data(Inst& inst);
    detail::Rendered render(const Inst& inst, std::string_view text,
                            std::optional<std::string>& subject) const;
    void send(Inst& inst, const Action& a);
    bool deliver(Inst& inst, const ChannelDecl& ch, const std::string& to,
                 std::optional<std::string> subject, std::string text, const Action* source,
                 OnFailure on_failure, std::string_view by = {});
    void after_failure(Inst& inst);

    // ---- triggers.cpp: triggers and signals ------------------------------------------

    void check_data(std::string_view event, const Data& data, bool triggers,
                    std::string_view only_flow = {},
                    std::optional<std::string_view> business = std::nullopt) const;
    std::vector<std::uint64_t> trigger(std::string_view business, std::string_view event,
                                       const Data& data);
    std::string cooldown_key(const std::string& field, const Inst& inst) const;
    void suppressed_trigger(std::size_t fi, const TriggerDecl& t, const std::string& key,
                            std::string reason, std::string why);
    std::optional<std::uint64_t> start(std::size_t fi, std::size_t ti, const Data& data);
    int signal(std::string_view flow, std::string_view key, std::string_view event,
               const Data& data);

    // ---- replies.cpp: where a reply is matched ---------------------------------------

    std::vector<InboxItem> inbox; // replies a person handles, oldest first (id: index + 1)

    void to_inbox(const Inbound& m, InboxReason reason, std::vector<std::uint64_t> candidates,
                  Inst* inst);
    void reply(const Inbound& m);
    void cancel_pending_sends(const std::string& address, std::string_view business = {});
    void unmatched_reply(Inst& inst, const Inbound& m);
    Instant moment_of_reply(const Inst& inst, const std::string& text) const;
    void route_reply(Inst& inst, const Inbound& m, const std::vector<std::string>& tokens);

    // ---- versions.cpp: flow versions and migration -----------------------------------

    std::optional<std::size_t> flow_index(std::string_view name) const;
    std::optional<std::size_t> newest(std::string_view name) const;
    std::optional<std::uint64_t> active_instance(std::size_t fi, std::string_view key) const;
    std::map<std::string, Instant> starts_of(std::string_view name) const;
    std::optional<std::size_t> map_trigger(std::size_t from, std::size_t ti, std::size_t to) const;
    Migration migrate(std::string_view name, bool dry_run);
    void rebind(Inst& inst, std::size_t to, std::size_t trigger);
};

} // namespace nudge
