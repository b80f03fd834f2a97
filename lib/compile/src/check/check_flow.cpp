// check_flow: name resolution and type checks on a parsed flow (DESIGN §6, first half). Every
// problem of the file is reported in one run; the parts below only add diagnostics.
#include "check/detail.hpp"

#include <nudge/dsl.hpp>

namespace nudge {

Diagnostics check_flow(const FlowDef& flow) {
    Diagnostics out;
    detail::Checker c{flow, out, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0};
    detail::collect_names(c);
    detail::check_header(c);
    detail::check_declarations(c);
    detail::check_triggers(c);
    detail::check_states(c);
    detail::check_senders(c);
    detail::check_settings(c);
    detail::check_segments(c);
    return out;
}

} // namespace nudge
