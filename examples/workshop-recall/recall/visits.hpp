#pragma once
// From the workshop's export of visits (one CSV record per invoice) to the recalls to plan:
// one per car and kind of job, with the dates the recall flow counts from.

#include "classify.hpp"
#include "csv.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace recall {

using Date = std::chrono::year_month_day;

// "2026-03-02"; nullopt for anything else (an empty cell included).
std::optional<Date> parse_date(std::string_view text);
std::string format_date(Date date);

struct Visit {
    std::size_t line = 0; // in the CSV, for messages
    std::string customer_no;
    std::string customer_name;
    std::string email;
    std::string phone;
    std::string plate;
    std::string customer_type;
    bool unsubscribed = false;
    Date date;
    std::optional<Date> next_service;
    // The car's next periodic inspection as the vehicle register has it (column inspection_due,
    // which older exports lack).
    std::optional<Date> inspection_due;
    std::vector<VisitKind> kinds; // from all the invoice's text
};

struct ImportProblem {
    std::size_t line = 0;
    std::string message;
};

struct Import {
    std::vector<Visit> visits;
    std::vector<ImportProblem> problems; // records skipped, and why
};

// Reads the columns by name (see data/generate_visits.py for the layout) and classifies each
// visit. A record with a bad date is skipped and reported; the rest of the file still counts.
Import import_visits(const CsvTable& table, const Classifier& classifier);

// One trigger of the recall flow: the event's data, field name → value.
struct Recall {
    std::string recall_id;
    std::string kind; // service, inspection, winter_tyres, summer_tyres
    std::string customer_no;
    std::string plate;
    // The latest visit of this kind (data last_visit): the visit the recall counts from, and
    // what a later import compares against to see that the work was done.
    std::optional<Date> last_visit;
    std::map<std::string, std::string, std::less<>> data;
};

// Per car (plate): the latest service (next service date from that invoice, if given); the
// inspection due on the date the register gives on the car's latest invoice that has one (or,
// when no invoice carries one, two years after the latest inspection done here); the latest
// tyre change in autumn and in spring (the next change of the same season). Sorted by recall id.
std::vector<Recall> plan_recalls(const std::vector<Visit>& visits);

// The export as it stood at the end of `day`: only visits on or before it.
std::vector<Visit> visits_until(const std::vector<Visit>& visits, Date day);

// What a later import of the export changes (FAQ 8: work done leaves the recall by itself).
struct Replan {
    // Recalls of the earlier plan whose car has since had a visit of their kind: the work is
    // done (the host signals work.done), and the new plan's recall of the same id is the next.
    std::vector<std::string> done;
    // Recalls of the new plan to start: ids the earlier plan lacked, and those in `done`.
    std::vector<Recall*> start;
};
Replan replan(const std::vector<Recall>& before, std::vector<Recall>& now);

} // namespace recall
