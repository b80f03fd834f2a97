#pragma once
// Everything public in one include.

#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/diagnostic.hpp>
#include <nudge/dsl.hpp>
#include <nudge/engine.hpp>
#include <nudge/error.hpp>
#include <nudge/flow.hpp>
#include <nudge/report.hpp>
#include <nudge/transport.hpp>
#include <nudge/version.hpp>
