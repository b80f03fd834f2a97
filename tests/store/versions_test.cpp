// Flow versions in a durable database: versions side by side, migration (and its refusal),
// replay after a migration, the timers/cooldowns/metrics read tables, and the upgrade of a
// database of the previous schema.
#include "../runtime/runtime_support.hpp"

#include "store_support.hpp"

#include <nudge/store.hpp>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using namespace nudge;
using namespace nudge::test;

namespace {

// Version 1: a reminder after a day, lapsing after three.
const std::string v1 = R"(flow sale
timezone "Europe/Oslo"

field phone: phone
field first_name: text

channel sms to phone from "4790000000"
keywords yes = "ja", "ok"

trigger sale.saved as phone {
  start asked
  cooldown 30d
}

state asked {
  send sms "Hei {first_name}, svar JA for å bekrefte."
  on reply yes -> confirmed
  after 3d -> lapsed
  remind after 1d prefix "Påminnelse: "
}

final confirmed {
  send sms "Takk, {first_name}!"
}

final lapsed
)";

// Version 2: other texts, a reminder after two days, lapsing after five.
std::string v2() {
    auto s = v1;
    s.replace(s.find("Hei {first_name}, svar JA"), 25, "Hallo {first_name}! Svar JA");
    s.replace(s.find("after 3d"), 8, "after 5d");
    s.replace(s.find("remind after 1d"), 15, "remind after 2d");
    s.replace(s.find("Takk, {first_name}!"), 19, "Tusen takk, {first_name}!");
    return s;
}

// Version 3: `asked` is gone (renamed).
std::string v3() {
    auto s = v1;
    for (auto at = s.find("asked"); at != std::string::npos; at = s.find("asked"))
        s.replace(at, 5, "waiting");
    return s;
}

DurableOptions quick() {
    DurableOptions o;
    o.synchronous_full = false;
    return o;
}

std::string oslo(Instant t) { return format_instant(t, "Europe/Oslo"); }

std::vector<std::string> timer_lines(const std::vector<PendingTimer>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts)
        out.push_back(std::to_string(t.instance) + " " + oslo(t.due) + " " + t.kind + " " + t.what);
    return out;
}

// Every instance's timers as the engine has them, by deadline as the table lists them.
std::vector<std::string> engine_timers(const Engine& e) {
    std::vector<PendingTimer> all;
    for (const auto& flow : e.flows())
        for (const auto& i : e.instances(flow))
            for (const auto& t : e.timers(i.id))
                all.push_back(t);
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return std::tie(a.due, a.instance) < std::tie(b.due, b.instance);
    });
    return timer_lines(all);
}

std::string metrics_text(const FlowMetrics& m) {
    std::string s = "triggers " + std::to_string(m.triggers) + " starts " +
                    std::to_string(m.starts) + " replies " + std::to_string(m.replies);
    for (const auto& [k, n] : m.suppressed)
        s += " suppressed." + k + " " + std::to_string(n);
    for (const auto& [k, n] : m.sends)
        s += " sends." + k + " " + std::to_string(n);
    for (const auto& [k, n] : m.entries)
        s += " entries." + k + " " + std::to_string(n);
    for (const auto& [k, o] : m.outcomes)
        s += " outcomes." + k + " " + std::to_string(o.count);
    return s;
}

// The read tables say what the engine says.
void check_tables(const fs::path& file, const DurableEngine& d) {
    StoreView view(file);
    const auto& e = d.engine();
    CHECK(timer_lines(view.timers()) == engine_timers(e));
    for (const auto& flow : e.flows()) {
        CHECK(metrics_text(view.metrics(flow)) == metrics_text(e.metrics(flow)));
        std::map<std::string, Instant> stored;
        for (const auto& c : view.cooldowns(flow))
            stored[c.key] = c.last_start;
        CHECK(stored == e.last_starts(flow));
        for (const auto& i : view.instances(flow)) {
            auto live = e.instance(i.id, false);
            REQUIRE(live.has_value());
            CHECK(i.version == live->version);
            CHECK(i.state == live->state);
        }
    }
}

const Data kari{{"phone", "+4791234567"}, {"first_name", "Kari"}};
const Data ola{{"phone", "+4791234568"}, {"first_name", "Ola"}};
const Data per{{"phone", "+4791234569"}, {"first_name", "Per"}};

} // namespace

