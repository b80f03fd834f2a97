// DurableEngine: an Engine whose steps are committed to a Store (journal + outbox + read
// tables) and replayed on open. See include/nudge/store.hpp for the guarantees.
#include <nudge/dsl.hpp>
#include <nudge/store.hpp>

#include "model/hash.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <type_traits>

namespace nudge {

using json = nlohmann::json;

namespace {

json data_json(const Data& d) {
    json j = json::object();
    for (const auto& [k, v] : d)
        j[k] = v;
    return j;
}

Data json_data(const json& j) {
    Data d;
    for (auto it = j.begin(); it != j.end(); ++it)
        d[it.key()] = it.value().get<std::string>();
    return d;
}

json migration_json(const Migration& m) {
    json moved = json::array();
    for (const auto& x : m.moved)
        moved.push_back({{"instance", x.instance}, {"from", x.from_version}, {"state", x.state}});
    json missing = json::array();
    for (const auto& x : m.missing)
        missing.push_back({{"state", x.state}, {"version", x.version}, {"instances", x.instances}});
    return {{"flow", m.flow}, {"version", m.version}, {"moved", moved}, {"missing", missing}};
}

Migration json_migration(const json& j) {
    Migration m;
    m.flow = j.at("flow").get<std::string>();
    m.version = j.at("version").get<int>();
    for (const auto& x : j.at("moved"))
        m.moved.push_back({x.at("instance").get<std::uint64_t>(), x.at("from").get<int>(),
                           x.at("state").get<std::string>()});
    for (const auto& x : j.at("missing"))
        m.missing.push_back({x.at("state").get<std::string>(), x.at("version").get<int>(),
                             x.at("instances").get<std::size_t>()});
    return m;
}

// A stable hash of a flow's canonical text (FNV-1a, 64 bits, hex).
std::string text_hash(std::string_view text) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(detail::fnv1a(text)));
    return buf;
}

// The time every call inside one step sees: pinned at the step's start, and at the journaled
// time during a replay.
class PinnedClock final : public Clock {
public:
    Instant now() const override { return t; }
    Instant t;
};

// Thrown into the engine during a replay when the host's handler had thrown something that
// was not a std::exception.
struct ReplayedUnknown {};

std::unique_ptr<Store> open_sqlite(const std::filesystem::path& path, const DurableOptions& o) {
    SqliteStore::Options so;
    so.synchronous_full = o.synchronous_full;
    so.deferred_sync = o.deferred_sync;
    so.max_pages = o.max_pages;
    so.cache_kib = o.cache_kib;
    return std::make_unique<SqliteStore>(path, so);
}

} // namespace

struct DurableEngine::Impl final : Transport {
    std::unique_ptr<Store> owned;
    Store& store;
    Clock& clock;
    Transport& transport;
    DurableOptions options;
    std::string path;
    PinnedClock pinned;
    std::unique_ptr<Engine> engine;

    bool replaying = false;
    json answers = json::array(); // the current step's host answers
    json replay_answers;
    std::size_t replay_pos = 0;
    std::vector<Message> step_messages;
    std::vector<Record> step_records;
    std::vector<Emitted> step_emits;

    std::int64_t seq = 0;
    std::string last_tag;
    bool batching = false;
    std::vector<Record> batch_records;
    std::vector<Emitted> batch_emits;
    std::size_t batch_messages = 0;
    std::set<std::string> batch_metric_flows; // flows whose metrics the batch must write
    std::map<std::string, std::pair<int, std::string>> loaded; // name → newest (version, hash)
    std::vector<std::string> load_order;
    std::size_t inbox_stored = 0;
    std::size_t suppressions_stored = 0;
    std::vector<Suppression> step_unsuppressed; // what this step took off the list
    // Settings people changed ("settings" steps), by "BUSINESS/FLOW".
    std::map<std::string, std::map<std::string, std::string, std::less<>>> changed;
    std::set<std::string, std::less<>> claimed; // taken by take_due(), not settled yet
    std::uint64_t remembered = 0;

    std::function<void(const Record&)> host_observer;
    std::function<void(const Emitted&)> host_emit;
    std::function<std::optional<Data>(const ActionCall&)> host_action;
    std::function<std::optional<std::string>(const FactQuery&)> host_fact;

