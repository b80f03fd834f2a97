#pragma once
// What the engine's micro-benchmarks (engine_bench.cpp) and the instruction counter
// (benchmarks/count/) share: flows, a transport that only counts, keys.
#include "../scale/reminder.hpp"

#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace bench {

// The engines here keep no history in memory, as in benchmarks/scale: records still reach
// on_record, and a production engine keeps them in its store.
inline const nudge::EngineOptions engine_options{false};

class NullTransport final : public nudge::Transport {
public:
    nudge::SendResult send(const nudge::Message&) override {
        ++count;
        return {};
    }
    std::uint64_t count = 0;
};

inline std::shared_ptr<const nudge::CompiledFlow> compiled(const char* source) {
    auto r = nudge::compile_source(source, "bench.flow");
    if (!r.ok()) return nullptr;
    return r.flow;
}

// The reminder flow of benchmarks/scale (one text for both).
using scale::reminder_flow;

// Timers only: no channel, no send.
inline constexpr const char* timer_flow = R"(flow timers
field ref: text
trigger job.created as ref {
  start waiting
}
state waiting {
  after 1h -> done
}
final done
)";

// A deadline that falls in the night before the spring DST change in Oslo (2026-03-29 02:00
// local): `within` moves it to the next opening, 09:00 CEST.
inline constexpr const char* dst_flow = R"(flow dst
timezone "Europe/Oslo"
field ref: text
window daytime = mon-sun 09:00-20:00
trigger job.created as ref {
  start waiting
}
state waiting {
  after 4h within daytime -> done
}
final done
)";

// Built by appending: GCC 12 warns falsely (-Wrestrict, bug 105651) on "r" + to_string(i).
inline std::string phone(std::uint64_t i) {
    std::string digits = std::to_string(i % 10000000);
    std::string p = "+479";
    p.append(7 - digits.size(), '0');
    p += digits;
    return p;
}
inline std::string ref(std::uint64_t i) {
    std::string r = "r";
    r += std::to_string(i);
    return r;
}

} // namespace bench
