// DurableEngine: steps committed to SQLite, replayed on open; the outbox delivers once per
// key, retries refusals, and a broken, foreign or newer database is refused untouched.
#include "../runtime/runtime_support.hpp"

#include "store_support.hpp"

#include <nudge/store.hpp>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fs = std::filesystem;
using namespace nudge;
using namespace nudge::test;

namespace {

const std::string sale_flow = R"(flow sale
timezone "Europe/Oslo"

field phone: phone
field first_name: text

channel sms to phone from "4790000000"
keywords yes = "ja", "ok"
window daytime = mon-sun 09:00-21:00

trigger sale.saved as phone {
  start asked
}

state asked {
  send sms "Hei {first_name}, svar JA for å bekrefte."
  on reply yes -> confirmed
  after 3d -> lapsed
  remind after 1d within daytime prefix "Påminnelse: "
}

final confirmed {
  send sms "Takk, {first_name}!"
}

final lapsed
)";

std::string file_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

DurableOptions quick() {
    DurableOptions o;
    o.synchronous_full = false;
    return o;
}

// Commits that do not wait for the disk, made durable by sync_to_disk().
DurableOptions deferred() {
    DurableOptions o;
    o.synchronous_full = true;
    o.deferred_sync = true;
    o.deliver_after_step = false;
    return o;
}

} // namespace

TEST_CASE("a reopened database resumes instances and timers where they were") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    std::uint64_t kari = 0;
    {
        DurableEngine e(db.file, clock, out, quick());
        CHECK(e.load(compiled(sale_flow)) == 1);
        kari = e.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
        e.trigger("sale.saved", {{"phone", "+4791234568"}, {"first_name", "Ola"}});
        CHECK(e.steps() == 3);
        CHECK(out.sent().size() == 2);
    }
    // Down for two days: the reminder (due 2026-03-29 20:00) and nothing else passed.
    clock.set(parse_instant("2026-03-30T12:00:00+02:00"));
    RecordingTransport out2;
    DurableEngine e(db.file, clock, out2, quick());
    CHECK(e.flows() == std::vector<std::string>{"sale"});
    CHECK(e.load(compiled(sale_flow)) == 1); // the same text is the same version
    REQUIRE(e.engine().instance(kari).has_value());
    CHECK(e.engine().instance(kari)->state == "asked");
    CHECK(out2.sent().empty()); // nothing handed over twice
    REQUIRE(e.next_due().has_value());
    CHECK(format_instant(*e.next_due(), "Europe/Oslo") == "2026-03-29T20:00:00+02:00");
    // Overdue timers fire once, in deadline order, with their original deadlines recorded.
    CHECK(e.run_due() == 2);
    REQUIRE(out2.sent().size() == 2);
    CHECK(out2.sent()[0].to == "+4791234567");
    CHECK(out2.sent()[0].text == "Påminnelse: Hei Kari, svar JA for å bekrefte.");
    CHECK(e.run_due() == 0);
    e.reply({"+4791234567", "4790000000", "Ja!"});
    CHECK(e.engine().instance(kari)->state == "confirmed");
    CHECK(out2.sent().back().text == "Takk, Kari!");
}

TEST_CASE("the outbox: a refused message is retried with backoff and delivered once") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    DurableEngine e(db.file, clock, out, quick());
    e.load(compiled(sale_flow));
    out.refuse_next(2);
    e.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    CHECK(out.sent().empty());
    auto pending = e.outbox();
    REQUIRE(pending.size() == 1);
    CHECK(pending[0].attempts == 1);
    CHECK(pending[0].message.id == "sale/1/1");
    CHECK(format_instant(*e.next_delivery()) == "2026-03-28T19:00:30+00:00");
    CHECK(e.deliver() == 0); // not yet time
    clock.advance(std::chrono::seconds(30));
    CHECK(e.deliver() == 0); // refused again: next try a minute later
    CHECK(format_instant(*e.next_delivery()) == "2026-03-28T19:01:30+00:00");
    clock.advance(std::chrono::seconds(60));
    CHECK(e.deliver() == 1);
    REQUIRE(out.sent().size() == 1);
    CHECK(out.sent()[0].id == "sale/1/1");
    CHECK(e.outbox().empty());
    CHECK(e.outbox(false).size() == 1);
    CHECK(e.deliver() == 0);
}

