// DESIGN §5 "Replies", "Opt-out": normalization, routing by (from, to), the inbox.
#include "runtime_support.hpp"
#include "test_support.hpp"

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

std::string outcome_flow(const std::string& name, const std::string& sender) {
    return "flow " + name + R"(
timezone "Europe/Oslo"

field phone: phone
field first_name: text

channel sms to phone from ")" +
           sender + R"("

keywords yes = "ok", "ja"

opt_out "STOP"

trigger outcome.sale as phone {
  start sale
}

state sale {
  send sms "Hei {first_name}! Svar OK for å bekrefte."
  on reply yes -> confirmed
  after 3d -> lapsed
}

final confirmed {
  send sms "Takk, bestillingen er bekreftet."
}

final lapsed
)";
}

} // namespace

TEST_CASE("'OK!' matches an approved 'ok' while 'Okei' goes to the inbox as unmatched") {
    Rig rig("2026-05-12T12:00:00+02:00", outcome_flow("sale", "4790000000"));
    auto id =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
    rig.engine.reply({"+4791234567", "4790000000", "Okei"});
    CHECK(rig.state_of(id) == "sale");
    REQUIRE(rig.engine.inbox().size() == 1);
    CHECK(rig.engine.inbox()[0].reason == "unmatched");
    CHECK(rig.engine.inbox()[0].message.text == "Okei");

    rig.engine.reply({"+47 912 34 567", "+4790000000", "OK!"});
    CHECK(rig.state_of(id) == "confirmed");
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[1].text == "Takk, bestillingen er bekreftet.");
    CHECK(rig.engine.metrics("sale").replies == 2);
}

TEST_CASE("a reply from a number with instances in two flows on one sender is ambiguous") {
    Rig rig("2026-05-12T12:00:00+02:00");
    rig.load(outcome_flow("campaign_a", "4790000000"), "a.flow");
    rig.load(outcome_flow("campaign_b", "4790000000"), "b.flow");
    auto ids =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    REQUIRE(ids.size() == 2);
    rig.engine.reply({"+4791234567", "4790000000", "ja"});
    REQUIRE(rig.engine.inbox().size() == 1);
    CHECK(rig.engine.inbox()[0].reason == "ambiguous");
    CHECK(rig.engine.inbox()[0].candidates == ids);
    CHECK(rig.state_of(ids[0]) == "sale");
    CHECK(rig.state_of(ids[1]) == "sale");

    // A person assigns it: recorded on the instance, never a matched reply.
    rig.engine.assign(1, ids[0]);
    CHECK(rig.state_of(ids[0]) == "sale");
    CHECK(rig.engine.inbox()[0].assigned_to == ids[0]);
    auto view = rig.engine.instance(ids[0]);
    CHECK(view->history.back().kind == "assigned");
    // ... and moves it by hand.
    rig.engine.move(ids[0], "confirmed");
    CHECK(rig.state_of(ids[0]) == "confirmed");
}

TEST_CASE("a reply nobody waits for is 'unknown'") {
    Rig rig("2026-05-12T12:00:00+02:00", outcome_flow("sale", "4790000000"));
    rig.engine.reply({"+4799999999", "4790000000", "ja"});
    REQUIRE(rig.engine.inbox().size() == 1);
    CHECK(rig.engine.inbox()[0].reason == "unknown");
}

TEST_CASE("STOP while waiting for a reply opts the number out everywhere") {
    Rig rig("2026-05-12T12:00:00+02:00", outcome_flow("sale", "4790000000"));
    auto id =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
    rig.engine.reply({"+4791234567", "4790000000", "Stop, takk"});
    // Not an answer: the instance still waits, the number is suppressed.
    CHECK(rig.state_of(id) == "sale");
    REQUIRE(rig.engine.suppressions().size() == 1);
    CHECK(rig.engine.suppressions()[0].address == "+4791234567");
    CHECK(rig.engine.inbox().empty());
    // Later starts are blocked.
    rig.advance(4 * 24h);
    auto again =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}});
    CHECK(again.empty());
    CHECK(rig.engine.metrics("sale").suppressed.at("opted_out") == 1);
    CHECK(rig.out.sent().size() == 1);
}

