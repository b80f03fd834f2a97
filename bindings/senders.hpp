#pragma once
// Replies name our number (`to`), which hosts with one sender number should not have to repeat:
// like a scenario's `reply`, the bindings fill it in when the loaded flows have exactly one.

#include <nudge/error.hpp>
#include <nudge/flow.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace nudge::bindings {

class SenderNumbers {
public:
    // Remembers the numbers the flow's channels send from (email senders are not numbers).
    void add(const FlowDef& flow) {
        for (const auto& c : flow.channels)
            if (c.from && is_number(*c.from) &&
                std::find(numbers_.begin(), numbers_.end(), *c.from) == numbers_.end())
                numbers_.push_back(*c.from);
    }

    // `to` itself, or the one sender number when `to` is empty; throws nudge::error when it is
    // empty and there is no single number to use.
    std::string fill(std::string to) const {
        if (!to.empty()) return to;
        if (numbers_.size() == 1) return numbers_.front();
        throw error(numbers_.empty() ? "a reply needs 'to': no loaded flow has a sender number"
                                     : "a reply needs 'to': the loaded flows have several "
                                       "sender numbers");
    }

private:
    static bool is_number(std::string_view s) {
        if (!s.empty() && s[0] == '+') s.remove_prefix(1);
        return s.size() >= 3 &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    }

    std::vector<std::string> numbers_;
};

} // namespace nudge::bindings
