// Boost.Graph lives here and nowhere else (see graph.hpp).
#include "graph/graph.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>

#include <algorithm>
#include <iterator>

namespace nudge::detail {

namespace {

// vecS everywhere: vertex descriptors are the indices 0..n-1 and iteration order is the
// insertion order, so every result is deterministic.
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

Graph make_graph(const Digraph& g) {
    Graph out(g.vertices);
    for (const auto& [s, t] : g.edges)
        boost::add_edge(s, t, out);
    return out;
}

} // namespace

std::vector<bool> reachable_from(const Digraph& g, const std::vector<std::size_t>& sources) {
    std::vector<bool> seen(g.vertices, false);
    if (sources.empty() || g.vertices == 0) return seen;
    // One extra vertex feeding every source turns the multi-source search into one BFS.
    Digraph with_root = g;
    const std::size_t root = g.vertices;
    with_root.vertices += 1;
    for (auto s : sources)
        with_root.edges.emplace_back(root, s);
    Graph graph = make_graph(with_root);

    std::vector<boost::default_color_type> color(with_root.vertices);
    auto color_map =
        boost::make_iterator_property_map(color.begin(), boost::get(boost::vertex_index, graph));
    boost::breadth_first_search(graph, root, boost::color_map(color_map));
    for (std::size_t v = 0; v < g.vertices; ++v) {
        seen[v] = color[v] != boost::color_traits<boost::default_color_type>::white();
    }
    return seen;
}

std::vector<std::size_t> strong_components(const Digraph& g, std::size_t& count) {
    Graph graph = make_graph(g);
    std::vector<std::size_t> component(g.vertices, 0);
    count = g.vertices == 0
                ? 0
                : boost::strong_components(
                      graph, boost::make_iterator_property_map(
                                 component.begin(), boost::get(boost::vertex_index, graph)));
    return component;
}

std::optional<std::vector<std::size_t>> topological_order(const Digraph& g) {
    for (const auto& [s, t] : g.edges) {
        if (s == t) return std::nullopt;
    }
    Graph graph = make_graph(g);
    std::vector<std::size_t> reversed;
    try {
        boost::topological_sort(graph, std::back_inserter(reversed));
    } catch (const boost::not_a_dag&) {
        return std::nullopt;
    }
    std::reverse(reversed.begin(), reversed.end());
    return reversed;
}

} // namespace nudge::detail
