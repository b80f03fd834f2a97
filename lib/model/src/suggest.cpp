#include "model/suggest.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace nudge::detail {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    constexpr std::size_t longest = 64;
    if (a.size() > longest || b.size() > longest) return longest;
    // Three rows of the table: two back (for swaps), one back, and this one. On the stack: the
    // checker may ask for many distances, and both words are at most 64 bytes.
    std::array<std::array<std::size_t, longest + 1>, 3> rows{};
    auto* before = rows[0].data();
    auto* previous = rows[1].data();
    auto* row = rows[2].data();
    for (std::size_t j = 0; j <= b.size(); ++j)
        previous[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            row[j] = std::min({previous[j] + 1, row[j - 1] + 1,
                               previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                row[j] = std::min(row[j], before[j - 2] + 1);
        }
        auto* oldest = before;
        before = previous;
        previous = row;
        row = oldest;
    }
    return previous[b.size()];
}

std::string suggestion(std::string_view name, const std::vector<std::string>& candidates) {
    // Near means a typo, not a different word: at most 2 edits and under a third of the name.
    std::size_t limit = std::min<std::size_t>(2, std::max<std::size_t>(1, name.size() / 3));
    auto best = nearest(name, candidates, {.below = limit + 1});
    return best.empty() ? "" : ", did you mean '" + best + "'?";
}

} // namespace nudge::detail
