#pragma once
// Durability on SQLite. A DurableEngine is an Engine whose every step (one input and everything
// it causes) is committed to a database before the call returns, and whose messages go through
// an outbox: written in the step's transaction with their idempotency key, handed to the
// transport after the commit, retried with backoff while the transport refuses, and marked done
// once it accepts.
//
// How it survives a crash: the database keeps the journal of inputs (with the time each was
// taken and whatever the host's action handlers and fact providers answered), and the flows by
// version. Opening a database replays the journal into a fresh engine; the engine is
// deterministic, so every instance, timer, inbox entry and suppression comes back exactly as it
// was after the last committed step, and every message gets the same idempotency key again.
// Timers keep their original deadlines; those that passed while the process was down fire on
// the next run_due(), once, in deadline order. Messages handed over but not yet marked done are
// handed over again with the same key (at least once; never again after the done-mark, which
// deliver() commits for all the messages of one run together).
//
// Besides the journal the database holds tables to read without replaying: instances (the
// latest state of each, with the flow version it runs on), history, timers (what each instance
// waits for), inbox, suppressions, cooldowns (when each key last started), metrics (per flow
// counters) and the outbox. They are written in each step's transaction.
//
// Flow versions: loading a changed text stores a new version of the flow; new triggers start
// the newest, running instances stay on theirs until migrate() moves them (a journaled step,
// so a replay moves them again). The persistence goes through the small `Store` interface;
// `SqliteStore` is the implementation (one SQLite file in WAL mode).
//
// Thread safety: a DurableEngine is an Engine, and what nudge/engine.hpp says holds for it:
// call it from one thread at a time, and its hooks and transport must not call back into it.
// The one exception is the host's delivery workers: the messages take_due() returns may be
// sent from any thread, and their results go back through settle() on the engine's thread; and
// sync_to_disk() (DurableOptions::deferred_sync) may run on any thread. A
// Store (and a SqliteStore) belongs to the one engine that uses it. A StoreView holds a
// connection of its own: several, one per thread, may read a database beside the process that
// runs it, but one StoreView is for one thread at a time.

#include <nudge/engine.hpp>
#include <nudge/error.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

// The database cannot be used: not a nudge database, corrupt, from a newer schema, full, or
// unwritable. Nothing was changed by the call that threw.
class store_error : public error {
public:
    using error::error;
};

// One message of the outbox. `message.id` is its idempotency key.
struct OutboxItem {
    Message message;
    std::int64_t step = 0; // the step that wrote it
    int attempts = 0;
    Instant next_attempt;
    std::optional<Instant> done_at;
    // Set when the transport refused it for good (SendResult::permanent): never tried again.
    std::optional<Instant> failed_at;
    std::string last_error;
    // Neither done nor failed: it will be handed to the transport (again).
    bool unfinished() const { return !done_at && !failed_at; }
};

// An instance as the database's read table has it (after its last committed step).
struct StoredInstance {
    std::uint64_t id = 0;
    std::string flow;
    int version = 1; // of the flow, as StoredFlow::version
    std::string key;
    std::string state;
    std::string status; // waiting, pending, finished, cancelled
    Instant started;
    Instant entered;
    Data fields;
    std::optional<std::string> outcome;
    std::optional<double> outcome_value;
};

// One version of a flow: its canonical text (comments left out) and that text's hash.
struct StoredFlow {
    std::int64_t id = 0; // unique across names and versions: what a journaled load names
    std::string name;
    int version = 0; // 1, 2, … per name
    std::string hash;
    std::string source;
    Instant loaded_at;
};

// One committed step: an input with the time it was taken and what the host answered, kept
// as JSON text only DurableEngine reads.
struct JournalEntry {
    std::int64_t seq = 0;
    Instant at;
    std::string kind; // trigger signal reply run_due assign move cancel suppress load migrate
    std::string input;
    std::string answers;
    std::string tag;
};

struct Cooldown {
    std::string flow;
    std::string key;
    Instant last_start;
};

