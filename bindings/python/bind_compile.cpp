// compile(), compile_file(), Flow and Diagnostic.
#include "convert.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <memory>

namespace nudge::python {

namespace {

// A flow fit to run, with the warnings found on the way.
struct PyFlow {
    std::shared_ptr<const CompiledFlow> flow;
    Diagnostics diagnostics;
};

// The flow, or nudge.FlowError with every diagnostic; `source` gives the message its carets.
PyFlow checked(CompileResult result, std::string_view source) {
    if (!result.ok()) {
        std::string message = render(result.diagnostics, source);
        if (!message.empty() && message.back() == '\n') message.pop_back();
        if (message.empty()) message = "the flow has errors";
        raise_flow_error(message, result.diagnostics);
    }
    return {std::move(result.flow), std::move(result.diagnostics)};
}

} // namespace

void bind_compile(py::module_& m) {
    py::class_<Diagnostic>(m, "Diagnostic",
                           "One finding in a flow or scenario file, with a 1-based line and "
                           "column (line 0: the whole file).")
        .def_property_readonly(
            "severity", [](const Diagnostic& d) { return std::string(to_string(d.severity)); })
        .def_readonly("code", &Diagnostic::code)
        .def_readonly("message", &Diagnostic::message)
        .def_readonly("file", &Diagnostic::file)
        .def_property_readonly("line", [](const Diagnostic& d) { return d.pos.line; })
        .def_property_readonly("column", [](const Diagnostic& d) { return d.pos.column; })
        .def_readonly("length", &Diagnostic::length)
        .def("__str__",
             [](const Diagnostic& d) {
                 auto s = render(d);
                 if (!s.empty() && s.back() == '\n') s.pop_back();
                 return s;
             })
        .def("__repr__", [](const Diagnostic& d) {
            return "<Diagnostic " + d.file + ":" + std::to_string(d.pos.line) + ":" +
                   std::to_string(d.pos.column) + " " + std::string(to_string(d.severity)) + " " +
                   d.code + ">";
        });

    py::class_<PyFlow>(m, "Flow", "A compiled flow, ready to load into an Engine (immutable).")
        .def_property_readonly("name", [](const PyFlow& f) { return f.flow->flow().name; })
        .def_property_readonly(
            "timezone", [](const PyFlow& f) { return f.flow->flow().timezone.value_or("UTC"); })
        .def_property_readonly("states",
                               [](const PyFlow& f) {
                                   std::vector<std::string> names;
                                   for (const auto& s : f.flow->states())
                                       names.push_back(s.name);
                                   return names;
                               })
        .def_property_readonly(
            "diagnostics", [](const PyFlow& f) { return f.diagnostics.items(); },
            "The warnings (a flow with errors never compiles).")
        .def("to_dot", [](const PyFlow& f) { return to_dot(*f.flow); })
        .def("to_mermaid", [](const PyFlow& f) { return to_mermaid(*f.flow); })
        .def("__repr__", [](const PyFlow& f) { return "<Flow " + f.flow->flow().name + ">"; });

    m.def(
        "compile",
        [](std::string_view text, std::string filename) {
            return checked(compile_source(text, std::move(filename)), text);
        },
        py::arg("text"), py::arg("filename") = "<text>",
        "Reads, checks and compiles flow text; raises FlowError when it has errors.");
    m.def(
        "compile_file",
        [](const std::filesystem::path& path) { return checked(compile_file(path), {}); },
        py::arg("path"),
        "The same for a .flow or .flow.yaml file (str or os.PathLike; an unreadable file is a "
        "FlowError, code 'io').");
}

std::shared_ptr<const CompiledFlow> flow_of(py::handle flow) {
    return flow.cast<const PyFlow&>().flow;
}

} // namespace nudge::python
