#include "sqlite.hpp"

namespace nudge::store {

Db::Db(const std::string& path, int flags) {
    // NOMUTEX: a connection is used by one thread at a time (the store's rule), so SQLite's
    // own locking around every call would only cost time.
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw store_error(path + ": cannot open the database: " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() { sqlite3_close(db_); }

Db& Db::operator=(Db&& o) noexcept {
    if (this != &o) {
        sqlite3_close(db_);
        db_ = o.db_;
        o.db_ = nullptr;
    }
    return *this;
}

void Db::fail(std::string_view what) const {
    std::string msg(what);
    msg += ": ";
    msg += sqlite3_errmsg(db_);
    throw store_error(msg);
}

void Db::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw store_error(msg);
    }
}

Stmt::Stmt(const Db& db, std::string_view sql) : db_(&db) {
    if (sqlite3_prepare_v2(db.get(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
        SQLITE_OK)
        db.fail("preparing a statement");
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
}

Stmt& Stmt::bind(int i, double v) {
    sqlite3_bind_double(stmt_, i, v);
    return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
    // An empty view may have no data pointer, which SQLite would bind as NULL.
    sqlite3_bind_text(stmt_, i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

Stmt& Stmt::bind_null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
}

Stmt& Stmt::bind_optional(int i, const std::optional<std::string>& v) {
    return v ? bind(i, std::string_view(*v)) : bind_null(i);
}

bool Stmt::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    std::string msg = sqlite3_errmsg(db_->get());
    sqlite3_reset(stmt_); // ready for the next use, whatever happens to this one
    sqlite3_clear_bindings(stmt_);
    throw store_error("writing the database: " + msg);
}

void Stmt::run() {
    while (step()) {}
    reset();
}

void Stmt::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Stmt::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Stmt::text(int col) const {
    auto p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}
bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

namespace {

std::int64_t pragma(const Db& db, const std::string& name) {
    Stmt s(db, "PRAGMA " + name);
    return s.step() ? s.integer(0) : 0;
}

} // namespace

std::int64_t check_database(const Db& db, const std::string& path, std::int64_t app,
                            std::int64_t version) {
    std::int64_t found_app = 0;
    std::int64_t found_version = 0;
    std::int64_t tables = 0;
    try {
        found_app = pragma(db, "application_id");
        found_version = pragma(db, "user_version");
        Stmt s(db, "SELECT count(*) FROM sqlite_master");
        if (s.step()) tables = s.integer(0);
    } catch (const store_error& e) {
        throw store_error(path + ": not a nudge database, or corrupt (" + e.what() + ")");
    }
    if (found_app != app) {
        throw store_error(path + ": not a nudge database (application id " +
                          std::to_string(found_app) + ", " + std::to_string(tables) +
                          " tables); nothing was changed");
    }
    if (found_version > version) {
        throw store_error(path + ": written by a newer nudge (schema " +
                          std::to_string(found_version) + ", this one reads up to " +
                          std::to_string(version) + "); nothing was changed");
    }
    std::string verdict;
    try {
        Stmt check(db, "PRAGMA quick_check");
        if (check.step()) verdict = check.text(0);
    } catch (const store_error& e) {
        verdict = e.what();
    }
    if (verdict != "ok") {
        throw store_error(path + ": the database is corrupt (" + verdict +
                          "); nothing was changed");
    }
    return found_version;
}

} // namespace nudge::store