TEST_CASE("an opt-out raises opted.out on the number's instances, which a route may take") {
    auto flow = outcome_flow("sale", "4790000000");
    flow.replace(flow.find("  after 3d -> lapsed"), 0, "  on opted.out -> withdrawn\n");
    flow += "\nfinal withdrawn\n";
    Rig rig("2026-05-12T12:00:00+02:00", flow);
    auto kari =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
    auto ola =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234568"}, {"first_name", "Ola"}})[0];
    rig.engine.reply({"+4791234567", "4790000000", "STOP"});
    CHECK(rig.state_of(kari) == "withdrawn");
    CHECK(rig.state_of(ola) == "sale");
    // An opt-out the host reports reaches the instances the same way.
    rig.engine.suppress("+4791234568", "customer service");
    CHECK(rig.state_of(ola) == "withdrawn");
    CHECK(rig.engine.suppressions().size() == 2);
}

TEST_CASE("routes are tried in order, other catches the rest, inbox routes keep waiting") {
    Rig rig("2026-05-12T12:00:00+02:00", R"(flow booking
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"

keywords yes = "ja"
keywords no = "nej"
keywords call = "ring mig"

trigger booking.created as phone {
  start asked
}

state asked {
  send sms "Svar JA, NEJ eller RING MIG."
  on reply call -> callback
  on reply yes -> confirmed
  on reply no -> declined
  on reply other -> inbox
}

final confirmed

final declined

final callback
)");
    auto id = rig.engine.trigger("booking.created", {{"phone", "+4520123456"}})[0];
    rig.engine.reply({"+4520123456", "4570000000", "Hvad koster det?"});
    CHECK(rig.state_of(id) == "asked");
    REQUIRE(rig.engine.inbox().size() == 1);
    CHECK(rig.engine.inbox()[0].reason == "routed");
    rig.engine.reply({"+4520123456", "4570000000", "Ja, men ring mig først 👍"});
    CHECK(rig.state_of(id) == "callback");
}

TEST_CASE("'on reply any' and 'other' take an empty or blank reply, a keyword set never does") {
    Rig rig("2026-05-12T12:00:00+02:00", R"(flow anything
timezone "Europe/Istanbul"

field phone: phone

channel sms to phone from "905320000000"

keywords cancel = "iptal"
keywords thumbs = "👍"

trigger order.saved as phone {
  start asked
}

state asked {
  send sms "Onaylamak için 👍, iptal için İPTAL yazın."
  on reply cancel -> cancelled
  on reply thumbs -> confirmed
  on reply any -> answered
}

final cancelled

final confirmed

final answered
)");
    auto blank = rig.engine.trigger("order.saved", {{"phone", "+905321111111"}})[0];
    rig.engine.reply({"+905321111111", "905320000000", "   "});
    CHECK(rig.state_of(blank) == "answered");
    auto empty = rig.engine.trigger("order.saved", {{"phone", "+905322222222"}})[0];
    rig.engine.reply({"+905322222222", "905320000000", ""});
    CHECK(rig.state_of(empty) == "answered");
    auto symbols = rig.engine.trigger("order.saved", {{"phone", "+905323333333"}})[0];
    rig.engine.reply({"+905323333333", "905320000000", "?!"});
    CHECK(rig.state_of(symbols) == "answered");
    // An emoji is a word: it can be a keyword, skin tone or not.
    auto thumbs = rig.engine.trigger("order.saved", {{"phone", "+905324444444"}})[0];
    rig.engine.reply({"+905324444444", "905320000000", "👍🏽"});
    CHECK(rig.state_of(thumbs) == "confirmed");
    auto cancel = rig.engine.trigger("order.saved", {{"phone", "+905325555555"}})[0];
    rig.engine.reply({"+905325555555", "905320000000", "İPTAL"});
    CHECK(rig.state_of(cancel) == "cancelled");
    CHECK(rig.engine.inbox().empty());
}

