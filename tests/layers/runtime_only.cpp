// A program that links only the runtime layer (nudge_runtime and the layers below it): it
// compiles a flow and starts an engine without SQLite, yaml-cpp or PEGTL
// (tests/layers/check.cmake).
#include <nudge/compile.hpp>
#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <iostream>

int main() {
    nudge::FlowDef flow;
    flow.name = "empty";
    auto compiled = nudge::compile(flow);
    nudge::FakeClock clock("2026-03-28T20:55:00Z");
    nudge::RecordingTransport transport;
    nudge::Engine engine(clock, transport);
    if (compiled.ok()) engine.load(compiled.flow);
    std::cout << "runtime only: " << compiled.diagnostics.size() << " diagnostics\n";
    return 0;
}
