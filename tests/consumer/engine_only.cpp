// A program outside the nudge tree that links one layer, nudge::runtime (and the layers below
// it), from the installed package: no front end, so the flow is built in code, then compiled
// and run. tests/consumer/run.cmake checks with ldd that it loads no yaml-cpp or SQLite.
#include <nudge/compile.hpp>
#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <chrono>
#include <iostream>

int main() {
    // The same flow as hello.flow, built in code.
    nudge::FlowDef flow;
    flow.name = "hello";
    flow.fields.push_back({.name = "phone", .type = nudge::FieldType::phone});
    flow.channels.push_back(
        {.name = "sms", .kind = nudge::ChannelKind::sms, .to = "phone", .from = "4570000000"});
    flow.triggers.push_back({.event = "greet.requested", .key = "phone", .start = "greeting"});
    nudge::StateDecl greeting{.name = "greeting"};
    nudge::Action send;
    send.kind = nudge::Action::Kind::send;
    send.channel = "sms";
    send.inline_text = "Hello there.";
    greeting.actions.push_back(send);
    nudge::Handler after;
    after.kind = nudge::Handler::Kind::after;
    after.delay = {.count = 1, .unit = nudge::DurationUnit::d};
    after.target.state = "done";
    greeting.handlers.push_back(after);
    flow.states.push_back(greeting);
    flow.states.push_back({.name = "done", .is_final = true});

    auto compiled = nudge::compile(flow);
    if (!compiled.ok()) {
        for (const auto& d : compiled.diagnostics)
            std::cerr << d.message << "\n";
        return 1;
    }
    nudge::FakeClock clock{"2026-06-01T09:00:00Z"};
    nudge::RecordingTransport out;
    nudge::Engine engine{clock, out};
    engine.load(compiled.flow);
    auto ids = engine.trigger("greet.requested", {{"phone", "+4520123456"}});
    clock.advance(std::chrono::hours{24});
    engine.run_due();
    std::cout << "engine only: sent " << out.sent().size() << " to " << out.sent().at(0).to
              << ", state " << engine.instance(ids.at(0))->state << "\n";
    return 0;
}