TEST_CASE("versions side by side: an old instance keeps its timers and texts while new "
          "triggers start the new version") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    std::uint64_t k = 0;
    std::uint64_t o = 0;
    {
        DurableEngine e(db.file, clock, out, quick());
        CHECK(e.load(compiled(v1)) == 1);
        k = e.trigger("sale.saved", kari)[0];
        clock.advance(std::chrono::hours(1));
        CHECK(e.load(compiled(v2())) == 2);
        CHECK(e.load(compiled(v2())) == 2); // the same text again is the same version
        CHECK(e.flows() == std::vector<std::string>{"sale"});
        o = e.trigger("sale.saved", ola)[0];
        REQUIRE(out.sent().size() == 2);
        CHECK(out.sent()[0].text == "Hei Kari, svar JA for å bekrefte.");
        CHECK(out.sent()[1].text == "Hallo Ola! Svar JA for å bekrefte.");
        CHECK(e.engine().instance(k)->version == 1);
        CHECK(e.engine().instance(o)->version == 2);
        // Kari's instance still runs: her key does not start the new version.
        CHECK(e.trigger("sale.saved", kari).empty());
        check_tables(db.file, e);
        CHECK(timer_lines(e.engine().timers(k)) ==
              std::vector<std::string>{
                  std::to_string(k) + " 2026-03-03T10:00:00+01:00 reminder reminder 1",
                  std::to_string(k) + " 2026-03-05T10:00:00+01:00 after after 3d -> lapsed"});
        CHECK(timer_lines(e.engine().timers(o)) ==
              std::vector<std::string>{
                  std::to_string(o) + " 2026-03-04T11:00:00+01:00 reminder reminder 1",
                  std::to_string(o) + " 2026-03-07T11:00:00+01:00 after after 5d -> lapsed"});
    }
    // Reopened: the versions come back from the journal, each instance on its own.
    clock.set(parse_instant("2026-03-03T10:00:00+01:00"));
    DurableEngine e(db.file, clock, out, quick());
    CHECK(e.load(compiled(v2())) == 2);
    CHECK(e.engine().instance(k)->version == 1);
    CHECK(e.run_due() == 1);
    CHECK(out.sent().back().text == "Påminnelse: Hei Kari, svar JA for å bekrefte.");
    e.reply({"+4791234567", "4790000000", "ja"});
    CHECK(e.engine().instance(k)->state == "confirmed");
    CHECK(out.sent().back().text == "Takk, Kari!");
    e.reply({"+4791234568", "4790000000", "ja"});
    CHECK(out.sent().back().text == "Tusen takk, Ola!");
    StoreView view(db.file);
    CHECK(view.flow_versions().size() == 2);
    auto stored = view.instances("sale");
    REQUIRE(stored.size() == 2);
    CHECK(stored[0].version == 1);
    CHECK(stored[1].version == 2);
    CHECK(view.metrics("sale").starts == 2);
    CHECK(view.metrics("sale").outcomes.empty());
    check_tables(db.file, e);
}

TEST_CASE("migrate moves instances by state name and sets their timers from the new version") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    std::uint64_t k = 0;
    std::vector<std::string> timers_before_reopen;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(v1));
        k = e.trigger("sale.saved", kari)[0];
        clock.advance(std::chrono::hours(1));
        e.load(compiled(v2()));
        auto steps = e.steps();
        auto dry = e.migrate("sale", true);
        CHECK(dry.ok());
        REQUIRE(dry.moved.size() == 1);
        CHECK(e.steps() == steps); // a dry run writes nothing
        CHECK(e.engine().instance(k)->version == 1);

        auto m = e.migrate("sale");
        CHECK(m.ok());
        CHECK(m.version == 2);
        REQUIRE(m.moved.size() == 1);
        CHECK(m.moved[0].instance == k);
        CHECK(m.moved[0].from_version == 1);
        CHECK(m.moved[0].state == "asked");
        CHECK(e.steps() == steps + 1);
        auto v = e.engine().instance(k);
        CHECK(v->version == 2);
        CHECK(v->state == "asked");
        CHECK(oslo(v->entered) == "2026-03-02T10:00:00+01:00"); // nothing was entered
        CHECK(v->history.back().kind == "migrated");
        CHECK(v->history.back().get("from") == "1");
        CHECK(v->history.back().get("to") == "2");
        // `after 5d` counts from when `asked` was entered; the reminder from the last message.
        timers_before_reopen = timer_lines(e.engine().timers(k));
        CHECK(timers_before_reopen ==
              std::vector<std::string>{
                  std::to_string(k) + " 2026-03-04T10:00:00+01:00 reminder reminder 1",
                  std::to_string(k) + " 2026-03-07T10:00:00+01:00 after after 5d -> lapsed"});
        CHECK(out.sent().size() == 1); // nothing was sent again
        check_tables(db.file, e);
        // Nothing left on an older version: migrating again moves nothing and writes nothing.
        CHECK(e.migrate("sale").moved.empty());
        CHECK(e.steps() == steps + 1);
    }
    // The replay moves it again: same version, state and timers.
    DurableEngine e(db.file, clock, out, quick());
    CHECK(e.engine().instance(k)->version == 2);
    CHECK(timer_lines(e.engine().timers(k)) == timers_before_reopen);
    clock.set(parse_instant("2026-03-04T10:00:00+01:00"));
    CHECK(e.run_due() == 1);
    CHECK(out.sent().back().text == "Påminnelse: Hei Kari, svar JA for å bekrefte.");
    e.reply({"+4791234567", "4790000000", "ok"});
    CHECK(out.sent().back().text == "Tusen takk, Kari!"); // the new version's state
    check_tables(db.file, e);
}