TEST_CASE("messages handed over but not marked done go again with the same key after a crash") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    DurableOptions o = quick();
    o.deliver_after_step = false; // as if the process died between commit and hand-over
    {
        DurableEngine e(db.file, clock, out, o);
        e.load(compiled(sale_flow));
        e.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
        CHECK(out.sent().empty());
    }
    DurableEngine e(db.file, clock, out, quick());
    CHECK(e.deliver() == 1);
    REQUIRE(out.sent().size() == 1);
    CHECK(out.sent()[0].id == "sale/1/1");
}

TEST_CASE("host answers are journaled: a replay never asks the host again") {
    TempDb db;
    FakeClock clock("2026-06-01T10:00:00+02:00");
    RecordingTransport out;
    const std::string flow = R"(flow orders
timezone "Europe/Copenhagen"

field phone: phone
field items: text?
fact kitchen_open: bool

channel sms to phone from "4570000000"

trigger order.received as phone {
  start parsing
}

state parsing {
  do "order.parse"
  if kitchen_open -> accepted
  else -> closed
}

final accepted {
  send sms "We are making {items}."
}

final closed
)";
    int asked = 0;
    std::uint64_t id = 0;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.on_action([&](const ActionCall&) -> std::optional<Data> {
            ++asked;
            return Data{{"items", "2 pizzas"}};
        });
        e.on_fact([&](const FactQuery&) -> std::optional<std::string> {
            ++asked;
            return "true";
        });
        e.load(compiled(flow));
        id = e.trigger("order.received", {{"phone", "+4520000001"}})[0];
        CHECK(asked == 2);
    }
    DurableEngine e(db.file, clock, out, quick());
    e.on_action([&](const ActionCall&) -> std::optional<Data> {
        FAIL("asked again");
        return std::nullopt;
    });
    CHECK(e.engine().instance(id)->state == "accepted");
    CHECK(e.engine().instance(id)->fields.at("items") == "2 pizzas");
    CHECK(out.sent().size() == 1);
}

TEST_CASE("a changed flow is a new version and going back to an older text is another") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    auto changed = sale_flow;
    changed.replace(changed.find("after 3d"), 8, "after 4d");
    {
        DurableEngine e(db.file, clock, out, quick());
        CHECK(e.load(compiled(sale_flow)) == 1);
        CHECK(e.load(compiled(changed)) == 2);
        CHECK(e.engine().version("sale") == 2);
    }
    DurableEngine e(db.file, clock, out, quick());
    CHECK(e.load(compiled(changed)) == 2);
    CHECK(e.load(compiled(sale_flow)) == 3); // the newest is what was loaded last
    CHECK(e.engine().version("sale") == 3);
}

TEST_CASE("a foreign, corrupt or newer database is refused and left untouched") {
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    SUBCASE("not a database at all") {
        TempDb db;
        std::ofstream(db.file) << "these are not the pages you are looking for\n";
        auto before = file_bytes(db.file);
        CHECK_THROWS_AS(DurableEngine(db.file, clock, out), store_error);
        CHECK(file_bytes(db.file) == before);
    }
    SUBCASE("another application's database") {
        TempDb db;
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(db.file.c_str(), &raw) == SQLITE_OK);
        sqlite3_exec(raw, "CREATE TABLE customers(id INTEGER)", nullptr, nullptr, nullptr);
        sqlite3_close(raw);
        auto before = file_bytes(db.file);
        try {
            DurableEngine e(db.file, clock, out);
            FAIL("opened a foreign database");
        } catch (const store_error& e) {
            CHECK(std::string(e.what()).find("not a nudge database") != std::string::npos);
        }
        CHECK(file_bytes(db.file) == before);
    }
    SUBCASE("a newer schema") {
        TempDb db;
        { DurableEngine e(db.file, clock, out); }
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(db.file.c_str(), &raw) == SQLITE_OK);
        sqlite3_exec(raw, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
        sqlite3_close(raw);
        auto before = file_bytes(db.file);
        try {
            DurableEngine e(db.file, clock, out);
            FAIL("opened a newer database");
        } catch (const store_error& e) {
            CHECK(std::string(e.what()).find("newer") != std::string::npos);
        }
        CHECK(file_bytes(db.file) == before);
    }
    SUBCASE("a truncated file") {
        TempDb db;
        {
            DurableEngine e(db.file, clock, out, quick());
            e.load(compiled(sale_flow));
            for (int i = 0; i < 200; ++i)
                e.trigger("sale.saved", {{"phone", "+479100" + std::to_string(1000 + i)},
                                         {"first_name", "Kari"}});
        }
        auto bytes = file_bytes(db.file);
        REQUIRE(bytes.size() > 8192);
        // Keep the header page, scramble the rest.
        for (std::size_t i = 4096; i < bytes.size(); ++i)
            bytes[i] = static_cast<char>(i * 7);
        std::ofstream(db.file, std::ios::binary | std::ios::trunc) << bytes;
        CHECK_THROWS_AS(DurableEngine(db.file, clock, out), store_error);
        CHECK(file_bytes(db.file) == bytes);
    }
}

