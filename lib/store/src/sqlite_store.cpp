// SqliteStore: the Store interface (include/nudge/store.hpp) on one SQLite file in WAL mode.
// The schema, its upgrade from the previous version, and every SQL statement live here.
#include "sqlite.hpp"

#include <nudge/store.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

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
  outcome TEXT, outcome_value REAL, version INTEGER NOT NULL DEFAULT 1);
CREATE INDEX instances_state ON instances(flow, state);
CREATE INDEX instances_key ON instances(key);
CREATE TABLE inbox(
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, from_addr TEXT NOT NULL, to_addr TEXT NOT NULL,
  text TEXT NOT NULL, reason TEXT NOT NULL, candidates TEXT NOT NULL, assigned_to INTEGER);
CREATE TABLE suppressions(address TEXT PRIMARY KEY, at INTEGER NOT NULL, source TEXT NOT NULL);
)";

// What schema 2 added to schema 1 (also part of a new database).
constexpr const char* schema_2 = R"(
CREATE TABLE timers(
  instance INTEGER NOT NULL, n INTEGER NOT NULL, deadline INTEGER NOT NULL, kind TEXT NOT NULL,
  what TEXT NOT NULL, PRIMARY KEY(instance, n));
CREATE INDEX timers_deadline ON timers(deadline);
CREATE TABLE cooldowns(
  flow TEXT NOT NULL, key TEXT NOT NULL, last_start INTEGER NOT NULL, PRIMARY KEY(flow, key));
CREATE TABLE metrics(
  flow TEXT NOT NULL, metric TEXT NOT NULL, label TEXT NOT NULL, count INTEGER NOT NULL,
  value REAL NOT NULL DEFAULT 0, PRIMARY KEY(flow, metric, label));
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
)";

// What schema 3 added to schema 2: permanent send failures and request receipts.
constexpr const char* schema_3 = R"(
ALTER TABLE outbox ADD COLUMN failed_at INTEGER;
DROP INDEX outbox_unfinished;
CREATE INDEX outbox_pending ON outbox(next_attempt) WHERE done_at IS NULL AND failed_at IS NULL;
CREATE TABLE receipts(key TEXT PRIMARY KEY, at INTEGER NOT NULL, value TEXT NOT NULL);
CREATE INDEX receipts_at ON receipts(at);
)";

// What schema 4 added to schema 3: inbox messages a person closed with a note.
constexpr const char* schema_4 = R"(
ALTER TABLE inbox ADD COLUMN handled_at INTEGER;
ALTER TABLE inbox ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN note TEXT NOT NULL DEFAULT '';
CREATE INDEX history_at ON history(at);
)";

// What schema 5 changed in schema 4: an opt-out may apply to one business only (settings per
// business), so a suppression is keyed by business ('' for every one) and address.
constexpr const char* schema_5 = R"(
CREATE TABLE suppressions5(
  business TEXT NOT NULL DEFAULT '', address TEXT NOT NULL, at INTEGER NOT NULL,
  source TEXT NOT NULL, PRIMARY KEY(business, address));
INSERT INTO suppressions5(business, address, at, source)
  SELECT '', address, at, source FROM suppressions;
DROP TABLE suppressions;
ALTER TABLE suppressions5 RENAME TO suppressions;
)";

std::int64_t seconds_of(Instant t) { return t.time_since_epoch().count(); }
Instant instant_of(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }
std::int64_t id_of(std::uint64_t id) { return static_cast<std::int64_t>(id); }

json data_json(const Data& d) {
    json j = json::object();
    for (const auto& [k, v] : d)
        j[k] = v;
    return j;
}

json fields_json(const std::vector<std::pair<std::string, std::string>>& fields) {
    json j = json::array();
    for (const auto& [k, v] : fields)
        j.push_back(json::array({k, v}));
    return j;
}

StoredFlow flow_of(const store::Stmt& s) {
    StoredFlow f;
    f.id = s.integer(0);
    f.name = s.text(1);
    f.version = static_cast<int>(s.integer(2));
    f.hash = s.text(3);
    f.source = s.text(4);
    f.loaded_at = instant_of(s.integer(5));
    return f;
}

constexpr const char* flow_columns =
    "SELECT id, name, version, hash, source, loaded_at FROM flows ";

