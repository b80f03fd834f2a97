// Delivery by the host's workers (take_due / settle), permanent refusals routed to
// `on send.failed`, gateway delivery reports, and the receipts of requests with an
// idempotency key: each through DurableEngine, and each surviving a restart.
#include "../runtime/runtime_support.hpp"

#include "store_support.hpp"

#include <nudge/store.hpp>

#include <filesystem>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace nudge;
using namespace nudge::test;

namespace {

const std::string recall = R"(flow recall
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

trigger car.due as phone {
  start invited
}

state invited {
  send sms "Your car is due for service."
  after 7d -> reminded
  on send.failed -> by_hand
}

state reminded {
  send sms "A gentle reminder: your car is due for service."
  after 14d -> lapsed
}

final by_hand
final lapsed
)";

DurableOptions by_host() {
    DurableOptions o;
    o.synchronous_full = false;
    o.deliver_after_step = false;
    return o;
}

// A transport that refuses every message for good (a gateway's 400).
class Refusing final : public Transport {
public:
    SendResult send(const Message&) override {
        return {false, {}, "the gateway refused the number", true};
    }
};

std::vector<std::string> kinds(const DurableEngine& e, std::uint64_t id) {
    std::vector<std::string> out;
    auto view = e.engine().instance(id); // kept: the loop must not outlive it
    for (const auto& r : view->history)
        out.push_back(r.kind);
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
}

} // namespace

TEST_CASE("take_due claims messages once, settle marks them done, retried or failed") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport unused;
    DurableEngine e(db.file, clock, unused, by_host());
    e.load(compiled(recall));
    auto a = e.trigger("car.due", {{"phone", "+4520000001"}}).at(0);
    auto b = e.trigger("car.due", {{"phone", "+4520000002"}}).at(0);
    auto c = e.trigger("car.due", {{"phone", "+4520000003"}}).at(0);
    REQUIRE(e.outbox().size() == 3);

    auto first = e.take_due(2);
    REQUIRE(first.size() == 2);
    CHECK(e.claimed() == 2);
    auto rest = e.take_due(10);
    REQUIRE(rest.size() == 1); // the claimed two are not handed out again
    CHECK(e.take_due(10).empty());
    CHECK_FALSE(e.next_delivery()); // every due message is claimed: nothing to wake for

    // Accepted, refused for now, refused for good.
    std::vector<std::pair<std::string, SendResult>> results;
    results.emplace_back(first[0].message.id, SendResult{});
    results.emplace_back(first[1].message.id, SendResult{false, {}, "gateway busy", false});
    results.emplace_back(rest[0].message.id, SendResult{false, {}, "no such number", true});
    e.settle(results);
    CHECK(e.claimed() == 0);

    auto done = e.outbox_item(first[0].message.id);
    REQUIRE(done);
    CHECK(done->done_at);
    auto retry = e.outbox_item(first[1].message.id);
    REQUIRE(retry);
    CHECK(retry->unfinished());
    CHECK(retry->last_error == "gateway busy");
    CHECK(e.next_delivery() == clock.now() + std::chrono::seconds(30));
    auto failed = e.outbox_item(rest[0].message.id);
    REQUIRE(failed);
    CHECK(failed->failed_at);
    CHECK_FALSE(failed->unfinished());

    // The permanent refusal routed `on send.failed`; the others wait.
    CHECK(e.engine().instance(a)->state == "invited");
    CHECK(e.engine().instance(b)->state == "invited");
    auto failed_view = e.engine().instance(c);
    CHECK(failed_view->state == "by_hand");
    CHECK(has(kinds(e, c), "failed"));

    // After the backoff the refused one comes back, with the same key.
    clock.advance(std::chrono::seconds(30));
    auto again = e.take_due(10);
    REQUIRE(again.size() == 1);
    CHECK(again[0].message.id == first[1].message.id);
    CHECK(again[0].attempts == 1);
}

TEST_CASE("claims are not kept: after a restart an unsettled message is handed over again") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport unused;
    std::string key;
    {
        DurableEngine e(db.file, clock, unused, by_host());
        e.load(compiled(recall));
        e.trigger("car.due", {{"phone", "+4520000001"}});
        auto taken = e.take_due(10);
        REQUIRE(taken.size() == 1);
        key = taken[0].message.id;
    } // "crashed" with the send in flight
    DurableEngine e(db.file, clock, unused, by_host());
    auto taken = e.take_due(10);
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].message.id == key);
}

