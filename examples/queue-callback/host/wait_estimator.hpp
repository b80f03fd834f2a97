#pragma once
// The estimated wait of a queued call, the fact `estimated_wait` of queue_callback.flow. The
// switchboard knows how many callers are in front, how many queued callers give up before an
// agent answers, and how quickly agents answer; from those comes the wait.

#include <nudge/clock.hpp>

#include <chrono>
#include <deque>

namespace queue_callback {

// What the estimate is made from.
struct QueueStats {
    int calls_ahead = 0;                      // callers in front of this one
    double abandonment_rate = 0;              // share of queued callers who hang up first, 0..1
    std::chrono::seconds answer_interval{60}; // mean time between two answers, all agents
};

// Callers in front who will still be there when an agent frees up, plus this caller, each
// taking one answer interval: (calls_ahead × (1 − abandonment_rate) + 1) × answer_interval,
// rounded to whole seconds. Out-of-range inputs are clamped (no negative queue, a rate in 0..1).
std::chrono::seconds estimate_wait(const QueueStats& stats);

// Learns the abandonment rate and the answer interval from the calls of the last `window` and
// estimates the wait of a caller with N callers in front.
class WaitEstimator {
public:
    explicit WaitEstimator(std::chrono::seconds window = std::chrono::minutes{30},
                           std::chrono::seconds fallback_interval = std::chrono::seconds{60});

    // A queued call was answered by an agent, or the caller hung up before that. Times are
    // expected to move forward: calls older than the newest minus the window are forgotten.
    void answered(nudge::Instant at);
    void abandoned(nudge::Instant at);

    // Over the window ending at `now`. With no finished calls the rate is 0; with fewer than two
    // answers the interval is the fallback.
    double abandonment_rate(nudge::Instant now) const;
    std::chrono::seconds answer_interval(nudge::Instant now) const;
    QueueStats stats(int calls_ahead, nudge::Instant now) const;
    std::chrono::seconds estimate(int calls_ahead, nudge::Instant now) const;

private:
    std::chrono::seconds window_;
    std::chrono::seconds fallback_;
    std::deque<nudge::Instant> answers_;
    std::deque<nudge::Instant> abandons_;
};

} // namespace queue_callback
