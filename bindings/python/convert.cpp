#include "convert.hpp"

#include <nudge/store.hpp>

#include <pybind11/stl.h>

#include <cmath>

namespace nudge::python {

namespace {

// Exception types live as long as the interpreter; never released, so nothing runs at exit.
PyObject* error_type = nullptr;
PyObject* flow_error_type = nullptr;
PyObject* store_error_type = nullptr;

py::module_ datetime_module() { return py::module_::import("datetime"); }

bool is_datetime(py::handle v) { return py::isinstance(v, datetime_module().attr("datetime")); }
bool is_timedelta(py::handle v) { return py::isinstance(v, datetime_module().attr("timedelta")); }

} // namespace

py::object to_datetime(Instant t) {
    auto dt = datetime_module();
    return dt.attr("datetime")
        .attr("fromtimestamp")(t.time_since_epoch().count(), dt.attr("timezone").attr("utc"));
}

Instant to_instant(py::handle value) {
    if (py::isinstance<py::str>(value)) return parse_instant(value.cast<std::string>());
    if (is_datetime(value)) {
        if (value.attr("utcoffset")().is_none())
            throw py::value_error("a naive datetime names no instant: give one with a tzinfo");
        double ts = value.attr("timestamp")().cast<double>();
        return Instant{std::chrono::seconds{static_cast<std::int64_t>(std::floor(ts))}};
    }
    throw py::type_error("expected a timezone-aware datetime or ISO 8601 text, got " +
                         py::repr(value).cast<std::string>());
}

std::chrono::seconds to_seconds(py::handle value) {
    if (is_timedelta(value)) {
        double s = value.attr("total_seconds")().cast<double>();
        return std::chrono::seconds{static_cast<std::int64_t>(std::floor(s))};
    }
    if (py::isinstance<py::str>(value)) {
        auto text = value.cast<std::string>();
        auto d = parse_duration(text);
        auto s = d ? exact_seconds(*d) : std::nullopt;
        if (!s) throw py::value_error("'" + text + "' is not an exact duration (e.g. 30s, 5m, 2h)");
        return std::chrono::seconds{*s};
    }
    if (py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value))
        return std::chrono::seconds{static_cast<std::int64_t>(std::floor(value.cast<double>()))};
    throw py::type_error("expected a timedelta, seconds or a duration like '30s', got " +
                         py::repr(value).cast<std::string>());
}

std::string to_text(py::handle value) {
    if (value.is_none()) return "";
    if (py::isinstance<py::str>(value)) return value.cast<std::string>();
    if (py::isinstance<py::bool_>(value)) return value.cast<bool>() ? "true" : "false";
    if (is_datetime(value)) return format_instant(to_instant(value));
    if (is_timedelta(value)) return std::to_string(to_seconds(value).count()) + "s";
    return py::str(value).cast<std::string>();
}

Data to_data(py::handle dict) {
    Data data;
    if (dict.is_none()) return data;
    if (!py::isinstance<py::dict>(dict))
        throw py::type_error("field values must be a dict, got " +
                             py::repr(dict).cast<std::string>());
    for (auto [name, value] : dict.cast<py::dict>())
        data[py::str(name).cast<std::string>()] = to_text(value);
    return data;
}

py::dict from_data(const Data& data) {
    py::dict d;
    for (const auto& [name, value] : data)
        d[py::str(name)] = value;
    return d;
}

void bind_errors(py::module_& m) {
    error_type = PyErr_NewExceptionWithDoc(
        "nudge.Error", "Misuse of the API: an unknown state, a flow loaded twice, a bad instant.",
        PyExc_RuntimeError, nullptr);
    flow_error_type = PyErr_NewExceptionWithDoc(
        "nudge.FlowError",
        "A flow has errors; `diagnostics` lists them (each with line and column).", error_type,
        nullptr);
    store_error_type = PyErr_NewExceptionWithDoc(
        "nudge.StoreError",
        "A database cannot be used: not a nudge database, corrupt, from a newer schema, full or "
        "unwritable. Nothing was changed by the call that raised it.",
        error_type, nullptr);
    if (!error_type || !flow_error_type || !store_error_type) throw py::error_already_set();
    m.attr("Error") = py::handle(error_type);
    m.attr("FlowError") = py::handle(flow_error_type);
    m.attr("StoreError") = py::handle(store_error_type);

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const flow_error& e) {
            try {
                raise_flow_error(e.what(), e.diagnostics());
            } catch (py::error_already_set& set) {
                set.restore();
            }
        } catch (const store_error& e) {
            PyErr_SetString(store_error_type, e.what());
        } catch (const error& e) {
            PyErr_SetString(error_type, e.what());
        }
    });
}

void raise_flow_error(const std::string& message, const Diagnostics& diagnostics) {
    py::object exc = py::reinterpret_borrow<py::object>(flow_error_type)(message);
    exc.attr("diagnostics") = py::cast(diagnostics.items());
    PyErr_SetObject(flow_error_type, exc.ptr());
    throw py::error_already_set();
}

} // namespace nudge::python
