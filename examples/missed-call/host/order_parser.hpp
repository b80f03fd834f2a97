#pragma once
// The order parser behind `do "order.parse"` in missed_call.flow: turns a customer's SMS
// ("2 margherita og 1 cola tak", "two pepperoni and a coke please") into order lines from the
// restaurant's menu, by rules, not by a model. An order it cannot read with confidence is
// reported as unclear, with the reason, so the flow can ask again or hand it to a person.

#include <string>
#include <string_view>
#include <vector>

namespace missed_call {

// A dish or drink and the words customers use for it (singular; plurals are recognised).
struct MenuItem {
    std::string name;
    double price = 0; // kroner
    std::vector<std::string> aliases;
};
using Menu = std::vector<MenuItem>;

// Pizzabaren Vesterbro's menu, used by the example's scenarios and host program.
const Menu& default_menu();

struct OrderLine {
    int quantity = 0;
    std::string item;
    double price = 0; // per piece
};

struct ParsedOrder {
    std::vector<OrderLine> lines; // in the order first mentioned; one line per item
    bool unclear = false;
    std::string reason; // why unclear: "'sushi' is not on the menu", "no dish or drink named"

    // "2 x margherita, 1 x cola"
    std::string summary() const;
    // The sum of quantity × price.
    double total() const;
};

// Reads Danish or English order text. Quantities are digits or number words (en/et/to/tre…,
// a/an/one/two…) before the item, or 1 when none is given; "x" and "stk" may sit between.
// Times ("kl 19", "at 18:30") and street numbers are not quantities. A quantity in digits
// followed by a word that is not on the menu makes the order unclear, as does an order naming
// no item at all.
ParsedOrder parse_order(std::string_view text, const Menu& menu = default_menu());

} // namespace missed_call
