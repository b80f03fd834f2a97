#pragma once
// A flow from text, a fake clock, a recording transport and an engine, for runtime tests.
#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>
#include <nudge/engine.hpp>

#include "runtime/advance.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace nudge::test {

inline std::shared_ptr<const CompiledFlow> compiled(const std::string& text,
                                                    const std::string& name = "test.flow") {
    auto r = compile_source(text, name);
    INFO(render(r.diagnostics, text));
    REQUIRE(r.ok());
    return r.flow;
}

struct Rig {
    FakeClock clock;
    RecordingTransport out;
    Engine engine{clock, out};
    std::vector<Record> timeline;
    std::vector<Emitted> emitted;

    explicit Rig(std::string_view start) : clock(start) {
        engine.on_record([this](const Record& r) { timeline.push_back(r); });
        engine.on_emit([this](const Emitted& e) { emitted.push_back(e); });
    }
    Rig(std::string_view start, const std::string& flow) : Rig(start) { load(flow); }
    void load(const std::string& flow, const std::string& name = "test.flow") {
        engine.load(compiled(flow, name));
    }
    // Moves the clock to `t`, firing every deadline on the way at its own time.
    void until(Instant t) {
        auto moved = detail::advance_clock(clock, engine, t);
        REQUIRE_MESSAGE(moved.ok(), "the clock did not reach its target");
    }
    void until(std::string_view iso) { until(parse_instant(iso)); }
    void advance(std::chrono::seconds s) { until(clock.now() + s); }
    std::string at(std::size_t i, std::string_view zone = "Europe/Copenhagen") const {
        REQUIRE(i < out.sent().size());
        return format_instant(out.sent()[i].at, zone);
    }
    std::string state_of(std::uint64_t id) const {
        auto v = engine.instance(id);
        REQUIRE(v.has_value());
        return v->state;
    }
    std::vector<const Record*> records(std::string_view kind) const {
        std::vector<const Record*> out_;
        for (const auto& r : timeline)
            if (r.kind == kind) out_.push_back(&r);
        return out_;
    }
};

} // namespace nudge::test
