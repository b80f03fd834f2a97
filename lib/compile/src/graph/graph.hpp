#pragma once
// The graph algorithms the compiler needs, on plain vectors. graph.cpp is the only translation
// unit that includes Boost.Graph, which keeps build times down and Boost out of every header.

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace nudge::detail {

struct Digraph {
    std::size_t vertices = 0;
    std::vector<std::pair<std::size_t, std::size_t>> edges; // (source, target)
};

// Which vertices a breadth-first search from any of `sources` reaches (sources included).
std::vector<bool> reachable_from(const Digraph& g, const std::vector<std::size_t>& sources);

// The strongly connected component of each vertex; `count` receives the number of components.
std::vector<std::size_t> strong_components(const Digraph& g, std::size_t& count);

// The vertices in an order where every edge goes forward; nullopt when g has a cycle
// (self-loops included).
std::optional<std::vector<std::size_t>> topological_order(const Digraph& g);

} // namespace nudge::detail