    Impl(std::unique_ptr<Store> own, Store& st, Clock& c, Transport& t, DurableOptions o)
        : owned(std::move(own)), store(st), clock(c), transport(t), options(o), path(st.name()) {
        rebuild();
        if (store.needs_rewrite()) {
            // An upgraded database: its new read tables come from the replay just done.
            try {
                store.begin();
                store.rewrite(all_rows());
                store.commit();
            } catch (const store_error& e) {
                store.rollback();
                throw store_error(path +
                                  ": the upgraded database's tables were not written: " + e.what());
            }
        }
    }

    // The engine's transport: during a step, messages go to the outbox (written with the
    // step); during a replay they were written long ago.
    SendResult send(const Message& m) override {
        if (!replaying) step_messages.push_back(m);
        return {};
    }

    // A fresh engine with every committed step replayed into it.
    void rebuild() {
        EngineOptions engine_options;
        engine_options.keep_history = true;
        engine_options.index_timers = true;
        engine = std::make_unique<Engine>(pinned, *this, engine_options);
        engine->on_record([this](const Record& r) {
            if (!replaying) step_records.push_back(r);
        });
        engine->on_emit([this](const Emitted& e) {
            if (!replaying) step_emits.push_back(e);
        });
        engine->on_action([this](const ActionCall& c) {
            return journaled<Data>(
                "action", [&] { return host_action ? host_action(c) : std::nullopt; },
                [](const Data& d) { return data_json(d); },
                [](const json& v) { return json_data(v); });
        });
        engine->on_fact([this](const FactQuery& q) {
            return journaled<std::string>(
                "fact", [&] { return host_fact ? host_fact(q) : std::nullopt; },
                [](const std::string& v) { return json(v); },
                [](const json& v) { return v.get<std::string>(); });
        });
        loaded.clear();
        load_order.clear();
        seq = 0;
        last_tag.clear();
        replaying = true;
        try {
            store.replay([&](const JournalEntry& step) {
                seq = step.seq;
                pinned.t = step.at;
                replay_answers = json::parse(step.answers);
                replay_pos = 0;
                apply(step.kind, json::parse(step.input));
                if (!step.tag.empty()) last_tag = step.tag;
            });
        } catch (const json::exception& e) {
            replaying = false;
            throw store_error(path + ": step " + std::to_string(seq) +
                              " of the journal cannot be read: " + e.what());
        } catch (...) {
            replaying = false;
            throw;
        }
        replaying = false;
        engine->keep_finished(options.keep_finished);
        inbox_stored = engine->inbox().size();
        suppressions_stored = engine->suppressions().size();
    }

    // A host answer (action or fact): asked of the host and kept in the step's journal entry,
    // or, during a replay, read back from it (a throw is replayed as the same throw).
    template <class T, class Ask, class Encode, class Decode>
    std::optional<T> journaled(const char* kind, Ask&& ask, Encode&& encode, Decode&& decode) {
        if (replaying) {
            const json& a = next_answer();
            throw_if_error(a);
            if (a["value"].is_null()) return std::nullopt;
            return decode(a["value"]);
        }
        json a{{"kind", kind}, {"value", nullptr}};
        try {
            auto r = ask();
            if (r) a["value"] = encode(*r);
            answers.push_back(a);
            return r;
        } catch (const std::exception& e) {
            a["error"] = e.what();
            answers.push_back(a);
            throw;
        } catch (...) {
            a["error"] = nullptr;
            answers.push_back(a);
            throw;
        }
    }

    const json& next_answer() {
        static const json none{{"value", nullptr}};
        if (!replay_answers.is_array() || replay_pos >= replay_answers.size()) return none;
        return replay_answers[replay_pos++];
    }

    static void throw_if_error(const json& a) {
        if (!a.contains("error")) return;
        if (a["error"].is_null()) throw ReplayedUnknown{};
        throw std::runtime_error(a["error"].get<std::string>());
    }

    // ---- steps -----------------------------------------------------------------------------

