#pragma once
// A flow's figures from a timeline of records: how many triggers came in and why some started
// nothing, the funnel (entries per state), what was sent, the outcomes, and the money:
// conversions, revenue, and ROI = conversions × order value − SMS count × SMS price. The same
// sums serve `nudge report` (a simulated scenario, or a database over a period) and the staff
// console's report page. The functions keep no state between calls and may be called from
// any thread; their results are plain values.

#include <nudge/clock.hpp>
#include <nudge/engine.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

struct ReportSettings {
    double sms_price = 0;    // per SMS sent
    double order_value = -1; // per conversion; < 0: the mean of the conversions' values
    std::string conversion = "converted"; // the outcome that counts as a conversion
    std::string sms_channel = "sms";      // the channel whose sends are SMS
};

// Names in the order they first appeared in the timeline, with a count each.
class Tally {
public:
    void add(const std::string& name, std::int64_t n = 1);
    std::int64_t total() const;
    std::int64_t count(const std::string& name) const;
    const std::vector<std::pair<std::string, std::int64_t>>& items() const { return items_; }

private:
    std::map<std::string, std::size_t> index_;
    std::vector<std::pair<std::string, std::int64_t>> items_;
};

struct FlowReport {
    std::string flow;
    Tally events; // trigger events that came in (started or not)
    std::int64_t starts = 0;
    Tally not_started; // trigger suppressions by reason
    Tally entries;     // by state
    Tally sent;        // by channel
    Tally suppressed;  // sends held back, by reason
    Tally failed;      // sends that failed, by channel
    Tally outcomes;    // by label
    std::map<std::string, double> outcome_values;
    std::int64_t sms = 0;
    std::int64_t conversions = 0;
    double revenue = 0;
    // From the settings.
    double order_value = 0;
    double rate = 0; // conversions per trigger
    double sms_cost = 0;
    double roi = 0;
};

// A period of whole days in the IANA zone `zone`, from its first instant up to (not including)
// the first instant after it.
struct Period {
    Instant from;
    Instant to;
    std::string first_day; // YYYY-MM-DD
    std::string last_day;
};

// "today", "yesterday", "month" (this month so far and the rest of it), "last-month", or
// "YYYY-MM-DD..YYYY-MM-DD" (both days included), as days in `zone` around `now`. Throws
// nudge::error naming what is wrong.
Period report_period(std::string_view spec, Instant now, std::string_view zone);

// One report per flow, in the order the flows first appear in `timeline`.
std::vector<FlowReport> make_report(const std::vector<Record>& timeline,
                                    const ReportSettings& settings);

} // namespace nudge

#pragma GCC visibility pop
