// The whole-flow analyses (DESIGN §6, second half). Each finding is a diagnostic with a code
// and the location of the declaration it is about.
#include "graph/detail.hpp"
#include "graph/graph.hpp"
#include "text/reply_text.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <queue>
#include <set>
#include <tuple>

namespace nudge::detail {

namespace {

struct Analysis {
    FlowModel& m;
    Diagnostics& out;
    const FlowDef& flow() const { return *m.flow; }

    void error(std::string code, std::string message, const Loc& loc) {
        out.error(std::move(code), std::move(message), flow().source.file, loc.begin, span(loc));
    }
    void warning(std::string code, std::string message, const Loc& loc) {
        out.warning(std::move(code), std::move(message), flow().source.file, loc.begin, span(loc));
    }
    const StateDecl& decl(std::size_t s) const { return flow().states[m.states[s].decl]; }
    // A state's block spans lines; underline its `state NAME` / `final NAME` head instead.
    void state_finding(bool is_error, std::string code, std::string message, const StateDecl& d) {
        auto length = static_cast<std::uint32_t>(6 + d.name.size());
        if (is_error) {
            out.error(std::move(code), std::move(message), flow().source.file, d.loc.begin, length);
        } else {
            out.warning(std::move(code), std::move(message), flow().source.file, d.loc.begin,
                        length);
        }
    }
    // All graph edges except inbox self-loops, which do not leave the state.
    Digraph graph(bool immediate_only = false) const {
        Digraph g;
        g.vertices = m.states.size();
        for (const auto& e : m.edges) {
            if (e.target_kind == Target::Kind::inbox) continue;
            if (immediate_only && !e.immediate()) continue;
            g.edges.emplace_back(e.source, e.target);
        }
        return g;
    }
};

void reachability(Analysis& a) {
    auto seen = reachable_from(a.graph(), a.m.starts);
    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        a.m.states[s].reachable = seen[s];
        if (seen[s]) continue;
        const auto& d = a.decl(s);
        if (d.is_final) {
            a.state_finding(
                false, "unreachable-final",
                "final state " + q(d.name) + " cannot be reached from any trigger's start", d);
        } else {
            a.state_finding(true, "unreachable-state",
                            "state " + q(d.name) + " cannot be reached from any trigger's start",
                            d);
        }
    }
}

void dead_ends(Analysis& a) {
    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        const auto& d = a.decl(s);
        if (d.is_final) continue;
        bool waits = !d.handlers.empty() || !a.flow().from_any.empty();
        bool has_else = std::any_of(d.choices.begin(), d.choices.end(),
                                    [](const Choice& c) { return !c.condition; });
        if (!waits && d.choices.empty()) {
            a.state_finding(true, "dead-end",
                            "state " + q(d.name) + " has nothing to wait for and no choice, " +
                                "so an instance that enters it is stuck; add a handler or " +
                                "make it final",
                            d);
        } else if (!waits && !has_else) {
            a.state_finding(false, "no-else",
                            "state " + q(d.name) + " has nothing to wait for, so an instance " +
                                "is stuck there when none of its choices holds; add 'else -> …'",
                            d);
        }
    }
}

// The shortest cycle through `from` inside its component, as state indices (from … from).
// `parent` (SIZE_MAX everywhere) is scratch shared by the calls, left as it was found, so that
// a flow with many loops costs the size of each loop's component, not of the flow, per loop.
std::vector<std::size_t> cycle_through(const Analysis& a, std::size_t from,
                                       const std::vector<std::size_t>& comp,
                                       std::vector<std::size_t>& parent) {
    std::vector<std::size_t> touched;
    auto cycle = [&]() -> std::vector<std::size_t> {
        std::deque<std::size_t> todo{from};
        while (!todo.empty()) {
            auto v = todo.front();
            todo.pop_front();
            for (auto ei : a.m.states[v].edges) {
                const auto& e = a.m.edges[ei];
                if (!e.immediate() || comp[e.target] != comp[from]) continue;
                if (e.target == from) {
                    std::vector<std::size_t> path{from};
                    for (auto p = v; p != from; p = parent[p])
                        path.push_back(p);
                    path.push_back(from);
                    std::reverse(path.begin() + 1, path.end() - 1);
                    return path;
                }
                if (parent[e.target] != SIZE_MAX) continue; // seen
                parent[e.target] = v;
                touched.push_back(e.target);
                todo.push_back(e.target);
            }
        }
        return {from, from};
    }();
    for (auto v : touched)
        parent[v] = SIZE_MAX;
    return cycle;
}

