#include "wait_estimator.hpp"

#include <algorithm>
#include <cmath>

namespace queue_callback {

namespace {

// Events inside (now − window, now], from a list kept in time order.
long in_window(const std::deque<nudge::Instant>& events, nudge::Instant now,
               std::chrono::seconds window) {
    return std::count_if(events.begin(), events.end(),
                         [&](nudge::Instant t) { return t > now - window && t <= now; });
}

} // namespace

std::chrono::seconds estimate_wait(const QueueStats& stats) {
    double ahead = std::max(stats.calls_ahead, 0);
    double rate = std::clamp(stats.abandonment_rate, 0.0, 1.0);
    if (std::isnan(stats.abandonment_rate)) rate = 0;
    double interval = std::max<double>(static_cast<double>(stats.answer_interval.count()), 0);
    double seconds = (ahead * (1 - rate) + 1) * interval;
    return std::chrono::seconds{std::llround(seconds)};
}

WaitEstimator::WaitEstimator(std::chrono::seconds window, std::chrono::seconds fallback_interval)
    : window_(window), fallback_(fallback_interval) {}

namespace {

// Keeps `events` in time order and drops what has left the window for good (the switchboard's
// clock only moves forward, so nothing older than the newest event minus the window is asked).
void remember(std::deque<nudge::Instant>& events, nudge::Instant at, std::chrono::seconds window) {
    events.insert(std::upper_bound(events.begin(), events.end(), at), at);
    while (!events.empty() && events.front() <= events.back() - window)
        events.pop_front();
}

} // namespace

void WaitEstimator::answered(nudge::Instant at) { remember(answers_, at, window_); }

void WaitEstimator::abandoned(nudge::Instant at) { remember(abandons_, at, window_); }

double WaitEstimator::abandonment_rate(nudge::Instant now) const {
    auto answered = in_window(answers_, now, window_);
    auto abandoned = in_window(abandons_, now, window_);
    if (answered + abandoned == 0) return 0;
    return static_cast<double>(abandoned) / static_cast<double>(answered + abandoned);
}

std::chrono::seconds WaitEstimator::answer_interval(nudge::Instant now) const {
    auto first = std::find_if(answers_.begin(), answers_.end(),
                              [&](nudge::Instant t) { return t > now - window_; });
    auto last = std::find_if(first, answers_.end(), [&](nudge::Instant t) { return t > now; });
    auto n = std::distance(first, last);
    if (n < 2) return fallback_;
    auto span = *std::prev(last) - *first;
    return std::chrono::seconds{span.count() / (n - 1)};
}

QueueStats WaitEstimator::stats(int calls_ahead, nudge::Instant now) const {
    return {calls_ahead, abandonment_rate(now), answer_interval(now)};
}

std::chrono::seconds WaitEstimator::estimate(int calls_ahead, nudge::Instant now) const {
    return estimate_wait(stats(calls_ahead, now));
}

} // namespace queue_callback