// The read-table rows one step changed. Instances, their timers and a flow's metrics are
// replaced whole; the rest is new (an inbox entry also when assigned).
struct ReadRows {
    std::vector<Record> history;
    std::vector<StoredInstance> instances;
    std::vector<std::uint64_t> timers_of; // instances whose timers are now `timers`
    std::vector<PendingTimer> timers;
    std::vector<InboxItem> inbox;
    std::vector<Suppression> suppressions;
    std::vector<Suppression> unsuppressed; // taken off the list (address and business)
    std::vector<Cooldown> cooldowns;
    std::vector<std::pair<std::string, FlowMetrics>> metrics;
};

// Where a DurableEngine keeps what it must not lose: flow versions, the journal, the outbox,
// and the read tables. Writes happen between begin() and commit(); a failure throws
// store_error and the caller rolls back. Reads see the last commit (or the open transaction).
class Store {
public:
    virtual ~Store() = default;
    // A name for messages: the file's path.
    virtual std::string name() const = 0;

    virtual void begin() = 0; // takes the write lock
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    virtual bool in_transaction() const = 0;

    // Durability, for a store whose commits do not wait for the disk (SqliteStore's
    // deferred_sync): commits() counts the transactions committed so far, and sync_to_disk()
    // makes every one committed before the call durable (it blocks until the disk has them).
    // sync_to_disk() is the one member that may be called from another thread while the store
    // is in use. A store whose every commit is durable when it returns does nothing there.
    virtual std::uint64_t commits() const { return 0; }
    virtual void sync_to_disk() const {}

    // --- flows, by version ---------------------------------------------------------------
    // Every stored version, in the order stored.
    virtual std::vector<StoredFlow> flows() const = 0;
    virtual std::optional<StoredFlow> flow(std::int64_t id) const = 0;
    virtual std::optional<StoredFlow> find_flow(std::string_view name,
                                                std::string_view hash) const = 0;
    // Stores `source` as the next version of `name`.
    virtual StoredFlow add_flow(std::string_view name, std::string_view hash,
                                std::string_view source, Instant at) = 0;

    // --- the journal ---------------------------------------------------------------------
    // One step: its journal entry, the messages it wrote to the outbox, its read-table rows.
    virtual void append(const JournalEntry& step, const std::vector<Message>& outbox,
                        const ReadRows& rows) = 0;
    // Read-table rows that belong to no single step (a batch's per-flow metrics, written once
    // before it commits), in the open transaction.
    virtual void put_rows(const ReadRows& rows) = 0;
    // Calls `f` with every step in order.
    virtual void replay(const std::function<void(const JournalEntry&)>& f) const = 0;
    virtual std::int64_t steps() const = 0;

    // --- the outbox ----------------------------------------------------------------------
    // In the order written; `due`: only unfinished ones whose attempt time has come, earliest
    // attempt time first and then in the order written; `limit`: at most that many (0: all).
    virtual std::vector<OutboxItem> outbox(bool unfinished_only, std::optional<Instant> due = {},
                                           std::size_t limit = 0) const = 0;
    // One message by its key, finished or not.
    virtual std::optional<OutboxItem> outbox_item(std::string_view key) const = 0;
    // How many messages are unfinished. The default counts outbox(true); stores override it
    // with a count that does not read the messages.
    virtual std::size_t unfinished_count() const { return outbox(true).size(); }
    virtual void mark_done(std::string_view key, Instant at) = 0;
    virtual void mark_refused(std::string_view key, Instant next_attempt,
                              std::string_view error) = 0;
    // A refusal for good: the message is finished without having been sent.
    virtual void mark_failed(std::string_view key, Instant at, std::string_view error) = 0;
    virtual std::optional<Instant> next_delivery() const = 0;
    // The keys of the first `limit` unfinished messages by attempt time, with that time.
    virtual std::vector<std::pair<std::string, Instant>> next_attempts(std::size_t limit) const = 0;

    // --- receipts: what was answered to a request with an idempotency key ----------------
    virtual std::optional<std::string> receipt(std::string_view key) const = 0;
    virtual void put_receipt(std::string_view key, std::string_view value, Instant at) = 0;
    // Forgets the receipts taken before `before`; returns how many.
    virtual std::int64_t prune_receipts(Instant before) = 0;