void livelocks(Analysis& a) {
    auto g = a.graph(true);
    std::size_t count = 0;
    auto comp = strong_components(g, count);
    std::vector<std::size_t> size(count, 0);
    for (auto c : comp)
        ++size[c];
    std::vector<bool> self_loop(a.m.states.size(), false);
    for (const auto& [from, to] : g.edges) {
        if (from == to) self_loop[from] = true;
    }
    std::vector<bool> reported(count, false);
    std::vector<std::size_t> parent(a.m.states.size(), SIZE_MAX);
    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        if (reported[comp[s]]) continue;
        if (size[comp[s]] < 2 && !self_loop[s]) continue;
        reported[comp[s]] = true;
        auto cycle = cycle_through(a, s, comp, parent);
        std::string names;
        for (auto v : cycle)
            names += (names.empty() ? "" : " -> ") + a.m.states[v].name;
        // Point at the choice that starts the loop.
        Loc where = a.decl(s).loc;
        for (auto ei : a.m.states[s].edges) {
            const auto& e = a.m.edges[ei];
            if (e.immediate() && e.target == cycle[1]) {
                where = a.decl(s).choices[e.decl].loc;
                break;
            }
        }
        a.error("livelock",
                "choices loop without ever waiting: " + names +
                    " (add a wait, or a condition that ends the loop, on one of these states)",
                where);
    }
}

// Whether `not during` these slots leaves no minute of the week open.
bool covers_the_week(const std::vector<WindowSlot>& slots) {
    constexpr int week = 7 * 1440;
    std::vector<bool> taken(week, false);
    for (const auto& s : slots) {
        int first = static_cast<int>(s.first_day);
        int last = static_cast<int>(s.last_day);
        int length = s.close_minute > s.open_minute ? s.close_minute - s.open_minute
                                                    : 1440 - s.open_minute + s.close_minute;
        for (int d = first;; d = (d + 1) % 7) {
            for (int m = 0; m < length; ++m)
                taken[static_cast<std::size_t>((d * 1440 + s.open_minute + m) % week)] = true;
            if (d == last) break;
        }
    }
    return std::all_of(taken.begin(), taken.end(), [](bool b) { return b; });
}

void windows_and_seasons(Analysis& a) {
    for (const auto& w : a.flow().windows) {
        bool opens = std::any_of(w.slots.begin(), w.slots.end(), [](const WindowSlot& s) {
            return s.open_minute != s.close_minute;
        });
        if (w.not_during) opens = !covers_the_week(w.slots);
        if (!opens) {
            a.error("window-never-open",
                    "window " + q(w.name) +
                        (w.not_during ? std::string(" never opens: its slots take the whole week")
                         : w.slots.empty() ? std::string(" has no slots, so it never opens")
                                           : " never opens: every slot closes when it opens"),
                    w.loc);
        }
    }
    static constexpr int days_in[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    auto valid = [](const MonthDay& d) {
        return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= days_in[d.month - 1];
    };
    for (const auto& s : a.flow().seasons) {
        if (!valid(s.first) || !valid(s.last)) {
            a.error("empty-season",
                    "season " + q(s.name) + " (" + to_text(s) + ") names a day that is not in " +
                        "the calendar, so it has no days",
                    s.loc);
        }
    }
}

void reminders(Analysis& a) {
    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        const auto& d = a.decl(s);
        for (const auto& r : d.reminders) {
            if (r.times < 1) {
                a.error("bad-times",
                        "reminder is sent " + std::to_string(r.times) +
                            " times; use 'times 1' or more, or remove it",
                        r.loc);
            }
        }
        // A reminder counts from the last outbound message; only when the state sends on
        // entry is that the moment of entry, the same origin as its own `after`.
        if (!a.m.states[s].sends) continue;
        const Handler* deadline = nullptr;
        std::int64_t deadline_s = 0;
        auto consider = [&](const Handler& h) {
            if (h.kind != Handler::Kind::after || h.within) return;
            auto secs = exact_seconds(h.delay);
            if (secs && (!deadline || *secs < deadline_s)) {
                deadline = &h;
                deadline_s = *secs;
            }
        };
        for (const auto& h : d.handlers)
            consider(h);
        for (const auto& h : a.flow().from_any)
            consider(h);
        if (!deadline) continue;
        for (const auto& r : d.reminders) {
            auto secs = exact_seconds(r.after);
            if (!secs || *secs < deadline_s || r.times < 1) continue;
            a.warning("reminder-never-fires",
                      "reminder after " + to_text(r.after) + " can never fire: state " + q(d.name) +
                          " is left after " + to_text(deadline->delay) + " ('" +
                          handler_label(*deadline) + " -> " + to_text(deadline->target) + "')",
                      r.loc);
        }
    }
}

