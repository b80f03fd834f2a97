// The recall import and the recall flow on a fake clock: every Monday morning the import reads
// the workshop's visit export as it stood that day, classifies every visit, plans one recall
// per car and kind of job, puts the season's tyre changes into daily batches, and then
//   - starts the recalls that are new, and the next recall of a car whose work was done;
//   - ends a running recall whose work the export shows done (work.done);
//   - ends the running recalls of customers the workshop asked to unsubscribe, by customer
//     number, and keeps their later recalls from starting.
// The flow asks the host, before anything goes out, whether the car has changed owner since
// its latest visit (owner.check), and the demo answers from a small motor register file. Some
// customers answer (decided by a hash of the recall id, so every run is the same). Every
// message that would go out is printed.
//
//   recall_demo [VISITS.csv] [--flow FLOW] [--owners CSV] [--unsubscribed CSV] [--today DATE]
//               [--until DATE] [--daily-cap N] [--quiet]

#include "recall/batches.hpp"
#include "recall/classify.hpp"
#include "recall/csv.hpp"
#include "recall/registers.hpp"
#include "recall/visits.hpp"

#include <nudge/nudge.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char* zone = "Europe/Copenhagen";

// Prints each message on one line: local time, channel, recipient, subject or first line.
class PrintTransport final : public nudge::Transport {
public:
    explicit PrintTransport(bool quiet) : quiet_(quiet) {}
    nudge::SendResult send(const nudge::Message& m) override {
        ++count_[m.channel];
        if (!quiet_) {
            auto what = m.subject.value_or(m.text.substr(0, m.text.find('\n')));
            std::cout << nudge::format_instant(m.at, zone).substr(0, 16) << "  " << m.channel
                      << "  " << m.to << "  " << what << '\n';
        }
        return {};
    }
    const std::map<std::string, int>& count() const { return count_; }

private:
    bool quiet_;
    std::map<std::string, int> count_;
};

// A customer's answer, played a few days after the invitation.
struct Answer {
    nudge::Instant at;
    std::string key;
    std::string event;
    nudge::Data data;
};