    // Runs one input against the engine; the same code serves live steps and replays.
    json apply(const std::string& kind, const json& in) {
        Engine& e = *engine;
        if (kind == "trigger") {
            auto ids = e.trigger_for(in.value("business", std::string()),
                                     in.at("event").get<std::string>(), json_data(in.at("data")));
            return json(ids);
        }
        if (kind == "signal") {
            return e.signal(in.at("flow").get<std::string>(), in.at("key").get<std::string>(),
                            in.at("event").get<std::string>(), json_data(in.at("data")));
        }
        if (kind == "reply") {
            e.reply({in.at("from").get<std::string>(), in.at("to").get<std::string>(),
                     in.at("text").get<std::string>()});
            return nullptr;
        }
        if (kind == "run_due") return e.run_due();
        // `by` (who acted) is absent from steps written before it existed.
        auto by = in.value("by", std::string());
        if (kind == "assign") {
            e.assign(in.at("inbox").get<std::uint64_t>(), in.at("instance").get<std::uint64_t>(),
                     by);
            return nullptr;
        }
        if (kind == "move") {
            e.move(in.at("instance").get<std::uint64_t>(), in.at("state").get<std::string>(), by);
            return nullptr;
        }
        if (kind == "cancel") {
            e.cancel(in.at("instance").get<std::uint64_t>(), in.at("reason").get<std::string>(),
                     by);
            return nullptr;
        }
        if (kind == "close") {
            e.close(in.at("inbox").get<std::uint64_t>(), in.at("note").get<std::string>(), by);
            return nullptr;
        }
        if (kind == "suppress") {
            e.suppress(in.at("address").get<std::string>(), in.at("source").get<std::string>(), by,
                       in.value("business", std::string()));
            return nullptr;
        }
        if (kind == "send") {
            std::optional<std::string> subject;
            if (in.contains("subject")) subject = in.at("subject").get<std::string>();
            return e.send_by_hand(in.at("instance").get<std::uint64_t>(),
                                  in.at("channel").get<std::string>(),
                                  in.at("text").get<std::string>(), by, subject);
        }
        if (kind == "settings") {
            auto flow = in.at("flow").get<std::string>();
            auto business = in.at("business").get<std::string>();
            auto& kept = changed[business + "/" + flow];
            std::vector<std::pair<std::string, std::string>> changes;
            for (const auto& [name, value] : in.at("values").items()) {
                kept[name] = value.get<std::string>();
                changes.emplace_back(name, value.get<std::string>());
            }
            e.note_settings(flow + "@" + business, changes, by);
            return nullptr;
        }
        if (kind == "unsuppress") {
            auto business = in.value("business", std::string());
            auto removed = e.unsuppress(in.at("address").get<std::string>(),
                                        in.at("reason").get<std::string>(), by, business);
            if (removed) step_unsuppressed.push_back({*removed, {}, {}, business});
            return removed ? json(*removed) : json(nullptr);
        }
        if (kind == "load") {
            load_version(in.at("flow").get<std::int64_t>());
            return nullptr;
        }
        if (kind == "migrate") return migration_json(e.migrate(in.at("flow").get<std::string>()));
        if (kind == "report") {
            DeliveryReport r;
            r.instance = in.at("instance").get<std::uint64_t>();
            r.message_id = in.at("message").get<std::string>();
            r.channel = in.at("channel").get<std::string>();
            r.to = in.at("to").get<std::string>();
            r.delivered = in.at("delivered").get<bool>();
            r.detail = in.at("detail").get<std::string>();
            e.report(r);
            return nullptr;
        }
        throw store_error(path + ": unknown step kind '" + kind + "' in the journal");
    }

    void load_version(std::int64_t id) {
        auto stored = store.flow(id);
        if (!stored)
            throw store_error(path + ": flow version " + std::to_string(id) + " is missing");
        auto result = compile_source(stored->source, stored->name + ".flow");
        if (!result.ok()) {
            throw flow_error(path + ": stored flow " + stored->name + " no longer compiles",
                             result.diagnostics);
        }
        engine->load_version(result.flow, stored->version);
        if (!loaded.count(stored->name)) load_order.push_back(stored->name);
        loaded[stored->name] = {stored->version, stored->hash};
    }

