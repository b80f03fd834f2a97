// A reply handled by hand from the inbox is recorded on the instance it was assigned to, but it
// is never taken as an approved answer: the instance stays where it was until a person
// registers the next outcome (the seed's rule for manually handled replies).
#include <doctest/doctest.h>

#include <nudge/nudge.hpp>

#include <algorithm>
#include <string>

namespace {

bool has_record(const nudge::InstanceView& view, std::string_view kind) {
    return std::any_of(view.history.begin(), view.history.end(),
                       [&](const nudge::Record& r) { return r.kind == kind; });
}

struct Setup {
    nudge::FakeClock clock{"2026-09-16T12:00:00+02:00"};
    nudge::RecordingTransport out;
    nudge::Engine engine{clock, out};
    Setup() {
        for (const char* name : {"sms_outcomes.flow", "winback.flow"}) {
            auto flow = nudge::compile_file(std::string(SMS_OUTCOMES_DIR) + "/" + name);
            REQUIRE(flow.ok());
            engine.load(flow.flow);
        }
    }
};

} // namespace

TEST_CASE("an ambiguous approved word assigned by hand does not confirm the sale") {
    Setup s;
    auto sale = s.engine.trigger("outcome.sale", {{"phone", "+4796600801"},
                                                  {"first_name", "Arne"},
                                                  {"product", "Mobil Fri 20 GB"},
                                                  {"price", "299"},
                                                  {"seller", "Henrik"}});
    s.engine.trigger("outcome.winback", {{"phone", "+4796600801"}, {"first_name", "Arne"}});
    REQUIRE(sale.size() == 1);
    s.engine.reply({.from = "+4796600801", .to = "4759440000", .text = "Ja"});

    REQUIRE(s.engine.inbox().size() == 1);
    const auto item = s.engine.inbox().front();
    CHECK(item.reason == "ambiguous");
    CHECK(item.candidates.size() == 2);

    s.engine.assign(item.id, sale.front());
    auto view = s.engine.instance(sale.front());
    REQUIRE(view);
    CHECK(view->state == "sale");
    CHECK(has_record(*view, "assigned"));
    CHECK_FALSE(has_record(*view, "matched"));
    CHECK(s.out.sent().size() == 2); // the sale SMS and the win-back offer, no receipt

    // The person registers the next outcome; only now is the receipt sent.
    CHECK(s.engine.signal("sms_outcomes", "+4796600801", "seller.confirmed") == 1);
    view = s.engine.instance(sale.front());
    CHECK(view->state == "confirmed_by_seller");
    CHECK(view->outcome == "confirmed_manually");
    CHECK(s.out.sent().size() == 3);
}

TEST_CASE("an unmatched reply assigned by hand leaves reminders running") {
    Setup s;
    auto sale = s.engine.trigger("outcome.sale", {{"phone", "+4796600802"},
                                                  {"first_name", "Live"},
                                                  {"product", "Strøm Spot"},
                                                  {"price", "39"},
                                                  {"seller", "Mona"}});
    REQUIRE(sale.size() == 1);
    s.engine.reply({.from = "+4796600802", .to = "4759440000", .text = "Okei"});
    REQUIRE(s.engine.inbox().size() == 1);
    CHECK(s.engine.inbox().front().reason == "unmatched");
    s.engine.assign(s.engine.inbox().front().id, sale.front());

    s.clock.advance(std::chrono::hours{2});
    s.engine.run_due();
    auto view = s.engine.instance(sale.front());
    CHECK(view->state == "sale");
    REQUIRE(s.out.sent().size() == 2);
    CHECK(s.out.sent().back().text.rfind("Påminnelse: ", 0) == 0);
}