TEST_CASE("a permanent refusal in deliver() routes send.failed, and the step replays") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    Refusing gateway;
    std::uint64_t id = 0;
    {
        DurableOptions o = by_host();
        o.deliver_after_step = true;
        DurableEngine e(db.file, clock, gateway, o);
        e.load(compiled(recall));
        id = e.trigger("car.due", {{"phone", "+4520000001"}}).at(0);
        CHECK(e.engine().instance(id)->state == "by_hand");
        CHECK(e.outbox(true).empty());
        CHECK_FALSE(e.next_delivery()); // never tried again
    }
    DurableEngine e(db.file, clock, gateway, by_host());
    CHECK(e.engine().instance(id)->state == "by_hand");
    auto h = e.engine().instance(id)->history;
    auto failed =
        std::find_if(h.begin(), h.end(), [](const Record& r) { return r.kind == "failed"; });
    REQUIRE(failed != h.end());
    CHECK(failed->get("error") == "the gateway refused the number");
}

TEST_CASE("delivery reports: delivered is recorded, not delivered routes send.failed") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    std::uint64_t a = 0, b = 0;
    {
        DurableEngine e(db.file, clock, out, by_host());
        e.load(compiled(recall));
        a = e.trigger("car.due", {{"phone", "+4520000001"}}).at(0);
        b = e.trigger("car.due", {{"phone", "+4520000002"}}).at(0);
        CHECK(e.deliver() == 2);
        auto items = e.outbox(false);
        REQUIRE(items.size() == 2);

        DeliveryReport ok;
        ok.instance = a;
        ok.message_id = items[0].message.id;
        ok.channel = "sms";
        ok.to = items[0].message.to;
        ok.delivered = true;
        ok.detail = "delivered";
        e.report(ok);

        DeliveryReport lost = ok;
        lost.instance = b;
        lost.message_id = items[1].message.id;
        lost.to = items[1].message.to;
        lost.delivered = false;
        lost.detail = "rejected by the SMSC";
        e.report(lost);

        CHECK(e.engine().instance(a)->state == "invited");
        CHECK(e.engine().instance(b)->state == "by_hand");
        CHECK_THROWS_AS(e.report(DeliveryReport{99, "x", "sms", "", true, ""}), error);
    }
    DurableEngine e(db.file, clock, out, by_host());
    auto ha = e.engine().instance(a)->history;
    auto delivered =
        std::find_if(ha.begin(), ha.end(), [](const Record& r) { return r.kind == "delivered"; });
    REQUIRE(delivered != ha.end());
    CHECK(delivered->get("detail") == "delivered");
    CHECK(delivered->get("to") == "+4520000001");
    CHECK(e.engine().instance(b)->state == "by_hand");
    CHECK(has(kinds(e, b), "failed"));
}

TEST_CASE("receipts: kept with the batch's commit, gone with its rollback, pruned when old") {
    TempDb db;
    FakeClock clock("2026-03-02T10:00:00+01:00");
    RecordingTransport out;
    DurableOptions o = by_host();
    o.receipt_retention = std::chrono::hours(24);
    {
        DurableEngine e(db.file, clock, out, o);
        e.load(compiled(recall));
        e.batch([&] {
            e.trigger("car.due", {{"phone", "+4520000001"}});
            e.remember("req-1", R"({"status":202})");
        });
        CHECK(e.receipt("req-1") == R"({"status":202})");
        CHECK_THROWS(e.batch([&] {
            e.trigger("car.due", {{"phone", "+4520000002"}});
            e.remember("req-2", R"({"status":202})");
            throw std::runtime_error("the host gave up");
        }));
        CHECK_FALSE(e.receipt("req-2"));
        CHECK(e.engine().instances("recall").size() == 1);
    }
    DurableEngine e(db.file, clock, out, o);
    CHECK(e.receipt("req-1") == R"({"status":202})");
    // A day and a second later the next remember() prunes what is older than a day (the first
    // remember after opening prunes).
    clock.advance(std::chrono::hours(24) + std::chrono::seconds(1));
    e.remember("req-3", "{}");
    CHECK_FALSE(e.receipt("req-1"));
    CHECK(e.receipt("req-3") == "{}");
}
