#pragma once
// The engine: runs compiled flows against a clock and a transport. It owns no threads; the host
// feeds it inputs (trigger, signal, reply) and calls run_due() when next_due() comes. Every
// input is handled completely before the call returns, including timers that became due at
// once (a deadline already past on entry fires in the same call). Nothing on the event path
// throws: problems become history records and reach the error handler.
//
// Thread safety: an Engine is not safe to share between threads, not even through its const
// members: next_due() drops cancelled timers from the top of its queue as it looks, and every
// query reads what the inputs change. Call one engine from one thread at a time (a mutex
// around it will do); separate engines share nothing but the CompiledFlows loaded into them,
// which are immutable. Records, views and the other structs here are plain values.
//
// Re-entrance: the hooks (on_record, on_emit, on_action, on_fact, on_error) and the
// transport's send() are called on the engine's thread in the middle of a step, with the
// instance half-way through it. They must not call back into the engine: no input, manual
// handling, run_due() or next_due(), and no query either (it would see a step half done).
// Note what should happen and feed it to the engine after the call that caused it returns, as
// examples/queue-callback/host does with the events its actions cause.
//
// The exact semantics are DESIGN §5; the language is dsl/REFERENCE.md.

#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/transport.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// Field values as the host gives them: text, read according to each field's declared type
// ("2026-04-10T09:00:00+02:00" for a datetime, "249.50" for money, "30m" for a duration).
using Data = std::map<std::string, std::string, std::less<>>;

// Every kind of record, the one list (dsl/REFERENCE.md, "The timeline: record kinds", says
// what each means and which fields it has). An X-macro: X(name) for each kind.
#define NUDGE_RECORD_KINDS(X)                                                                      \
    X(started)                                                                                     \
    X(suppressed)                                                                                  \
    X(entered)                                                                                     \
    X(sent)                                                                                        \
    X(deferred)                                                                                    \
    X(fallback)                                                                                    \
    X(failed)                                                                                      \
    X(delivered)                                                                                   \
    X(received)                                                                                    \
    X(matched)                                                                                     \
    X(inbox)                                                                                       \
    X(opted_out)                                                                                   \
    X(timer)                                                                                       \
    X(set)                                                                                         \
    X(action)                                                                                      \
    X(emitted)                                                                                     \
    X(outcome)                                                                                     \
    X(finished)                                                                                    \
    X(restarted)                                                                                   \
    X(cancelled)                                                                                   \
    X(assigned)                                                                                    \
    X(moved)                                                                                       \
    X(migrated)                                                                                    \
    X(error)                                                                                       \
    X(opt_out_added)                                                                               \
    X(opt_out_removed)                                                                             \
    X(handled)                                                                                     \
    X(settings_changed)

enum class RecordKind : std::uint8_t {
#define NUDGE_RECORD_KIND_ENUM(name) name,
    NUDGE_RECORD_KINDS(NUDGE_RECORD_KIND_ENUM)
#undef NUDGE_RECORD_KIND_ENUM
};
// The kind's name as Record::kind and the JSON form spell it ("opted_out").
std::string_view to_string(RecordKind kind);
// The kind of that name; nullopt for a name that is not a record kind.
std::optional<RecordKind> record_kind(std::string_view name);
// Every record kind, in the list's order.
const std::vector<RecordKind>& record_kinds();

// One thing that happened: an entry of an instance's history, or of the engine's timeline
// when it concerns no instance (a trigger that started nothing, an inbox entry).
struct Record {
    Instant at;
    std::uint64_t instance = 0; // 0: not about one instance
    std::string flow;
    std::string kind; // the name of a RecordKind: to_string(kind)
    std::vector<std::pair<std::string, std::string>> fields; // in a fixed order per kind
    // The value of a field, or "" when absent.
    std::string_view get(std::string_view name) const;
};

// One JSON object on one line: {"at":…,"instance":…,"flow":…,"kind":…, then the fields}.
// Times print in the IANA zone `zone`.
std::string to_json(const Record& record, std::string_view zone = "UTC");
// `text` as a JSON string literal, quotes included (the escaping to_json uses).
std::string json_quote(std::string_view text);