TEST_CASE("keyword sets match any, all, the start or exactly, with or without accents") {
    Rig rig("2026-05-12T12:00:00+02:00",
            test::read_text(test::test_dir() / "dsl" / "valid" / "text-keyword-forms.flow"));
    auto ask = [&](const std::string& phone, const std::string& text) {
        auto id = rig.engine.trigger("order.saved", {{"phone", phone}})[0];
        rig.engine.reply({phone, "905320000000", text});
        return rig.state_of(id);
    };
    CHECK(ask("+905321000001", "HAYIR") == "declined");
    CHECK(ask("+905321000002", "Bugün bir PIZZA") == "ordered");
    CHECK(ask("+905321000003", "pizza yarın") == "asked");
    CHECK(ask("+905321000004", "Dur lütfen") == "stopped");
    CHECK(ask("+905321000005", "lütfen dur") == "asked");
    CHECK(ask("+905321000006", "Evet lütfen!") == "confirmed");
    CHECK(ask("+905321000007", "evet ama yarın") == "asked");
    CHECK(ask("+905321000008", "CAFÉ") == "confirmed");
    CHECK(ask("+905321000009", "cafe") == "asked"); // 'cafe' keeps its accents
}

TEST_CASE("replies and opt-outs follow the number the instance has now") {
    Rig rig("2026-05-12T12:00:00+02:00", outcome_flow("sale", "4790000000"));
    auto id =
        rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
    // The host corrects the number: the event's data is merged into the fields.
    CHECK(rig.engine.signal("sale", "+4791234567", "number.corrected",
                            {{"phone", "+47 922 33 444"}}) == 0);
    rig.engine.reply({"+4791234567", "4790000000", "ok"});
    CHECK(rig.state_of(id) == "sale");
    REQUIRE(rig.engine.inbox().size() == 1);
    CHECK(rig.engine.inbox()[0].reason == "unknown");
    // A STOP from the old number reaches nobody.
    rig.engine.reply({"+4791234567", "4790000000", "STOP"});
    CHECK(rig.records("cancelled").empty());

    rig.engine.reply({"92233444", "+4790000000", "ok"});
    CHECK(rig.state_of(id) == "confirmed");
    REQUIRE(rig.out.sent().size() == 2);
    CHECK(rig.out.sent()[1].to == "+4792233444");
}

TEST_CASE("an opt-out reaches every live instance that sends to the number, and only those") {
    Rig rig("2026-05-12T12:00:00+02:00");
    rig.load(outcome_flow("sale", "4790000000"), "sale.flow");
    rig.load(outcome_flow("offer", "4790000001"), "offer.flow");
    auto a = rig.engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "A"}});
    auto b = rig.engine.trigger("outcome.sale", {{"phone", "+4791234568"}, {"first_name", "B"}});
    REQUIRE(a.size() == 2); // both flows start on outcome.sale
    REQUIRE(b.size() == 2);
    rig.engine.reply({"+47 912 34 567", "4790000001", "stopp"}); // not the opt-out word
    CHECK(rig.engine.inbox().size() == 1);
    rig.engine.reply({"+47 912 34 567", "4790000001", "STOP"});
    REQUIRE(rig.engine.suppressions().size() == 1);
    CHECK(rig.engine.suppressions()[0].address == "+4791234567");
    // Both of a's instances are still waiting (the flow has no `on opted.out`), but they send
    // nothing more; b's are untouched and still take their reply.
    rig.engine.reply({"+4791234568", "4790000000", "ja"});
    CHECK(rig.state_of(b[0]) == "confirmed");
    CHECK(rig.state_of(b[1]) == "sale");
    CHECK(rig.state_of(a[0]) == "sale");
    auto before = rig.out.sent().size();
    rig.engine.reply({"+4791234567", "4790000000", "ja"});
    CHECK(rig.state_of(a[0]) == "confirmed");
    CHECK(rig.out.sent().size() == before); // the thank-you is suppressed
    CHECK(rig.records("suppressed").size() == 1);
}

TEST_CASE("without keep_history the engine keeps no history but still reports every record") {
    FakeClock clock("2026-05-12T12:00:00+02:00");
    RecordingTransport out;
    Engine engine(clock, out, EngineOptions{false});
    std::vector<std::string> kinds;
    engine.on_record([&](const Record& r) { kinds.push_back(r.kind); });
    engine.load(test::compiled(outcome_flow("sale", "4790000000")));
    auto id = engine.trigger("outcome.sale", {{"phone", "+4791234567"}, {"first_name", "Kari"}})[0];
    engine.reply({"+4791234567", "4790000000", "ok"});
    auto v = engine.instance(id);
    REQUIRE(v);
    CHECK(v->state == "confirmed");
    CHECK(v->history.empty());
    CHECK(kinds == std::vector<std::string>{"started", "entered", "sent", "received", "matched",
                                            "entered", "sent", "finished"});
    CHECK(out.sent().size() == 2);
}