    // --- read tables ---------------------------------------------------------------------
    // Each filter applies when not empty.
    virtual std::vector<StoredInstance> instances(std::string_view flow = {},
                                                  std::string_view state = {},
                                                  std::string_view key = {}) const = 0;
    // One instance's row, and its history in order (the journal's records of it).
    virtual std::optional<StoredInstance> instance(std::uint64_t id) const = 0;
    virtual std::vector<Record> history(std::uint64_t instance) const = 0;
    // Every committed record with from <= at < to, in the order they were written.
    virtual std::vector<Record> records(Instant from, Instant to) const = 0;
    virtual std::vector<InboxItem> inbox(bool unassigned_only = false) const = 0;
    // Pending timers by deadline: of one instance (0: all), due by `due_by` when given.
    virtual std::vector<PendingTimer> timers(std::uint64_t instance = 0,
                                             std::optional<Instant> due_by = {}) const = 0;
    virtual std::vector<Cooldown> cooldowns(std::string_view flow = {}) const = 0;
    // Per flow counters, as Engine::metrics (every version together).
    virtual std::map<std::string, FlowMetrics> metrics() const = 0;
    // True when the read tables must be written again from a replay (a database upgraded from
    // an older schema); rewrite() does that, replacing instances, timers, cooldowns and metrics.
    virtual bool needs_rewrite() const = 0;
    virtual void rewrite(const ReadRows& all) = 0;
};

struct DurableOptions {
    // Hand messages to the transport right after each step's commit. When false the host
    // calls deliver() itself.
    bool deliver_after_step = true;
    // Delivery retries after a refusal: first after `retry_first`, doubling up to `retry_max`.
    std::chrono::seconds retry_first{30};
    std::chrono::seconds retry_max{3600};
    // SQLite's synchronous setting: FULL survives power loss, NORMAL only process crashes.
    bool synchronous_full = true;
    // With synchronous_full: commits do not wait for the disk; sync_to_disk() (from any thread)
    // makes every step committed before it durable. A host that sets this acknowledges an input
    // and hands a message to the transport only after such a sync (nudge serve does: its loop
    // goes on with the next requests while a worker flushes the disk). Off: every commit waits.
    bool deferred_sync = false;
    // The database may grow to at most this many pages (for tests of a full disk).
    std::optional<std::int64_t> max_pages;
    // The store's page cache in KiB (0: SQLite's default, 2 MiB). A service with many
    // instances wants its indexes' pages in memory: each miss is a read from the file.
    std::int64_t cache_kib = 0;
    // How long remember()'s receipts are kept (a retried request older than this is new).
    std::chrono::seconds receipt_retention{7 * 24 * 3600};
    // EngineOptions::keep_finished for the engine in memory (its store keeps every instance).
    // Applied after opening: the journal is replayed with every instance held.
    std::size_t keep_finished = std::numeric_limits<std::size_t>::max();
};

// A Store in one SQLite file (WAL). Opening a database of the previous schema upgrades it (in
// one transaction; the read tables are then rewritten by the DurableEngine that opened it).
class SqliteStore final : public Store {
public:
    struct Options {
        bool read_only = false; // StoreView's: a database that needs upgrading is refused
        bool synchronous_full = true;
        // With synchronous_full: a commit returns once the log has it (SQLite's synchronous
        // NORMAL) and is durable after the next sync_to_disk() (an fdatasync of the log), which
        // may run on another thread: one disk flush then covers every commit before it.
        bool deferred_sync = false;
        std::optional<std::int64_t> max_pages;
        // The connection's page cache, in KiB (0: SQLite's default, 2 MiB).
        std::int64_t cache_kib = 0;
    };
    // Opens (or, unless read-only, creates) the database. Throws store_error for a file that
    // is not a nudge database, is corrupt or comes from a newer schema; it is left as it was.
    explicit SqliteStore(const std::filesystem::path& path, Options options);
    explicit SqliteStore(const std::filesystem::path& path);
    ~SqliteStore() override;
    SqliteStore(const SqliteStore&) = delete;
    SqliteStore& operator=(const SqliteStore&) = delete;

