#pragma once
// The engine's per-flow tables (FlowRt), built once when a flow version is linked
// (link_flow.cpp): slots, declarations by name, reply tests, channels, metrics, cooldowns and
// the live instance of each key. Also the small helpers the engine's tables share.
#include <nudge/engine.hpp>

#include "text/locale_format.hpp"
#include "text/reply_text.hpp"
#include "text/value.hpp"

#include <re2/re2.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace nudge {

using detail::Value;

using Fields = std::vector<std::pair<std::string, std::string>>;

// Lets the hash maps keyed by std::string be searched with a string_view.
struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// The indexes keyed by text keep only this hash of it, and check every hit.
inline std::uint64_t key_hash(std::string_view s) { return std::hash<std::string_view>{}(s); }

// Per-flow tables, built once when the flow is loaded.
struct FlowRt {
    std::shared_ptr<const CompiledFlow> compiled;
    const FlowDef* def = nullptr;
    detail::ValueContext ctx;
    std::string zone_name;
    // Money, numbers and dates in messages: the declared locale (then every merge follows it)
    // or the zone's (then only merges with a format do).
    std::shared_ptr<detail::LocaleFormat> locale;
    bool locale_declared = false;
    // Every value slot: fields first, then classifiers.
    std::map<std::string, std::size_t, std::less<>> slot;
    std::vector<FieldType> slot_type;
    // Fields with a default value (`field x: text = "…"`): the value a trigger's data lacks.
    std::vector<std::pair<std::size_t, Value>> defaults;
    std::map<std::string, const FactDecl*, std::less<>> facts;
    std::map<std::string, const WindowDecl*, std::less<>> windows;
    std::map<std::string, const SeasonDecl*, std::less<>> seasons;
    std::map<std::string, const ListDecl*, std::less<>> lists;
    std::map<std::string, const ChannelDecl*, std::less<>> channels;
    std::map<std::string, detail::KeywordMatcher, std::less<>> keywords;
    // Number tests (`keywords promoter = number 9 to 10`): their range, nullopt for any number.
    std::map<std::string, std::optional<KeywordsDecl::Range>, std::less<>> number_tests;
    // Pattern tests (`keywords order_no = pattern "…"`), compiled once per flow version.
    std::map<std::string, std::shared_ptr<const re2::RE2>, std::less<>> patterns;
    // Yes, no and date tests (`keywords agree = yes`), read in the flow's locale.
    std::map<std::string, KeywordMatch, std::less<>> meaning_tests;
    detail::KeywordMatcher opt_out;
    std::vector<std::size_t> reply_states; // states with reply routes (own or from any)
    // Per channel (in declaration order): what the engine would otherwise work out per event.
    struct Chan {
        std::string from;        // canonical own address ("" when none)
        std::string literal_to;  // canonical fixed recipient (to_is_literal)
        std::size_t to_slot = 0; // the recipient field's slot
        bool by_field = false;   // the recipient is a field (else a literal or a fact)
    };
    std::vector<Chan> chans;
    bool addresses_by_field = true;  // every channel's recipient is a literal or a field
    bool keeps_trigger_data = false; // some route restarts
    bool keeps_last_reply = false;   // some state runs host actions
    bool keeps_starts = false;       // some trigger has a cooldown
    FlowMetrics metrics;
    std::vector<std::int64_t> entries; // metrics.entries, by state index
    // Cooldowns, by key: kept only when some trigger has a cooldown (keeps_starts). A cooldown
    // `per FIELD` counts under "FIELD=VALUE" (cooldown_key).
    std::map<std::string, Instant, std::less<>> last_start;
    std::vector<std::string> cooldown_fields; // the fields some trigger's cooldown counts per
    // The live instance of each key, by the key's hash (a hit is checked against the
    // instance's own key: hashes may collide).
    std::unordered_multimap<std::uint64_t, std::uint64_t> active;
    // Versions of one name live side by side; only the newest (not superseded) starts.
    int version = 1;
    bool superseded = false;
};

} // namespace nudge
