#pragma once
// Everything public in one include (the C++ library's; the gateway transports of
// nudge/transports.hpp belong to nudge::server and are included on their own).

#include <nudge/calendar.hpp>
#include <nudge/clock.hpp>
#include <nudge/compile.hpp>
#include <nudge/diagnostic.hpp>
#include <nudge/dsl.hpp>
#include <nudge/engine.hpp>
#include <nudge/error.hpp>
#include <nudge/flow.hpp>
#include <nudge/report.hpp>
#include <nudge/scenario.hpp>
#include <nudge/store.hpp>
#include <nudge/transport.hpp>
#include <nudge/version.hpp>
