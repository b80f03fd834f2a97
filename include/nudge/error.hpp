#pragma once
// Misuse of the C++ API throws a nudge::error subclass. Mistakes in a user's flow or scenario
// file never throw: they come back as Diagnostics. (Nothing here is shared between threads.)

#include <nudge/diagnostic.hpp>

#include <stdexcept>
#include <string>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

class error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A file could not be read or written.
class io_error : public error {
public:
    using error::error;
};

// Data an input carried that a flow cannot take: a value its field's type refuses, or a
// required field (declared without `?`) missing when a trigger starts the flow. Thrown before
// anything happened.
class data_error : public error {
public:
    data_error(const std::string& what, std::string flow, std::string field)
        : error(what), flow_(std::move(flow)), field_(std::move(field)) {}
    const std::string& flow() const noexcept { return flow_; }
    const std::string& field() const noexcept { return field_; }

private:
    std::string flow_;
    std::string field_;
};

// A flow failed to load; carries the diagnostics that say why.
class flow_error : public error {
public:
    flow_error(const std::string& what, Diagnostics diagnostics)
        : error(what), diagnostics_(std::move(diagnostics)) {}
    const Diagnostics& diagnostics() const noexcept { return diagnostics_; }

private:
    Diagnostics diagnostics_;
};

} // namespace nudge

#pragma GCC visibility pop