    template <class F>
    auto step(const std::string& kind, json input, std::string_view tag, F&& f)
        -> decltype(f(input)) {
        pinned.t = clock.now();
        answers = json::array();
        step_messages.clear();
        step_records.clear();
        step_emits.clear();
        step_unsuppressed.clear();
        auto result = f(input);
        // A run that fires nothing and a migration that moves nothing change nothing. A run
        // that fires only a silent tick (`every … while` false) changed when the next one is
        // due: it is a step, or a restart would fire that tick again and shift the rest.
        bool quiet_kind = kind == "run_due" || kind == "migrate";
        bool changed = !step_records.empty() || !step_messages.empty() || !quiet_kind;
        if constexpr (std::is_same_v<decltype(result), int>)
            if (kind == "run_due" && result > 0) changed = true;
        if (!changed) return result;
        if (batching) {
            // Written now, committed (and only then acknowledged) when the batch ends.
            write_step(kind, input, tag);
            written(tag);
            batch_records.insert(batch_records.end(), step_records.begin(), step_records.end());
            batch_emits.insert(batch_emits.end(), step_emits.begin(), step_emits.end());
            batch_messages += step_messages.size();
            return result;
        }
        commit(kind, input, tag);
        for (const auto& r : step_records)
            if (host_observer) host_observer(r);
        for (const auto& e : step_emits)
            if (host_emit) host_emit(e);
        if (options.deliver_after_step && !step_messages.empty()) deliver();
        return result;
    }

    void written(std::string_view tag) {
        ++seq;
        if (!tag.empty()) last_tag = std::string(tag);
        inbox_stored = engine->inbox().size();
        suppressions_stored = engine->suppressions().size();
    }

    // A failed write: roll back, and bring the engine back to the last commit (it ran ahead).
    [[noreturn]] void undo(const std::string& what) {
        store.rollback();
        batching = false;
        batch_metric_flows.clear();
        batch_records.clear();
        batch_emits.clear();
        batch_messages = 0;
        rebuild();
        throw store_error(path + ": " + what);
    }

    void commit(const std::string& kind, const json& input, std::string_view tag) {
        try {
            store.begin();
            write_step(kind, input, tag);
            store.commit();
            written(tag);
        } catch (const store_error& e) {
            undo(std::string("the step was not saved and did not happen: ") + e.what());
        }
    }

    // A manual-handling step (assign, move, cancel, suppress): no result.
    void manual(const std::string& kind, json input) {
        step(kind, std::move(input), {}, [&](const json& i) {
            apply(kind, i);
            return 0;
        });
    }

    void batch(const std::function<void()>& inputs) {
        if (batching) {
            inputs(); // a batch inside a batch is part of it
            return;
        }
        try {
            store.begin();
        } catch (const store_error& e) {
            throw store_error(path + ": cannot start a batch: " + e.what());
        }
        batching = true;
        try {
            inputs();
            if (!batch_metric_flows.empty()) {
                ReadRows rows;
                for (const auto& f : batch_metric_flows)
                    rows.metrics.emplace_back(f, engine->metrics(f));
                batch_metric_flows.clear();
                store.put_rows(rows);
            }
            store.commit();
        } catch (const store_error& e) {
            undo(std::string("the batch was not saved and none of it happened: ") + e.what());
        } catch (...) {
            try {
                undo("the batch was abandoned by an exception and none of it happened");
            } catch (const store_error&) {}
            throw;
        }
        batching = false;
        auto records = std::move(batch_records);
        auto emits = std::move(batch_emits);
        auto messages = batch_messages;
        batch_records.clear();
        batch_emits.clear();
        batch_messages = 0;
        for (const auto& r : records)
            if (host_observer) host_observer(r);
        for (const auto& e : emits)
            if (host_emit) host_emit(e);
        if (options.deliver_after_step && messages > 0) deliver();
    }

    // ---- read tables -----------------------------------------------------------------------

    static StoredInstance stored(const InstanceView& v) {
        StoredInstance s;
        s.id = v.id;
        s.flow = v.flow;
        s.version = v.version;
        s.key = v.key;
        s.state = v.state;
        s.status = std::string(to_string(v.status));
        s.started = v.started;
        s.entered = v.entered;
        s.fields = v.fields;
        s.outcome = v.outcome;
        s.outcome_value = v.outcome_value;
        return s;
    }

    void add_instance(ReadRows& rows, std::uint64_t id) const {
        auto v = engine->instance(id, false);
        if (!v) return;
        rows.instances.push_back(stored(*v));
        rows.timers_of.push_back(id);
        auto timers = engine->timers(id);
        rows.timers.insert(rows.timers.end(), timers.begin(), timers.end());
    }

