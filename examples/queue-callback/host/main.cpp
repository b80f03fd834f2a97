// queue_callback_host: the switchboard side of queue_callback.flow. It keeps the queue, learns
// answer speed and abandonment with the WaitEstimator, and gives the engine each caller's
// `estimated_wait` from the caller's place in the queue. It plays a Tuesday morning on a fake
// clock: one agent, six callers, one of whom presses 1 and is called back, and prints the
// timeline as JSON lines.
//
//   queue_callback_host path/to/queue_callback.flow
#include "wait_estimator.hpp"

#include <nudge/nudge.hpp>

#include <algorithm>
#include <deque>
#include <iostream>
#include <map>
#include <string>
#include <vector>

namespace {

constexpr const char* zone = "Europe/Copenhagen";

struct Caller {
    std::string call_id;
    std::string phone;
    std::string arrives; // local time
    bool presses_one = false;
};

// The host's half of the callback: `do "agent.ring"` and `do "customer.dial"` are answered
// with the events the telephony system would send back once the phones have been rung.
struct Telephony {
    struct Signal {
        std::string call_id;
        std::string event;
        nudge::Data data;
    };
    std::vector<Signal> to_signal;
};

} // namespace

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    if (argc != 2) {
        std::cerr << "usage: queue_callback_host FLOW\n";
        return 2;
    }
    auto flow = nudge::compile_file(argv[1]);
    if (!flow.ok()) {
        std::cerr << nudge::render(flow.diagnostics);
        return 1;
    }

    auto start = nudge::parse_instant("2026-02-10T09:00:00", zone);
    nudge::FakeClock clock{start};
    nudge::RecordingTransport transport;
    nudge::Engine engine{clock, transport};
    engine.load(flow.flow);
    engine.on_record([](const nudge::Record& r) { std::cout << nudge::to_json(r, zone) << "\n"; });

    // The last half hour before nine: an answer every 75 s, one caller in five gave up.
    queue_callback::WaitEstimator estimator{30min, 60s};
    for (int i = 1; i <= 24; ++i) {
        estimator.answered(start - std::chrono::seconds{75 * i});
        if (i % 4 == 0) estimator.abandoned(start - std::chrono::seconds{75 * i + 30});
    }

    std::deque<std::string> queue; // call ids, first in line first
    std::map<std::string, bool> wants_callback;
    engine.on_fact([&](const nudge::FactQuery& q) -> std::optional<std::string> {
        if (q.fact != "estimated_wait") return std::nullopt;
        auto it = std::find(queue.begin(), queue.end(), q.key);
        if (it == queue.end()) return std::nullopt;
        auto ahead = static_cast<int>(std::distance(queue.begin(), it));
        return std::to_string(estimator.estimate(ahead, clock.now()).count()) + "s";
    });
    Telephony phones;
    engine.on_action([&](const nudge::ActionCall& call) -> std::optional<nudge::Data> {
        // The agent at the desk answers; the flow then tells them whom it is calling.
        if (call.action == "agent.ring")
            phones.to_signal.push_back({call.key, "agent.answered", {{"agent", "+4570203041"}}});
        if (call.action == "customer.dial") {
            phones.to_signal.push_back({call.key, "customer.answered", {}});
        }
        return std::nullopt;
    });
    auto deliver = [&] {
        // Events go in after the engine call that caused them has returned.
        while (!phones.to_signal.empty()) {
            auto next = phones.to_signal.front();
            phones.to_signal.erase(phones.to_signal.begin());
            engine.signal("queue_callback", next.call_id, next.event, next.data);
        }
    };

    const std::vector<Caller> callers = {
        {"c1", "+4520304050", "09:00:00", false},  {"c2", "+4540506070", "09:00:10", false},
        {"c3", "+46701234567", "09:00:20", false}, {"c4", "+4531415926", "09:00:30", true},
        {"c5", "+4561718191", "09:00:40", false},  {"c6", "", "09:00:50", false}};
    auto arrival = [&](const Caller& c) {
        return nudge::parse_instant("2026-02-10T" + c.arrives, zone);
    };

    // The agent answers the head of the queue every 75 s from 09:01:15 on.
    auto next_answer = start + 75s;
    std::size_t arrived = 0;
    for (auto t = start; t <= start + 15min; t += 1s) {
        clock.set(t);
        engine.run_due();
        deliver();
        while (arrived < callers.size() && arrival(callers[arrived]) == t) {
            const auto& c = callers[arrived++];
            queue.push_back(c.call_id);
            nudge::Data data{{"call_id", c.call_id}, {"company", "Autohuset Nord"}};
            if (!c.phone.empty()) data["caller"] = c.phone;
            engine.trigger("call.queued", data);
        }
        // A caller who wants a callback presses 1 after hearing the first offer.
        for (const auto& c : callers) {
            if (!c.presses_one || wants_callback[c.call_id]) continue;
            auto heard = std::any_of(transport.sent().begin(), transport.sent().end(),
                                     [&](const nudge::Message& m) { return m.key == c.call_id; });
            if (!heard) continue;
            wants_callback[c.call_id] = true;
            engine.signal("queue_callback", c.call_id, "key.pressed", {{"digit", "1"}});
        }
        if (t == next_answer && !queue.empty()) {
            auto id = queue.front();
            queue.pop_front();
            estimator.answered(t);
            engine.signal("queue_callback", id,
                          wants_callback[id] ? "turn.reached" : "call.answered");
            deliver();
            next_answer += 75s;
        }
    }

    auto c4 = engine.instances("queue_callback", "called_back");
    bool ok = c4.size() == 1 && c4.front().key == "c4";
    std::cerr << (ok ? "c4 was called back\n" : "c4 was not called back\n");
    return ok ? 0 : 1;
}
