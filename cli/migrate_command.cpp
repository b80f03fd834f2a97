// nudge migrate: load a changed flow into a durable database as a new version and move the
// running instances onto it, or refuse (with the states in the way) and change nothing.
#include "commands.hpp"
#include "files.hpp"

#include <nudge/compile.hpp>
#include <nudge/store.hpp>

#include <algorithm>
#include <iostream>

namespace nudge::cli {

namespace {

// Thrown inside the batch to abandon it: a dry run, or a refusal.
struct Abandon {};

// Takes no message: the migration's messages wait in the outbox for the host that runs the
// flows (deliver_after_step is off).
class NoTransport final : public Transport {
public:
    SendResult send(const Message&) override { return {false, {}, "not delivered by migrate"}; }
};

void print_moved(const Migration& m, const char* verb) {
    std::cout << verb << " " << m.moved.size() << " instance(s) of " << m.flow << " to version "
              << m.version << "\n";
    for (const auto& x : m.moved) {
        std::cout << "  " << x.instance << "  " << (x.state.empty() ? "(pending start)" : x.state)
                  << "  from version " << x.from_version << "\n";
    }
}

} // namespace

int run_migrate(const MigrateOptions& o) {
    auto source = read_file(o.flow);
    if (!source) {
        std::cerr << "nudge migrate: cannot read file " << o.flow << "\n";
        return 2;
    }
    auto compiled = compile_source(*source, o.flow);
    if (!compiled.ok()) {
        std::cerr << render(compiled.diagnostics, *source);
        return 1;
    }
    FakeClock clock(Instant{});
    try {
        clock.set(o.at.empty() ? SystemClock().now() : parse_instant(o.at));
    } catch (const nudge::error& e) {
        std::cerr << "nudge migrate: --at: " << e.what() << "\n";
        return 2;
    }
    std::error_code ec;
    if (!std::filesystem::exists(o.database, ec)) {
        std::cerr << "nudge migrate: " << o.database << ": no such database\n";
        return 2;
    }
    const auto& name = compiled.flow->flow().name;
    try {
        NoTransport transport;
        DurableOptions options;
        options.deliver_after_step = false;
        DurableEngine engine(o.database, clock, transport, options);
        auto names = engine.flows();
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            std::cerr << "nudge migrate: " << o.database << " has no flow named " << name
                      << " (nudge run loads new flows)\n";
            return 1;
        }
        int before = engine.engine().version(name);
        int version = 0;
        Migration m;
        try {
            // One batch: the new version and the moves commit together, or not at all.
            engine.batch([&] {
                version = engine.load(compiled.flow);
                m = engine.migrate(name, o.dry_run);
                if (o.dry_run || !m.ok()) throw Abandon{};
            });
        } catch (const Abandon&) {}
        if (version == before) {
            std::cout << "flow " << name << ": the text is version " << version
                      << ", the newest already\n";
        } else {
            std::cout << "flow " << name << ": version " << version
                      << (o.dry_run || !m.ok() ? " (not saved)" : " loaded") << " (was " << before
                      << ")\n";
        }
        if (!m.ok()) {
            std::cerr << "nudge migrate: version " << m.version << " of " << name
                      << " lacks states instances are in; nothing was changed:\n";
            for (const auto& x : m.missing) {
                std::cerr << "  " << x.state << " (version " << x.version << "): " << x.instances
                          << " instance(s)\n";
            }
            return 1;
        }
        print_moved(m, o.dry_run ? "would move" : "moved");
        if (o.dry_run) std::cout << "dry run: nothing was changed\n";
        return 0;
    } catch (const store_error& e) {
        std::cerr << "nudge migrate: " << e.what() << "\n";
        return 1;
    } catch (const nudge::error& e) {
        std::cerr << "nudge migrate: " << e.what() << "\n";
        return 1;
    }
}

} // namespace nudge::cli