TEST_CASE("migrate refuses with the states the new version lacks and moves nothing") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    DurableEngine e(db.file, clock, out, quick());
    e.load(compiled(v1));
    auto k = e.trigger("sale.saved", kari)[0];
    auto o = e.trigger("sale.saved", ola)[0];
    auto p = e.trigger("sale.saved", per)[0];
    e.reply({"+4791234569", "4790000000", "ja"}); // Per is done: not in use
    CHECK(e.engine().instance(p)->state == "confirmed");
    CHECK(e.load(compiled(v3())) == 2);
    auto steps = e.steps();
    auto timers = engine_timers(e.engine());
    auto m = e.migrate("sale");
    CHECK_FALSE(m.ok());
    CHECK(m.moved.empty());
    REQUIRE(m.missing.size() == 1);
    CHECK(m.missing[0].state == "asked");
    CHECK(m.missing[0].version == 1);
    CHECK(m.missing[0].instances == 2);
    CHECK(e.steps() == steps);
    CHECK(e.engine().instance(k)->version == 1);
    CHECK(e.engine().instance(o)->version == 1);
    CHECK(e.engine().instance(k)->history.back().kind != "migrated");
    CHECK(engine_timers(e.engine()) == timers);
    // The dry run says the same.
    CHECK(e.migrate("sale", true).missing.size() == 1);
    CHECK_THROWS_AS(e.migrate("no_such_flow"), nudge::error);
    check_tables(db.file, e);
}

TEST_CASE("the timers cooldowns and metrics tables follow every step") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    DurableEngine e(db.file, clock, out, quick());
    e.load(compiled(v1));
    e.trigger("sale.saved", kari);
    check_tables(db.file, e);
    clock.advance(std::chrono::hours(2));
    e.trigger("sale.saved", ola);
    e.trigger("sale.saved", ola); // suppressed: the cooldown comes before "running"
    check_tables(db.file, e);
    clock.advance(std::chrono::hours(24));
    e.run_due();
    check_tables(db.file, e);
    e.reply({"+4791234567", "4790000000", "ja"});
    check_tables(db.file, e);
    e.load(compiled(v2()));
    e.migrate("sale");
    check_tables(db.file, e);
    clock.advance(std::chrono::hours(24 * 6));
    e.run_due();
    check_tables(db.file, e);
    e.trigger("sale.saved", kari); // suppressed: cooldown
    StoreView view(db.file);
    CHECK(view.timers().empty());
    auto m = view.metrics("sale");
    CHECK(m.triggers == 4);
    CHECK(m.starts == 2);
    CHECK(m.suppressed.at("cooldown") == 2);
    CHECK(m.outcomes.empty());
    CHECK(m.entries.at("lapsed") == 1);
    REQUIRE(view.cooldowns("sale").size() == 2);
    CHECK(oslo(view.cooldowns("sale")[0].last_start) == "2026-03-02T10:00:00+01:00");
    check_tables(db.file, e);
}

// Runs `sql` on the database file directly: what an older nudge's schema looked like.
void downgrade(const fs::path& file, const std::string& sql) {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(file.c_str(), &raw) == SQLITE_OK);
    REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
}

// What schema 4 was: suppressions by address alone.
#define NUDGE_TO_SCHEMA_4                                                                          \
    "CREATE TABLE s4(address TEXT PRIMARY KEY, at INTEGER NOT NULL, source TEXT NOT NULL); "       \
    "INSERT INTO s4 SELECT address, at, source FROM suppressions; DROP TABLE suppressions; "       \
    "ALTER TABLE s4 RENAME TO suppressions; "