// 4 in 10 book, 1 in 10 asks to be called, 1 in 10 declines, the rest never answer.
std::optional<Answer> answer_for(const std::string& key, nudge::Instant invited) {
    using std::chrono::hours;
    switch (recall::stable_hash(key) % 10) {
    case 0:
    case 1:
    case 2:
    case 3: return Answer{invited + hours{50}, key, "answer.booked", {}};
    case 4: return Answer{invited + hours{26}, key, "answer.call_me", {}};
    case 5:
        return Answer{
            invited + hours{75}, key, "answer.declined", {{"decline_reason", "Bilen er solgt"}}};
    default: return std::nullopt;
    }
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

recall::CsvTable read_table(const std::string& path) {
    auto table = recall::read_csv_table(read_file(path));
    if (table.error)
        throw std::runtime_error(path + ":" + std::to_string(table.error->line) + ": " +
                                 table.error->message);
    return table;
}

void report(const std::string& path, const std::vector<recall::ImportProblem>& problems) {
    for (const auto& p : problems)
        std::cerr << path << ":" << p.line << ": skipped: " << p.message << '\n';
}

recall::Date local_date(nudge::Instant t) {
    auto d = recall::parse_date(nudge::format_instant(t, zone).substr(0, 10));
    if (!d) throw std::runtime_error("no local date");
    return *d;
}

nudge::Instant morning(recall::Date d) {
    return nudge::parse_instant(recall::format_date(d) + "T06:00", zone);
}

// The import run every Monday: what it found, for the summary.
struct ImportTotals {
    int runs = 0;
    int started = 0;
    int work_done = 0;    // running recalls ended because the export shows the work done
    int unsubscribed = 0; // running recalls ended by a customer-number opt-out
    int unplaced = 0;     // tyre recalls no batch had room for
};

class Importer {
public:
    Importer(const nudge::FlowDef& flow, std::vector<recall::Visit> visits,
             recall::UnsubscribeList unsubscribed, int daily_cap, bool quiet)
        : flow_(flow), visits_(std::move(visits)), unsubscribed_(std::move(unsubscribed)),
          cap_(daily_cap), quiet_(quiet) {}

    void run(nudge::Engine& engine, recall::Date today,
             std::map<std::uint64_t, std::string>& keys) {
        ++totals_.runs;
        auto now = recall::plan_recalls(recall::visits_until(visits_, today));
        recall::apply_unsubscribes(now, unsubscribed_, today);
        auto changes = recall::replan(plan_, now);

        auto end = [&](const std::string& id, const char* event, int& counter) {
            if (engine.signal("workshop_recall", id, event) > 0) {
                ++counter;
                if (!quiet_)
                    std::cout << recall::format_date(today) << "  import  " << id << ": " << event
                              << '\n';
            }
        };
        for (const auto& id : changes.done)
            end(id, "work.done", totals_.work_done);
        // Customers whose unsubscribe request arrived since the last run: end what runs.
        std::set<std::string> newly;
        for (const auto& r : now) {
            auto u = r.data.find("unsubscribed");
            if (u != r.data.end() && u->second == "true" && !opted_.count(r.customer_no))
                newly.insert(r.customer_no);
        }
        for (const auto& r : now) {
            if (newly.count(r.customer_no))
                end(r.recall_id, "customer.opted_out", totals_.unsubscribed);
        }
        opted_.insert(newly.begin(), newly.end());

        batch(changes.start, today);
        for (const auto* r : changes.start) {
            nudge::Data data(r->data.begin(), r->data.end());
            for (auto id : engine.trigger("recall.planned", data)) {
                keys[id] = r->recall_id;
                ++totals_.started;
            }
            ++planned_[r->kind];
        }
        plan_ = std::move(now);
    }

    const ImportTotals& totals() const { return totals_; }
    const std::map<std::string, int>& planned() const { return planned_; }
    std::size_t visits_seen(recall::Date day) const {
        return static_cast<std::size_t>(std::count_if(
            visits_.begin(), visits_.end(), [&](const recall::Visit& v) { return v.date <= day; }));
    }

    // One line per season batched: recalls, sending days, the fewest and most on a day.
    void print_batches(std::ostream& out) const {
        for (const auto& [season, planner] : planners_) {
            int total = 0;
            int fewest = -1;
            int most = 0;
            for (const auto& [day, n] : planner.load()) {
                total += n;
                most = std::max(most, n);
                fewest = fewest < 0 ? n : std::min(fewest, n);
            }
            out << "\ntyre batches " << season.first << " " << season.second << ": " << total
                << " recalls on " << planner.load().size() << " sending days, " << fewest << " to "
                << most << " a day (cap " << planner.daily_cap() << ")";
        }
    }

private:
    // Gives the tyre recalls about to start their day in this year's season (or next year's,
    // once this year's is over), among the days the flow's send_hours are open.
    void batch(const std::vector<recall::Recall*>& starting, recall::Date today) {
        std::map<std::pair<std::string, int>, std::vector<recall::Recall*>> seasons;
        for (auto* r : starting) {
            if (r->kind != "winter_tyres" && r->kind != "summer_tyres") continue;
            int year = static_cast<int>(today.year());
            if (nudge::season_days(flow_, r->kind, std::chrono::year{year}).second < today) ++year;
            seasons[{r->kind, year}].push_back(r);
        }
        for (auto& [season, recalls] : seasons) {
            auto [first, last] =
                nudge::season_days(flow_, season.first, std::chrono::year{season.second});
            auto days = nudge::open_days(flow_, "send_hours", std::max(first, today), last);
            auto kind = season.first;
            auto in_year = [&](int y) {
                return nudge::season_days(flow_, kind, std::chrono::year{y});
            };
            auto& planner = planners_.try_emplace(season, cap_).first->second;
            auto placed = planner.place(recalls, days, in_year);
            totals_.unplaced += static_cast<int>(placed.unplaced.size());
            for (const auto& id : placed.unplaced)
                std::cerr << "recall_demo: " << id << ": every batch of the season is full (cap "
                          << cap_ << " a day); not planned\n";
        }
    }

    const nudge::FlowDef& flow_;
    std::vector<recall::Visit> visits_;
    recall::UnsubscribeList unsubscribed_;
    int cap_;
    bool quiet_;
    std::vector<recall::Recall> plan_;
    std::set<std::string> opted_;
    std::map<std::pair<std::string, int>, recall::BatchPlanner> planners_;
    std::map<std::string, int> planned_;
    ImportTotals totals_;
};

// --daily-cap N: a whole number of at least 1.
int daily_cap_of(const std::string& text) {
    int n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n < 1)
        throw std::runtime_error("--daily-cap needs a number of at least 1, saw '" + text + "'");
    return n;
}

