#pragma once
// Tyre changes in daily batches (the FAQ's "puljer"): a season's tyre recalls are spread
// evenly over the days the workshop sends on, never more than a daily cap on one day, and each
// customer with a change last season lands at the same point of this season as then ("if they
// came early in the period, they are recalled early again"). The plan needs every recall of the
// season at once, which is why the import makes it and not the flow: the flow only waits for
// the day it is given (send_on).

#include "visits.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recall {

// FNV-1a of a text: a stable number per recall id, the same in every run.
std::uint64_t stable_hash(std::string_view text);

// The first and last day of a season's occurrence that begins in a year.
using SeasonOfYear = std::function<std::pair<Date, Date>(int year)>;

struct Placement {
    std::vector<std::string> placed;   // recall ids given a send_on day
    std::vector<std::string> unplaced; // every day full: recall ids left without a day
};

class BatchPlanner {
public:
    explicit BatchPlanner(int daily_cap);

    // Gives each recall a `send_on` day among `days` (the season's sending days, ascending).
    // A day has room below the daily cap and below the even share (all the season's recalls
    // over its days, rounded up); recalls placed by an earlier import keep their days and
    // count towards both.
    // - The season's first plan with at least one recall a day: the recalls in the order of
    //   their position in the season (the fraction a `last_tyre_change` had reached in its own
    //   year's season, or a stable spot from the recall id) dealt out evenly over the days.
    // - Otherwise: a recall with a last change on the day at the same fraction of this season
    //   (or the nearest day with room, later first), the rest on the least loaded days.
    Placement place(const std::vector<Recall*>& recalls, const std::vector<Date>& days,
                    const SeasonOfYear& season);

    int daily_cap() const { return cap_; }
    // How many recalls go out on each day planned so far.
    const std::map<Date, int>& load() const { return load_; }

private:
    int cap_;
    std::map<Date, int> load_;
};

} // namespace recall