constexpr const char* to_schema_4 = NUDGE_TO_SCHEMA_4 "PRAGMA user_version=4;";

// What schema 3 was: no inbox messages closed by a person.
constexpr const char* to_schema_3 = NUDGE_TO_SCHEMA_4
    "ALTER TABLE inbox DROP COLUMN handled_at; ALTER TABLE inbox DROP COLUMN handled_by; "
    "ALTER TABLE inbox DROP COLUMN note; DROP INDEX history_at; PRAGMA user_version=3;";

// What schema 2 was: no failed sends, no receipts.
constexpr const char* to_schema_2 = NUDGE_TO_SCHEMA_4
    "ALTER TABLE inbox DROP COLUMN handled_at; ALTER TABLE inbox DROP COLUMN handled_by; "
    "ALTER TABLE inbox DROP COLUMN note; DROP INDEX history_at; DROP TABLE receipts; DROP INDEX "
    "outbox_pending; ALTER TABLE outbox DROP COLUMN failed_at; "
    "CREATE INDEX outbox_unfinished ON outbox(next_attempt) WHERE done_at IS NULL; "
    "PRAGMA user_version=2;";

TEST_CASE("a database of schema 4 keeps its opt-outs, for every business, on opening") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(v1));
        e.suppress("+4791234567", "host");
    }
    downgrade(db.file, to_schema_4);
    try {
        StoreView view(db.file);
        FAIL("read a database of schema 4");
    } catch (const store_error& e) {
        CHECK(std::string(e.what()).find("older nudge (schema 4") != std::string::npos);
    }
    {
        DurableEngine e(db.file, clock, out, quick());
        REQUIRE(e.engine().suppressions().size() == 1);
        CHECK(e.engine().suppressions()[0].business.empty());
        e.suppress("+4791234567", "host", {}, "roma"); // the same number, for one business
        CHECK(e.engine().suppressions().size() == 2);
        CHECK(e.unsuppress("+4791234567", "asked again", {}, "roma") == "+4791234567");
        CHECK(e.engine().suppressions().size() == 1);
        e.trigger("sale.saved", kari);
    }
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(db.file.c_str(), &raw) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(raw, "SELECT business, address FROM suppressions", -1, &st,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))).empty());
    CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) == "+4791234567");
    CHECK(sqlite3_step(st) == SQLITE_DONE);
    sqlite3_finalize(st);
    sqlite3_close(raw);
    DurableEngine again(db.file, clock, out, quick());
    CHECK(again.engine().suppressions().size() == 1);
    check_tables(db.file, again);
}

TEST_CASE("a database of schema 3 gains inbox messages closed by a person on opening") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(v1));
        e.trigger("sale.saved", kari);
        e.reply({"+4799999999", "4790000000", "who is this?"}); // an unknown sender: the inbox
    }
    downgrade(db.file, to_schema_3);
    try {
        StoreView view(db.file);
        FAIL("read a database of schema 3");
    } catch (const store_error& e) {
        CHECK(std::string(e.what()).find("older nudge (schema 3") != std::string::npos);
    }
    {
        DurableEngine e(db.file, clock, out, quick());
        CHECK(e.steps() == 3);
        REQUIRE(e.engine().inbox().size() == 1);
        CHECK(e.engine().inbox()[0].open());
        e.close(1, "a wrong number", "anna");
    }
    StoreView view(db.file);
    CHECK(view.inbox(true).empty());
    REQUIRE(view.inbox().size() == 1);
    CHECK(view.inbox()[0].handled_by == "anna");
    DurableEngine again(db.file, clock, out, quick());
    CHECK(again.engine().inbox()[0].note == "a wrong number");
    check_tables(db.file, again);
}

TEST_CASE("a database of schema 2 gains failed sends and receipts on opening") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(v1));
        e.trigger("sale.saved", kari);
    }
    downgrade(db.file, to_schema_2);
    try {
        StoreView view(db.file);
        FAIL("read a database of schema 2");
    } catch (const store_error& e) {
        CHECK(std::string(e.what()).find("older nudge (schema 2") != std::string::npos);
    }
    {
        DurableEngine e(db.file, clock, out, quick());
        CHECK(e.steps() == 2);
        CHECK_FALSE(e.receipt("request-1"));
        e.remember("request-1", "answered");
        CHECK(e.receipt("request-1") == "answered");
        e.trigger("sale.saved", ola);
    }
    StoreView view(db.file);
    CHECK(view.instances().size() == 2);
    DurableEngine again(db.file, clock, out, quick());
    CHECK(again.steps() == 3);
    CHECK(again.receipt("request-1") == "answered");
    check_tables(db.file, again);
}