    void write_step(const std::string& kind, const json& input, std::string_view tag) {
        ReadRows rows;
        rows.history = step_records;
        // The instances the step touched: those with a record, and those whose stored timers
        // have come due (a timer that fired without a record still left the table).
        std::set<std::uint64_t> touched;
        std::set<std::string> flows;
        for (const auto& r : step_records) {
            if (r.instance) touched.insert(r.instance);
            if (!r.flow.empty()) flows.insert(r.flow);
            if (r.kind == "started")
                rows.cooldowns.push_back({r.flow, std::string(r.get("key")), r.at});
        }
        for (const auto& t : store.timers(0, pinned.t))
            touched.insert(t.instance);
        for (auto id : touched)
            add_instance(rows, id);
        const auto& inbox = engine->inbox();
        for (std::size_t i = inbox_stored; i < inbox.size(); ++i)
            rows.inbox.push_back(inbox[i]);
        if (kind == "assign" || kind == "close") {
            for (std::size_t i = 0; i < inbox_stored && i < inbox.size(); ++i)
                if (input.at("inbox") == inbox[i].id) rows.inbox.push_back(inbox[i]);
        }
        rows.unsuppressed = step_unsuppressed;
        const auto& sup = engine->suppressions();
        for (std::size_t i = suppressions_stored; i < sup.size(); ++i)
            rows.suppressions.push_back(sup[i]);
        if (batching) {
            // Written once per flow when the batch commits, not once per step.
            batch_metric_flows.insert(flows.begin(), flows.end());
        } else {
            for (const auto& f : flows)
                rows.metrics.emplace_back(f, engine->metrics(f));
        }

        JournalEntry entry{seq + 1, pinned.t, kind, input.dump(), answers.dump(), std::string(tag)};
        store.append(entry, step_messages, rows);
    }

    // Every read-table row the engine implies (for an upgraded database).
    ReadRows all_rows() const {
        ReadRows rows;
        for (const auto& flow : engine->flows()) {
            for (const auto& v : engine->instances(flow))
                add_instance(rows, v.id);
            for (const auto& [key, at] : engine->last_starts(flow))
                rows.cooldowns.push_back({flow, key, at});
            rows.metrics.emplace_back(flow, engine->metrics(flow));
        }
        return rows;
    }

    // ---- delivery --------------------------------------------------------------------------

    std::chrono::seconds backoff(int attempts) const {
        auto wait = options.retry_first;
        for (int i = 0; i < attempts && wait < options.retry_max; ++i)
            wait *= 2;
        return std::min(wait, options.retry_max);
    }

    static json report_json(const DeliveryReport& r) {
        return {{"instance", r.instance},   {"message", r.message_id},
                {"channel", r.channel},     {"to", r.to},
                {"delivered", r.delivered}, {"detail", r.detail}};
    }

    void report(const DeliveryReport& r) {
        step("report", report_json(r), {}, [&](const json& in) {
            apply("report", in);
            return 0;
        });
    }

    // Marks one transport answer in the open transaction; a permanent refusal is returned as
    // the report to run (after the marks, as a step).
    std::optional<DeliveryReport> mark(const OutboxItem& item, const SendResult& r, Instant now) {
        if (r.accepted) {
            store.mark_done(item.message.id, now);
            return std::nullopt;
        }
        if (!r.permanent) {
            store.mark_refused(item.message.id, now + backoff(item.attempts), r.error);
            return std::nullopt;
        }
        store.mark_failed(item.message.id, now, r.error);
        DeliveryReport report;
        report.instance = item.message.instance;
        report.message_id = item.message.id;
        report.channel = item.message.channel;
        report.to = item.message.to;
        report.delivered = false;
        report.detail = r.error.empty() ? "refused for good by the transport" : r.error;
        return report;
    }

    int deliver() {
        auto now = clock.now();
        auto due = store.outbox(true, now);
        int accepted = 0;
        if (due.empty()) return 0;
        // The done-marks of one delivery run are committed together: a crash before that
        // commit hands this run's messages over again (same keys), never an earlier run's.
        bool own_transaction = !store.in_transaction();
        if (own_transaction) store.begin();
        std::vector<DeliveryReport> failures;
        for (auto& item : due) {
            if (claimed.count(item.message.id)) continue; // a host's worker has it
            SendResult r;
            try {
                r = transport.send(item.message);
            } catch (const std::exception& e) {
                r = {false, {}, e.what()};
            } catch (...) {
                r = {false, {}, "the transport threw"};
            }
            if (r.accepted) ++accepted;
            if (auto f = mark(item, r, now)) failures.push_back(std::move(*f));
        }
        if (own_transaction) {
            try {
                store.commit();
            } catch (const store_error& e) {
                store.rollback();
                throw store_error(path + ": delivered messages could not be marked done (they " +
                                  "will be handed over again): " + e.what());
            }
        }
        for (const auto& f : failures)
            report(f);
        return accepted;
    }