using Taken = std::map<std::string, const Handler*>;

void reply_routes(Analysis& a) {
    std::map<std::string, const KeywordsDecl*> sets;
    for (const auto& k : a.flow().keywords)
        sets.emplace(k.name, &k);
    std::set<std::string> said; // from-any findings repeat per state; say each once

    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        const auto& d = a.decl(s);
        std::vector<const Handler*> routes;
        for (const auto& h : d.handlers) {
            if (h.kind == Handler::Kind::reply) routes.push_back(&h);
        }
        if (!d.is_final) {
            for (const auto& h : a.flow().from_any) {
                if (h.kind == Handler::Kind::reply) routes.push_back(&h);
            }
        }
        const Handler* catch_all = nullptr;
        // Folded word → the first route that takes every reply with it: a route whose set
        // matches on any of its words (one that needs all of them, or the whole reply, or its
        // start, leaves other replies with the word to later routes). Sets that ignore accents
        // take the word without them, whatever accents a reply puts on it.
        Taken taken;
        Taken taken_loose;
        // Number tests of earlier unconditional routes: their range (all numbers when none).
        std::vector<std::pair<const Handler*, const KeywordsDecl*>> numbers;
        for (const Handler* h : routes) {
            auto report = [&](const std::string& code, const std::string& message) {
                if (said.insert(code + message).second) a.warning(code, message, h->loc);
            };
            if (catch_all) {
                report("unreachable-route",
                       "route 'on reply " + h->keywords + "' in state " + q(d.name) +
                           " can never match: 'on reply " + catch_all->keywords + "' on line " +
                           std::to_string(catch_all->loc.begin.line) + " takes every reply first");
                continue;
            }
            if ((h->keywords == "any" || h->keywords == "other") && !h->condition) {
                catch_all = h;
                continue;
            }
            auto set = sets.find(h->keywords);
            if (set == sets.end()) continue;
            std::map<const Handler*, std::vector<std::string>> clashes;
            std::vector<const Handler*> order;
            const KeywordsDecl& k = *set->second;
            if (k.match == KeywordMatch::number) {
                constexpr double inf = std::numeric_limits<double>::infinity();
                auto lo = [](const KeywordsDecl& x) { return x.range ? x.range->min : -inf; };
                auto hi = [](const KeywordsDecl& x) { return x.range ? x.range->max : inf; };
                auto shown = [](const KeywordsDecl& x) {
                    return x.range ? "numbers " + to_text(*x.range) : std::string("any number");
                };
                for (const auto& [first, earlier] : numbers) {
                    if (first == h || lo(k) > hi(*earlier) || lo(*earlier) > hi(k)) continue;
                    // A range holding all of the earlier one takes the numbers left over, as
                    // `other` takes the replies left over: not reported.
                    if (lo(k) <= lo(*earlier) && hi(k) >= hi(*earlier)) continue;
                    report("overlapping-numbers",
                           "in state " + q(d.name) + ", 'on reply " + h->keywords + "' (" +
                               shown(k) + ") overlaps 'on reply " + first->keywords + "' (" +
                               shown(*earlier) + ") on line " +
                               std::to_string(first->loc.begin.line) +
                               ", which comes first and takes the numbers both hold");
                    break;
                }
                if (!h->condition) numbers.emplace_back(h, &k);
                continue;
            }
            bool takes = k.match == KeywordMatch::any;
            // The words this route took, to give back when it has a condition.
            std::vector<std::pair<Taken*, Taken::iterator>> mine;
            for (const auto& w : k.words) {
                // Compared as the runtime matches them: "OK!" and "ok" are one keyword.
                auto folded = normalize_reply(w);
                if (folded.empty()) continue; // no words in it: it can never match anything
                auto loose = without_accents(folded);
                const Handler* first = nullptr;
                if (auto it = taken_loose.find(loose); it != taken_loose.end()) first = it->second;
                if (auto it = taken.find(folded); !first && !k.ignore_accents && it != taken.end())
                    first = it->second;
                if (first && first != h) {
                    if (!clashes.count(first)) order.push_back(first);
                    clashes[first].push_back(w);
                    continue;
                }
                if (takes) {
                    auto& words = k.ignore_accents ? taken_loose : taken;
                    auto [it, inserted] = words.emplace(k.ignore_accents ? loose : folded, h);
                    if (inserted) mine.push_back({&words, it});
                }
            }
            for (const Handler* first : order) {
                std::string words;
                for (const auto& w : clashes[first]) {
                    words += (words.empty() ? "" : ", ") + quote(w);
                }
                report("duplicate-keyword",
                       "in state " + q(d.name) + ", " + words + " of 'on reply " + h->keywords +
                           "' is also in 'on reply " + first->keywords + "' on line " +
                           std::to_string(first->loc.begin.line) + ", which comes first and wins");
            }
            // A conditional route does not always take its words; later routes still may.
            // Only the words this route put in are its own (std::map iterators stay valid).
            if (h->condition) {
                for (auto& [words, it] : mine)
                    words->erase(it);
            }
        }
    }
}

