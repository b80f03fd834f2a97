// missed_call_host: a restaurant's side of missed_call.flow on a fake clock. Missed calls come
// in from the phone system, the OrderDesk reads the customers' SMS replies with the order
// parser and tells the flow what it found; the timeline prints as JSON lines and a summary of
// the orders goes to stderr.
//
//   missed_call_host path/to/missed_call.flow
#include "order_desk.hpp"

#include <nudge/nudge.hpp>

#include <iostream>

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    if (argc != 2) {
        std::cerr << "usage: missed_call_host FLOW\n";
        return 2;
    }
    auto flow = nudge::compile_file(argv[1]);
    if (!flow.ok()) {
        std::cerr << nudge::render(flow.diagnostics);
        return 1;
    }
    constexpr const char* zone = "Europe/Copenhagen";
    nudge::FakeClock clock{nudge::parse_instant("2026-06-05T18:00:00", zone)};
    nudge::RecordingTransport transport;
    nudge::Engine engine{clock, transport};
    engine.load(flow.flow);
    engine.on_record([&](const nudge::Record& r) { std::cout << nudge::to_json(r, zone) << "\n"; });
    missed_call::OrderDesk desk{engine};

    auto run_for = [&](std::chrono::seconds d) {
        for (auto end = clock.now() + d; clock.now() < end;) {
            auto due = engine.next_due();
            clock.set(due && *due < end ? *due : end);
            engine.run_due();
            desk.deliver();
        }
    };
    auto call = [&](const std::string& phone) {
        engine.trigger("call.missed", {{"phone", phone}, {"restaurant", "Pizzabaren Vesterbro"}});
    };
    auto sms = [&](const std::string& phone, const std::string& text) {
        desk.reply({phone, "4532100000", text});
    };

    call("+4520123456");
    call("+4540302010");
    call("+4561718191");
    run_for(2min);
    sms("+4520123456", "Hej, 2 margherita og 1 cola tak. Henter kl 18:30");
    sms("+4540302010", "det sædvanlige");
    sms("+4561718191", "I'd like two pepperoni and a coke please");
    run_for(3min);
    sms("+4540302010", "1 kebab pizza og 2 pommes");
    run_for(3h);

    int orders = 0;
    double revenue = 0;
    for (const auto& view : engine.instances("missed_call", "ordered")) {
        ++orders;
        revenue += view.outcome_value.value_or(0);
    }
    std::cerr << orders << " orders by SMS, " << revenue << " kr\n";
    return orders == 3 ? 0 : 1;
}