// An instance's status, the one list: X(name) for each.
#define NUDGE_INSTANCE_STATUSES(X) X(waiting) X(pending) X(finished) X(cancelled)
enum class InstanceStatus : std::uint8_t {
#define NUDGE_INSTANCE_STATUS_ENUM(name) name,
    NUDGE_INSTANCE_STATUSES(NUDGE_INSTANCE_STATUS_ENUM)
#undef NUDGE_INSTANCE_STATUS_ENUM
};
std::string_view to_string(InstanceStatus s);
std::optional<InstanceStatus> instance_status(std::string_view name);
const std::vector<InstanceStatus>& instance_statuses();

// A snapshot of one instance.
struct InstanceView {
    std::uint64_t id = 0;
    std::string flow;
    int version = 1; // the version of the flow it runs on (Engine::load_version)
    std::string key;
    std::string state; // "" while a delayed start is pending
    InstanceStatus status = InstanceStatus::waiting;
    Instant started; // when this run began: the trigger, or the last `-> restart`
    Instant entered; // when the current state was entered
    Data fields;     // every set field, in text form
    std::optional<std::string> outcome;
    std::optional<double> outcome_value;
    std::vector<Record> history;
};

struct Inbound {
    std::string from; // the customer
    std::string to;   // our number
    std::string text;
};

// A reply nobody's route took. reason: "unmatched" (no route of the waiting instance matched,
// or the one live instance that texts this number from this number has no reply routes now),
// "unknown" (no live instance texts this number from this number), "ambiguous" (several wait
// for replies, or none does and several text it: `candidates`), "routed" (a route sent it here
// with `-> inbox`). `candidates`: the instances it may belong to (the one instance of an
// unmatched or routed reply, those of an ambiguous one, none for an unknown sender).
// Why a reply went to the inbox (InboxItem::reason), the one list: X(name) for each.
#define NUDGE_INBOX_REASONS(X) X(unmatched) X(unknown) X(ambiguous) X(routed)
enum class InboxReason : std::uint8_t {
#define NUDGE_INBOX_REASON_ENUM(name) name,
    NUDGE_INBOX_REASONS(NUDGE_INBOX_REASON_ENUM)
#undef NUDGE_INBOX_REASON_ENUM
};
std::string_view to_string(InboxReason reason);
std::optional<InboxReason> inbox_reason(std::string_view name);
const std::vector<InboxReason>& inbox_reasons();

struct InboxItem {
    std::uint64_t id = 0;
    Instant at;
    Inbound message;
    std::string reason; // the name of an InboxReason: to_string(reason)
    std::vector<std::uint64_t> candidates;
    std::optional<std::uint64_t> assigned_to; // set by Engine::assign
    // Set by Engine::close: a person dealt with it without giving it to an instance.
    std::optional<Instant> handled_at;
    std::string handled_by;
    std::string note;
    // Neither assigned nor closed: still waiting for a person.
    bool open() const { return !assigned_to && !handled_at; }
};

struct Suppression {
    std::string address; // canonical: E.164 for numbers
    Instant at;
    std::string source; // "reply STOP to +4570000000", "host"
    // The business it applies to (the flows `for` it, <nudge/settings.hpp>); empty: every
    // flow. A STOP sent to a number only one business's flows send from opts out of that
    // business alone.
    std::string business{};
};

struct FlowMetrics {
    std::int64_t triggers = 0;
    std::int64_t starts = 0;
    std::map<std::string, std::int64_t> suppressed; // by reason code
    std::map<std::string, std::int64_t> sends;      // by channel
    std::int64_t replies = 0;
    std::map<std::string, std::int64_t> entries; // by state
    struct Outcome {
        std::int64_t count = 0;
        double value = 0;
    };
    std::map<std::string, Outcome> outcomes; // by label
};