void sends(Analysis& a) {
    auto check = [&](const std::vector<Action>& actions) {
        for (const auto& act : actions) {
            if (act.kind != Action::Kind::send) continue;
            for (const auto& fb : act.fallback) {
                if (fb == act.channel) {
                    a.error("bad-fallback",
                            "send on " + q(act.channel) + " falls back to " + q(fb) +
                                ", the same channel; a fallback must be another channel",
                            act.loc);
                }
            }
        }
    };
    for (const auto& d : a.flow().states) {
        check(d.actions);
        for (const auto& r : d.repeats)
            check(r.actions);
    }
}

// Seconds as the largest unit that divides them: 7200 → 2h.
Duration in_units(std::int64_t secs) {
    if (secs % 3600 == 0) return {secs / 3600, DurationUnit::h};
    if (secs % 60 == 0) return {secs / 60, DurationUnit::m};
    return {secs, DurationUnit::s};
}

// A lower bound, in seconds, of how long a cap's period lasts: exact for s/m/h; calendar steps
// in the flow's zone may be shorter than their nominal length (a day across DST is 23 hours).
std::int64_t shortest_period(const Duration& d) {
    if (auto secs = exact_seconds(d)) return *secs;
    constexpr std::int64_t hour = 3600;
    switch (d.unit) {
    case DurationUnit::d: return d.count * 23 * hour;
    case DurationUnit::w: return d.count * 7 * 23 * hour;
    case DurationUnit::mo: return d.count * 28 * 23 * hour;
    case DurationUnit::y: return d.count * 365 * 23 * hour;
    default: return 0;
    }
}

