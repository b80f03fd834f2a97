#include "batches.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>

namespace recall {

namespace {

using std::chrono::sys_days;

// Where `d` lies in the season of its own year, 0 at the first day and just below 1 at the
// last; a change before the season counts as its start, one after it (a late customer) as its
// last day.
double fraction_of_season(Date d, const SeasonOfYear& season) {
    auto [first, last] = season(static_cast<int>(d.year()));
    auto length = (sys_days{last} - sys_days{first}).count() + 1;
    auto into = (sys_days{d} - sys_days{first}).count();
    into = std::clamp<long long>(into, 0, length - 1);
    return static_cast<double>(into) / static_cast<double>(length);
}

// The recall's last tyre change of the season, if the data has one.
std::optional<Date> last_change(const Recall& r) {
    auto last = r.data.find("last_tyre_change");
    if (last == r.data.end()) return std::nullopt;
    return parse_date(last->second);
}

} // namespace

std::uint64_t stable_hash(std::string_view text) {
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

BatchPlanner::BatchPlanner(int daily_cap) : cap_(daily_cap) {
    if (daily_cap < 1) throw std::invalid_argument("the daily cap must be at least 1");
}

Placement BatchPlanner::place(const std::vector<Recall*>& recalls, const std::vector<Date>& days,
                              const SeasonOfYear& season) {
    Placement out;
    if (days.empty()) {
        for (const auto* r : recalls)
            out.unplaced.push_back(r->recall_id);
        return out;
    }
    auto n = days.size();
    // No day above the even share (the season's recalls over its days, rounded up) nor the
    // cap: a customer whose day has its share moves to the nearest day with room, so batches
    // stay level even where last season's customers crowded together.
    std::size_t total = recalls.size();
    for (const auto& d : days) {
        if (auto l = load_.find(d); l != load_.end()) total += static_cast<std::size_t>(l->second);
    }
    int limit = std::min(cap_, static_cast<int>((total + n - 1) / n));
    auto load = [&](std::size_t i) {
        auto l = load_.find(days[i]);
        return l == load_.end() ? 0 : l->second;
    };
    auto room = [&](std::size_t i) { return load(i) < limit; };
    auto put = [&](Recall& r, std::size_t i) {
        ++load_[days[i]];
        r.data["send_on"] = format_date(days[i]);
        out.placed.push_back(r.recall_id);
    };
    // The day with room nearest to `want`, later days first on a tie (a batch that is full
    // pushes its overflow forward).
    auto nearest = [&](std::size_t want) -> std::optional<std::size_t> {
        for (std::size_t step = 0; step < n; ++step) {
            if (want + step < n && room(want + step)) return want + step;
            if (step > 0 && step <= want && room(want - step)) return want - step;
        }
        return std::nullopt;
    };

    // A season planned for the first time with at least one recall a day: every recall gets a
    // position (the fraction of the season its last change had reached, or a stable spot from
    // its id), and the recalls are dealt out in that order, the k-th of m on sending day
    // k·n/m. Each day then has its even share, give or take one, and who came early last
    // season is early again.
    bool fresh = total == recalls.size(); // no day of the season has a recall yet
    if (fresh && recalls.size() >= n) {
        std::vector<std::pair<double, Recall*>> order;
        for (auto* r : recalls) {
            auto d = last_change(*r);
            double p = d ? fraction_of_season(*d, season)
                         : static_cast<double>(stable_hash(r->recall_id) >> 11) * 0x1.0p-53;
            order.emplace_back(p, r);
        }
        std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
            return a.first != b.first ? a.first < b.first
                                      : a.second->recall_id < b.second->recall_id;
        });
        for (std::size_t k = 0; k < order.size(); ++k) {
            if (auto i = nearest(k * n / order.size()))
                put(*order[k].second, *i);
            else
                out.unplaced.push_back(order[k].second->recall_id);
        }
        return out;
    }

    // Otherwise (few recalls, or days already planned by an earlier import): each customer
    // with a last change on the day at the same point of the season, the rest on the least
    // loaded days.
    std::vector<std::pair<std::size_t, Recall*>> anchored;
    std::vector<Recall*> others;
    for (auto* r : recalls) {
        auto d = last_change(*r);
        if (!d) {
            others.push_back(r);
            continue;
        }
        auto want =
            static_cast<std::size_t>(fraction_of_season(*d, season) * static_cast<double>(n));
        anchored.emplace_back(std::min(want, n - 1), r);
    }
    std::stable_sort(anchored.begin(), anchored.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second->recall_id < b.second->recall_id;
    });
    for (auto& [want, r] : anchored) {
        if (auto i = nearest(want))
            put(*r, *i);
        else
            out.unplaced.push_back(r->recall_id);
    }

    // The rest fill the least loaded days; among equally loaded days, the one nearest to the
    // recall's even share of the season (so a light season still covers all of it).
    // In a stable order from the recall id: a rerun plans the same days, and neighbouring ids
    // do not land side by side.
    std::sort(others.begin(), others.end(), [](const Recall* a, const Recall* b) {
        auto ha = stable_hash(a->recall_id);
        auto hb = stable_hash(b->recall_id);
        return ha != hb ? ha < hb : a->recall_id < b->recall_id;
    });
    for (std::size_t k = 0; k < others.size(); ++k) {
        double ideal = (static_cast<double>(k) + 0.5) * static_cast<double>(n) /
                       static_cast<double>(others.size());
        std::optional<std::size_t> best;
        for (std::size_t i = 0; i < n; ++i) {
            if (!room(i)) continue;
            if (!best) {
                best = i;
                continue;
            }
            int li = load(i);
            int lb = load(*best);
            if (li < lb || (li == lb && std::abs(static_cast<double>(i) + 0.5 - ideal) <
                                            std::abs(static_cast<double>(*best) + 0.5 - ideal)))
                best = i;
        }
        if (best)
            put(*others[k], *best);
        else
            out.unplaced.push_back(others[k]->recall_id);
    }
    return out;
}

} // namespace recall
