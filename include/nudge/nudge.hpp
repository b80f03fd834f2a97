#pragma once
// Everything public in one include.

#include <nudge/compile.hpp>
#include <nudge/diagnostic.hpp>
#include <nudge/dsl.hpp>
#include <nudge/error.hpp>
#include <nudge/flow.hpp>
#include <nudge/version.hpp>
