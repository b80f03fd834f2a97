// The crash test's two halves (tests/crash/crash_test.sh drives them):
//
//   store_crash_worker run DB LOG N   runs a fixed workload of N reminder-flow instances against
//                                     the database DB, resuming wherever a previous run was
//                                     killed; every hand-over to the transport appends
//                                     "send KEY" to LOG, every start appends "start", and
//                                     "delivered" follows each committed run of done-marks.
//   store_crash_worker check A LOGA B LOGB KILLS
//                                     compares an uninterrupted run (A) with a killed one (B).
//
// The workload: instance i starts in hour i / 100; a seeded trace decides whether it replies
// before any reminder (60 %), after one (20 %), after two (10 %) or never (10 %), and with what.
#include <nudge/compile.hpp>
#include <nudge/store.hpp>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace nudge;

namespace {

const char* flow_text = R"(flow reminder
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4570000000"
keywords yes = "ja", "yes"
keywords no = "nej", "no"
window daytime = mon-sun 09:00-20:00

trigger booking.made as phone {
  start asked
}

state asked {
  send sms "Reply JA to keep your booking, NEJ to cancel it."
  on reply yes -> confirmed
  on reply no -> declined
  on reply other -> inbox
  after 72h -> cancelled
  remind after 24h within daytime times 2
}

final confirmed {
  send sms "Thank you, see you then."
}

final declined

final cancelled {
  send sms "Your booking was cancelled as we did not hear from you."
}
)";

std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

struct Input {
    enum Kind { trigger, reply } kind;
    std::string phone;
    std::string text;
};

// Inputs by hour, in order.
std::map<int, std::vector<Input>> workload(int n) {
    std::map<int, std::vector<Input>> by_hour;
    for (int i = 0; i < n; ++i) {
        std::string phone = "+4520" + std::to_string(100000 + i);
        int start = i / 100;
        by_hour[start].push_back({Input::trigger, phone, {}});
        auto r = mix(static_cast<std::uint64_t>(i));
        int bucket = static_cast<int>(r % 100);
        int offset = static_cast<int>((r >> 8) % 17);
        int hour = -1;
        if (bucket < 60) {
            hour = start + 1 + offset; // before the first reminder
        } else if (bucket < 80) {
            hour = start + 30 + offset; // after one
        } else if (bucket < 90) {
            hour = start + 52 + offset; // after two
        }
        if (hour < 0) continue;
        int word = static_cast<int>((r >> 20) % 10);
        const char* text = word < 7   ? "Ja tak!"
                           : word < 8 ? "nej"
                           : word < 9 ? "STOP"
                                      : "hvem er I?";
        by_hour[hour].push_back({Input::reply, phone, text});
    }
    return by_hour;
}

// Appends one line with a single write(2): what reached the log survives a SIGKILL.
class LogTransport final : public Transport {
public:
    explicit LogTransport(const std::string& path)
        : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644)) {
        if (fd_ < 0) throw io_error("cannot open " + path);
    }
    ~LogTransport() override { ::close(fd_); }
    void line(const std::string& s) {
        auto l = s + "\n";
        if (::write(fd_, l.data(), l.size()) != static_cast<ssize_t>(l.size()))
            throw io_error("log write failed");
    }
    SendResult send(const Message& m) override {
        line("send " + m.id);
        return {};
    }

private:
    int fd_;
};

int run(const std::string& db, const std::string& log, int n) {
    auto flow = compile_source(flow_text, "reminder.flow");
    if (!flow.ok()) {
        std::cerr << render(flow.diagnostics, flow_text);
        return 2;
    }
    auto t0 = parse_instant("2026-03-02T08:00:00+01:00");
    FakeClock clock(t0);
    LogTransport out(log);
    out.line("start");
    DurableOptions options;
    options.synchronous_full = false; // WAL + NORMAL: a killed process loses no commit
    options.deliver_after_step = false;
    DurableEngine engine(db, clock, out, options);
    // After deliver() returns, the done-marks of everything it handed over are committed.
    auto deliver = [&] {
        if (engine.deliver() > 0) out.line("delivered");
    };
    engine.load(flow.flow);
    deliver(); // whatever was handed over but not marked done before the kill

    // The tag of the last committed step says where to go on: "HOUR/INDEX" or "HOUR/due".
    int from_hour = 0;
    int from_index = 0;
    if (auto tag = engine.last_tag(); !tag.empty()) {
        auto slash = tag.find('/');
        from_hour = std::stoi(tag.substr(0, slash));
        auto rest = tag.substr(slash + 1);
        if (rest == "due") {
            from_hour += 1;
        } else {
            from_index = std::stoi(rest) + 1;
        }
    }
    auto inputs = workload(n);
    int last_hour = inputs.rbegin()->first + 80;
    for (int hour = from_hour; hour <= last_hour; ++hour) {
        clock.set(t0 + std::chrono::hours(hour));
        auto it = inputs.find(hour);
        if (it != inputs.end()) {
            for (int j = hour == from_hour ? from_index : 0;
                 j < static_cast<int>(it->second.size()); ++j) {
                const auto& in = it->second[static_cast<std::size_t>(j)];
                auto tag = std::to_string(hour) + "/" + std::to_string(j);
                if (in.kind == Input::trigger) {
                    engine.trigger("booking.made", {{"phone", in.phone}}, tag);
                } else {
                    engine.reply({in.phone, "4570000000", in.text}, tag);
                }
                deliver();
            }
        }
        // Everything due up to this hour, each at its own time.
        auto end = t0 + std::chrono::hours(hour + 1);
        while (auto due = engine.next_due()) {
            if (*due >= end) break;
            clock.set(std::max(*due, clock.now()));
            engine.run_due(std::to_string(hour) + "/due");
            deliver();
        }
        clock.set(end - std::chrono::seconds(1));
        engine.run_due(std::to_string(hour) + "/due");
        deliver();
    }
    out.line("complete");
    return 0;
}