TEST_CASE("a full disk: the step fails with a clear error and did not happen") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    DurableOptions o = quick();
    o.max_pages = 40;
    DurableEngine e(db.file, clock, out, o);
    e.load(compiled(sale_flow));
    int ok = 0;
    bool full = false;
    for (int i = 0; i < 2000 && !full; ++i) {
        try {
            e.trigger("sale.saved", {{"phone", "+479100" + std::to_string(1000 + i)},
                                     {"first_name", std::string(200, 'x')}});
            ++ok;
        } catch (const store_error& err) {
            full = true;
            CHECK(std::string(err.what()).find("not saved") != std::string::npos);
        }
    }
    REQUIRE(full);
    // The engine is back at the last commit: exactly the saved instances exist.
    CHECK(e.engine().instances("sale").size() == static_cast<std::size_t>(ok));
    CHECK(e.steps() == ok + 1);
}

TEST_CASE("a batch commits its steps together, and only then do messages go out") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    std::vector<std::string> seen;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.on_record([&](const Record& r) { seen.push_back(r.kind); });
        e.load(compiled(sale_flow));
        seen.clear();
        e.batch([&] {
            for (int i = 0; i < 10; ++i)
                e.trigger("sale.saved", {{"phone", "+479100" + std::to_string(1000 + i)},
                                         {"first_name", "Kari"}});
            CHECK(out.sent().empty()); // nothing acknowledged inside the batch
            CHECK(seen.empty());
        });
        CHECK(out.sent().size() == 10);
        CHECK_FALSE(seen.empty());
        CHECK(e.steps() == 11);
        // An exception inside a batch abandons all of it.
        CHECK_THROWS_AS(e.batch([&] {
            e.trigger("sale.saved", {{"phone", "+4791009999"}, {"first_name", "Ola"}});
            throw std::runtime_error("the host changed its mind");
        }),
                        std::runtime_error);
        CHECK(e.steps() == 11);
        CHECK(e.engine().instances("sale").size() == 10);
    }
    RecordingTransport again;
    DurableEngine e(db.file, clock, again, quick());
    CHECK(e.engine().instances("sale").size() == 10);
    CHECK(again.sent().empty());
}

TEST_CASE("a batch that does not fit on the disk did not happen at all") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    DurableOptions o = quick();
    o.max_pages = 60;
    DurableEngine e(db.file, clock, out, o);
    e.load(compiled(sale_flow));
    e.trigger("sale.saved", {{"phone", "+4791001000"}, {"first_name", "Kari"}});
    CHECK_THROWS_AS(e.batch([&] {
        for (int i = 1; i < 3000; ++i)
            e.trigger("sale.saved", {{"phone", "+479100" + std::to_string(1000 + i)},
                                     {"first_name", std::string(100, 'x')}});
    }),
                    store_error);
    CHECK(e.engine().instances("sale").size() == 1);
    CHECK(e.steps() == 2);
    CHECK(out.sent().size() == 1);
}

