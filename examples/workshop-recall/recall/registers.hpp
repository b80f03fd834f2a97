#pragma once
// The two small registers the recall import consults besides the visits:
// - the motor register's changes of owner (FAQ 7): plate → the day the car was last registered
//   to a new owner. A car registered to someone else after the customer's latest visit has
//   been sold, and the recall flow's owner check (`do "owner.check"`) leaves it out;
// - the customers who asked the workshop to stop all mail and SMS (FAQ 18): the workshop sends
//   their name and customer number, and from the day of the request no recall of theirs runs.

#include "csv.hpp"
#include "visits.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace recall {

struct OwnerRegister {
    std::map<std::string, Date, std::less<>> changed; // plate → latest change of owner
    std::optional<Date> owner_since(std::string_view plate) const;
};

struct Unsubscribe {
    std::string customer_no;
    std::string name;
    Date requested; // the day the workshop sent the request
};

struct UnsubscribeList {
    std::vector<Unsubscribe> entries;
    // Whether the customer asked on or before `day`.
    bool contains(std::string_view customer_no, Date day) const;
};

// Columns plate, owner_since.
OwnerRegister read_owner_register(const CsvTable& table, std::vector<ImportProblem>& problems);
// Columns customer_no, name, requested.
UnsubscribeList read_unsubscribe_list(const CsvTable& table, std::vector<ImportProblem>& problems);

// Marks the recalls of customers on the list (as of `day`) unsubscribed, so the flow's trigger
// leaves them out; returns their ids.
std::vector<std::string> apply_unsubscribes(std::vector<Recall>& recalls,
                                            const UnsubscribeList& list, Date day);

} // namespace recall
