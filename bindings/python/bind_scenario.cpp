// nudge.Scenario: a scenario file, or the same keys given as Python values, run on a fake clock.
#include "convert.hpp"

#include <nudge/scenario.hpp>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <optional>

namespace nudge::python {

namespace {

// Either a file, or YAML text (JSON is YAML) with the name and folder it is read from.
struct PyScenario {
    std::filesystem::path file;
    std::optional<std::string> text;

    ScenarioResult run() const {
        return text ? run_scenario(*text, file) : run_scenario_file(file);
    }
};

// Python values as JSON the scenario reader takes: datetimes in ISO 8601 (aware ones with
// their offset, naive ones read in the scenario's zone), timedeltas as seconds ("90s").
std::string scenario_text(const py::dict& keys) {
    auto datetime = py::module_::import("datetime");
    py::cpp_function encode([datetime](py::handle v) -> py::object {
        if (py::isinstance(v, datetime.attr("datetime")) ||
            py::isinstance(v, datetime.attr("date")))
            return v.attr("isoformat")();
        if (py::isinstance(v, datetime.attr("timedelta")))
            return py::str(std::to_string(to_seconds(v).count()) + "s");
        if (py::hasattr(v, "__fspath__")) return py::module_::import("os").attr("fspath")(v);
        throw py::type_error("a scenario cannot hold " + py::repr(v).cast<std::string>());
    });
    return py::module_::import("json")
        .attr("dumps")(keys, py::arg("indent") = 2, py::arg("ensure_ascii") = false,
                       py::arg("default") = encode)
        .cast<std::string>();
}

} // namespace

void bind_scenario(py::module_& m) {
    py::class_<ScenarioResult>(m, "ScenarioResult",
                               "What a scenario run gave: `ok`, the `failures` (one line per "
                               "expectation that did not hold), `diagnostics` (mistakes in the "
                               "file, found before anything runs) and the `timeline`.")
        .def_readonly("ok", &ScenarioResult::ok)
        .def_readonly("failures", &ScenarioResult::failures)
        .def_property_readonly("diagnostics",
                               [](const ScenarioResult& r) { return r.diagnostics.items(); })
        .def_readonly("timeline", &ScenarioResult::timeline)
        .def_readonly("zone", &ScenarioResult::zone)
        .def_readonly("steps", &ScenarioResult::steps)
        .def("__bool__", [](const ScenarioResult& r) { return r.ok; })
        .def("__repr__", [](const ScenarioResult& r) {
            return std::string("<ScenarioResult ") + (r.ok ? "ok" : "FAIL") + ", " +
                   std::to_string(r.failures.size()) + " failure(s), " +
                   std::to_string(r.diagnostics.size()) + " diagnostic(s)>";
        });

    py::class_<PyScenario>(
        m, "Scenario",
        "A scenario (README, section Scenarios): Scenario(path) for a .scenario.yaml file, or "
        "Scenario(flows=[...], start=..., steps=[{...}, ...]) with the same keys as Python "
        "values (flow paths relative to base_dir, default the current folder). run() runs it.")
        .def(py::init([](std::optional<std::filesystem::path> path, py::object flows,
                         py::object start, py::object steps, py::object zone, py::object actions,
                         py::object facts, std::optional<std::filesystem::path> base_dir) {
                 PyScenario s;
                 if (path) {
                     if (!steps.is_none() || !flows.is_none() || !start.is_none())
                         throw py::value_error("give a scenario file or its keys, not both");
                     s.file = *path;
                     return s;
                 }
                 if (steps.is_none()) throw py::value_error("give a scenario file or its steps");
                 py::dict keys;
                 if (!flows.is_none())
                     keys["flows"] =
                         py::isinstance<py::str>(flows) || py::hasattr(flows, "__fspath__")
                             ? py::list(py::make_tuple(flows))
                             : py::list(flows);
                 if (!start.is_none()) keys["start"] = start;
                 if (!zone.is_none()) keys["zone"] = zone;
                 if (!actions.is_none()) keys["actions"] = actions;
                 if (!facts.is_none()) keys["facts"] = facts;
                 keys["steps"] = steps;
                 auto folder = base_dir ? *base_dir : std::filesystem::current_path();
                 s.file = folder / "<python scenario>";
                 s.text = scenario_text(keys);
                 return s;
             }),
             py::arg("path") = py::none(), py::kw_only(), py::arg("flows") = py::none(),
             py::arg("start") = py::none(), py::arg("steps") = py::none(),
             py::arg("zone") = py::none(), py::arg("actions") = py::none(),
             py::arg("facts") = py::none(), py::arg("base_dir") = py::none())
        .def_static(
            "from_text",
            [](std::string text, const std::filesystem::path& path) {
                return PyScenario{path, std::move(text)};
            },
            py::arg("text"), py::arg("path") = "<scenario>",
            "Scenario YAML text; `path` names it in messages and flows are relative to its "
            "folder.")
        .def_property_readonly("text",
                               [](const PyScenario& s) -> py::object {
                                   return s.text ? py::str(*s.text) : py::object(py::none());
                               })
        .def("run", &PyScenario::run,
             "Runs the scenario; never raises for mistakes in the file (see diagnostics).");
}

} // namespace nudge::python
