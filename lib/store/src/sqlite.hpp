#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements with bind/step,
// and transactions. Every failure throws nudge::store_error with SQLite's message.
#include <nudge/store.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nudge::store {

// What marks a file as a nudge database, and the schema version this build writes.
constexpr std::int64_t application_id = 0x6e756467; // "nudg"
// 2 added timers, cooldowns, metrics, meta and instances.version; 3 added outbox.failed_at and
// the receipts. An older database is upgraded on opening.
constexpr std::int64_t schema_version = 5;

class Db {
public:
    Db() = default;
    // flags: SQLITE_OPEN_READWRITE, optionally | SQLITE_OPEN_CREATE.
    Db(const std::string& path, int flags);
    ~Db();
    Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
    Db& operator=(Db&& o) noexcept;
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    sqlite3* get() const { return db_; }
    void exec(std::string_view sql);
    [[noreturn]] void fail(std::string_view what) const;

private:
    sqlite3* db_ = nullptr;
};

class Stmt {
public:
    Stmt(const Db& db, std::string_view sql);
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    // Binding is 1-based, as in SQLite.
    Stmt& bind(int i, std::int64_t v);
    Stmt& bind(int i, double v);
    Stmt& bind(int i, std::string_view v);
    Stmt& bind_null(int i);
    Stmt& bind_optional(int i, const std::optional<std::string>& v);
    // True while there is a row; false when done.
    bool step();
    // Runs a statement that returns no rows, then resets it for reuse.
    void run();
    void reset();

    std::int64_t integer(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    bool is_null(int col) const;

private:
    const Db* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Throws store_error unless the open database is a nudge database (application id `app`) of a
// schema this build reads (at most `version`) that passes SQLite's quick check. Only reads.
// Returns the database's schema version.
std::int64_t check_database(const Db& db, const std::string& path, std::int64_t app,
                            std::int64_t version);

} // namespace nudge::store