TEST_CASE("a repeat that fires without a trace is journaled, so it keeps its schedule") {
    // `every 30s while …` with the condition false fires without a record or a message; it
    // only sets the next tick. That is still a step: without it a restart would fire the tick
    // again at the restart and move every later tick.
    const std::string flow = R"(flow queue
timezone "Europe/Copenhagen"

field call_id: text
field caller: phone
field busy: text

channel sms to caller from "4570203040"

trigger call.queued as call_id {
  start waiting
}

state waiting {
  every 30s while busy == "yes" {
    send sms "You are still in the queue."
  }
  after 10m -> done
}

final done
)";
    TempDb db;
    FakeClock clock("2026-02-10T10:00:00+01:00");
    RecordingTransport out;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(flow));
        e.trigger("call.queued", {{"call_id", "c-1"}, {"caller", "+4520123456"}, {"busy", "no"}});
        auto before = e.steps();
        clock.set(parse_instant("2026-02-10T10:00:30+01:00"));
        CHECK(e.run_due() == 1); // the silent tick
        CHECK(e.steps() == before + 1);
        REQUIRE(e.next_due().has_value());
        CHECK(format_instant(*e.next_due(), "Europe/Copenhagen") == "2026-02-10T10:01:00+01:00");
    }
    CHECK(format_instant(StoreView(db.file).timers().front().due, "Europe/Copenhagen") ==
          "2026-02-10T10:01:00+01:00");
    // Back 15 s later: the next tick is still due at 10:01:00, and nothing fires before it.
    clock.set(parse_instant("2026-02-10T10:00:45+01:00"));
    DurableEngine e(db.file, clock, out, quick());
    REQUIRE(e.next_due().has_value());
    CHECK(format_instant(*e.next_due(), "Europe/Copenhagen") == "2026-02-10T10:01:00+01:00");
    CHECK(e.run_due() == 0);
    CHECK(out.sent().empty());
}

TEST_CASE("a person's actions are kept with their name: assign, move, cancel, close, opt-outs") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    std::uint64_t kari = 0, ola = 0;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(sale_flow));
        kari = e.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
        ola = e.trigger("sale.saved", {{"phone", "+4791234568"}, {"first_name", "Ola"}})[0];
        e.reply({"+4791234567", "4790000000", "kanskje"}); // to the inbox: unmatched
        e.reply({"+4791234568", "4790000000", "hvem er dette?"});
        e.reply({"+4799999999", "4790000000", "feil nummer"}); // unknown
        REQUIRE(e.engine().inbox().size() == 3);
        e.assign(1, kari, "anna");
        e.move(kari, "confirmed", "anna");
        e.cancel(ola, "asked by phone", "bo");
        e.close(3, "a wrong number, nothing to do", "bo");
        e.suppress("+4791234568", "asked not to be texted", "bo");
        CHECK(e.unsuppress("+4799999999", "never on the list", "bo") == std::nullopt);
        e.suppress("+4799999999", "wrong number", "anna");
        CHECK(e.unsuppress("+4799999999", "asked again", "anna") == "+4799999999");
        CHECK_THROWS_AS(e.close(9, "no such message", "bo"), nudge::error);
    }
    // Everything survives a reopen, read both from the replayed engine and from the tables.
    DurableEngine e(db.file, clock, out, quick());
    const auto& inbox = e.engine().inbox();
    REQUIRE(inbox.size() == 3);
    CHECK(inbox[0].assigned_to == kari);
    CHECK(inbox[1].open());
    CHECK_FALSE(inbox[2].open());
    CHECK(inbox[2].handled_by == "bo");
    CHECK(inbox[2].note == "a wrong number, nothing to do");
    StoreView view(db.file);
    auto stored = view.inbox(true);
    REQUIRE(stored.size() == 1);
    CHECK(stored[0].id == 2);
    auto all = view.inbox();
    REQUIRE(all.size() == 3);
    CHECK(all[2].handled_at.has_value());
    CHECK(all[2].note == "a wrong number, nothing to do");
    REQUIRE(e.engine().suppressions().size() == 1);
    CHECK(e.engine().suppressions()[0].address == "+4791234568");

    auto by_of = [](const std::vector<Record>& history, const std::string& kind) {
        for (const auto& r : history)
            if (r.kind == kind) return std::string(r.get("by"));
        return std::string("(none)");
    };
    auto k = e.instance(kari);
    REQUIRE(k);
    CHECK(by_of(k->history, "assigned") == "anna");
    CHECK(by_of(k->history, "moved") == "anna");
    CHECK(k->state == "confirmed");
    auto o = e.instance(ola);
    REQUIRE(o);
    CHECK(by_of(o->history, "cancelled") == "bo");
    auto global = e.history(0);
    std::vector<std::string> kinds;
    for (const auto& r : global) // also the unknown sender's inbox record: not a person's
        if (!r.get("by").empty()) kinds.push_back(r.kind + " " + std::string(r.get("by")));
    CHECK(kinds == std::vector<std::string>{"handled bo", "opt_out_added bo", "opt_out_added anna",
                                            "opt_out_removed anna"});
}

