// The Boost.MSM peer (issue 8): the reminder flow of benchmarks/scale by hand.
//
// One back::state_machine per customer (Idle -> Waiting -> Confirmed | Declined | Stopped |
// Cancelled) and one shared binary heap of timers (std::priority_queue). Entering Waiting
// sends the first message and sets two timers: the first reminder at defer(now + 24 h) and the
// cancel at now + 72 h; a reminder sends and, while fewer than two went out, sets the next at
// defer(now + 24 h). Leaving Waiting bumps the instance's generation, so its timers still in
// the heap are skipped when they come up (lazy cancellation).
//
// Simplifications against nudge (equivalent for the trace, which the checksum shows):
// - the window is fixed at 09:00–20:00 UTC every day (scale::defer), no zones, no DST;
// - replies are matched on the exact words the trace sends (JA / Nei / STOP), no normalisation,
//   keyword sets or opt-out list across flows; routing is one hash lookup by phone text;
// - messages are counted, not rendered; no history, metrics or records are kept.
#include "msm_peer.hpp"

#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/functor_row.hpp>
#include <boost/msm/front/state_machine_def.hpp>

#include <cstring>
#include <queue>
#include <string>
#include <unordered_map>

namespace msm_peer {
namespace {

namespace msm = boost::msm;
namespace mpl = boost::mpl;
using msm::front::none;
using msm::front::Row;

enum TimerKind : std::uint32_t { remind_timer = 0, expire_timer = 1 };

struct Timer {
    std::int64_t at;
    std::uint64_t seq;
    std::uint32_t idx;
    std::uint32_t gen;
    std::uint32_t kind;
    bool operator>(const Timer& o) const { return at != o.at ? at > o.at : seq > o.seq; }
};

// The shared world of one run: the time, the timer heap, the counted sends.
struct World {
    std::int64_t now = 0;
    std::uint64_t seq = 0;
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
    std::uint64_t sends = 0;
    std::uint64_t checksum = 0;
    void send(std::uint32_t idx, std::uint32_t reminder) {
        ++sends;
        checksum += scale::send_hash(idx, reminder, now);
    }
    void schedule(std::int64_t at, std::uint32_t idx, std::uint32_t gen, std::uint32_t kind) {
        timers.push({at, seq++, idx, gen, kind});
    }
};
World* world = nullptr;

struct EvStart {};
struct EvYes {};
struct EvNo {};
struct EvStop {};
struct EvRemind {};
struct EvExpire {};

struct Front : msm::front::state_machine_def<Front> {
    using no_exception_thrown = int;
    using no_message_queue = int;

    std::uint32_t idx = 0;
    std::uint32_t gen = 0;
    std::uint32_t reminders = 0;

    struct Idle : msm::front::state<> {};
    struct Waiting : msm::front::state<> {
        template <class Event, class Fsm> void on_entry(const Event&, Fsm& fsm) {
            world->send(fsm.idx, 0);
            world->schedule(scale::defer(world->now + scale::day), fsm.idx, fsm.gen, remind_timer);
            world->schedule(world->now + 72 * scale::hour, fsm.idx, fsm.gen, expire_timer);
        }
        template <class Event, class Fsm> void on_exit(const Event&, Fsm& fsm) { ++fsm.gen; }
    };
    struct Confirmed : msm::front::state<> {};
    struct Declined : msm::front::state<> {};
    struct Stopped : msm::front::state<> {};
    struct Cancelled : msm::front::state<> {};

    struct SendReminder {
        template <class Fsm, class Event, class Source, class Target>
        void operator()(const Event&, Fsm& fsm, Source&, Target&) {
            world->send(fsm.idx, 1);
            if (++fsm.reminders < 2)
                world->schedule(scale::defer(world->now + scale::day), fsm.idx, fsm.gen,
                                remind_timer);
        }
    };

    using initial_state = Idle;
    // clang-format off
    struct transition_table : mpl::vector<
        Row<Idle,    EvStart,  Waiting>,
        Row<Waiting, EvYes,    Confirmed>,
        Row<Waiting, EvNo,     Declined>,
        Row<Waiting, EvStop,   Stopped>,
        Row<Waiting, EvExpire, Cancelled>,
        Row<Waiting, EvRemind, none, SendReminder>
    > {};
    // clang-format on

    template <class Fsm, class Event> void no_transition(const Event&, Fsm&, int) {}
};

using Machine = msm::back::state_machine<Front>;

struct Peer {
    World w;
    std::vector<Machine> machines;
    std::unordered_map<std::string, std::uint32_t> by_phone;