int run(int argc, char** argv) {
    std::string csv_path = WORKSHOP_RECALL_DIR "/data/visits.csv";
    std::string flow_path = WORKSHOP_RECALL_DIR "/workshop_recall.flow";
    std::string owners_path = WORKSHOP_RECALL_DIR "/data/owners.csv";
    std::string unsubscribed_path = WORKSHOP_RECALL_DIR "/data/unsubscribed.csv";
    std::string today = "2026-03-02";
    std::string until = "2027-03-01";
    int daily_cap = 8;
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--flow")
            flow_path = value();
        else if (a == "--owners")
            owners_path = value();
        else if (a == "--unsubscribed")
            unsubscribed_path = value();
        else if (a == "--today")
            today = value();
        else if (a == "--until")
            until = value();
        else if (a == "--daily-cap")
            daily_cap = daily_cap_of(value());
        else if (a == "--quiet")
            quiet = true;
        else if (!a.empty() && a[0] == '-')
            throw std::runtime_error("unknown option " + a);
        else
            csv_path = a;
    }
    auto first_day = recall::parse_date(today.substr(0, 10));
    auto last_day = recall::parse_date(until.substr(0, 10));
    if (!first_day || !last_day) throw std::runtime_error("--today and --until take YYYY-MM-DD");

    auto import = recall::import_visits(read_table(csv_path), recall::Classifier::workshop());
    report(csv_path, import.problems);
    std::vector<recall::ImportProblem> problems;
    auto owners = recall::read_owner_register(read_table(owners_path), problems);
    report(owners_path, problems);
    problems.clear();
    auto unsubscribed = recall::read_unsubscribe_list(read_table(unsubscribed_path), problems);
    report(unsubscribed_path, problems);

    auto flow = nudge::compile_file(flow_path);
    if (!flow.ok()) {
        std::cerr << nudge::render(flow.diagnostics);
        return 1;
    }
    nudge::FakeClock clock{morning(*first_day)};
    PrintTransport out(quiet);
    nudge::Engine engine{clock, out};
    engine.load(flow.flow);

    std::vector<Answer> answers;
    std::map<std::uint64_t, std::string> keys; // instance id → recall id
    engine.on_record([&](const nudge::Record& r) {
        if (r.kind != "entered" || r.get("state") != "invited") return;
        if (auto key = keys.find(r.instance); key != keys.end()) {
            if (auto a = answer_for(key->second, r.at)) answers.push_back(std::move(*a));
        }
    });
    // The owner check: the motor register's latest change of owner for the plate.
    int owner_checks = 0;
    engine.on_action([&](const nudge::ActionCall& call) -> std::optional<nudge::Data> {
        if (call.action != "owner.check") return std::nullopt;
        ++owner_checks;
        auto plate = call.fields.find("plate");
        if (plate == call.fields.end()) return std::nullopt;
        auto since = owners.owner_since(plate->second);
        if (!since) return std::nullopt;
        return nudge::Data{{"owner_since", recall::format_date(*since)}};
    });

    Importer importer(flow.flow->flow(), import.visits, std::move(unsubscribed), daily_cap, quiet);
    importer.run(engine, *first_day, keys);
    auto next_import = morning(*first_day) + std::chrono::days{7};

    // The host's loop: wake at the next timer, answer or import, whichever comes first.
    auto end = morning(*last_day);
    while (true) {
        auto next = engine.next_due();
        auto first_answer =
            std::min_element(answers.begin(), answers.end(),
                             [](const Answer& a, const Answer& b) { return a.at < b.at; });
        auto when = next_import;
        if (next && *next < when) when = *next;
        if (first_answer != answers.end() && first_answer->at < when) when = first_answer->at;
        if (when >= end) break;
        clock.set(when);
        if (first_answer != answers.end() && first_answer->at == when) {
            Answer a = *first_answer;
            answers.erase(first_answer);
            engine.signal("workshop_recall", a.key, a.event, a.data);
        } else if (next && *next == when) {
            engine.run_due();
        } else {
            importer.run(engine, local_date(when), keys);
            next_import += std::chrono::days{7};
        }
    }

    auto m = engine.metrics("workshop_recall");
    const auto& t = importer.totals();
    std::cout << "\n"
              << importer.visits_seen(*last_day) << " visits, " << t.runs
              << " weekly imports; recalls planned:";
    for (const auto& [kind, n] : importer.planned())
        std::cout << ' ' << kind << ' ' << n;
    std::cout << "\nended by the import: work done " << t.work_done
              << ", unsubscribed by customer number " << t.unsubscribed;
    importer.print_batches(std::cout);
    std::cout << "\nowner checks " << owner_checks << "\nstarted " << m.starts << ", not started:";
    for (const auto& [why, n] : m.suppressed)
        std::cout << ' ' << why << ' ' << n;
    std::cout << "\nsent:";
    for (const auto& [channel, n] : out.count())
        std::cout << ' ' << channel << ' ' << n;
    std::cout << "\noutcomes:";
    for (const auto& [label, o] : m.outcomes)
        std::cout << ' ' << label << ' ' << o.count;
    auto follow_up = engine.instances("workshop_recall", "follow_up");
    std::cout << "\nfollow-up list (" << follow_up.size() << "):";
    for (std::size_t i = 0; i < follow_up.size() && i < 8; ++i)
        std::cout << ' ' << follow_up[i].key;
    if (follow_up.size() > 8) std::cout << " …";
    std::cout << '\n';
    return t.unplaced == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "recall_demo: " << e.what() << '\n';
        return 2;
    }
}