    std::vector<OutboxItem> take_due(std::size_t max) {
        std::vector<OutboxItem> out;
        if (max == 0) return out;
        for (auto& item : store.outbox(true, clock.now(), max + claimed.size())) {
            if (out.size() == max) break;
            if (claimed.count(item.message.id)) continue;
            claimed.insert(item.message.id);
            out.push_back(std::move(item));
        }
        return out;
    }

    void settle(const std::vector<std::pair<std::string, SendResult>>& results) {
        auto now = clock.now();
        for (const auto& r : results) {
            auto it = claimed.find(r.first);
            if (it != claimed.end()) claimed.erase(it);
        }
        // The marks and the failures' steps commit together (a failure routes the instance).
        batch([&] {
            std::vector<DeliveryReport> failures;
            for (const auto& [key, r] : results) {
                auto item = store.outbox_item(key);
                if (!item || !item->unfinished()) continue;
                if (auto f = mark(*item, r, now)) failures.push_back(std::move(*f));
            }
            for (const auto& f : failures)
                report(f);
        });
    }

    std::optional<Instant> next_delivery() const {
        if (claimed.empty()) return store.next_delivery();
        for (const auto& [key, at] : store.next_attempts(claimed.size() + 1))
            if (!claimed.count(key)) return at;
        return std::nullopt;
    }

    void remember(std::string_view key, std::string_view answer) {
        auto now = clock.now();
        bool own = !store.in_transaction();
        try {
            if (own) store.begin();
            if (remembered++ % 1024 == 0) store.prune_receipts(now - options.receipt_retention);
            store.put_receipt(key, answer, now);
            if (own) store.commit();
        } catch (const store_error& e) {
            if (own) store.rollback();
            throw store_error(path + ": the answer to request " + std::string(key) +
                              " was not saved: " + e.what());
        }
    }

    // ---- flow versions ---------------------------------------------------------------------

    int load(const std::shared_ptr<const CompiledFlow>& flow) {
        const auto& name = flow->flow().name;
        auto canonical = format_flow(flow->flow(), {.keep_comments = false});
        auto hash = text_hash(canonical);
        auto it = loaded.find(name);
        if (it != loaded.end() && it->second.second == hash) return it->second.first;
        int newest = it == loaded.end() ? 0 : it->second.first;
        // A stored version above the loaded ones (its load step never committed) is reused;
        // any other text becomes the next version, even one an older version had.
        std::int64_t id = 0;
        if (auto found = store.find_flow(name, hash); found && found->version > newest)
            id = found->id;
        if (id == 0) {
            pinned.t = clock.now();
            bool own = !store.in_transaction();
            try {
                if (own) store.begin();
                id = store.add_flow(name, hash, canonical, pinned.t).id;
                if (own) store.commit();
            } catch (const store_error& e) {
                if (own) store.rollback();
                throw store_error(path + ": flow " + name + " was not saved: " + e.what());
            }
        }
        step("load", json{{"flow", id}}, {}, [&](const json& in) { return apply("load", in); });
        return loaded.at(name).first;
    }

    Migration migrate(std::string_view flow, bool dry_run) {
        if (dry_run) return engine->migrate(flow, true);
        return step("migrate", json{{"flow", flow}}, {},
                    [&](const json& in) { return json_migration(apply("migrate", in)); });
    }
};

DurableEngine::DurableEngine(const std::filesystem::path& path, Clock& clock, Transport& transport,
                             DurableOptions options) {
    auto owned = open_sqlite(path, options);
    auto& store = *owned;
    impl_ = std::make_unique<Impl>(std::move(owned), store, clock, transport, options);
}

DurableEngine::DurableEngine(Store& store, Clock& clock, Transport& transport,
                             DurableOptions options)
    : impl_(std::make_unique<Impl>(nullptr, store, clock, transport, options)) {}

DurableEngine::~DurableEngine() = default;

int DurableEngine::load(const std::shared_ptr<const CompiledFlow>& flow) {
    if (!flow) throw error("DurableEngine::load: no flow");
    return impl_->load(flow);
}

std::vector<std::string> DurableEngine::flows() const { return impl_->load_order; }