OutboxItem item_of(const store::Stmt& s) {
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
    if (!s.is_null(17)) it.failed_at = instant_of(s.integer(17));
    return it;
}

constexpr const char* outbox_columns =
    "SELECT key, step, flow, instance, inst_key, channel, kind, to_addr, from_addr, subject, "
    "body, at, reminder, attempts, next_attempt, done_at, last_error, failed_at FROM outbox ";

constexpr const char* pending = "done_at IS NULL AND failed_at IS NULL";

} // namespace

struct SqliteStore::Impl {
    std::string path;
    Options options;
    store::Db db;
    bool rewrite_pending = false;
    std::uint64_t commits = 0; // every commit on the connection (sqlite3_commit_hook)
    // Deferred sync: sync_to_disk()'s own connection, which checkpoints the WAL there (never
    // on the writer's thread). Closed before `db`, which as the last connection checkpoints
    // what is left and removes the WAL.
    mutable std::mutex flushing;
    mutable store::Db checkpointer;

    // Prepared once, reused by every step (SQL text is a literal, so its address is its name).
    std::map<const char*, std::unique_ptr<store::Stmt>> statements;
    store::Stmt& cached(const char* sql) {
        auto& slot = statements[sql];
        if (!slot) slot = std::make_unique<store::Stmt>(db, sql);
        return *slot;
    }

