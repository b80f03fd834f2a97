// compile(), compile_file(), Flow and Diagnostic.
#include "convert.hpp"

#include <nudge/settings.hpp>

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
        .def_property_readonly(
            "business", [](const PyFlow& f) { return f.flow->flow().business; },
            "The business it runs for ('' for none): see apply_settings.")
        .def_property_readonly(
            "settings",
            [](const PyFlow& f) {
                py::list out;
                for (const auto& s : settings_of(f.flow->flow())) {
                    py::dict d;
                    d["name"] = s.name;
                    d["kind"] = std::string(to_string(s.kind));
                    d["value"] = s.value;
                    out.append(d);
                }
                return out;
            },
            "What a business may set ({'name', 'kind', 'value'} each), with the values this flow "
            "has.")
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
    m.def(
        "apply_settings",
        [](const PyFlow& flow, std::string_view business, const py::dict& values) {
            SettingValues v;
            for (const auto& [key, value] : values) {
                std::string text;
                if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
                    for (const auto& item : value)
                        text += (text.empty() ? "" : "\n") + item.cast<std::string>();
                } else {
                    text = value.cast<std::string>();
                }
                v[key.cast<std::string>()] = text;
            }
            return checked(apply_settings(flow.flow->flow(), business, v), {});
        },
        py::arg("flow"), py::arg("business"), py::arg("values"),
        "The flow one business runs: its values (name -> text, or a list for a list setting) "
        "applied, named 'FLOW@BUSINESS' ('' applies them to the flow itself); raises FlowError "
        "when they do not fit.");
}

std::shared_ptr<const CompiledFlow> flow_of(py::handle flow) {
    return flow.cast<const PyFlow&>().flow;
}

} // namespace nudge::python