// What a timer an instance waits for is, the one list: start (a delayed start), after, at,
// season (a state's timed routes), reminder, every (a repeat), send (a send deferred into its
// window). X(name) for each.
#define NUDGE_TIMER_KINDS(X) X(start) X(after) X(at) X(season) X(reminder) X(every) X(send)
enum class TimerKind : std::uint8_t {
#define NUDGE_TIMER_KIND_ENUM(name) name,
    NUDGE_TIMER_KINDS(NUDGE_TIMER_KIND_ENUM)
#undef NUDGE_TIMER_KIND_ENUM
};
std::string_view to_string(TimerKind kind);
std::optional<TimerKind> timer_kind(std::string_view name);
const std::vector<TimerKind>& timer_kinds();

// A timer an instance waits for.
struct PendingTimer {
    std::uint64_t instance = 0;
    Instant due;
    std::string kind; // the name of a TimerKind: to_string(kind)
    std::string what; // "after 3d -> lapsed", "reminder 1", "every 1d", "send sms", …
};

// What Engine::migrate did, or would do: the instances moved to the newest version of a flow,
// or, when a state in use has no counterpart there, every such state with how many instances
// sit in it (and then nothing moved).
struct Migration {
    std::string flow;
    int version = 0; // the version migrated to: the newest
    struct Moved {
        std::uint64_t instance = 0;
        int from_version = 0;
        std::string state; // "" for a delayed start still pending
    };
    std::vector<Moved> moved;
    struct Missing {
        std::string state; // or "trigger on EVENT" when the trigger it started by is gone
        int version = 0;   // the version the instances are on
        std::size_t instances = 0;
    };
    std::vector<Missing> missing;
    bool ok() const { return missing.empty(); }
};

// What a host action handler (`do "order.parse"`) sees, and may answer with field values
// to merge into the instance.
struct ActionCall {
    std::string action;
    std::string flow;
    std::uint64_t instance = 0;
    std::string key;
    Data fields;
    std::string last_reply; // the text of the instance's last reply, "" if none
};

// An event the flow emits to the host (`emit slot.freed`).
struct Emitted {
    std::string event;
    std::string flow;
    std::uint64_t instance = 0;
    std::string key;
    Data fields;
    Instant at;
};

// What a gateway said about a message after taking it (an SMS delivery report): the message
// reached the phone, or it never will. `message_id` is the message's idempotency key.
struct DeliveryReport {
    std::uint64_t instance = 0;
    std::string message_id;
    std::string channel;
    std::string to;
    bool delivered = true;
    std::string detail; // the gateway's words: "delivered", "rejected by the SMSC", …
};

struct FactQuery {
    std::string fact;
    std::string flow;
    std::uint64_t instance = 0;
    std::string key;
};

struct EngineOptions {
    // Keep every instance's history in memory (InstanceView::history). Without it the history
    // still reaches on_record (and a DurableEngine's history table) as it happens, and a
    // waiting instance costs a few hundred bytes instead of a few kilobytes.
    bool keep_history = true;
    // Keep an index of each instance's timers, so that timers(id) need not look through the
    // whole queue (a DurableEngine, which writes them to its timers table every step, sets it).
    bool index_timers = false;
    // How many finished (or cancelled) instances stay in memory, where instance(), instances()
    // and move() find them. Beyond that the oldest-finished are retired: their memory is freed
    // and asking for them says they have ended (a delivery report or a cancel for one is
    // ignored). One whose final still has a deferred send waits until it has gone. Ids are
    // never reused. The default keeps them all. A DurableEngine keeps every instance in its
    // store whatever this says (see DurableOptions::keep_finished).
    std::size_t keep_finished = std::numeric_limits<std::size_t>::max();
};

// What an engine holds, for monitoring (Engine::stats()).
struct EngineStats {
    std::size_t instances = 0; // instances held: live ones, and finished ones not yet retired
    std::size_t live = 0;      // waiting or pending
    std::size_t timers = 0;    // timers that will fire unless something cancels them
    // Entries in the timer queue: the standing timers and cancelled ones not yet dropped. The
    // engine drops cancelled ones when they come up, or all at once when they outnumber the
    // standing ones (at least 1,024 of them), so this stays below 2 × timers + 1,024.
    std::size_t queued_timers = 0;
    std::uint64_t queue_compactions = 0; // how often the queue was rebuilt without them
    std::size_t inbox = 0;               // inbox entries, assigned ones included
    std::size_t suppressions = 0;
    std::uint64_t retired = 0; // finished instances retired from memory (keep_finished)