namespace {

// Waits for the host in `parsing`, with no reply routes there.
std::string busy_flow(const std::string& name, const std::string& sender) {
    return "flow " + name + R"(
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from ")" +
           sender + R"("

trigger call.missed as phone {
  start texted
}

state texted {
  send sms "We missed your call: reply with your order."
  on reply any -> parsing
}

state parsing {
  on order.parsed -> ordered
}

final ordered
)";
}

} // namespace

TEST_CASE("a reply to an instance without reply routes is unmatched on it, not unknown") {
    Rig rig("2026-06-05T18:00:00+02:00", busy_flow("busy", "4532100000"));
    auto id = rig.engine.trigger("call.missed", {{"phone", "+4520123456"}})[0];
    rig.engine.reply({"+4520123456", "4532100000", "2 margherita"});
    REQUIRE(rig.state_of(id) == "parsing");
    rig.engine.reply({"+4520123456", "4532100000", "and a cola"});
    REQUIRE(rig.engine.inbox().size() == 1);
    const auto& item = rig.engine.inbox()[0];
    CHECK(item.reason == "unmatched");
    CHECK(item.candidates == std::vector<std::uint64_t>{id}); // the instance it came to
    CHECK(rig.state_of(id) == "parsing");
    auto view = rig.engine.instance(id);
    REQUIRE(view->history.size() >= 2);
    const auto& received = view->history[view->history.size() - 2];
    CHECK(received.kind == "received");
    CHECK(view->history.back().kind == "inbox");
    CHECK(rig.engine.metrics("busy").replies == 2);

    // From another number, or to another of our numbers: nobody's conversation.
    rig.engine.reply({"+4520999999", "4532100000", "hello"});
    rig.engine.reply({"+4520123456", "4532199999", "hello"});
    REQUIRE(rig.engine.inbox().size() == 3);
    CHECK(rig.engine.inbox()[1].reason == "unknown");
    CHECK(rig.engine.inbox()[2].reason == "unknown");

    // Once the instance has finished, its customer's replies are unknown again.
    rig.engine.signal("busy", "+4520123456", "order.parsed", {});
    REQUIRE(rig.state_of(id) == "ordered");
    rig.engine.reply({"+4520123456", "4532100000", "thanks"});
    CHECK(rig.engine.inbox().back().reason == "unknown");
}

TEST_CASE(
    "a listening instance takes the reply before busy ones, several busy ones are ambiguous") {
    Rig rig("2026-06-05T18:00:00+02:00");
    rig.load(busy_flow("busy_a", "4532100000"), "a.flow");
    rig.load(busy_flow("busy_b", "4532100000"), "b.flow");
    auto ids = rig.engine.trigger("call.missed", {{"phone", "+4520123456"}});
    REQUIRE(ids.size() == 2);
    // Both listen in `texted`: ambiguous, as before.
    rig.engine.reply({"+4520123456", "4532100000", "pizza"});
    REQUIRE(rig.engine.inbox().size() == 1);
    CHECK(rig.engine.inbox()[0].reason == "ambiguous");

    // The first is busy in `parsing`: the second, still listening, takes the reply alone.
    rig.engine.move(ids[0], "parsing");
    rig.engine.reply({"+4520123456", "4532100000", "pizza"});
    CHECK(rig.state_of(ids[1]) == "parsing");
    CHECK(rig.engine.inbox().size() == 1);

    // Both busy and none listening: ambiguous, both named.
    rig.engine.reply({"+4520123456", "4532100000", "and a cola"});
    REQUIRE(rig.engine.inbox().size() == 2);
    CHECK(rig.engine.inbox()[1].reason == "ambiguous");
    CHECK(rig.engine.inbox()[1].candidates == ids);

    // A third flow's instance listening on the same number keeps precedence over busy ones.
    rig.load(outcome_flow("sale", "4532100000"), "c.flow");
    auto sale =
        rig.engine.trigger("outcome.sale", {{"phone", "+4520123456"}, {"first_name", "Ole"}});
    REQUIRE(sale.size() == 1);
    rig.engine.reply({"+4520123456", "4532100000", "ja"});
    CHECK(rig.state_of(sale[0]) == "confirmed");
    CHECK(rig.engine.inbox().size() == 2);
}

