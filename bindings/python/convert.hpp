#pragma once
// Conversions between Python values and the library's: instants are timezone-aware datetimes
// (naive ones are refused: they name no instant), durations timedelta / seconds / "30s", field
// values text. Also the module's exceptions.

#include <nudge/nudge.hpp>

#include <pybind11/pybind11.h>

#include <chrono>
#include <memory>
#include <string>

namespace nudge::python {

namespace py = pybind11;

// A UTC datetime.
py::object to_datetime(Instant t);
// An aware datetime, or ISO text ("2026-03-28T20:55:00+01:00", "…Z").
Instant to_instant(py::handle value);
// A timedelta, a number of seconds, or "30s" / "5m" / "2h" (exact units).
std::chrono::seconds to_seconds(py::handle value);
// A field value as the engine reads it: str as is, bool "true"/"false", numbers as text,
// aware datetimes in ISO 8601, timedeltas as "Ns", None as "".
std::string to_text(py::handle value);
// A dict (or None) of field values.
Data to_data(py::handle dict);
py::dict from_data(const Data& data);

// nudge.Error (RuntimeError), nudge.FlowError(Error) and nudge.StoreError(Error), made once by
// bind_errors.
void bind_errors(py::module_& m);
// Raises nudge.FlowError with `message` and the diagnostics as its `.diagnostics` list.
[[noreturn]] void raise_flow_error(const std::string& message, const Diagnostics& diagnostics);

// The compiled flow inside a nudge.Flow (a TypeError for anything else).
std::shared_ptr<const CompiledFlow> flow_of(py::handle flow);

void bind_compile(py::module_& m);
void bind_runtime(py::module_& m);
void bind_engine(py::module_& m);
void bind_durable(py::module_& m);
void bind_scenario(py::module_& m);

} // namespace nudge::python