std::vector<StoredFlow> DurableEngine::versions(std::string_view flow) const {
    auto all = impl_->store.flows();
    std::erase_if(all, [&](const StoredFlow& f) { return f.name != flow; });
    std::sort(all.begin(), all.end(),
              [](const StoredFlow& a, const StoredFlow& b) { return a.version < b.version; });
    return all;
}

Migration DurableEngine::migrate(std::string_view flow, bool dry_run) {
    return impl_->migrate(flow, dry_run);
}

std::vector<std::uint64_t> DurableEngine::trigger(std::string_view event, const Data& data,
                                                  std::string_view tag) {
    return trigger_for({}, event, data, tag);
}

std::vector<std::uint64_t> DurableEngine::trigger_for(std::string_view business,
                                                      std::string_view event, const Data& data,
                                                      std::string_view tag) {
    auto& im = *impl_;
    json input{{"event", event}, {"data", data_json(data)}};
    if (!business.empty()) input["business"] = business;
    return im.step("trigger", std::move(input), tag, [&](const json& in) {
        return im.apply("trigger", in).get<std::vector<std::uint64_t>>();
    });
}

int DurableEngine::signal(std::string_view flow, std::string_view key, std::string_view event,
                          const Data& data, std::string_view tag) {
    auto& im = *impl_;
    json in{{"flow", flow}, {"key", key}, {"event", event}, {"data", data_json(data)}};
    return im.step("signal", std::move(in), tag,
                   [&](const json& i) { return im.apply("signal", i).get<int>(); });
}

void DurableEngine::reply(const Inbound& message, std::string_view tag) {
    auto& im = *impl_;
    json in{{"from", message.from}, {"to", message.to}, {"text", message.text}};
    im.step("reply", std::move(in), tag, [&](const json& i) {
        im.apply("reply", i);
        return 0;
    });
}

int DurableEngine::run_due(std::string_view tag) {
    auto& im = *impl_;
    return im.step("run_due", json::object(), tag,
                   [&](const json& i) { return im.apply("run_due", i).get<int>(); });
}

std::optional<Instant> DurableEngine::next_due() const { return impl_->engine->next_due(); }

namespace {
// A manual step's input, with who acted when someone is named.
json with_by(json input, std::string_view by) {
    if (!by.empty()) input["by"] = by;
    return input;
}
} // namespace

void DurableEngine::assign(std::uint64_t inbox_id, std::uint64_t instance, std::string_view by) {
    impl_->manual("assign", with_by({{"inbox", inbox_id}, {"instance", instance}}, by));
}

void DurableEngine::move(std::uint64_t instance, std::string_view state, std::string_view by) {
    impl_->manual("move", with_by({{"instance", instance}, {"state", state}}, by));
}

void DurableEngine::cancel(std::uint64_t instance, std::string_view reason, std::string_view by) {
    impl_->manual("cancel", with_by({{"instance", instance}, {"reason", reason}}, by));
}

void DurableEngine::close(std::uint64_t inbox_id, std::string_view note, std::string_view by) {
    impl_->manual("close", with_by({{"inbox", inbox_id}, {"note", note}}, by));
}

bool DurableEngine::send_by_hand(std::uint64_t instance, std::string_view channel,
                                 std::string_view text, std::string_view by,
                                 std::optional<std::string> subject) {
    auto& im = *impl_;
    json input{{"instance", instance}, {"channel", channel}, {"text", text}};
    if (subject) input["subject"] = *subject;
    return im.step("send", with_by(std::move(input), by), {},
                   [&](const json& i) { return im.apply("send", i).get<bool>(); });
}

void DurableEngine::change_settings(std::string_view flow, std::string_view business,
                                    const std::map<std::string, std::string, std::less<>>& changes,
                                    std::string_view by) {
    json values = json::object();
    for (const auto& [name, value] : changes)
        values[name] = value;
    impl_->manual("settings",
                  with_by({{"flow", flow}, {"business", business}, {"values", values}}, by));
}

std::map<std::string, std::string, std::less<>>
DurableEngine::changed_settings(std::string_view flow, std::string_view business) const {
    auto it = impl_->changed.find(std::string(business) + "/" + std::string(flow));
    return it == impl_->changed.end() ? std::map<std::string, std::string, std::less<>>{}
                                      : it->second;
}

void DurableEngine::suppress(std::string_view address, std::string_view source, std::string_view by,
                             std::string_view business) {
    json input{{"address", address}, {"source", source}};
    if (!business.empty()) input["business"] = business;
    impl_->manual("suppress", with_by(std::move(input), by));
}