TEST_CASE("a database of the previous schema is upgraded on opening") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    std::vector<std::string> timers;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(v1));
        e.trigger("sale.saved", kari);
        e.trigger("sale.saved", ola);
        timers = engine_timers(e.engine());
    }
    // What schema 1 was: no timers, cooldowns, metrics or meta tables, no instance versions.
    downgrade(db.file, std::string(to_schema_2) +
                           "DROP TABLE timers; DROP TABLE cooldowns; DROP TABLE metrics; "
                           "DROP TABLE meta; ALTER TABLE instances DROP COLUMN version; "
                           "PRAGMA user_version=1");

    // Read-only, it cannot be upgraded: a clear refusal.
    try {
        StoreView view(db.file);
        FAIL("read a database of the previous schema");
    } catch (const store_error& e) {
        CHECK(std::string(e.what()).find("older nudge (schema 1") != std::string::npos);
    }
    {
        DurableEngine e(db.file, clock, out, quick());
        CHECK(engine_timers(e.engine()) == timers);
        check_tables(db.file, e);
        StoreView view(db.file);
        CHECK(view.instances().size() == 2);
        CHECK(view.instances()[0].version == 1);
        CHECK(timer_lines(view.timers()) == timers);
        CHECK(view.metrics("sale").starts == 2);
        CHECK(view.cooldowns("sale").size() == 2);
        e.trigger("sale.saved", per);
        check_tables(db.file, e);
    }
    DurableEngine again(db.file, clock, out, quick());
    CHECK(again.steps() == 4);
    check_tables(db.file, again);
}

TEST_CASE("a DurableEngine runs on a Store it is given") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    SqliteStore store(db.file);
    {
        DurableEngine e(store, clock, out, quick());
        e.load(compiled(v1));
        e.trigger("sale.saved", kari);
    }
    CHECK(store.steps() == 2);
    CHECK(store.instances().size() == 1);
    CHECK(store.flows().size() == 1);
    CHECK(store.flows()[0].version == 1);
    DurableEngine e(store, clock, out, quick());
    CHECK(e.engine().instances("sale").size() == 1);
}

TEST_CASE("a pending delayed start migrates and enters the new version's start state") {
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    Engine e(clock, out);
    auto delayed = v1;
    delayed.replace(delayed.find("  start asked"), 13, "  delay 1h\n  start asked");
    e.load_version(compiled(delayed));
    auto k = e.trigger("sale.saved", kari)[0];
    CHECK(e.instance(k)->status == InstanceStatus::pending);
    REQUIRE(e.timers(k).size() == 1);
    CHECK(e.timers(k)[0].kind == "start");
    CHECK(e.load_version(compiled(v2())) == 2); // no delay any more
    auto m = e.migrate("sale");
    REQUIRE(m.ok());
    REQUIRE(m.moved.size() == 1);
    CHECK(m.moved[0].state.empty());
    CHECK(out.sent().empty());
    CHECK(e.timers(k).size() == 1); // the start keeps its deadline
    clock.advance(std::chrono::hours(1));
    CHECK(e.run_due() == 1);
    CHECK(e.instance(k)->state == "asked");
    CHECK(e.instance(k)->version == 2);
    REQUIRE(out.sent().size() == 1);
    CHECK(out.sent()[0].text == "Hallo Kari! Svar JA for å bekrefte.");
}

TEST_CASE("migrate refuses when the trigger an instance started by is gone") {
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    Engine e(clock, out);
    e.load_version(compiled(v1));
    e.trigger("sale.saved", kari);
    auto other = v1;
    other.replace(other.find("sale.saved"), 10, "sale.created");
    e.load_version(compiled(other));
    auto m = e.migrate("sale");
    REQUIRE(m.missing.size() == 1);
    CHECK(m.missing[0].state == "trigger on sale.saved");
    CHECK(m.missing[0].instances == 1);
    CHECK(e.instances("sale")[0].version == 1);
    // Only the newest version starts instances.
    CHECK(e.trigger("sale.saved", ola).empty());
    CHECK(e.trigger("sale.created", ola).size() == 1);
    CHECK(e.metrics("sale").starts == 2);
    CHECK_THROWS_AS(e.load_version(compiled(v1), 2), nudge::error); // not above the newest
}
