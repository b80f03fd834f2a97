// A program outside the nudge tree: reads a flow through the installed package.
#include <nudge/nudge.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer FILE.flow\n";
        return 2;
    }
    auto result = nudge::read_flow_file(argv[1]);
    if (!result.ok()) {
        std::cerr << nudge::render(result.diagnostics);
        return 1;
    }
    std::cout << "flow " << result.flow->name << ": " << result.flow->states.size() << " states ("
              << NUDGE_VERSION_STRING << ")\n";

    // Run it: a fake clock, a recording transport, one trigger, one day later.
    auto compiled = nudge::compile_file(argv[1]);
    if (!compiled.ok()) return 1;
    nudge::FakeClock clock{"2026-06-01T09:00:00Z"};
    nudge::RecordingTransport out;
    nudge::Engine engine{clock, out};
    engine.load(compiled.flow);
    auto ids = engine.trigger("greet.requested", {{"phone", "+4520123456"}});
    clock.advance(std::chrono::hours{24});
    engine.run_due();
    std::cout << "sent " << out.sent().size() << " to " << out.sent().at(0).to << ", state "
              << engine.instance(ids.at(0))->state << "\n";
    return 0;
}