// The entry sends of a state on `channel` that go out at the moment of entry: no `within`
// (which may defer it past the cap's period). A send with a fallback counts on its own channel
// only, the one it uses whenever the recipient is there.
std::vector<const Action*> entry_sends(const StateDecl& d, const std::string& channel) {
    std::vector<const Action*> out;
    for (const auto& act : d.actions) {
        if (act.kind == Action::Kind::send && act.channel == channel && !act.within)
            out.push_back(&act);
    }
    return out;
}

// `cap C N per P` with a way through the flow that sends more than N messages on C in less
// than P: the send that goes over is suppressed every time that way is taken (when the earlier
// ones went out). Only steps whose time is known count: choices (no time) and `after` with an
// exact duration and no `within` (exactly that long); any other wait may last longer than P and
// reset the count, and a restart starts the count over. Entry sends only: repeats and reminders
// need not happen. Found with a shortest-time search over (state, messages so far, capped at
// N + 1), so it stays linear in the flow's size times N.
void caps(Analysis& a) {
    const auto n_states = a.m.states.size();
    for (const auto& cap : a.flow().caps) {
        if (cap.count < 0 || cap.per.count < 0) continue;
        const std::int64_t period = shortest_period(cap.per);
        if (period <= 0) continue;
        const std::size_t over = static_cast<std::size_t>(cap.count) + 1;
        // A cap so large that the search would need more than a few million nodes is left
        // alone: no finding is the conservative answer.
        if (n_states == 0 || over > 4'000'000 / n_states) continue;
        std::vector<std::vector<const Action*>> sends(n_states);
        bool any = false;
        for (std::size_t s = 0; s < n_states; ++s) {
            if (a.m.states[s].reachable) sends[s] = entry_sends(a.decl(s), cap.channel);
            any = any || !sends[s].empty();
        }
        if (!any) continue;
        // Timed steps out of each state: (target, seconds).
        std::vector<std::vector<std::pair<std::size_t, std::int64_t>>> steps(n_states);
        for (const auto& e : a.m.edges) {
            if (e.target_kind != Target::Kind::state || !a.m.states[e.source].reachable) continue;
            if (e.immediate()) {
                steps[e.source].emplace_back(e.target, 0);
                continue;
            }
            if (e.kind != EdgeKind::after) continue;
            const auto& h =
                e.from_any ? a.flow().from_any[e.decl] : a.decl(e.source).handlers[e.decl];
            auto secs = exact_seconds(h.delay);
            if (!secs || h.within) continue;
            steps[e.source].emplace_back(e.target, *secs);
        }
        // Node (state, count) → index state * (over + 1) + count.
        const std::size_t width = over + 1;
        auto node = [&](std::size_t s, std::size_t k) { return s * width + k; };
        std::vector<std::int64_t> best(n_states * width, INT64_MAX);
        std::vector<std::size_t> parent(n_states * width, SIZE_MAX);
        using Item = std::tuple<std::int64_t, std::size_t, std::size_t>; // time, state, count
        std::priority_queue<Item, std::vector<Item>, std::greater<>> todo;
        auto push = [&](std::size_t s, std::size_t k, std::int64_t t, std::size_t from) {
            k = std::min(k, over);
            if (t >= period || t >= best[node(s, k)]) return;
            best[node(s, k)] = t;
            parent[node(s, k)] = from;
            todo.emplace(t, s, k);
        };
        for (std::size_t s = 0; s < n_states; ++s) {
            if (!sends[s].empty()) push(s, sends[s].size(), 0, SIZE_MAX);
        }
        while (!todo.empty()) {
            auto [t, s, k] = todo.top();
            todo.pop();
            if (t != best[node(s, k)] || k == over) continue;
            for (const auto& [to, secs] : steps[s])
                push(to, k + sends[to].size(), t + secs, node(s, k));
        }
        // Report each state where the count goes over, at the send that does it.
        for (std::size_t s = 0; s < n_states; ++s) {
            auto n = node(s, over);
            if (best[n] == INT64_MAX) continue;
            std::size_t before = parent[n] == SIZE_MAX ? 0 : parent[n] % width;
            std::vector<std::size_t> path{s};
            for (auto p = parent[n]; p != SIZE_MAX; p = parent[p])
                path.push_back(p / width);
            std::reverse(path.begin(), path.end());
            std::string names;
            for (auto v : path)
                names += (names.empty() ? "" : " -> ") + a.m.states[v].name;
            const Action* culprit = sends[s][over - 1 - before];
            std::string what = path.size() == 1 ? "state " + q(names) : "the way " + names;
            std::string when =
                best[n] == 0 ? std::string("at once") : "within " + to_text(in_units(best[n]));
            a.error("cap-blocks-send",
                    "send on " + q(cap.channel) + " can never go out: " + what + " sends " +
                        std::to_string(over) + " messages on " + q(cap.channel) + " " + when +
                        ", more than 'cap " + cap.channel + " " + std::to_string(cap.count) +
                        " per " + to_text(cap.per) +
                        "' allows (send fewer, or wait longer between them)",
                    culprit->loc);
        }
    }
}

