#pragma once
// The restaurant's side of missed_call.flow: answers `do "order.parse"` by running the order
// parser on the customer's reply, and tells the flow the result with the events it waits for:
// order.parsed (with order_summary and order_total) or order.unclear.

#include "order_parser.hpp"

#include <nudge/engine.hpp>

#include <string>
#include <vector>

namespace missed_call {

class OrderDesk {
public:
    // Registers the action handler on `engine`, which must outlive the desk.
    explicit OrderDesk(nudge::Engine& engine, Menu menu = default_menu());

    // An inbound SMS: handed to the engine, then any order it asked to parse is signalled.
    void reply(const nudge::Inbound& message);
    // Signals what the parser found for orders asked for since the last call. Call it after
    // any engine input that may have led to `do "order.parse"` (reply does it itself).
    void deliver();

    // Every order parsed so far, in order: the key it was for and what was read.
    const std::vector<std::pair<std::string, ParsedOrder>>& parsed() const { return parsed_; }

private:
    nudge::Engine& engine_;
    Menu menu_;
    std::vector<std::pair<std::string, ParsedOrder>> parsed_;
    struct Pending {
        std::string flow, key;
        std::size_t parsed; // index into parsed_
    };
    std::vector<Pending> pending_;
};

} // namespace missed_call
