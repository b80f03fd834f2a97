#pragma once
// Misuse of the C++ API throws a nudge::error subclass. Mistakes in a user's flow or scenario
// file never throw: they come back as Diagnostics.

#include <nudge/diagnostic.hpp>

#include <stdexcept>
#include <string>

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

// A flow failed to load; carries the diagnostics that say why.
class flow_error : public error {
public:
    flow_error(std::string what, Diagnostics diagnostics)
        : error(std::move(what)), diagnostics_(std::move(diagnostics)) {}
    const Diagnostics& diagnostics() const noexcept { return diagnostics_; }

private:
    Diagnostics diagnostics_;
};

} // namespace nudge
