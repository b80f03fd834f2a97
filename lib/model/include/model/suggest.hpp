#pragma once
// "Did you mean": the one edit distance and nearest-word search behind the checker's
// suggestions for unknown names, the YAML reader's for misspelt keys and the scenario reader's
// for misspelt steps and values. Each caller says how near is near enough.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nudge::detail {

// Edits (insert, delete, replace, or swap two neighbours: `snet` is one from `sent`) that
// turn `a` into `b`. Words longer than 64 bytes are never near anything: 64.
std::size_t edit_distance(std::string_view a, std::string_view b);

struct Nearness {
    // A candidate is near when its distance is below this.
    std::size_t below = 3;
    // From this many bytes on, a word that is a prefix of a candidate (or the other way round:
    // `go` for `goto`, `template_name` for `template`) counts as one edit away.
    std::size_t prefix_from = static_cast<std::size_t>(-1);
};

// The candidate nearest to `word` (not `word` itself), or "" when none is near: the fewest
// edits (a prefix counting as one), ties going to the fewer real edits, then the first.
// `Words` is any range of things a std::string_view can be made of.
template <class Words>
std::string nearest(std::string_view word, const Words& candidates, Nearness near) {
    std::string best;
    std::pair<std::size_t, std::size_t> best_score{near.below, 0};
    for (const auto& candidate : candidates) {
        std::string_view c = candidate;
        if (c == word) continue;
        bool prefix = word.size() >= near.prefix_from &&
                      (c.substr(0, word.size()) == word || word.substr(0, c.size()) == c);
        // At least as many edits as the lengths differ by: too far to be near, unmeasured.
        auto longer = std::max(c.size(), word.size()), shorter = std::min(c.size(), word.size());
        if (!prefix && longer - shorter >= near.below) continue;
        auto edits = edit_distance(word, c);
        std::pair<std::size_t, std::size_t> score{prefix ? std::min<std::size_t>(edits, 1) : edits,
                                                  edits};
        if (score < best_score) {
            best_score = score;
            best = std::string(c);
        }
    }
    return best;
}

// The suffix the checker and the scenario reader add to "unknown name" messages: ", did you
// mean 'confirmed'?", or "" when nothing is near (at most 2 edits, under a third of the name).
std::string suggestion(std::string_view name, const std::vector<std::string>& candidates);

} // namespace nudge::detail
