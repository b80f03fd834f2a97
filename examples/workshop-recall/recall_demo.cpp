// The recall import and the recall flow on a fake clock: reads the workshop's visit export,
// classifies every visit, plans one recall per car and kind of job, triggers the flow for each
// and runs the clock forward, printing every message that would go out. Some customers answer
// (decided by a hash of the recall id, so every run is the same).
//
//   recall_demo [VISITS.csv] [--flow FLOW] [--today DATE] [--until DATE] [--quiet]

#include "recall/classify.hpp"
#include "recall/csv.hpp"
#include "recall/visits.hpp"

#include <nudge/nudge.hpp>

#include <fstream>
#include <iostream>
#include <map>
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

std::uint64_t stable_hash(std::string_view s) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

// 4 in 10 book, 1 in 10 asks to be called, 1 in 10 declines, the rest never answer.
std::optional<Answer> answer_for(const std::string& key, nudge::Instant invited) {
    using std::chrono::hours;
    switch (stable_hash(key) % 10) {
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

int run(int argc, char** argv) {
    std::string csv_path = WORKSHOP_RECALL_DIR "/data/visits.csv";
    std::string flow_path = WORKSHOP_RECALL_DIR "/workshop_recall.flow";
    std::string today = "2026-03-02T06:00";
    std::string until = "2027-03-01T00:00";
    bool quiet = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--flow")
            flow_path = value();
        else if (a == "--today")
            today = value();
        else if (a == "--until")
            until = value();
        else if (a == "--quiet")
            quiet = true;
        else if (!a.empty() && a[0] == '-')
            throw std::runtime_error("unknown option " + a);
        else
            csv_path = a;
    }

    auto table = recall::read_csv_table(read_file(csv_path));
    if (table.error) {
        std::cerr << csv_path << ":" << table.error->line << ": " << table.error->message << '\n';
        return 1;
    }
    auto import = recall::import_visits(table, recall::Classifier::workshop());
    for (const auto& p : import.problems)
        std::cerr << csv_path << ":" << p.line << ": skipped: " << p.message << '\n';
    auto recalls = recall::plan_recalls(import.visits);

    auto flow = nudge::compile_file(flow_path);
    if (!flow.ok()) {
        std::cerr << nudge::render(flow.diagnostics);
        return 1;
    }
    nudge::FakeClock clock{nudge::parse_instant(today, zone)};
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

    std::map<std::string, int> planned;
    for (const auto& r : recalls) {
        nudge::Data data(r.data.begin(), r.data.end());
        for (auto id : engine.trigger("recall.planned", data))
            keys[id] = r.recall_id;
        ++planned[r.kind];
    }

    // The host's loop: wake at the next timer or the next answer, whichever comes first.
    auto end = nudge::parse_instant(until, zone);
    while (true) {
        auto next = engine.next_due();
        auto first_answer =
            std::min_element(answers.begin(), answers.end(),
                             [](const Answer& a, const Answer& b) { return a.at < b.at; });
        if (first_answer != answers.end() && (!next || first_answer->at < *next)) {
            if (first_answer->at >= end) break;
            clock.set(first_answer->at);
            Answer a = *first_answer;
            answers.erase(first_answer);
            engine.signal("workshop_recall", a.key, a.event, a.data);
            continue;
        }
        if (!next || *next >= end) break;
        clock.set(*next);
        engine.run_due();
    }

    auto m = engine.metrics("workshop_recall");
    std::cout << "\n"
              << import.visits.size() << " visits, " << recalls.size() << " recalls planned:";
    for (const auto& [kind, n] : planned)
        std::cout << ' ' << kind << ' ' << n;
    std::cout << "\nstarted " << m.starts << ", not started:";
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
    return 0;
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
