// Checks on what a business may set: every `settings` name refers to one declaration a
// business can set, once; and a field's default value reads as the field's type.
#include "check/detail.hpp"
#include "text/time.hpp"
#include "text/value.hpp"

#include <nudge/settings.hpp>

#include <set>

namespace nudge::detail {

void check_settings(Checker& c) {
    const auto& f = c.flow;
    std::set<std::string, std::less<>> seen;
    for (const auto& s : f.settings) {
        if (!seen.insert(s.name).second) {
            c.error("duplicate-setting", "setting " + q(s.name) + " is listed twice", s.loc.begin,
                    span(s.loc));
            continue;
        }
        std::string why;
        if (!setting_kind(f, s.name, &why))
            c.error("unknown-setting", why, s.loc.begin, span(s.loc));
    }
    ValueContext ctx;
    if (f.timezone) {
        try {
            ctx.zone = find_zone(*f.timezone);
            ctx.region = region_of_zone(*f.timezone);
        } catch (const std::exception&) {
            ctx = {}; // an unknown zone, which check_header reports
        }
    }
    for (const auto& field : f.fields) {
        if (!field.default_value || field.default_value->empty()) continue;
        std::string why;
        if (!read_value(field.type, *field.default_value, ctx, why)) {
            c.error("bad-default",
                    "field " + q(field.name) + " has the default " + quote(*field.default_value) +
                        ", which is not " + a_ty(type_of_field(field.type)) + ": " + why,
                    field.loc.begin, span(field.loc));
        }
    }
}

} // namespace nudge::detail
