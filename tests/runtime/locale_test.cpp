// Messages in the customer's language: money, numbers and dates by the flow's locale, and the
// segments cap that keeps an SMS to a set number of parts.
#include "runtime_support.hpp"

using namespace nudge;
using namespace std::chrono_literals;
using test::Rig;

namespace {

std::string cart(std::string_view locale_line) {
    return R"(flow cart
timezone "Europe/Copenhagen"
)" + std::string(locale_line) +
           R"(
field phone: phone
field total: money
field items: number
field left_at: datetime
field pickup: date?

channel sms to phone from "4570000000"

template plain sms "{items} varer til {total}, lagt {left_at}, hentes {pickup}."
template formatted sms "{total | money} / {items | number} / {left_at | day} kl. {left_at | time} / {pickup | weekday}"

trigger cart.left as phone {
  start left
}

final left {
  send sms plain
  send sms formatted
}
)";
}

const Data cart_data = {{"phone", "+4520123456"},
                        {"total", "1249.5"},
                        {"items", "3"},
                        {"left_at", "2026-04-10T07:05:00Z"},
                        {"pickup", "2026-04-13"}};

} // namespace

TEST_CASE("a flow that declares a locale writes every money, number and date merge in it") {
    Rig r("2026-04-10T09:00:00+02:00", cart(R"(locale "da_DK")"));
    REQUIRE(r.engine.trigger("cart.left", cart_data).size() == 1);
    REQUIRE(r.out.sent().size() == 2);
    // 07:05 UTC is 09:05 in Copenhagen (summer time).
    CHECK(r.out.sent()[0].text ==
          "3 varer til 1.249,50 kr., lagt 10. april 2026 kl. 09.05, hentes 13. april 2026.");
    CHECK(r.out.sent()[1].text == "1.249,50 kr. / 3 / fredag 10. april kl. 09.05 / mandag");
}

TEST_CASE("without a locale, plain merges keep the data form and formats use the zone's") {
    Rig r("2026-04-10T09:00:00+02:00", cart(""));
    REQUIRE(r.engine.trigger("cart.left", cart_data).size() == 1);
    REQUIRE(r.out.sent().size() == 2);
    CHECK(r.out.sent()[0].text == "3 varer til 1249.50, lagt 2026-04-10 09:05, hentes 2026-04-13.");
    CHECK(r.out.sent()[1].text == "1.249,50 kr. / 3 / fredag 10. april kl. 09.05 / mandag");
}

TEST_CASE("another locale writes the same values its own way") {
    Rig r("2026-04-10T09:00:00+02:00", cart(R"(locale "en_GB")"));
    REQUIRE(r.engine.trigger("cart.left", cart_data).size() == 1);
    REQUIRE(r.out.sent().size() == 2);
    // The zone stays Copenhagen's: the time is the customer's wall clock, in English.
    CHECK(r.out.sent()[1].text == "£1,249.50 / 3 / Friday, 10 April kl. 09:05 / Monday");
}

TEST_CASE("a send over the channel's segments cap fails and reaches send.failed") {
    Rig r("2026-04-10T09:00:00+02:00", R"(flow survey
timezone "Europe/Copenhagen"

field phone: phone
field shop: text
field send_error: text?

channel sms to phone from "4570000000"
cap sms 1 segments

template ask sms "Hvordan var dit besøg hos {shop}? Svar med et tal fra 0 til 10."

trigger visit.done as phone {
  start asked
}

state asked {
  send sms ask
  on send.failed -> too_long
  on reply any -> answered
}

final too_long
final answered
)");
    auto ok = r.engine.trigger("visit.done", {{"phone", "+4520123456"}, {"shop", "Salon Bella"}});
    REQUIRE(ok.size() == 1);
    CHECK(r.out.sent().size() == 1);
    CHECK(r.state_of(ok[0]) == "asked");
    // A shop name long enough to need a second part.
    std::string shop(120, 'x');
    auto id = r.engine.trigger("visit.done", {{"phone", "+4520654321"}, {"shop", shop}});
    REQUIRE(id.size() == 1);
    CHECK(r.out.sent().size() == 1);
    auto failed = r.records("failed");
    REQUIRE(failed.size() == 1);
    CHECK(failed[0]->get("error") == "the message takes 2 SMS parts, over the cap of 1");
    CHECK(r.state_of(id[0]) == "too_long");
    auto view = r.engine.instance(id[0]);
    REQUIRE(view.has_value());
    CHECK(view->fields.at("send_error") == "the message takes 2 SMS parts, over the cap of 1");
}
