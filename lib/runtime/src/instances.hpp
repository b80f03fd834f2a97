#pragma once
// An instance of a flow as the engine holds it (Inst, with its last outbound message and the
// parts only some flows need) and the table of instances by id (InstanceTable): sequential
// ids, one allocation each, a retired instance's slot dropped once the ones before it are.
#include <nudge/engine.hpp>

#include "text/locale_format.hpp"
#include "text/reply_text.hpp"
#include "text/value.hpp"

#include <re2/re2.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nudge {

using detail::Value;

// The state's last outbound message, which reminders send again.
struct Outbound {
    Instant at;       // the last sending: the message itself, or its last reminder
    Instant first_at; // the message's first sending (reminders `from first` count from it)
    const Action* action = nullptr; // the send it came from (nullptr: unknown)
    std::uint32_t channel = 0;      // index of the channel it went out on
    // The rendered text and subject, kept only when they cannot be read off the action again
    // (they had merge fields, whose values may have changed since).
    std::unique_ptr<std::pair<std::string, std::optional<std::string>>> rendered;
};

// What only some flows' instances need.
struct Extra {
    Data trigger_data;                                     // flows that restart
    std::vector<std::pair<std::string, Instant>> sent_log; // flows with caps
    std::vector<int> repeat_count;                         // states with `every`
    std::optional<double> outcome_value;
    std::string last_reply;      // flows that run host actions
    std::string send_error;      // why the last send failed, for `on send.failed`
    std::vector<Record> history; // when the engine keeps history
};

struct Inst {
    std::uint64_t id = 0;
    std::uint32_t flow = 0;
    std::uint32_t trigger = 0;
    std::int32_t state = -1; // -1: none yet (a delayed start is pending)
    InstanceStatus status = InstanceStatus::pending;
    bool send_failed = false;
    bool indexed = false;   // in the address index (live)
    bool listening = false; // its state waits for replies
    std::uint16_t reminder_index = 0;
    std::uint16_t reminder_count = 0;
    std::uint32_t timer_gen = 0, reminder_gen = 0, send_gen = 0;
    // Its standing queued timers by kind (the rest: start, handler and repeat timers).
    std::uint16_t pending_reminders = 0, pending_sends = 0, pending_rest = 0;
    std::uint32_t messages = 0;
    std::uint32_t epoch = 0; // counts state entries
    std::string key;
    Instant started;
    Instant entered;
    std::vector<Value> values;
    const date::time_zone* zone = nullptr; // the recipient's zone field, when set
    Outbound last;                         // no action: nothing sent in this state yet
    const std::string* outcome = nullptr;  // the final's label
    std::unique_ptr<Extra> extra;

    Extra& more() {
        if (!extra) extra = std::make_unique<Extra>();
        return *extra;
    }
};

// Instances by id: ids are 1, 2, 3, … and never reused. Each instance has its own allocation
// (stable references while the table grows); a retired one leaves an empty slot, and the slots
// before the oldest instance still held are dropped, so a table whose old instances retire in
// roughly the order they started stays as small as what it holds.
class InstanceTable {
public:
    Inst* find(std::uint64_t id) {
        return id < base_ || id - base_ >= items_.size() ? nullptr : items_[id - base_].get();
    }
    const Inst* find(std::uint64_t id) const {
        return id < base_ || id - base_ >= items_.size() ? nullptr : items_[id - base_].get();
    }
    Inst& add(Inst&& inst) {
        inst.id = next_id();
        ++held_;
        return *items_.emplace_back(std::make_unique<Inst>(std::move(inst)));
    }
    std::uint64_t next_id() const { return base_ + items_.size(); }
    // An id that was given out and whose instance is no longer held.
    bool retired(std::uint64_t id) const { return id != 0 && id < next_id() && !find(id); }
    void erase(std::uint64_t id) {
        if (!find(id)) return;
        items_[id - base_].reset();
        --held_;
        while (!items_.empty() && !items_.front()) {
            items_.pop_front();
            ++base_;
        }
    }
    std::size_t size() const { return held_; }

    // Iterates over the instances held, in id order.
    template <class Slots, class Value> class Iter {
    public:
        Iter(Slots* s, std::size_t i) : s_(s), i_(i) { skip(); }
        Value& operator*() const { return *(*s_)[i_]; }
        Iter& operator++() {
            ++i_;
            skip();
            return *this;
        }
        bool operator!=(const Iter& o) const { return i_ != o.i_; }

    private:
        void skip() {
            while (i_ < s_->size() && !(*s_)[i_])
                ++i_;
        }
        Slots* s_;
        std::size_t i_;
    };
    using Slots = std::deque<std::unique_ptr<Inst>>;
    auto begin() { return Iter<Slots, Inst>(&items_, 0); }
    auto end() { return Iter<Slots, Inst>(&items_, items_.size()); }
    auto begin() const { return Iter<const Slots, const Inst>(&items_, 0); }
    auto end() const { return Iter<const Slots, const Inst>(&items_, items_.size()); }

private:
    Slots items_;
    std::uint64_t base_ = 1; // the id of items_[0]
    std::size_t held_ = 0;
};

} // namespace nudge