    // Calls f(name, value) for each count, in the order above (the bindings' names).
    template <class F> void each(F&& f) const {
        f("instances", instances);
        f("live", live);
        f("timers", timers);
        f("queued_timers", queued_timers);
        f("queue_compactions", queue_compactions);
        f("inbox", inbox);
        f("suppressions", suppressions);
        f("retired", retired);
    }
};

class Engine {
public:
    Engine(Clock& clock, Transport& transport, EngineOptions options = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Adds a flow; throws nudge::flow_error when it is not fit to run, nudge::error when a flow
    // of that name is already loaded.
    void load(const std::shared_ptr<const CompiledFlow>& flow);
    // Adds a flow as a new version of its name and returns the version: `version` when given
    // (it must be above the loaded ones'; a store's numbering), else the next (1 when none of
    // that name is loaded). Versions live side by side: triggers start only the newest,
    // running instances stay on the version they started on until migrate() moves them.
    // Cooldowns carry over to the new version; metrics() counts every version of a flow.
    int load_version(const std::shared_ptr<const CompiledFlow>& flow, int version = 0);
    // Moves every live instance of `flow` on an older version to the newest, state by state by
    // name (dsl/REFERENCE.md, "Flow versions", says what happens to their fields and timers).
    // When some instance sits in a state (or started by a trigger) the newest version lacks,
    // nothing moves and Migration::missing lists them. `dry_run` only says what would happen.
    // Throws nudge::error for an unknown flow.
    Migration migrate(std::string_view flow, bool dry_run = false);
    // The newest version of a flow; 0 when none is loaded.
    int version(std::string_view flow) const;

    // --- inputs --------------------------------------------------------------------------
    // A host event that may start instances (every trigger of every flow on `event`). Returns
    // the ids of the instances started.
    // Flows run for a business (`flow X for B`, <nudge/settings.hpp>) take no part: they start
    // only on trigger_for() naming their business.
    std::vector<std::uint64_t> trigger(std::string_view event, const Data& data = {});
    // The same for one business's flows only (an empty business: trigger()).
    std::vector<std::uint64_t> trigger_for(std::string_view business, std::string_view event,
                                           const Data& data = {});
    // A host event for running instances with `key` (in `flow` when not empty): handled by
    // their `on EVENT` routes. Returns how many instances moved.
    int signal(std::string_view flow, std::string_view key, std::string_view event,
               const Data& data = {});
    // An inbound message: opt-out, routing by (from, to), route matching, or the inbox.
    void reply(const Inbound& message);
    // Fires every timer due at the clock's now, in deadline order (ties in the order they
    // were set, which is declaration order within a state). Returns how many fired.
    int run_due();
    // The earliest pending deadline, if any.
    std::optional<Instant> next_due() const;

    // --- manual handling -----------------------------------------------------------------
    // `by` names the person who acted (a console user); when given it is recorded as the
    // record's `by` field.
    // Records an inbox message on an instance (never treated as a matched reply).
    void assign(std::uint64_t inbox_id, std::uint64_t instance, std::string_view by = {});
    // Moves an instance to a state by hand (entry actions run).
    void move(std::uint64_t instance, std::string_view state, std::string_view by = {});
    void cancel(std::uint64_t instance, std::string_view reason, std::string_view by = {});
    // A message a person sends now on one of the instance's channels, from any state (a
    // template of the flow, perhaps edited, or their own words): merge fields are filled from
    // the instance, and a missing value throws nudge::error naming it, sending nothing. The
    // channel's rules still hold (off, number policy, opt-out, cap): a message held back
    // returns false and its `suppressed` record says why. Recorded as `sent` with `by` (who
    // must be named); the instance stays where it is and its reminders are not moved.
    bool send_by_hand(std::uint64_t instance, std::string_view channel, std::string_view text,
                      std::string_view by, std::optional<std::string> subject = std::nullopt);
    // Marks an inbox message handled without giving it to an instance, with a note; records
    // `handled` (not about one instance). Throws nudge::error for an unknown id.
    void close(std::uint64_t inbox_id, std::string_view note, std::string_view by = {});
    // Adds an address to the suppression list as the host (an opt-out from another source).
    // With `by`, the change is recorded (`opt_out_added`, not about one instance).
    // With `business`, only that business's flows are kept from the address.
    void suppress(std::string_view address, std::string_view source, std::string_view by = {},
                  std::string_view business = {});
    // Records that a person changed settings of a business's flow (`settings_changed`, not
    // about one instance): `flow` (FLOW@BUSINESS), then each setting's name and new value. The
    // new values take effect when the flow they make is loaded (<nudge/settings.hpp>).
    void note_settings(std::string_view flow,
                       const std::vector<std::pair<std::string, std::string>>& changes,
                       std::string_view by);
    // Takes an address off the suppression list (the customer asked to hear from us again),
    // recording `opt_out_removed` with the reason. Returns the canonical address removed, or
    // nullopt when it was not on the list (for `business`: that business's entry).
    std::optional<std::string> unsuppress(std::string_view address, std::string_view reason,
                                          std::string_view by = {}, std::string_view business = {});
    // A delivery report on one of the instance's messages: `delivered` records that it reached
    // the recipient; a failure records `failed` (with the report's detail) and, while the
    // instance is live, routes its `on send.failed` as a send that failed at once would.
    // Throws nudge::error for an unknown instance.
    void report(const DeliveryReport& report);

    // --- queries -------------------------------------------------------------------------
    // `with_history` false leaves InstanceView::history empty (cheaper when only the state
    // is wanted).
    std::optional<InstanceView> instance(std::uint64_t id, bool with_history = true) const;
    // Instances of a flow, optionally only those in `state`, in id order.
    std::vector<InstanceView> instances(std::string_view flow, std::string_view state = {}) const;
    // How many instances of a flow the engine holds in each state (states with none left
    // out), counted without building a view of each: for live counts.
    std::map<std::string, std::size_t> state_counts(std::string_view flow) const;
    std::vector<InstanceView> instances_by_key(std::string_view key) const;
    const std::vector<InboxItem>& inbox() const;
    const std::vector<Suppression>& suppressions() const;
    FlowMetrics metrics(std::string_view flow) const;
    // Flow names in load order (each once, however many versions it has).
    std::vector<std::string> flows() const;
    // An instance's pending timers in the order they fire.
    std::vector<PendingTimer> timers(std::uint64_t instance) const;
    // Counts for monitoring, kept as they change: O(1).
    EngineStats stats() const;
    // When each key of a flow last started an instance (what `cooldown` counts from).
    std::map<std::string, Instant> last_starts(std::string_view flow) const;
    // Changes EngineOptions::keep_finished; the excess is retired at the next trigger, event,
    // reply or timer run.
    void keep_finished(std::size_t count);

    // --- host hooks ----------------------------------------------------------------------
    // Called for every record as it happens (the timeline), in order.
    void on_record(std::function<void(const Record&)> observer);
    void on_emit(std::function<void(const Emitted&)> handler);
    // `do "name"`: the handler may return field values to merge into the instance.
    void on_action(std::function<std::optional<Data>(const ActionCall&)> handler);
    // Facts (`fact estimated_wait: duration`) are asked of the provider each time they are
    // used; nullopt means unknown (an empty value).
    void on_fact(std::function<std::optional<std::string>(const FactQuery&)> provider);
    // Errors on the event path (a throwing handler, a bad value) besides their history record.
    void on_error(std::function<void(const Record&)> handler);

private:
    struct [[gnu::visibility("hidden")]] Impl; // private: not exported
    std::unique_ptr<Impl> impl_;
};

} // namespace nudge

#pragma GCC visibility pop