TEST_CASE("number tests route by the reply's one number and captures keep it") {
    Rig rig("2026-05-12T12:00:00+02:00",
            test::read_text(test::test_dir() / "dsl" / "valid" / "text-number-tests.flow"));
    int n = 0;
    // The state the reply leads to, and the instance's fields after it.
    auto ask = [&](const std::string& text) {
        auto phone = "+4520300" + std::to_string(100 + n++);
        auto id = rig.engine.trigger("visit.done", {{"phone", phone}})[0];
        rig.engine.reply({phone, "4570000000", text});
        auto v = rig.engine.instance(id);
        REQUIRE(v.has_value());
        return std::make_pair(v->state, v->fields);
    };
    auto [s1, f1] = ask("10");
    CHECK(s1 == "done");
    CHECK(f1["score"] == "10");
    auto [s2, f2] = ask("9,5");
    CHECK(f2["score"] == "9.5");
    // 8.7 is in no range with a capture; `rating` (any number) takes it, keeping nothing.
    auto [s3, f3] = ask("8.7");
    CHECK(s3 == "done");
    CHECK(f3.count("score") == 0);
    auto [s4, f4] = ask("-3");
    CHECK(f4["score"] == "-3");
    // Two numbers: no number test matches; `other as comment` keeps the text and goes to the
    // inbox, so the instance still waits.
    auto [s5, f5] = ask("  Not 10, more like 4 ");
    CHECK(s5 == "asked");
    CHECK(f5["comment"] == "Not 10, more like 4");
    CHECK(f5.count("score") == 0);
    // Words before the number tests still win: `stop` comes first.
    auto [s6, f6] = ask("stop");
    CHECK(s6 == "done");
    CHECK(f6.count("comment") == 0);
    CHECK(rig.records("set").size() == 4);
}

TEST_CASE("pattern tests find their RE2 pattern in the reply and keep the first group") {
    Rig rig("2026-05-12T12:00:00+02:00",
            test::read_text(test::test_dir() / "dsl" / "valid" / "text-pattern-tests.flow"));
    int n = 0;
    auto ask = [&](const std::string& text) {
        auto phone = "+4520400" + std::to_string(100 + n++);
        auto id = rig.engine.trigger("order.asked", {{"phone", phone}})[0];
        rig.engine.reply({phone, "4570000000", text});
        auto v = rig.engine.instance(id);
        REQUIRE(v.has_value());
        return std::make_pair(v->state, v->fields);
    };
    // The first group of the pattern, not the whole match ("#12345").
    auto [s1, f1] = ask("It is order #12345, thanks");
    CHECK(s1 == "done");
    CHECK(f1["order_no"] == "12345");
    // Six digits are not an order number: \b on both sides of five.
    auto [s2, f2] = ask("123456");
    CHECK(s2 == "asked");
    // No group: the whole match is kept; (?i) makes it ignore case.
    auto [s3, f3] = ask("the car is ab 12 345");
    CHECK(s3 == "done");
    CHECK(f3["plate"] == "ab 12 345");
    // Patterns see the reply as it came: "^ok$" is not "OK" nor " ok".
    CHECK(ask("ok").first == "done");
    CHECK(ask("OK").first == "asked");
    CHECK(ask(" ok").first == "asked");
}

TEST_CASE("a record's JSON escapes control characters and never carries bytes that are not UTF-8") {
    Record r;
    r.at = parse_instant("2026-03-02T09:00:00Z");
    r.instance = 7;
    r.flow = "f";
    r.kind = "received";
    r.fields = {{"text", "a\"b\\c\nd\x01 \xC3\xA6 \xFF"}};
    CHECK(to_json(r) ==
          "{\"at\":\"2026-03-02T09:00:00+00:00\",\"instance\":7,\"flow\":\"f\","
          "\"kind\":\"received\",\"text\":\"a\\\"b\\\\c\\nd\\u0001 \xC3\xA6 \xEF\xBF\xBD\"}");
    CHECK(json_quote("x\ty") == "\"x\\ty\"");
}
