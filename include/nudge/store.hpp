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
// latest state of each), history, inbox, suppressions and the outbox.

#include <nudge/engine.hpp>
#include <nudge/error.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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
    std::string last_error;
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
    // The database may grow to at most this many pages (for tests of a full disk).
    std::optional<std::int64_t> max_pages;
};

class DurableEngine {
public:
    // Opens the database at `path` (created when absent) and resumes from it. Throws
    // store_error for a file that is not a nudge database, is corrupt or comes from a newer
    // schema version; such a file is left as it was.
    DurableEngine(const std::filesystem::path& path, Clock& clock, Transport& transport,
                  DurableOptions options = {});
    ~DurableEngine();
    DurableEngine(const DurableEngine&) = delete;
    DurableEngine& operator=(const DurableEngine&) = delete;

    // Adds a flow. Its canonical text is stored under its name with a version number: the
    // same text again is the same version (a no-op when already loaded), a changed text is a
    // new version. Returns the version. Throws nudge::error when a different version of a
    // flow of that name is already loaded (migration is not supported yet).
    int load(std::shared_ptr<const CompiledFlow> flow);
    // The loaded flows, in load order.
    std::vector<std::string> flows() const;

    // --- inputs, as Engine's; each commits one step before it returns --------------------
    // `tag` is kept with the step (the host's own cursor, say) and read back by last_tag().
    std::vector<std::uint64_t> trigger(std::string_view event, const Data& data = {},
                                       std::string_view tag = {});
    int signal(std::string_view flow, std::string_view key, std::string_view event,
               const Data& data = {}, std::string_view tag = {});
    void reply(const Inbound& message, std::string_view tag = {});
    // Fires what is due; a run that fires nothing writes nothing.
    int run_due(std::string_view tag = {});
    std::optional<Instant> next_due() const;
    void assign(std::uint64_t inbox_id, std::uint64_t instance);
    void move(std::uint64_t instance, std::string_view state);
    void cancel(std::uint64_t instance, std::string_view reason);
    void suppress(std::string_view address, std::string_view source);

    // Runs the inputs `inputs` makes with their steps committed together, in one
    // transaction: faster, and none of them is taken (records and emits reach the host,
    // messages go out) until batch() returns. When the commit fails none of them happened:
    // the engine is back at the last commit and store_error is thrown. If `inputs` throws,
    // the batch is abandoned the same way and the exception goes on.
    void batch(const std::function<void()>& inputs);

    // --- the outbox ----------------------------------------------------------------------
    // Hands every unfinished message whose attempt time has come to the transport, in the
    // order they were written, then commits the done-marks of the accepted ones (and the next
    // attempt time of the refused ones) together. A crash before that commit hands this run's
    // messages over again with the same keys. Returns how many were accepted.
    int deliver();
    // The earliest time an unfinished message may be tried again, if any is waiting.
    std::optional<Instant> next_delivery() const;
    std::vector<OutboxItem> outbox(bool unfinished_only = true) const;

    // --- queries -------------------------------------------------------------------------
    // The engine as of the last committed step (instances, inbox, metrics, …).
    const Engine& engine() const;
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
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// An instance as the database's read table has it (after its last committed step).
struct StoredInstance {
    std::uint64_t id = 0;
    std::string flow;
    std::string key;
    std::string state;
    std::string status; // waiting, pending, finished, cancelled
    Instant started;
    Instant entered;
    Data fields;
    std::optional<std::string> outcome;
};

// Reads a database's tables without replaying, writing or locking anything for long: for
// `nudge inspect` and `nudge inbox`, and for a dashboard beside a running engine. Throws
// store_error as DurableEngine does for a file it cannot use.
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
    std::int64_t steps() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace nudge
