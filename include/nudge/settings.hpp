#pragma once
// Settings per business. A flow lists what a business running it may set (`settings
// active_hours, blocked, numbers, missed, sms`); the declarations as written are the defaults.
// A deployment (the serve config, a scenario's `settings:`, a host) supplies each business's
// values, and apply_settings() makes the flow that business runs: `flow missed_call for roma`,
// named "missed_call@roma", checked and compiled as any flow is. One flow file thus serves many
// businesses on one engine, each with its own instances, sender numbers, reports and opt-outs.
//
// Values are text, one form per kind (dsl/REFERENCE.md, "Settings"):
//   window    "mon-fri 08:00-16:00, sat 10:00-14:00"
//   season    "10-01..11-08": the first and last day, every year
//   list      the items, one per line
//   template  the message text (an e-mail's subject stays as declared)
//   channel   "on" or "off", then optionally ", from SENDER" and (a channel with a fixed
//             recipient) ", to ADDRESS": "on, from 4532100000", "on, to shop@example.test"
//   field     the field's default value in its data form ("Pizzeria Roma", "249.50")
//   numbers   what follows `numbers`: "DK", "nordic", "all", "DK, SE", "all, every kind"
//   cooldown  a duration: "30m" (every trigger that has a cooldown)
//   delay     a duration: "30s" (every trigger that has a delay)
//
// Thread safety: apply_settings() and the other functions here keep no state between calls;
// several threads may call them at once.

#include <nudge/compile.hpp>
#include <nudge/flow.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

enum class SettingKind {
    window,
    season,
    list,
    template_text,
    channel,
    field,
    numbers,
    cooldown,
    delay
};
std::string_view to_string(SettingKind k); // "window" "list" "template" "channel" "field" …

struct Setting {
    std::string name;
    SettingKind kind = SettingKind::window;
    std::string value; // the flow's value in the text form above (the default, or as applied)
};

using SettingValues = std::map<std::string, std::string, std::less<>>;

// What `name` in a `settings` statement refers to; nullopt (with `why`) when it names nothing a
// business can set, or several things at once.
std::optional<SettingKind> setting_kind(const FlowDef& flow, std::string_view name,
                                        std::string* why = nullptr);

// The flow's settings in declaration order, with their values in `flow` (names that resolve
// to nothing, which check_flow reports, are left out).
std::vector<Setting> settings_of(const FlowDef& flow);

// The flow with one business's values applied, checked and compiled. `business` names it (a
// letter or _, then letters, digits or _): the result is `flow NAME for BUSINESS`, named
// "NAME@BUSINESS". An empty business applies the values to the flow itself (a scenario's
// `settings:`). A value for a name the flow does not list, or one that does not read as its
// kind, is an error naming the setting; so is any error the checker then finds (a template
// text with an unknown merge field, say). `flow` must be a flow without a business.
CompileResult apply_settings(const FlowDef& flow, std::string_view business,
                             const SettingValues& values);

} // namespace nudge

#pragma GCC visibility pop