// `every I { send C … }` that can send more on C within a cap's period than the cap allows:
// the repeats over it are held back each time (a warning: `while` or a way out may stop the
// repeat sooner). Counted on the shortest the period and the longest the interval can be, with
// the state's entry sends and the repeat's `max`.
void repeats_over_caps(Analysis& a) {
    for (const auto& cap : a.flow().caps) {
        const std::int64_t period = shortest_period(cap.per);
        if (cap.count < 0 || period <= 0) continue;
        for (std::size_t s = 0; s < a.m.states.size(); ++s) {
            if (!a.m.states[s].reachable) continue;
            const auto& d = a.decl(s);
            const auto entry = static_cast<std::int64_t>(entry_sends(d, cap.channel).size());
            for (const auto& r : d.repeats) {
                std::int64_t per_repeat = 0;
                for (const auto& act : r.actions)
                    if (act.kind == Action::Kind::send && act.channel == cap.channel) ++per_repeat;
                if (per_repeat == 0) continue;
                // The longest an interval can be (a calendar day is at most 25 hours).
                auto interval = exact_seconds(r.interval);
                std::int64_t longest = interval ? *interval : shortest_period(r.interval) * 25 / 23;
                if (longest <= 0) continue;
                std::int64_t times = (period - 1) / longest; // repeats at I, 2I, … before P
                if (r.max) times = std::min<std::int64_t>(times, *r.max);
                std::int64_t total = entry + times * per_repeat;
                if (total <= cap.count) continue;
                a.warning("repeat-over-cap",
                          "'every " + to_text(r.interval) + "' in state " + q(d.name) +
                              " can send " + std::to_string(total) + " messages on " +
                              q(cap.channel) + " within " + to_text(cap.per) + ", more than 'cap " +
                              cap.channel + " " + std::to_string(cap.count) + " per " +
                              to_text(cap.per) +
                              "' allows: the ones over it are held back (repeat less often, or "
                              "add 'max N')",
                          r.loc);
            }
        }
    }
}

void replies_without_send(Analysis& a) {
    std::vector<std::size_t> senders;
    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        if (a.m.states[s].reachable && a.m.states[s].sends) senders.push_back(s);
    }
    auto after_send = reachable_from(a.graph(), senders);
    for (std::size_t s = 0; s < a.m.states.size(); ++s) {
        if (!a.m.states[s].reachable || after_send[s]) continue;
        const auto& d = a.decl(s);
        for (const auto& h : d.handlers) {
            if (h.kind != Handler::Kind::reply) continue;
            a.warning("reply-without-send",
                      "state " + q(d.name) + " waits for a reply, but nothing is sent on any " +
                          "way into it, so there is nothing to reply to",
                      h.loc);
            break;
        }
    }
}

} // namespace

void run_analyses(FlowModel& model, Diagnostics& out) {
    Analysis a{model, out};
    reachability(a);
    dead_ends(a);
    livelocks(a);
    windows_and_seasons(a);
    reminders(a);
    reply_routes(a);
    sends(a);
    caps(a);
    repeats_over_caps(a);
    replies_without_send(a);
}

} // namespace nudge::detail
