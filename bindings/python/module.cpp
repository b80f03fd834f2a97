// The `nudge` Python module: one bind_<area>.cpp per area; this file only assembles them.
#include "convert.hpp"

PYBIND11_MODULE(nudge, m) {
    m.doc() = "nudge: automated customer follow-up flows (compile, run on an engine, scenarios)";
    m.attr("__version__") = NUDGE_VERSION_STRING;
    nudge::python::bind_errors(m);
    nudge::python::bind_compile(m);
    nudge::python::bind_runtime(m);
    nudge::python::bind_engine(m);
    nudge::python::bind_durable(m);
    nudge::python::bind_scenario(m);
}