    void open() {
        std::error_code ec;
        bool exists = std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0;
        if (options.read_only) {
            if (!std::filesystem::exists(path, ec)) throw store_error(path + ": no such database");
            db = store::Db(path, SQLITE_OPEN_READONLY);
        } else {
            db = store::Db(path, SQLITE_OPEN_READWRITE | (exists ? 0 : SQLITE_OPEN_CREATE));
        }
        std::int64_t found = schema_version;
        if (exists || options.read_only)
            found = store::check_database(db, path, application_id, schema_version);
        if (options.read_only) {
            if (found < schema_version) {
                throw store_error(path + ": written by an older nudge (schema " +
                                  std::to_string(found) + ", this one reads " +
                                  std::to_string(schema_version) +
                                  "); open it once with `nudge run --db` or a DurableEngine to "
                                  "upgrade it; nothing was changed");
            }
            rewrite_pending = meta("rewrite").has_value();
            return;
        }
        db.exec("PRAGMA journal_mode=WAL");
        // Deferred sync: commits append to the WAL without waiting; sync_to_disk() flushes it.
        // (With NORMAL, SQLite still flushes the WAL before a checkpoint and the database
        // after one, so what a checkpoint moves out of the WAL stays durable.)
        bool wait_for_disk = options.synchronous_full && !options.deferred_sync;
        db.exec(wait_for_disk ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        // A checkpoint (every 1000 pages by default) writes the database file and flushes it
        // twice: with deferred sync sync_to_disk() does it, on its own thread and connection.
        if (options.synchronous_full && options.deferred_sync)
            db.exec("PRAGMA wal_autocheckpoint=0");
        if (options.cache_kib > 0)
            db.exec("PRAGMA cache_size=-" + std::to_string(options.cache_kib));
        sqlite3_commit_hook(
            db.get(),
            [](void* self) {
                ++static_cast<Impl*>(self)->commits;
                return 0;
            },
            this);
        if (options.max_pages)
            db.exec("PRAGMA max_page_count=" + std::to_string(*options.max_pages));
        if (!exists) {
            in_transaction([&] {
                db.exec(schema);
                db.exec(schema_2);
                db.exec(schema_3);
                db.exec(schema_4);
                db.exec(schema_5);
                db.exec("PRAGMA application_id=" + std::to_string(application_id));
                db.exec("PRAGMA user_version=" + std::to_string(schema_version));
            });
        } else if (found < schema_version) {
            // Schema 1 → 2: new read tables, and the instances' version column. Their rows
            // come from a replay (rewrite()); the mark says one is owed, even after a crash.
            // 2 → 3: the outbox's failed_at and the receipts; nothing to rewrite.
            // 3 → 4: the inbox's handled_at, handled_by and note; nothing to rewrite.
            // 4 → 5: suppressions keyed by business and address; every old one is for all.
            in_transaction([&] {
                if (found < 2) {
                    db.exec("ALTER TABLE instances ADD COLUMN version INTEGER NOT NULL DEFAULT 1");
                    db.exec(schema_2);
                    db.exec("INSERT INTO meta(key, value) VALUES('rewrite', '1')");
                }
                if (found < 3) db.exec(schema_3);
                if (found < 4) db.exec(schema_4);
                db.exec(schema_5);
                db.exec("PRAGMA user_version=" + std::to_string(schema_version));
            });
        }
        rewrite_pending = meta("rewrite").has_value();
    }

    template <class F> void in_transaction(F&& f) {
        try {
            db.exec("BEGIN IMMEDIATE");
            f();
            db.exec("COMMIT");
        } catch (const store_error& e) {
            if (!sqlite3_get_autocommit(db.get()))
                sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
            throw store_error(path + ": cannot set the database up: " + e.what());
        }
    }

    std::optional<std::string> meta(const char* key) const {
        store::Stmt s(db, "SELECT value FROM meta WHERE key = ?");
        s.bind(1, std::string_view(key));
        if (s.step()) return s.text(0);
        return std::nullopt;
    }

    void write_rows(const ReadRows& rows, std::int64_t step) {
        store::Stmt& hi = cached("INSERT INTO history(step, n, at, instance, flow, kind, fields) "
                                 "VALUES(?,?,?,?,?,?,?)");
        std::int64_t k = 0;
        for (const auto& r : rows.history) {
            hi.bind(1, step).bind(2, ++k).bind(3, seconds_of(r.at));
            hi.bind(4, id_of(r.instance)).bind(5, r.flow).bind(6, r.kind);
            hi.bind(7, fields_json(r.fields).dump());
            hi.run();
        }

        store::Stmt& in = cached("INSERT OR REPLACE INTO instances(id, flow, version, key, state, "
                                 "status, started, entered, fields, outcome, outcome_value) "
                                 "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& v : rows.instances) {
            in.bind(1, id_of(v.id)).bind(2, v.flow).bind(3, std::int64_t{v.version});
            in.bind(4, v.key).bind(5, v.state).bind(6, v.status);
            in.bind(7, seconds_of(v.started)).bind(8, seconds_of(v.entered));
            in.bind(9, data_json(v.fields).dump()).bind_optional(10, v.outcome);
            if (v.outcome_value) {
                in.bind(11, *v.outcome_value);
            } else {
                in.bind_null(11);
            }
            in.run();
        }

        store::Stmt& td = cached("DELETE FROM timers WHERE instance = ?");
        for (auto id : rows.timers_of) {
            td.bind(1, id_of(id));
            td.run();
        }
        store::Stmt& ti =
            cached("INSERT INTO timers(instance, n, deadline, kind, what) VALUES(?,?,?,?,?)");
        std::map<std::uint64_t, std::int64_t> n;
        for (const auto& t : rows.timers) {
            ti.bind(1, id_of(t.instance)).bind(2, ++n[t.instance]).bind(3, seconds_of(t.due));
            ti.bind(4, t.kind).bind(5, t.what);
            ti.run();
        }

        store::Stmt& ib =
            cached("INSERT OR REPLACE INTO inbox(id, at, from_addr, to_addr, text, reason, "
                   "candidates, assigned_to, handled_at, handled_by, note) "
                   "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& item : rows.inbox) {
            ib.bind(1, id_of(item.id)).bind(2, seconds_of(item.at));
            ib.bind(3, item.message.from).bind(4, item.message.to).bind(5, item.message.text);
            ib.bind(6, item.reason).bind(7, json(item.candidates).dump());
            if (item.assigned_to) {
                ib.bind(8, id_of(*item.assigned_to));
            } else {
                ib.bind_null(8);
            }
            if (item.handled_at) {
                ib.bind(9, seconds_of(*item.handled_at));
            } else {
                ib.bind_null(9);
            }
            ib.bind(10, item.handled_by).bind(11, item.note);
            ib.run();
        }

        store::Stmt& su = cached(
            "INSERT OR REPLACE INTO suppressions(business, address, at, source) VALUES(?,?,?,?)");
        for (const auto& s : rows.suppressions) {
            su.bind(1, s.business).bind(2, s.address).bind(3, seconds_of(s.at)).bind(4, s.source);
            su.run();
        }
        store::Stmt& sd = cached("DELETE FROM suppressions WHERE business = ? AND address = ?");
        for (const auto& a : rows.unsuppressed) {
            sd.bind(1, a.business).bind(2, a.address);
            sd.run();
        }

        store::Stmt& co =
            cached("INSERT OR REPLACE INTO cooldowns(flow, key, last_start) VALUES(?,?,?)");
        for (const auto& c : rows.cooldowns) {
            co.bind(1, c.flow).bind(2, c.key).bind(3, seconds_of(c.last_start));
            co.run();
        }

        store::Stmt& md = cached("DELETE FROM metrics WHERE flow = ?");
        store::Stmt& mi =
            cached("INSERT INTO metrics(flow, metric, label, count, value) VALUES(?,?,?,?,?)");
        for (const auto& entry : rows.metrics) {
            // Not a structured binding: clang 14 cannot capture one in the lambda below.
            const auto& flow = entry.first;
            const auto& m = entry.second;
            md.bind(1, flow);
            md.run();
            auto put = [&](std::string_view metric, std::string_view label, std::int64_t count,
                           double value) {
                mi.bind(1, flow).bind(2, metric).bind(3, label).bind(4, count).bind(5, value);
                mi.run();
            };
            put("triggers", "", m.triggers, 0);
            put("starts", "", m.starts, 0);
            put("replies", "", m.replies, 0);
            for (const auto& [label, count] : m.suppressed)
                put("suppressed", label, count, 0);
            for (const auto& [label, count] : m.sends)
                put("sends", label, count, 0);
            for (const auto& [label, count] : m.entries)
                put("entries", label, count, 0);
            for (const auto& [label, o] : m.outcomes)
                put("outcomes", label, o.count, o.value);
        }
    }
};

SqliteStore::SqliteStore(const std::filesystem::path& path) : SqliteStore(path, Options{}) {}

SqliteStore::SqliteStore(const std::filesystem::path& path, Options options)
    : impl_(std::make_unique<Impl>()) {
    impl_->path = path.string();
    impl_->options = options;
    impl_->open();
}

SqliteStore::~SqliteStore() = default;

std::string SqliteStore::name() const { return impl_->path; }

void SqliteStore::begin() { impl_->db.exec("BEGIN IMMEDIATE"); }
std::uint64_t SqliteStore::commits() const { return impl_->commits; }

// Runs on any thread (one call at a time): flushes the WAL through a descriptor of its own
// (fdatasync acts on the file, whichever descriptor wrote its pages), then, once the WAL has
// grown past checkpoint_bytes, copies it into the database through a connection of its own
// (a passive checkpoint: the writer goes on meanwhile, and starts the WAL over afterwards).
void SqliteStore::sync_to_disk() const {
    if (!impl_->options.synchronous_full || !impl_->options.deferred_sync) return;
    constexpr off_t checkpoint_bytes = 16 << 20;
    std::lock_guard one_at_a_time(impl_->flushing);
    auto wal = impl_->path + "-wal";
    int fd = ::open(wal.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return; // no WAL: nothing was committed since it was checkpointed
        throw store_error(wal + ": cannot open to flush it: " + std::strerror(errno));
    }
    int rc = ::fdatasync(fd);
    int err = errno;
    struct stat st {};
    bool big = rc == 0 && ::fstat(fd, &st) == 0 && st.st_size >= checkpoint_bytes;
    ::close(fd);
    if (rc != 0) throw store_error(wal + ": flushing it to the disk failed: " + std::strerror(err));
    if (!big) return;
    if (!impl_->checkpointer.get()) {
        impl_->checkpointer = store::Db(impl_->path, SQLITE_OPEN_READWRITE);
        // A connection finds the WAL when it first reads; until then it has nothing to copy.
        impl_->checkpointer.exec("PRAGMA schema_version");
    }
    int frames = 0, copied = 0;
    rc = sqlite3_wal_checkpoint_v2(impl_->checkpointer.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                   &frames, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        throw store_error(impl_->path +
                          ": checkpoint failed: " + sqlite3_errmsg(impl_->checkpointer.get()));
}
void SqliteStore::commit() { impl_->db.exec("COMMIT"); }
void SqliteStore::rollback() noexcept {
    if (!sqlite3_get_autocommit(impl_->db.get()))
        sqlite3_exec(impl_->db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}
bool SqliteStore::in_transaction() const { return !sqlite3_get_autocommit(impl_->db.get()); }

std::vector<StoredFlow> SqliteStore::flows() const {
    store::Stmt s(impl_->db, std::string(flow_columns) + "ORDER BY id");
    std::vector<StoredFlow> out;
    while (s.step())
        out.push_back(flow_of(s));
    return out;
}

std::optional<StoredFlow> SqliteStore::flow(std::int64_t id) const {
    store::Stmt s(impl_->db, std::string(flow_columns) + "WHERE id = ?");
    s.bind(1, id);
    if (s.step()) return flow_of(s);
    return std::nullopt;
}

std::optional<StoredFlow> SqliteStore::find_flow(std::string_view name,
                                                 std::string_view hash) const {
    store::Stmt s(impl_->db, std::string(flow_columns) +
                                 "WHERE name = ? AND hash = ? ORDER BY version DESC LIMIT 1");
    s.bind(1, name).bind(2, hash);
    if (s.step()) return flow_of(s);
    return std::nullopt;
}

StoredFlow SqliteStore::add_flow(std::string_view name, std::string_view hash,
                                 std::string_view source, Instant at) {
    StoredFlow f;
    f.name = std::string(name);
    f.hash = std::string(hash);
    f.source = std::string(source);
    f.loaded_at = at;
    f.version = 1;
    {
        store::Stmt v(impl_->db, "SELECT coalesce(max(version), 0) + 1 FROM flows WHERE name = ?");
        v.bind(1, name);
        if (v.step()) f.version = static_cast<int>(v.integer(0));
    }
    store::Stmt ins(impl_->db, "INSERT INTO flows(name, version, hash, source, loaded_at) "
                               "VALUES(?,?,?,?,?)");
    ins.bind(1, name).bind(2, std::int64_t{f.version}).bind(3, hash).bind(4, source);
    ins.bind(5, seconds_of(at));
    ins.run();
    f.id = sqlite3_last_insert_rowid(impl_->db.get());
    return f;
}

void SqliteStore::append(const JournalEntry& step, const std::vector<Message>& outbox,
                         const ReadRows& rows) {
    auto& im = *impl_;
    store::Stmt& st =
        im.cached("INSERT INTO steps(seq, at, kind, input, answers, tag) VALUES(?,?,?,?,?,?)");
    st.bind(1, step.seq).bind(2, seconds_of(step.at)).bind(3, step.kind).bind(4, step.input);
    st.bind(5, step.answers).bind(6, step.tag);
    st.run();

    store::Stmt& ob = im.cached("INSERT INTO outbox(key, step, flow, instance, inst_key, channel, "
                                "kind, to_addr, from_addr, subject, body, at, reminder, "
                                "next_attempt) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& m : outbox) {
        ob.bind(1, m.id).bind(2, step.seq).bind(3, m.flow);
        ob.bind(4, id_of(m.instance)).bind(5, m.key).bind(6, m.channel);
        ob.bind(7, static_cast<std::int64_t>(m.kind)).bind(8, m.to).bind(9, m.from);
        ob.bind_optional(10, m.subject).bind(11, m.text).bind(12, seconds_of(m.at));
        ob.bind(13, static_cast<std::int64_t>(m.reminder)).bind(14, seconds_of(m.at));
        ob.run();
    }
    im.write_rows(rows, step.seq);
}

void SqliteStore::put_rows(const ReadRows& rows) { impl_->write_rows(rows, 0); }

void SqliteStore::replay(const std::function<void(const JournalEntry&)>& f) const {
    store::Stmt s(impl_->db, "SELECT seq, at, kind, input, answers, tag FROM steps ORDER BY seq");
    while (s.step()) {
        JournalEntry e;
        e.seq = s.integer(0);
        e.at = instant_of(s.integer(1));
        e.kind = s.text(2);
        e.input = s.text(3);
        e.answers = s.text(4);
        e.tag = s.text(5);
        f(e);
    }
}

std::int64_t SqliteStore::steps() const {
    store::Stmt s(impl_->db, "SELECT count(*) FROM steps");
    return s.step() ? s.integer(0) : 0;
}

std::vector<OutboxItem> SqliteStore::outbox(bool unfinished_only, std::optional<Instant> due,
                                            std::size_t limit) const {
    std::string where = due ? std::string("WHERE ") + pending + " AND next_attempt <= ?"
                        : unfinished_only ? std::string("WHERE ") + pending
                                          : std::string();
    // Due ones: earliest attempt time first, then the order written (rowid), which is the
    // order of the partial index outbox_pending, so a backlog is not sorted on every call.
    where += due ? " ORDER BY next_attempt, rowid" : " ORDER BY step, rowid";
    if (limit > 0) where += " LIMIT " + std::to_string(limit);
    store::Stmt s(impl_->db, std::string(outbox_columns) + where);
    if (due) s.bind(1, seconds_of(*due));
    std::vector<OutboxItem> out;
    while (s.step())
        out.push_back(item_of(s));
    return out;
}

std::size_t SqliteStore::unfinished_count() const {
    // Counted on the partial index outbox_pending: the finished messages are not read.
    store::Stmt s(impl_->db, std::string("SELECT count(*) FROM outbox WHERE ") + pending);
    return s.step() ? static_cast<std::size_t>(s.integer(0)) : 0;
}

void SqliteStore::mark_done(std::string_view key, Instant at) {
    store::Stmt& done = impl_->cached("UPDATE outbox SET done_at = ?, attempts = attempts + 1, "
                                      "last_error = '' WHERE key = ?");
    done.bind(1, seconds_of(at)).bind(2, key);
    done.run();
}

void SqliteStore::mark_refused(std::string_view key, Instant next_attempt, std::string_view error) {
    store::Stmt& retry = impl_->cached("UPDATE outbox SET attempts = attempts + 1, "
                                       "next_attempt = ?, last_error = ? WHERE key = ?");
    retry.bind(1, seconds_of(next_attempt)).bind(2, error).bind(3, key);
    retry.run();
}

std::optional<OutboxItem> SqliteStore::outbox_item(std::string_view key) const {
    store::Stmt& s = impl_->cached(
        "SELECT key, step, flow, instance, inst_key, channel, kind, to_addr, from_addr, subject, "
        "body, at, reminder, attempts, next_attempt, done_at, last_error, failed_at FROM outbox "
        "WHERE key = ?");
    s.bind(1, key);
    std::optional<OutboxItem> out;
    if (s.step()) out = item_of(s);
    s.reset();
    return out;
}

void SqliteStore::mark_failed(std::string_view key, Instant at, std::string_view error) {
    store::Stmt& fail = impl_->cached("UPDATE outbox SET failed_at = ?, attempts = attempts + 1, "
                                      "last_error = ? WHERE key = ?");
    fail.bind(1, seconds_of(at)).bind(2, error).bind(3, key);
    fail.run();
}

std::optional<Instant> SqliteStore::next_delivery() const {
    store::Stmt s(impl_->db, std::string("SELECT min(next_attempt) FROM outbox WHERE ") + pending);
    if (s.step() && !s.is_null(0)) return instant_of(s.integer(0));
    return std::nullopt;
}

std::vector<std::pair<std::string, Instant>> SqliteStore::next_attempts(std::size_t limit) const {
    store::Stmt s(impl_->db, std::string("SELECT key, next_attempt FROM outbox WHERE ") + pending +
                                 " ORDER BY next_attempt LIMIT " + std::to_string(limit));
    std::vector<std::pair<std::string, Instant>> out;
    while (s.step())
        out.emplace_back(s.text(0), instant_of(s.integer(1)));
    return out;
}

std::optional<std::string> SqliteStore::receipt(std::string_view key) const {
    store::Stmt& s = impl_->cached("SELECT value FROM receipts WHERE key = ?");
    s.bind(1, key);
    std::optional<std::string> out;
    if (s.step()) out = s.text(0);
    s.reset();
    return out;
}

void SqliteStore::put_receipt(std::string_view key, std::string_view value, Instant at) {
    store::Stmt& s = impl_->cached("INSERT OR REPLACE INTO receipts(key, at, value) VALUES(?,?,?)");
    s.bind(1, key).bind(2, seconds_of(at)).bind(3, value);
    s.run();
}

std::int64_t SqliteStore::prune_receipts(Instant before) {
    store::Stmt s(impl_->db, "DELETE FROM receipts WHERE at < ?");
    s.bind(1, seconds_of(before));
    s.run();
    return sqlite3_changes(impl_->db.get());
}

namespace {

constexpr const char* instance_columns = "SELECT id, flow, version, key, state, status, started, "
                                         "entered, fields, outcome, outcome_value FROM instances ";

StoredInstance stored_of(const store::Stmt& s) {
    StoredInstance i;
    i.id = static_cast<std::uint64_t>(s.integer(0));
    i.flow = s.text(1);
    i.version = static_cast<int>(s.integer(2));
    i.key = s.text(3);
    i.state = s.text(4);
    i.status = s.text(5);
    i.started = instant_of(s.integer(6));
    i.entered = instant_of(s.integer(7));
    auto fields = json::parse(s.text(8), nullptr, false);
    if (fields.is_object()) {
        for (auto it = fields.begin(); it != fields.end(); ++it)
            if (it.value().is_string()) i.fields[it.key()] = it.value().get<std::string>();
    }
    if (!s.is_null(9)) i.outcome = s.text(9);
    if (!s.is_null(10)) i.outcome_value = s.real(10);
    return i;
}

} // namespace

std::vector<StoredInstance> SqliteStore::instances(std::string_view flow, std::string_view state,
                                                   std::string_view key) const {
    store::Stmt s(impl_->db, std::string(instance_columns) +
                                 "WHERE (?1 = '' OR flow = ?1) AND (?2 = '' OR state = ?2) AND "
                                 "(?3 = '' OR key = ?3) ORDER BY id");
    s.bind(1, flow).bind(2, state).bind(3, key);
    std::vector<StoredInstance> out;
    while (s.step())
        out.push_back(stored_of(s));
    return out;
}

std::optional<StoredInstance> SqliteStore::instance(std::uint64_t id) const {
    store::Stmt s(impl_->db, std::string(instance_columns) + "WHERE id = ?1");
    s.bind(1, id_of(id));
    if (!s.step()) return std::nullopt;
    return stored_of(s);
}

namespace {

// The records a history query selects (at, instance, flow, kind, fields).
std::vector<Record> read_records(store::Stmt& s) {
    std::vector<Record> out;
    while (s.step()) {
        Record r;
        r.at = instant_of(s.integer(0));
        r.instance = static_cast<std::uint64_t>(s.integer(1));
        r.flow = s.text(2);
        r.kind = s.text(3);
        auto fields = json::parse(s.text(4), nullptr, false);
        if (fields.is_array())
            for (const auto& pair : fields)
                if (pair.is_array() && pair.size() == 2 && pair[0].is_string() &&
                    pair[1].is_string())
                    r.fields.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace

std::vector<Record> SqliteStore::history(std::uint64_t instance) const {
    store::Stmt s(impl_->db, "SELECT at, instance, flow, kind, fields FROM history "
                             "WHERE instance = ?1 ORDER BY step, n");
    s.bind(1, id_of(instance));
    return read_records(s);
}

std::vector<Record> SqliteStore::records(Instant from, Instant to) const {
    store::Stmt s(impl_->db, "SELECT at, instance, flow, kind, fields FROM history "
                             "WHERE at >= ?1 AND at < ?2 ORDER BY step, n");
    s.bind(1, seconds_of(from)).bind(2, seconds_of(to));
    return read_records(s);
}

std::vector<InboxItem> SqliteStore::inbox(bool unassigned_only) const {
    store::Stmt s(impl_->db, "SELECT id, at, from_addr, to_addr, text, reason, candidates, "
                             "assigned_to, handled_at, handled_by, note FROM inbox ORDER BY id");
    std::vector<InboxItem> out;
    while (s.step()) {
        if (unassigned_only && (!s.is_null(7) || !s.is_null(8))) continue;
        InboxItem item;
        item.id = static_cast<std::uint64_t>(s.integer(0));
        item.at = instant_of(s.integer(1));
        item.message = {s.text(2), s.text(3), s.text(4)};
        item.reason = s.text(5);
        auto c = json::parse(s.text(6), nullptr, false);
        if (c.is_array()) {
            for (const auto& id : c)
                if (id.is_number_unsigned()) item.candidates.push_back(id.get<std::uint64_t>());
        }
        if (!s.is_null(7)) item.assigned_to = static_cast<std::uint64_t>(s.integer(7));
        if (!s.is_null(8)) item.handled_at = instant_of(s.integer(8));
        item.handled_by = s.text(9);
        item.note = s.text(10);
        out.push_back(std::move(item));
    }
    return out;
}

std::vector<PendingTimer> SqliteStore::timers(std::uint64_t instance,
                                              std::optional<Instant> due_by) const {
    // One statement per case, so that SQLite uses the primary key or the deadline index (an
    // OR of parameters would make it scan the whole table on every step). Prepared once: the
    // durable engine asks for the due ones on every step.
    static constexpr const char* by_instance_due =
        "SELECT instance, deadline, kind, what FROM timers WHERE instance = ?1 AND "
        "deadline <= ?2 ORDER BY deadline, instance, n";
    static constexpr const char* by_instance = "SELECT instance, deadline, kind, what FROM timers "
                                               "WHERE instance = ?1 ORDER BY deadline, instance, n";
    static constexpr const char* due = "SELECT instance, deadline, kind, what FROM timers WHERE "
                                       "deadline <= ?2 ORDER BY deadline, instance, n";
    static constexpr const char* all =
        "SELECT instance, deadline, kind, what FROM timers ORDER BY deadline, instance, n";
    store::Stmt& s = impl_->cached(instance != 0 ? (due_by ? by_instance_due : by_instance)
                                                 : (due_by ? due : all));
    s.reset();
    if (instance != 0) s.bind(1, id_of(instance));
    if (due_by) s.bind(2, seconds_of(*due_by));
    std::vector<PendingTimer> out;
    while (s.step()) {
        PendingTimer t;
        t.instance = static_cast<std::uint64_t>(s.integer(0));
        t.due = instant_of(s.integer(1));
        t.kind = s.text(2);
        t.what = s.text(3);
        out.push_back(std::move(t));
    }
    s.reset();
    return out;
}

std::vector<Cooldown> SqliteStore::cooldowns(std::string_view flow) const {
    store::Stmt s(impl_->db, "SELECT flow, key, last_start FROM cooldowns "
                             "WHERE ?1 = '' OR flow = ?1 ORDER BY flow, key");
    s.bind(1, flow);
    std::vector<Cooldown> out;
    while (s.step())
        out.push_back({s.text(0), s.text(1), instant_of(s.integer(2))});
    return out;
}

std::map<std::string, FlowMetrics> SqliteStore::metrics() const {
    store::Stmt s(impl_->db, "SELECT flow, metric, label, count, value FROM metrics");
    std::map<std::string, FlowMetrics> out;
    while (s.step()) {
        auto& m = out[s.text(0)];
        auto metric = s.text(1);
        auto label = s.text(2);
        auto count = s.integer(3);
        if (metric == "triggers") m.triggers = count;
        if (metric == "starts") m.starts = count;
        if (metric == "replies") m.replies = count;
        if (metric == "suppressed") m.suppressed[label] = count;
        if (metric == "sends") m.sends[label] = count;
        if (metric == "entries") m.entries[label] = count;
        if (metric == "outcomes") m.outcomes[label] = {count, s.real(4)};
    }
    return out;
}

bool SqliteStore::needs_rewrite() const { return impl_->rewrite_pending; }

void SqliteStore::rewrite(const ReadRows& all) {
    auto& im = *impl_;
    im.db.exec("DELETE FROM instances; DELETE FROM timers; DELETE FROM cooldowns; "
               "DELETE FROM metrics; DELETE FROM meta WHERE key = 'rewrite'");
    ReadRows rows = all;
    rows.history.clear(); // kept as it was
    rows.inbox.clear();
    rows.suppressions.clear();
    im.write_rows(rows, 0);
    im.rewrite_pending = false;
}

} // namespace nudge
