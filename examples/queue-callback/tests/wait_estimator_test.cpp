#include "wait_estimator.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using queue_callback::estimate_wait;
using queue_callback::QueueStats;
using queue_callback::WaitEstimator;

namespace {
nudge::Instant at(const char* text) { return nudge::parse_instant(text, "Europe/Copenhagen"); }
} // namespace

TEST_CASE("an empty queue waits one answer interval") {
    CHECK(estimate_wait({0, 0.0, 45s}) == 45s);
}

TEST_CASE("every caller in front adds an answer interval") {
    CHECK(estimate_wait({3, 0.0, 40s}) == 160s);
}

TEST_CASE("callers in front who give up first do not count") {
    // 4 ahead, a quarter of them hang up: 3 answered before this caller, then this one.
    CHECK(estimate_wait({4, 0.25, 30s}) == 120s);
}

TEST_CASE("the one-minute threshold of the flow: two ahead with a 20 s interval is exactly 1m") {
    CHECK(estimate_wait({2, 0.0, 20s}) == 60s);
    CHECK(estimate_wait({1, 0.0, 20s}) < 60s);
}

TEST_CASE("out-of-range inputs are clamped") {
    CHECK(estimate_wait({-3, 0.0, 30s}) == 30s);
    CHECK(estimate_wait({5, 1.5, 30s}) == 30s);
    CHECK(estimate_wait({5, -0.5, 30s}) == 180s);
    CHECK(estimate_wait({5, 0.0, -30s}) == 0s);
}

TEST_CASE("the answer interval is the mean gap between answers in the window") {
    WaitEstimator e{30min, 60s};
    e.answered(at("2026-02-10T09:00:00"));
    e.answered(at("2026-02-10T09:01:00"));
    e.answered(at("2026-02-10T09:03:00"));
    CHECK(e.answer_interval(at("2026-02-10T09:05:00")) == 90s);
}

TEST_CASE("with fewer than two answers the fallback interval is used") {
    WaitEstimator e{30min, 75s};
    CHECK(e.answer_interval(at("2026-02-10T09:00:00")) == 75s);
    e.answered(at("2026-02-10T09:00:00"));
    CHECK(e.answer_interval(at("2026-02-10T09:01:00")) == 75s);
}

TEST_CASE("the abandonment rate is the share of finished calls that hung up") {
    WaitEstimator e;
    CHECK(e.abandonment_rate(at("2026-02-10T09:00:00")) == 0.0);
    e.answered(at("2026-02-10T09:00:00"));
    e.answered(at("2026-02-10T09:01:00"));
    e.answered(at("2026-02-10T09:02:00"));
    e.abandoned(at("2026-02-10T09:02:30"));
    CHECK(e.abandonment_rate(at("2026-02-10T09:03:00")) == doctest::Approx(0.25));
}

TEST_CASE("calls older than the window are forgotten") {
    WaitEstimator e{10min, 60s};
    e.abandoned(at("2026-02-10T09:00:00"));
    e.answered(at("2026-02-10T09:11:00"));
    e.answered(at("2026-02-10T09:12:00"));
    auto now = at("2026-02-10T09:12:30");
    CHECK(e.abandonment_rate(now) == 0.0);
    CHECK(e.answer_interval(now) == 60s);
}

TEST_CASE("the estimate combines queue length, abandonment and answer speed") {
    WaitEstimator e{30min, 60s};
    // Answers every 40 s, one caller in five gives up.
    auto t = at("2026-02-10T09:00:00");
    for (int i = 0; i < 8; ++i)
        e.answered(t + std::chrono::seconds{40 * i});
    e.abandoned(t + 100s);
    e.abandoned(t + 200s);
    auto now = t + 300s;
    CHECK(e.abandonment_rate(now) == doctest::Approx(0.2));
    CHECK(e.answer_interval(now) == 40s);
    // 5 ahead × 0.8 + 1 = 5 intervals of 40 s.
    CHECK(e.estimate(5, now) == 200s);
    CHECK(e.stats(5, now).calls_ahead == 5);
}