std::vector<std::string> lines(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

std::vector<std::string> dump(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    std::vector<std::string> rows;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return rows;
    }
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    while (s && sqlite3_step(s) == SQLITE_ROW) {
        std::string row;
        for (int c = 0; c < sqlite3_column_count(s); ++c) {
            auto t = sqlite3_column_text(s, c);
            row += t ? reinterpret_cast<const char*>(t) : "NULL";
            row += '|';
        }
        rows.push_back(row);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rows;
}

int check(const std::string& a, const std::string& log_a, const std::string& b,
          const std::string& log_b, int kills) {
    int failures = 0;
    auto fail = [&](const std::string& what) {
        std::cerr << "FAIL: " << what << "\n";
        ++failures;
    };
    const char* steps = "SELECT seq, at, kind, input, answers, tag FROM steps ORDER BY seq";
    auto steps_a = dump(a, steps);
    auto steps_b = dump(b, steps);
    if (steps_a.empty()) fail("the uninterrupted run committed no steps");
    if (steps_a != steps_b) {
        std::size_t i = 0;
        while (i < steps_a.size() && i < steps_b.size() && steps_a[i] == steps_b[i])
            ++i;
        fail("the journals differ from step " + std::to_string(i + 1) + " (" +
             std::to_string(steps_a.size()) + " vs " + std::to_string(steps_b.size()) + " steps)");
    }
    const char* states = "SELECT id, state, status FROM instances ORDER BY id";
    if (dump(a, states) != dump(b, states)) fail("the instances end in different states");
    const char* undone = "SELECT key FROM outbox WHERE done_at IS NULL";
    if (!dump(b, undone).empty()) fail("messages left undelivered in the outbox");

    auto sends = [](const std::vector<std::string>& log) {
        std::set<std::string> keys;
        for (const auto& l : log)
            if (l.rfind("send ", 0) == 0) keys.insert(l.substr(5));
        return keys;
    };
    auto la = lines(log_a);
    auto lb = lines(log_b);
    if (la.empty() || la.back() != "complete") fail("the uninterrupted run did not complete");
    if (lb.empty() || lb.back() != "complete") fail("the killed run did not complete at last");
    auto keys_a = sends(la);
    if (keys_a != sends(lb)) fail("the sets of keys handed to the transport differ");
    auto outbox_keys = dump(a, "SELECT key || '|' FROM outbox");
    if (outbox_keys.size() != keys_a.size()) fail("the uninterrupted run's outbox and log differ");

    // A key may go twice only when the process died between handing it over and committing its
    // done-mark: then its first hand-over is the last one before a restart.
    std::map<std::string, std::size_t> first;
    int restarts = 0;
    int repeats = 0;
    for (std::size_t i = 0; i < lb.size(); ++i) {
        const auto& l = lb[i];
        if (l == "start") {
            ++restarts;
            continue;
        }
        if (l.rfind("send ", 0) != 0) continue;
        auto key = l.substr(5);
        auto [it, fresh] = first.emplace(key, i);
        if (!fresh) {
            ++repeats;
            // After its first hand-over a restart must come before any "delivered" (which
            // would mean its done-mark had been committed).
            bool restart_between = false;
            for (std::size_t k = it->second + 1; k < i; ++k) {
                if (lb[k] == "start") {
                    restart_between = true;
                    break;
                }
                if (lb[k] == "delivered") break;
            }
            if (!restart_between)
                fail("key " + key + " was handed over again after its done-mark was committed");
        }
    }
    if (restarts < kills) fail("fewer restarts than kills");
    std::cout << steps_b.size() << " steps, " << keys_a.size() << " keys, " << restarts
              << " starts, " << repeats << " keys handed over twice after a kill\n";
    return failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    try {
        std::vector<std::string> args(argv + 1, argv + argc);
        if (args.size() == 4 && args[0] == "run") return run(args[1], args[2], std::stoi(args[3]));
        if (args.size() == 6 && args[0] == "check")
            return check(args[1], args[2], args[3], args[4], std::stoi(args[5]));
        std::cerr << "usage: store_crash_worker run DB LOG N | check A LOGA B LOGB KILLS\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "store_crash_worker: " << e.what() << "\n";
        return 1;
    }
}