std::optional<std::string> DurableEngine::unsuppress(std::string_view address,
                                                     std::string_view reason, std::string_view by,
                                                     std::string_view business) {
    std::optional<std::string> removed;
    auto& im = *impl_;
    json input{{"address", address}, {"reason", reason}};
    if (!business.empty()) input["business"] = business;
    im.step("unsuppress", with_by(std::move(input), by), {}, [&](const json& i) {
        auto a = im.apply("unsuppress", i);
        if (a.is_string()) removed = a.get<std::string>();
        return a;
    });
    return removed;
}

std::vector<Record> DurableEngine::history(std::uint64_t instance) const {
    return impl_->store.history(instance);
}

std::vector<Record> DurableEngine::records(Instant from, Instant to) const {
    return impl_->store.records(from, to);
}

void DurableEngine::batch(const std::function<void()>& inputs) { impl_->batch(inputs); }
std::uint64_t DurableEngine::commits() const { return impl_->store.commits(); }
void DurableEngine::sync_to_disk() const { impl_->store.sync_to_disk(); }

int DurableEngine::deliver() { return impl_->deliver(); }

std::optional<Instant> DurableEngine::next_delivery() const { return impl_->next_delivery(); }

std::optional<OutboxItem> DurableEngine::outbox_item(std::string_view key) const {
    return impl_->store.outbox_item(key);
}

std::vector<OutboxItem> DurableEngine::take_due(std::size_t max) { return impl_->take_due(max); }

void DurableEngine::settle(const std::vector<std::pair<std::string, SendResult>>& results) {
    impl_->settle(results);
}

std::size_t DurableEngine::claimed() const { return impl_->claimed.size(); }

std::optional<std::string> DurableEngine::receipt(std::string_view key) const {
    return impl_->store.receipt(key);
}

void DurableEngine::remember(std::string_view key, std::string_view answer) {
    impl_->remember(key, answer);
}

void DurableEngine::report(const DeliveryReport& report) { impl_->report(report); }

std::vector<OutboxItem> DurableEngine::outbox(bool unfinished_only) const {
    return impl_->store.outbox(unfinished_only);
}

std::size_t DurableEngine::unfinished_count() const { return impl_->store.unfinished_count(); }

const Engine& DurableEngine::engine() const { return *impl_->engine; }

namespace {

InstanceView view_of(StoredInstance row) {
    InstanceView v;
    v.id = row.id;
    v.flow = std::move(row.flow);
    v.version = row.version;
    v.key = std::move(row.key);
    v.state = std::move(row.state);
    for (auto s : {InstanceStatus::waiting, InstanceStatus::pending, InstanceStatus::finished,
                   InstanceStatus::cancelled})
        if (to_string(s) == row.status) v.status = s;
    v.started = row.started;
    v.entered = row.entered;
    v.fields = std::move(row.fields);
    v.outcome = std::move(row.outcome);
    v.outcome_value = row.outcome_value;
    return v;
}

} // namespace

std::optional<InstanceView> DurableEngine::instance(std::uint64_t id, bool with_history) const {
    if (auto v = impl_->engine->instance(id, with_history)) return v;
    auto row = impl_->store.instance(id);
    if (!row) return std::nullopt;
    auto v = view_of(std::move(*row));
    if (with_history) v.history = impl_->store.history(id);
    return v;
}

std::vector<InstanceView> DurableEngine::instances(std::string_view flow,
                                                   std::string_view state) const {
    std::vector<InstanceView> out;
    for (auto& row : impl_->store.instances(flow, state))
        out.push_back(view_of(std::move(row)));
    return out;
}
std::int64_t DurableEngine::steps() const { return impl_->seq; }
std::string DurableEngine::last_tag() const { return impl_->last_tag; }

void DurableEngine::on_record(std::function<void(const Record&)> observer) {
    impl_->host_observer = std::move(observer);
}
void DurableEngine::on_emit(std::function<void(const Emitted&)> handler) {
    impl_->host_emit = std::move(handler);
}
void DurableEngine::on_action(std::function<std::optional<Data>(const ActionCall&)> handler) {
    impl_->host_action = std::move(handler);
}
void DurableEngine::on_fact(std::function<std::optional<std::string>(const FactQuery&)> provider) {
    impl_->host_fact = std::move(provider);
}

} // namespace nudge