    explicit Peer(std::uint32_t n) : machines(n) {
        world = &w;
        by_phone.reserve(n);
    }
    ~Peer() { world = nullptr; }

    void start(std::uint32_t idx) {
        char phone[12];
        scale::phone_of(idx, phone);
        by_phone.emplace(std::string(phone, 11), idx);
        Machine& m = machines[idx];
        m.idx = idx;
        m.start();
        m.process_event(EvStart{});
    }
    void reply(const std::string& from, std::string_view text) {
        auto it = by_phone.find(from);
        if (it == by_phone.end()) return;
        Machine& m = machines[it->second];
        if (text == "JA")
            m.process_event(EvYes{});
        else if (text == "Nei")
            m.process_event(EvNo{});
        else if (text == "STOP")
            m.process_event(EvStop{});
    }
    // Fires every timer due at or before `until`, each at its own time. Returns how many.
    std::uint64_t run_until(std::int64_t until) {
        std::uint64_t fired = 0;
        while (!w.timers.empty() && w.timers.top().at <= until) {
            Timer t = w.timers.top();
            w.timers.pop();
            Machine& m = machines[t.idx];
            if (m.gen != t.gen) continue; // cancelled by leaving the state
            w.now = t.at;
            ++fired;
            if (t.kind == remind_timer)
                m.process_event(EvRemind{});
            else
                m.process_event(EvExpire{});
        }
        return fired;
    }
    template <class State> static int id() {
        return msm::back::get_state_id<Machine::stt, State>::type::value;
    }
    std::uint32_t outcome(std::uint32_t idx) const {
        const int state = machines[idx].current_state()[0];
        if (state == id<Front::Confirmed>()) return scale::confirmed;
        if (state == id<Front::Declined>()) return scale::declined;
        if (state == id<Front::Stopped>()) return scale::stopped;
        if (state == id<Front::Cancelled>()) return scale::cancelled;
        return scale::none;
    }
};

const char* word(std::uint32_t kind) {
    return kind == scale::yes ? "JA" : kind == scale::no ? "Nei" : "STOP";
}

} // namespace

scale::RunStats run(const std::vector<scale::Event>& trace, std::uint32_t n) {
    scale::RunStats s;
    Peer p(n);
    std::string from(11, ' ');
    const std::int64_t end = scale::t0 + scale::sim_days * scale::day;
    auto begin = scale::steady::now();
    for (const scale::Event& e : trace) {
        auto t = scale::steady::now();
        s.timers += p.run_until(e.t);
        auto t1 = scale::steady::now();
        s.timer_s += scale::seconds(t1 - t);
        p.w.now = e.t;
        if (e.kind == scale::trigger) {
            ++s.triggers;
            p.start(e.idx);
        } else {
            ++s.replies;
            char phone[12];
            scale::phone_of(e.idx, phone);
            std::memcpy(from.data(), phone, 11);
            auto r = scale::steady::now();
            p.reply(from, word(e.kind));
            s.reply_s += scale::seconds(scale::steady::now() - r);
        }
    }
    auto t = scale::steady::now();
    s.timers += p.run_until(end);
    s.timer_s += scale::seconds(scale::steady::now() - t);
    s.total_s = scale::seconds(scale::steady::now() - begin);
    s.sends = p.w.sends;
    s.checksum = p.w.checksum;
    for (std::uint32_t i = 0; i < n; ++i)
        s.checksum += scale::outcome_hash(i, p.outcome(i));
    return s;
}

scale::MemStats waiting(std::uint32_t n) {
    scale::MemStats m;
    long before = scale::rss_bytes();
    Peer p(n);
    p.w.now = scale::t0;
    auto t = scale::steady::now();
    for (std::uint32_t i = 0; i < n; ++i)
        p.start(i);
    m.setup_ns = scale::seconds(scale::steady::now() - t) * 1e9 / n;
    m.bytes_per_instance = static_cast<double>(scale::rss_bytes() - before) / n;
    return m;
}

double dispatch_ns(std::uint32_t reps) {
    Peer p(reps);
    p.w.now = scale::t0;
    for (std::uint32_t i = 0; i < reps; ++i)
        p.start(i);
    std::vector<std::string> phones(reps);
    for (std::uint32_t i = 0; i < reps; ++i) {
        char phone[12];
        scale::phone_of(i, phone);
        phones[i] = phone;
    }
    auto t = scale::steady::now();
    for (std::uint32_t i = 0; i < reps; ++i)
        p.reply(phones[i], "JA");
    return scale::seconds(scale::steady::now() - t) * 1e9 / reps;
}

} // namespace msm_peer
