#include "order_parser.hpp"

#include <doctest/doctest.h>

using missed_call::parse_order;

TEST_CASE("a Danish order with digits and 'og'") {
    auto o = parse_order("2 margherita og 1 cola");
    CHECK_FALSE(o.unclear);
    CHECK(o.summary() == "2 x margherita, 1 x cola");
    CHECK(o.total() == doctest::Approx(195));
}

TEST_CASE("number words, plurals, politeness and a pickup time") {
    auto o = parse_order("Hej! Jeg vil gerne have to pepperoni og en cola tak, afhentning kl 19");
    CHECK_FALSE(o.unclear);
    CHECK(o.summary() == "2 x pepperoni, 1 x cola");
    CHECK(parse_order("3 margheritaer og 2 colaer").summary() == "3 x margherita, 2 x cola");
}

TEST_CASE("an English order") {
    auto o = parse_order("Hi, I'd like two hawaii and a coke please");
    CHECK_FALSE(o.unclear);
    CHECK(o.summary() == "2 x hawaii, 1 x cola");
}

TEST_CASE("'x', 'stk' and '2x' between quantity and item") {
    CHECK(parse_order("2 x calzone").summary() == "2 x calzone");
    CHECK(parse_order("3 stk. lasagne").summary() == "3 x lasagne");
    CHECK(parse_order("2x fanta").summary() == "2 x fanta");
}

TEST_CASE("an item without a quantity is one") {
    auto o = parse_order("margherita, pommes frites");
    CHECK(o.summary() == "1 x margherita, 1 x pommes");
}

TEST_CASE("two-word names and the generic word pizza") {
    CHECK(parse_order("1 pizza margherita og 1 coca cola").summary() == "1 x margherita, 1 x cola");
    CHECK(parse_order("2 pizzaer pepperoni").summary() == "2 x pepperoni");
    CHECK(parse_order("1 kebab pizza").summary() == "1 x kebabpizza");
}

TEST_CASE("the same item twice is one line") {
    auto o = parse_order("1 cola, 1 margherita og 1 cola mere");
    CHECK(o.summary() == "2 x cola, 1 x margherita");
}

TEST_CASE("street numbers and clock times are not quantities") {
    auto o = parse_order("2 pepperoni til Hovedgaden 15 kl 18:30");
    CHECK_FALSE(o.unclear);
    CHECK(o.summary() == "2 x pepperoni");
}

TEST_CASE("an order naming nothing on the menu is unclear") {
    auto o = parse_order("det sædvanlige");
    CHECK(o.unclear);
    CHECK(o.reason == "no dish or drink named");
    CHECK(parse_order("noget med kylling").unclear);
    CHECK(parse_order("").unclear);
}

TEST_CASE("a quantity of something not on the menu is unclear, even next to a clear line") {
    auto o = parse_order("2 sushi og 1 cola");
    CHECK(o.unclear);
    CHECK(o.reason == "'sushi' is not on the menu");
}

TEST_CASE("pizza without saying which is unclear") {
    auto o = parse_order("3 pizzaer tak");
    CHECK(o.unclear);
    CHECK(o.reason == "which pizza is not said");
}

TEST_CASE("a quantity of 0 is unclear") { CHECK(parse_order("0 margherita").unclear); }

TEST_CASE("Danish capitals are folded") {
    CHECK(parse_order("2 LASAGNE OG 1 FANTA").summary() == "2 x lasagne, 1 x fanta");
}

TEST_CASE("a menu of one's own") {
    missed_call::Menu menu = {{"smørrebrød", 65, {"stykke smørrebrød"}}};
    auto o = parse_order("4 smørrebrød", menu);
    CHECK(o.summary() == "4 x smørrebrød");
    CHECK(o.total() == doctest::Approx(260));
    CHECK(parse_order("2 margherita", menu).unclear);
}
