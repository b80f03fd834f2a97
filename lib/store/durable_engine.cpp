// DurableEngine: an Engine whose steps are committed to SQLite (journal + outbox + read
// tables) and replayed on open. See include/nudge/store.hpp for the guarantees.
#include "sqlite.hpp"

#include <nudge/dsl.hpp>
#include <nudge/store.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace nudge {

using json = nlohmann::json;

namespace {

using store::application_id;
using store::schema_version;

constexpr const char* schema = R"(
CREATE TABLE flows(
  id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL, hash TEXT NOT NULL,
  source TEXT NOT NULL, loaded_at INTEGER NOT NULL, UNIQUE(name, version));
CREATE TABLE steps(
  seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL, input TEXT NOT NULL,
  answers TEXT NOT NULL, tag TEXT NOT NULL);
CREATE TABLE outbox(
  key TEXT PRIMARY KEY, step INTEGER NOT NULL, flow TEXT NOT NULL, instance INTEGER NOT NULL,
  inst_key TEXT NOT NULL, channel TEXT NOT NULL, kind INTEGER NOT NULL, to_addr TEXT NOT NULL,
  from_addr TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, at INTEGER NOT NULL,
  reminder INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL,
  done_at INTEGER, last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX outbox_unfinished ON outbox(next_attempt) WHERE done_at IS NULL;
CREATE TABLE history(
  step INTEGER NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL, instance INTEGER NOT NULL,
  flow TEXT NOT NULL, kind TEXT NOT NULL, fields TEXT NOT NULL, PRIMARY KEY(step, n));
CREATE INDEX history_instance ON history(instance);
CREATE TABLE instances(
  id INTEGER PRIMARY KEY, flow TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
  status TEXT NOT NULL, started INTEGER NOT NULL, entered INTEGER NOT NULL, fields TEXT NOT NULL,
  outcome TEXT, outcome_value REAL);
CREATE INDEX instances_state ON instances(flow, state);
CREATE INDEX instances_key ON instances(key);
CREATE TABLE inbox(
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, from_addr TEXT NOT NULL, to_addr TEXT NOT NULL,
  text TEXT NOT NULL, reason TEXT NOT NULL, candidates TEXT NOT NULL, assigned_to INTEGER);
CREATE TABLE suppressions(address TEXT PRIMARY KEY, at INTEGER NOT NULL, source TEXT NOT NULL);
)";

std::int64_t seconds_of(Instant t) { return t.time_since_epoch().count(); }
Instant instant_of(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

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

json fields_json(const std::vector<std::pair<std::string, std::string>>& fields) {
    json j = json::array();
    for (const auto& [k, v] : fields)
        j.push_back(json::array({k, v}));
    return j;
}

// A stable hash of a flow's canonical text (FNV-1a, 64 bits, hex).
std::string text_hash(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
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

} // namespace

struct DurableEngine::Impl final : Transport {
    Clock& clock;
    Transport& transport;
    DurableOptions options;
    std::string path;
    store::Db db;
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
    std::map<std::string, std::pair<int, std::string>> loaded; // name → (version, hash)
    std::vector<std::string> load_order;
    std::size_t inbox_stored = 0;
    std::size_t suppressions_stored = 0;

    std::function<void(const Record&)> host_observer;
    std::function<void(const Emitted&)> host_emit;
    std::function<std::optional<Data>(const ActionCall&)> host_action;
    std::function<std::optional<std::string>(const FactQuery&)> host_fact;

    Impl(const std::filesystem::path& p, Clock& c, Transport& t, DurableOptions o)
        : clock(c), transport(t), options(o), path(p.string()) {
        open();
        rebuild();
    }

    // The engine's transport: during a step, messages go to the outbox (written with the
    // step); during a replay they were written long ago.
    SendResult send(const Message& m) override {
        if (!replaying) step_messages.push_back(m);
        return {};
    }

    // ---- opening ---------------------------------------------------------------------------

    void open() {
        std::error_code ec;
        bool exists = std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0;
        db = store::Db(path, SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE));
        if (exists) store::check_database(db, path, application_id, schema_version);
        db.exec("PRAGMA journal_mode=WAL");
        db.exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        if (options.max_pages)
            db.exec("PRAGMA max_page_count=" + std::to_string(*options.max_pages));
        if (!exists) {
            db.exec("BEGIN");
            db.exec(schema);
            db.exec("PRAGMA application_id=" + std::to_string(application_id));
            db.exec("PRAGMA user_version=" + std::to_string(schema_version));
            db.exec("COMMIT");
        }
    }

    // A fresh engine with every committed step replayed into it.
    void rebuild() {
        engine = std::make_unique<Engine>(pinned, *this);
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
            store::Stmt s(db, "SELECT seq, at, kind, input, answers, tag FROM steps ORDER BY seq");
            while (s.step()) {
                seq = s.integer(0);
                pinned.t = instant_of(s.integer(1));
                replay_answers = json::parse(s.text(4));
                replay_pos = 0;
                apply(s.text(2), json::parse(s.text(3)));
                if (auto tag = s.text(5); !tag.empty()) last_tag = tag;
            }
        } catch (const json::exception& e) {
            replaying = false;
            throw store_error(path + ": step " + std::to_string(seq) +
                              " of the journal cannot be read: " + e.what());
        }
        replaying = false;
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

    // Prepared once, reused by every step (SQL text is a literal, so its address is its name).
    std::map<const char*, std::unique_ptr<store::Stmt>> statements;
    store::Stmt& cached(const char* sql) {
        auto& slot = statements[sql];
        if (!slot) slot = std::make_unique<store::Stmt>(db, sql);
        return *slot;
    }

    // ---- steps -----------------------------------------------------------------------------

    // Runs one input against the engine; the same code serves live steps and replays.
    json apply(const std::string& kind, const json& in) {
        Engine& e = *engine;
        if (kind == "trigger") {
            auto ids = e.trigger(in.at("event").get<std::string>(), json_data(in.at("data")));
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
        if (kind == "assign") {
            e.assign(in.at("inbox").get<std::uint64_t>(), in.at("instance").get<std::uint64_t>());
            return nullptr;
        }
        if (kind == "move") {
            e.move(in.at("instance").get<std::uint64_t>(), in.at("state").get<std::string>());
            return nullptr;
        }
        if (kind == "cancel") {
            e.cancel(in.at("instance").get<std::uint64_t>(), in.at("reason").get<std::string>());
            return nullptr;
        }
        if (kind == "suppress") {
            e.suppress(in.at("address").get<std::string>(), in.at("source").get<std::string>());
            return nullptr;
        }
        if (kind == "load") {
            load_version(in.at("flow").get<std::int64_t>());
            return nullptr;
        }
        throw store_error(path + ": unknown step kind '" + kind + "' in the journal");
    }

    void load_version(std::int64_t id) {
        store::Stmt s(db, "SELECT name, version, hash, source FROM flows WHERE id = ?");
        s.bind(1, id);
        if (!s.step())
            throw store_error(path + ": flow version " + std::to_string(id) + " is missing");
        auto name = s.text(0);
        auto source = s.text(3);
        auto result = compile_source(source, name + ".flow");
        if (!result.ok()) {
            throw flow_error(path + ": stored flow " + name + " no longer compiles",
                             result.diagnostics);
        }
        engine->load(result.flow);
        loaded[name] = {static_cast<int>(s.integer(1)), s.text(2)};
        load_order.push_back(name);
    }

    template <class F>
    auto step(const std::string& kind, json input, std::string_view tag, F&& f)
        -> decltype(f(input)) {
        pinned.t = clock.now();
        answers = json::array();
        step_messages.clear();
        step_records.clear();
        step_emits.clear();
        auto result = f(input);
        bool changed = !step_records.empty() || !step_messages.empty() || kind != "run_due";
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
        if (!sqlite3_get_autocommit(db.get()))
            sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        batching = false;
        batch_records.clear();
        batch_emits.clear();
        batch_messages = 0;
        statements.clear();
        rebuild();
        throw store_error(path + ": " + what);
    }

    void commit(const std::string& kind, const json& input, std::string_view tag) {
        try {
            db.exec("BEGIN IMMEDIATE");
            write_step(kind, input, tag);
            db.exec("COMMIT");
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
            db.exec("BEGIN IMMEDIATE");
        } catch (const store_error& e) {
            throw store_error(path + ": cannot start a batch: " + e.what());
        }
        batching = true;
        try {
            inputs();
            db.exec("COMMIT");
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

    void write_step(const std::string& kind, const json& input, std::string_view tag) {
        auto n = seq + 1;
        store::Stmt& st =
            cached("INSERT INTO steps(seq, at, kind, input, answers, tag) VALUES(?,?,?,?,?,?)");
        st.bind(1, n).bind(2, seconds_of(pinned.t)).bind(3, kind).bind(4, input.dump());
        st.bind(5, answers.dump()).bind(6, tag);
        st.run();

        store::Stmt& ob =
            cached("INSERT INTO outbox(key, step, flow, instance, inst_key, channel, kind, "
                   "to_addr, from_addr, subject, body, at, reminder, next_attempt) "
                   "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& m : step_messages) {
            ob.bind(1, m.id).bind(2, n).bind(3, m.flow);
            ob.bind(4, static_cast<std::int64_t>(m.instance)).bind(5, m.key).bind(6, m.channel);
            ob.bind(7, static_cast<std::int64_t>(m.kind)).bind(8, m.to).bind(9, m.from);
            ob.bind_optional(10, m.subject).bind(11, m.text).bind(12, seconds_of(m.at));
            ob.bind(13, static_cast<std::int64_t>(m.reminder)).bind(14, seconds_of(m.at));
            ob.run();
        }

        store::Stmt& hi = cached("INSERT INTO history(step, n, at, instance, flow, kind, fields) "
                                 "VALUES(?,?,?,?,?,?,?)");
        std::set<std::uint64_t> touched;
        std::int64_t k = 0;
        for (const auto& r : step_records) {
            hi.bind(1, n).bind(2, ++k).bind(3, seconds_of(r.at));
            hi.bind(4, static_cast<std::int64_t>(r.instance)).bind(5, r.flow).bind(6, r.kind);
            hi.bind(7, fields_json(r.fields).dump());
            hi.run();
            if (r.instance) touched.insert(r.instance);
        }

        store::Stmt& in = cached("INSERT OR REPLACE INTO instances(id, flow, key, state, status, "
                                 "started, entered, fields, outcome, outcome_value) "
                                 "VALUES(?,?,?,?,?,?,?,?,?,?)");
        for (auto id : touched) {
            auto v = engine->instance(id, false);
            if (!v) continue;
            in.bind(1, static_cast<std::int64_t>(id)).bind(2, v->flow).bind(3, v->key);
            in.bind(4, v->state).bind(5, to_string(v->status));
            in.bind(6, seconds_of(v->started)).bind(7, seconds_of(v->entered));
            in.bind(8, data_json(v->fields).dump()).bind_optional(9, v->outcome);
            if (v->outcome_value) {
                in.bind(10, *v->outcome_value);
            } else {
                in.bind_null(10);
            }
            in.run();
        }

        store::Stmt& ib =
            cached("INSERT OR REPLACE INTO inbox(id, at, from_addr, to_addr, text, reason, "
                   "candidates, assigned_to) VALUES(?,?,?,?,?,?,?,?)");
        const auto& inbox = engine->inbox();
        // New entries, and the one an assign step changed.
        std::vector<std::size_t> rows;
        for (std::size_t i = inbox_stored; i < inbox.size(); ++i)
            rows.push_back(i);
        if (kind == "assign") {
            for (std::size_t i = 0; i < inbox_stored && i < inbox.size(); ++i)
                if (input.at("inbox") == inbox[i].id) rows.push_back(i);
        }
        for (auto i : rows) {
            const auto& item = inbox[i];
            ib.bind(1, static_cast<std::int64_t>(item.id)).bind(2, seconds_of(item.at));
            ib.bind(3, item.message.from).bind(4, item.message.to).bind(5, item.message.text);
            ib.bind(6, item.reason).bind(7, json(item.candidates).dump());
            if (item.assigned_to) {
                ib.bind(8, static_cast<std::int64_t>(*item.assigned_to));
            } else {
                ib.bind_null(8);
            }
            ib.run();
        }

        store::Stmt& su =
            cached("INSERT OR REPLACE INTO suppressions(address, at, source) VALUES(?,?,?)");
        const auto& sup = engine->suppressions();
        for (std::size_t i = suppressions_stored; i < sup.size(); ++i) {
            su.bind(1, sup[i].address).bind(2, seconds_of(sup[i].at)).bind(3, sup[i].source);
            su.run();
        }
    }

    // ---- delivery --------------------------------------------------------------------------

    static OutboxItem item_of(const store::Stmt& s) {
        OutboxItem it;
        auto& m = it.message;
        m.id = s.text(0);
        it.step = s.integer(1);
        m.flow = s.text(2);
        m.instance = static_cast<std::uint64_t>(s.integer(3));
        m.key = s.text(4);
        m.channel = s.text(5);
        m.kind = static_cast<ChannelKind>(s.integer(6));
        m.to = s.text(7);
        m.from = s.text(8);
        if (!s.is_null(9)) m.subject = s.text(9);
        m.text = s.text(10);
        m.at = instant_of(s.integer(11));
        m.reminder = s.integer(12) != 0;
        it.attempts = static_cast<int>(s.integer(13));
        it.next_attempt = instant_of(s.integer(14));
        if (!s.is_null(15)) it.done_at = instant_of(s.integer(15));
        it.last_error = s.text(16);
        return it;
    }

    static constexpr const char* outbox_columns =
        "SELECT key, step, flow, instance, inst_key, channel, kind, to_addr, from_addr, subject, "
        "body, at, reminder, attempts, next_attempt, done_at, last_error FROM outbox ";

    std::vector<OutboxItem> read_outbox(const std::string& where,
                                        std::optional<Instant> due) const {
        store::Stmt s(db, std::string(outbox_columns) + where + " ORDER BY step, rowid");
        if (due) s.bind(1, seconds_of(*due));
        std::vector<OutboxItem> out;
        while (s.step())
            out.push_back(item_of(s));
        return out;
    }

    int deliver() {
        auto now = clock.now();
        auto due = read_outbox("WHERE done_at IS NULL AND next_attempt <= ?", now);
        int accepted = 0;
        if (due.empty()) return 0;
        // The done-marks of one delivery run are committed together: a crash before that
        // commit hands this run's messages over again (same keys), never an earlier run's.
        bool own_transaction = sqlite3_get_autocommit(db.get()) != 0;
        if (own_transaction) db.exec("BEGIN IMMEDIATE");
        store::Stmt& done = cached("UPDATE outbox SET done_at = ?, attempts = attempts + 1, "
                                   "last_error = '' WHERE key = ?");
        store::Stmt& retry = cached("UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, "
                                    "last_error = ? WHERE key = ?");
        for (auto& item : due) {
            SendResult r;
            try {
                r = transport.send(item.message);
            } catch (const std::exception& e) {
                r = {false, {}, e.what()};
            } catch (...) {
                r = {false, {}, "the transport threw"};
            }
            if (r.accepted) {
                done.bind(1, seconds_of(now)).bind(2, item.message.id);
                done.run();
                ++accepted;
            } else {
                auto wait = options.retry_first;
                for (int i = 0; i < item.attempts && wait < options.retry_max; ++i)
                    wait *= 2;
                wait = std::min(wait, options.retry_max);
                retry.bind(1, seconds_of(now + wait)).bind(2, r.error).bind(3, item.message.id);
                retry.run();
            }
        }
        if (own_transaction) {
            try {
                db.exec("COMMIT");
            } catch (const store_error& e) {
                sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
                throw store_error(path + ": delivered messages could not be marked done (they " +
                                  "will be handed over again): " + e.what());
            }
        }
        return accepted;
    }
};

DurableEngine::DurableEngine(const std::filesystem::path& path, Clock& clock, Transport& transport,
                             DurableOptions options)
    : impl_(std::make_unique<Impl>(path, clock, transport, options)) {}

DurableEngine::~DurableEngine() = default;

int DurableEngine::load(std::shared_ptr<const CompiledFlow> flow) {
    if (!flow) throw error("DurableEngine::load: no flow");
    auto& im = *impl_;
    const auto& name = flow->flow().name;
    auto canonical = format_flow(flow->flow(), {.keep_comments = false});
    auto hash = text_hash(canonical);
    if (auto it = im.loaded.find(name); it != im.loaded.end()) {
        if (it->second.second == hash) return it->second.first;
        throw error("flow " + name + " version " + std::to_string(it->second.first) +
                    " is loaded and its instances stay on it; changing a running flow needs "
                    "a migration, which is not supported yet");
    }
    std::int64_t id = 0;
    {
        store::Stmt s(im.db, "SELECT id FROM flows WHERE name = ? AND hash = ?");
        s.bind(1, name).bind(2, hash);
        if (s.step()) id = s.integer(0);
    }
    if (id == 0) {
        // A new version: written in the same transaction as its load step.
        im.pinned.t = im.clock.now();
        try {
            im.db.exec("BEGIN IMMEDIATE");
            std::int64_t version = 1;
            {
                store::Stmt v(im.db,
                              "SELECT coalesce(max(version), 0) + 1 FROM flows WHERE name = ?");
                v.bind(1, name);
                if (v.step()) version = v.integer(0);
            }
            store::Stmt ins(im.db, "INSERT INTO flows(name, version, hash, source, loaded_at) "
                                   "VALUES(?,?,?,?,?)");
            ins.bind(1, name).bind(2, version).bind(3, hash).bind(4, canonical);
            ins.bind(5, seconds_of(im.pinned.t));
            ins.run();
            id = sqlite3_last_insert_rowid(im.db.get());
            im.db.exec("COMMIT");
        } catch (const store_error& e) {
            if (!sqlite3_get_autocommit(im.db.get()))
                sqlite3_exec(im.db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw store_error(im.path + ": flow " + name + " was not saved: " + e.what());
        }
    }
    im.step("load", json{{"flow", id}}, {}, [&](const json& in) { return im.apply("load", in); });
    return im.loaded.at(name).first;
}

std::vector<std::string> DurableEngine::flows() const { return impl_->load_order; }

std::vector<std::uint64_t> DurableEngine::trigger(std::string_view event, const Data& data,
                                                  std::string_view tag) {
    auto& im = *impl_;
    return im.step(
        "trigger", json{{"event", event}, {"data", data_json(data)}}, tag,
        [&](const json& in) { return im.apply("trigger", in).get<std::vector<std::uint64_t>>(); });
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

void DurableEngine::assign(std::uint64_t inbox_id, std::uint64_t instance) {
    impl_->manual("assign", json{{"inbox", inbox_id}, {"instance", instance}});
}

void DurableEngine::move(std::uint64_t instance, std::string_view state) {
    impl_->manual("move", json{{"instance", instance}, {"state", state}});
}

void DurableEngine::cancel(std::uint64_t instance, std::string_view reason) {
    impl_->manual("cancel", json{{"instance", instance}, {"reason", reason}});
}

void DurableEngine::suppress(std::string_view address, std::string_view source) {
    impl_->manual("suppress", json{{"address", address}, {"source", source}});
}

void DurableEngine::batch(const std::function<void()>& inputs) { impl_->batch(inputs); }

int DurableEngine::deliver() { return impl_->deliver(); }

std::optional<Instant> DurableEngine::next_delivery() const {
    store::Stmt s(impl_->db, "SELECT min(next_attempt) FROM outbox WHERE done_at IS NULL");
    if (s.step() && !s.is_null(0)) return instant_of(s.integer(0));
    return std::nullopt;
}

std::vector<OutboxItem> DurableEngine::outbox(bool unfinished_only) const {
    return impl_->read_outbox(unfinished_only ? "WHERE done_at IS NULL" : "", std::nullopt);
}

const Engine& DurableEngine::engine() const { return *impl_->engine; }
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