    std::string name() const override;
    void begin() override;
    std::uint64_t commits() const override;
    void sync_to_disk() const override;
    void commit() override;
    void rollback() noexcept override;
    bool in_transaction() const override;
    std::vector<StoredFlow> flows() const override;
    std::optional<StoredFlow> flow(std::int64_t id) const override;
    std::optional<StoredFlow> find_flow(std::string_view name,
                                        std::string_view hash) const override;
    StoredFlow add_flow(std::string_view name, std::string_view hash, std::string_view source,
                        Instant at) override;
    void append(const JournalEntry& step, const std::vector<Message>& outbox,
                const ReadRows& rows) override;
    void put_rows(const ReadRows& rows) override;
    void replay(const std::function<void(const JournalEntry&)>& f) const override;
    std::int64_t steps() const override;
    std::vector<OutboxItem> outbox(bool unfinished_only, std::optional<Instant> due = {},
                                   std::size_t limit = 0) const override;
    std::optional<OutboxItem> outbox_item(std::string_view key) const override;
    std::size_t unfinished_count() const override;
    void mark_done(std::string_view key, Instant at) override;
    void mark_refused(std::string_view key, Instant next_attempt, std::string_view error) override;
    void mark_failed(std::string_view key, Instant at, std::string_view error) override;
    std::optional<Instant> next_delivery() const override;
    std::vector<std::pair<std::string, Instant>> next_attempts(std::size_t limit) const override;
    std::optional<std::string> receipt(std::string_view key) const override;
    void put_receipt(std::string_view key, std::string_view value, Instant at) override;
    std::int64_t prune_receipts(Instant before) override;
    std::vector<StoredInstance> instances(std::string_view flow = {}, std::string_view state = {},
                                          std::string_view key = {}) const override;
    std::optional<StoredInstance> instance(std::uint64_t id) const override;
    std::vector<Record> history(std::uint64_t instance) const override;
    std::vector<Record> records(Instant from, Instant to) const override;
    std::vector<InboxItem> inbox(bool unassigned_only = false) const override;
    std::vector<PendingTimer> timers(std::uint64_t instance = 0,
                                     std::optional<Instant> due_by = {}) const override;
    std::vector<Cooldown> cooldowns(std::string_view flow = {}) const override;
    std::map<std::string, FlowMetrics> metrics() const override;
    bool needs_rewrite() const override;
    void rewrite(const ReadRows& all) override;

private:
    struct [[gnu::visibility("hidden")]] Impl; // private: not exported
    std::unique_ptr<Impl> impl_;
};

class DurableEngine {
public:
    // Opens the database at `path` (created when absent) as a SqliteStore and resumes from it.
    // Throws store_error for a file that is not a nudge database, is corrupt or comes from a
    // newer schema version; such a file is left as it was.
    DurableEngine(const std::filesystem::path& path, Clock& clock, Transport& transport,
                  DurableOptions options = {});
    // Resumes from `store`, which must outlive the engine (DurableOptions' SQLite settings do
    // not apply: the store was opened with its own).
    DurableEngine(Store& store, Clock& clock, Transport& transport, DurableOptions options = {});
    ~DurableEngine();
    DurableEngine(const DurableEngine&) = delete;
    DurableEngine& operator=(const DurableEngine&) = delete;

    // Adds a flow. Its canonical text is stored under its name with a version number: the
    // same text again is the same version (a no-op when already loaded), a changed text is a
    // new version, loaded beside the older ones (Engine::load_version). Returns the version.
    // Loading an older text again does not make it the newest: it throws nudge::error.
    int load(const std::shared_ptr<const CompiledFlow>& flow);
    // The loaded flows, in load order (each name once).
    std::vector<std::string> flows() const;
    // Every stored version of `flow`, oldest first, with its text and when it was loaded.
    std::vector<StoredFlow> versions(std::string_view flow) const;
    // Moves the live instances of `flow` to its newest version, as Engine::migrate, in one
    // step; a refusal (Migration::missing) and a dry run write nothing.
    Migration migrate(std::string_view flow, bool dry_run = false);

