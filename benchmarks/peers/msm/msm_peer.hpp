#pragma once
// The Boost.MSM peer of benchmarks/scale: the same reminder flow written by hand as a Boost.MSM
// state machine per customer, with one shared timer heap. See msm_peer.cpp for what it
// simplifies.
#include "../../scale/harness.hpp"
#include "../../scale/trace.hpp"

#include <vector>

namespace msm_peer {

scale::RunStats run(const std::vector<scale::Event>& trace, std::uint32_t n);
// Starts n instances at one instant and measures them (call in a fresh process).
scale::MemStats waiting(std::uint32_t n);
// Nanoseconds per reply dispatch (lookup + transition + cancel) over `reps` replies.
double dispatch_ns(std::uint32_t reps);

} // namespace msm_peer