TEST_CASE("a message sent by hand is one step: kept, and not sent again after a restart") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    std::uint64_t id = 0;
    {
        DurableEngine e(db.file, clock, out, quick());
        e.load(compiled(sale_flow));
        id = e.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}}).at(0);
        CHECK(e.send_by_hand(id, "sms", "Hei {first_name}, vi ringer deg.", "anna"));
        CHECK_THROWS_AS(e.send_by_hand(id, "sms", "{nothing}", "anna"), nudge::error);
        CHECK(e.steps() == 3);
    }
    auto sent = out.sent().size();
    DurableEngine again(db.file, clock, out, quick());
    again.deliver();
    CHECK(out.sent().size() == sent);
    auto history = again.history(id);
    auto it = std::find_if(history.begin(), history.end(), [](const Record& r) {
        return r.kind == "sent" && r.get("by") == "anna";
    });
    REQUIRE(it != history.end());
    CHECK(it->get("text") == "Hei Kari, vi ringer deg.");
}

TEST_CASE("deferred sync: each commit is counted, and a flush from another thread covers them") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    DurableOptions options = deferred();
    {
        DurableEngine e(db.file, clock, out, options);
        e.load(compiled(sale_flow));
        auto before = e.commits();
        e.trigger("sale.saved", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
        e.trigger("sale.saved", {{"phone", "+4791234568"}, {"first_name", "Ola"}});
        CHECK(e.commits() == before + 2); // one transaction per step
        e.batch([&] {
            e.trigger("sale.saved", {{"phone", "+4791234569"}, {"first_name", "Per"}});
            e.trigger("sale.saved", {{"phone", "+4791234570"}, {"first_name", "Liv"}});
        });
        CHECK(e.commits() == before + 3); // a batch is one
        // The flush is the one member another thread may call while the engine is in use.
        std::string failure;
        std::thread flusher([&] {
            try {
                e.sync_to_disk();
            } catch (const std::exception& ex) {
                failure = ex.what();
            }
        });
        e.trigger("sale.saved", {{"phone", "+4791234571"}, {"first_name", "Eva"}});
        flusher.join();
        CHECK(failure.empty());
        e.sync_to_disk();
        CHECK(fs::exists(db.file.string() + "-wal"));
    }
    DurableEngine again(db.file, clock, out, options);
    CHECK(again.instances("sale").size() == 5);
    // Without deferred sync every commit waits for the disk, and the flush has nothing to do.
    options.deferred_sync = false;
    TempDb other;
    DurableEngine plain(other.file, clock, out, options);
    plain.load(compiled(sale_flow));
    plain.sync_to_disk();
    CHECK(plain.commits() > 0);
}

TEST_CASE(
    "deferred sync: the flush also checkpoints a large WAL into the database, off the writer") {
    TempDb db;
    FakeClock clock("2026-03-28T20:00:00+01:00");
    RecordingTransport out;
    DurableOptions options = deferred();
    DurableEngine e(db.file, clock, out, options);
    e.load(compiled(sale_flow));
    auto wal = fs::path(db.file.string() + "-wal");
    // The writer never checkpoints by itself: the WAL grows past SQLite's usual 1000 pages
    // and the database file stays as it was.
    auto db_before = fs::file_size(db.file);
    for (int batch = 0; fs::file_size(wal) < (16u << 20) && batch < 400; ++batch) {
        e.batch([&] {
            for (int i = 0; i < 50; ++i) {
                auto n = std::to_string(1'000'000 + batch * 50 + i);
                e.trigger("sale.saved", {{"phone", "+479" + n}, {"first_name", "K"}});
            }
        });
    }
    REQUIRE(fs::file_size(wal) >= (16u << 20));
    CHECK(fs::file_size(db.file) == db_before);
    e.sync_to_disk(); // flushes the WAL, then copies it into the database
    CHECK(fs::file_size(db.file) > db_before + (1u << 20));
    // The writer goes on, and what it wrote before and after is there on reopening.
    e.trigger("sale.saved", {{"phone", "+4799999999"}, {"first_name", "Siste"}});
    auto live = e.instances("sale").size();
    e.sync_to_disk();
    DurableEngine again(db.file, clock, out, options);
    CHECK(again.instances("sale").size() == live);
}
