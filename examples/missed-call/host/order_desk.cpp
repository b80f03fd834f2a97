#include "order_desk.hpp"

#include <cstdio>

namespace missed_call {

namespace {

std::string money(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

} // namespace

OrderDesk::OrderDesk(nudge::Engine& engine, Menu menu) : engine_(engine), menu_(std::move(menu)) {
    // The engine is in the middle of a step when it asks: the answer is signalled afterwards.
    engine_.on_action([this](const nudge::ActionCall& call) -> std::optional<nudge::Data> {
        if (call.action != "order.parse") return std::nullopt;
        parsed_.emplace_back(call.key, parse_order(call.last_reply, menu_));
        pending_.push_back({call.flow, call.key, parsed_.size() - 1});
        return std::nullopt;
    });
}

void OrderDesk::reply(const nudge::Inbound& message) {
    engine_.reply(message);
    deliver();
}

void OrderDesk::deliver() {
    while (!pending_.empty()) {
        auto next = pending_.front();
        pending_.erase(pending_.begin());
        // A copy: signalling may parse again and grow parsed_.
        ParsedOrder order = parsed_[next.parsed].second;
        if (order.unclear) {
            engine_.signal(next.flow, next.key, "order.unclear");
        } else {
            engine_.signal(
                next.flow, next.key, "order.parsed",
                {{"order_summary", order.summary()}, {"order_total", money(order.total())}});
        }
    }
}

} // namespace missed_call