    // --- inputs, as Engine's; each commits one step before it returns --------------------
    // `tag` is kept with the step (the host's own cursor, say) and read back by last_tag().
    std::vector<std::uint64_t> trigger(std::string_view event, const Data& data = {},
                                       std::string_view tag = {});
    std::vector<std::uint64_t> trigger_for(std::string_view business, std::string_view event,
                                           const Data& data = {}, std::string_view tag = {});
    int signal(std::string_view flow, std::string_view key, std::string_view event,
               const Data& data = {}, std::string_view tag = {});
    void reply(const Inbound& message, std::string_view tag = {});
    // Fires what is due; a run that fires nothing writes nothing.
    int run_due(std::string_view tag = {});
    std::optional<Instant> next_due() const;
    // Manual handling as Engine's; `by` names the person who acted.
    void assign(std::uint64_t inbox_id, std::uint64_t instance, std::string_view by = {});
    void move(std::uint64_t instance, std::string_view state, std::string_view by = {});
    void cancel(std::uint64_t instance, std::string_view reason, std::string_view by = {});
    void close(std::uint64_t inbox_id, std::string_view note, std::string_view by = {});
    // Engine::send_by_hand, as one step (a refusal, which throws, writes nothing).
    bool send_by_hand(std::uint64_t instance, std::string_view channel, std::string_view text,
                      std::string_view by, std::optional<std::string> subject = std::nullopt);
    void suppress(std::string_view address, std::string_view source, std::string_view by = {},
                  std::string_view business = {});
    std::optional<std::string> unsuppress(std::string_view address, std::string_view reason,
                                          std::string_view by = {}, std::string_view business = {});
    // A person's change to settings of one business's flow (`flow` without the business),
    // as one step: recorded (Engine::note_settings) and kept, so that changed_settings()
    // gives them again after a restart. Loading the flow they make is the caller's next step.
    void change_settings(std::string_view flow, std::string_view business,
                         const std::map<std::string, std::string, std::less<>>& changes,
                         std::string_view by);
    // Every setting of that business's flow a person changed, with its newest value.
    std::map<std::string, std::string, std::less<>>
    changed_settings(std::string_view flow, std::string_view business) const;
    // A gateway's delivery report on a message (Engine::report), as one step.
    void report(const DeliveryReport& report);

    // Runs the inputs `inputs` makes with their steps committed together, in one
    // transaction: faster, and none of them is taken (records and emits reach the host,
    // messages go out) until batch() returns. When the commit fails none of them happened:
    // the engine is back at the last commit and store_error is thrown. If `inputs` throws,
    // the batch is abandoned the same way and the exception goes on.
    void batch(const std::function<void()>& inputs);

    // With DurableOptions::deferred_sync: how many transactions have been committed, and a
    // flush of the disk that makes every one committed before the call durable. The host notes
    // commits() after the steps it must not answer for yet, runs sync_to_disk() (on another
    // thread if it likes: the one member safe to call there), then answers. Without deferred
    // sync every commit is durable when it returns and sync_to_disk() does nothing.
    std::uint64_t commits() const;
    void sync_to_disk() const;

    // --- the outbox ----------------------------------------------------------------------
    // Hands every unfinished message whose attempt time has come to the transport (earliest
    // attempt time first, then in the order they were written), then commits the done-marks of the
    // accepted ones (and the next attempt time of the refused ones) together. A crash before that
    // commit hands this run's messages over again with the same keys. Returns how many were
    // accepted.
    int deliver();
    // The earliest time an unfinished message may be tried again, if any is waiting.
    std::optional<Instant> next_delivery() const;
    std::vector<OutboxItem> outbox(bool unfinished_only = true) const;
    std::optional<OutboxItem> outbox_item(std::string_view key) const;
    // How many messages are not finished (neither sent nor failed for good).
    std::size_t unfinished_count() const;

    // Delivery by the host's own workers (what `nudge serve` does), instead of deliver():
    // take_due() claims up to `max` unfinished messages whose attempt time has come and which
    // are not claimed already; the host sends them, from any thread, and hands the results to
    // settle() (on the engine's thread), which commits them together as deliver() does: done,
    // retried with backoff, or, for a permanent refusal, failed, which routes the instance's
    // `on send.failed` in the same transaction. Claims live in memory: after a crash the
    // messages not settled are handed over again with the same keys. While messages are
    // claimed, next_delivery() leaves them out.
    std::vector<OutboxItem> take_due(std::size_t max);
    void settle(const std::vector<std::pair<std::string, SendResult>>& results);
    std::size_t claimed() const;

    // --- receipts ------------------------------------------------------------------------
    // What the host answered to a request with an idempotency key (its own encoding), kept
    // for DurableOptions::receipt_retention so that a retried request gets the same answer.
    // remember() writes in the current batch's transaction (or its own).
    std::optional<std::string> receipt(std::string_view key) const;
    void remember(std::string_view key, std::string_view answer);

    // --- queries -------------------------------------------------------------------------
    // The engine as of the last committed step (instances, inbox, metrics, …).
    const Engine& engine() const;
    // One instance as the engine holds it, or as the store has it when the engine has retired
    // it from memory (DurableOptions::keep_finished).
    std::optional<InstanceView> instance(std::uint64_t id, bool with_history = true) const;
    // The committed records of one instance, or (0) the records not about one instance
    // (a person's changes to the inbox and the suppression list), oldest first.
    std::vector<Record> history(std::uint64_t instance) const;
    // Every committed record with from <= at < to, oldest first (for a report over a period).
    std::vector<Record> records(Instant from, Instant to) const;
    // The instances of a flow (in a state, when given) as the store has them, retired ones
    // included, in id order (without history).
    std::vector<InstanceView> instances(std::string_view flow, std::string_view state = {}) const;
    // Committed steps so far.
    std::int64_t steps() const;
    // The tag of the last committed step that had one ("" when none did).
    std::string last_tag() const;

    // --- host hooks: as Engine's. Answers of actions and facts are kept in the journal, so a
    // replay never asks the host again. Records and emits reach the host only when they first
    // happen, never during a replay.
    void on_record(std::function<void(const Record&)> observer);
    void on_emit(std::function<void(const Emitted&)> handler);
    void on_action(std::function<std::optional<Data>(const ActionCall&)> handler);
    void on_fact(std::function<std::optional<std::string>(const FactQuery&)> provider);

private:
    struct [[gnu::visibility("hidden")]] Impl; // private: not exported
    std::unique_ptr<Impl> impl_;
};

// Reads a database's tables without replaying, writing or locking anything for long: for
// `nudge inspect` and `nudge inbox`, and for a dashboard beside a running engine. Throws
// store_error as DurableEngine does for a file it cannot use, and for one of an older schema
// (which opening it with a DurableEngine, or `nudge run`, upgrades).
class StoreView {
public:
    explicit StoreView(const std::filesystem::path& path);
    ~StoreView();
    StoreView(const StoreView&) = delete;
    StoreView& operator=(const StoreView&) = delete;

    // Instances in id order; each filter applies when not empty.
    std::vector<StoredInstance> instances(std::string_view flow = {}, std::string_view state = {},
                                          std::string_view key = {}) const;
    // The inbox in arrival order; `unassigned_only` leaves out what a person already handled.
    std::vector<InboxItem> inbox(bool unassigned_only = false) const;
    // "name version hash" of every stored flow version, in the order they were stored.
    std::vector<std::string> flow_versions() const;
    // Pending timers by deadline, of one instance or (0) of all.
    std::vector<PendingTimer> timers(std::uint64_t instance = 0) const;
    std::vector<Cooldown> cooldowns(std::string_view flow = {}) const;
    // Per flow counters after the last committed step; an unknown flow has none.
    FlowMetrics metrics(std::string_view flow) const;
    // Every committed record with from <= at < to, oldest first (`nudge report --db`).
    std::vector<Record> records(Instant from, Instant to) const;
    // The text of the newest stored version of each flow, by name.
    std::vector<std::pair<std::string, std::string>> flow_sources() const;
    std::int64_t steps() const;

private:
    struct [[gnu::visibility("hidden")]] Impl; // private: not exported
    std::unique_ptr<Impl> impl_;
};

} // namespace nudge

#pragma GCC visibility pop
