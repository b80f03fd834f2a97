// Linking a flow version into the engine (Engine::load_version): the per-flow tables of
// flow_rt.hpp, built once, so that no step works them out per event.
#include "engine_impl.hpp"

#include <nudge/error.hpp>

#include <re2/re2.h>

#include <algorithm>

namespace nudge {

int Engine::load_version(const std::shared_ptr<const CompiledFlow>& flow, int version) {
    if (!flow) throw error("no flow to load");
    const FlowDef& def = flow->flow();
    if (auto previous = impl_->newest(def.name);
        version != 0 && (version < 1 || (previous && impl_->flows[*previous].version >= version)))
        throw error("flow " + def.name + ": version " + std::to_string(version) +
                    " is not above the loaded ones");
    FlowRt f;
    f.compiled = flow;
    f.def = &flow->flow();
    f.zone_name = def.timezone.value_or("UTC");
    f.ctx.zone = detail::find_zone(f.zone_name);
    if (!f.ctx.zone) throw error("unknown time zone '" + f.zone_name + "'");
    f.ctx.region = detail::region_of_zone(f.zone_name);
    f.locale_declared = def.locale.has_value();
    f.locale = std::make_shared<detail::LocaleFormat>(
        def.locale ? *def.locale : detail::locale_of_zone(f.zone_name));
    for (const auto& fd : def.fields) {
        if (fd.default_value && !fd.default_value->empty()) {
            std::string why;
            auto v = detail::read_value(fd.type, *fd.default_value, f.ctx, why);
            if (!v) throw error("flow " + def.name + ", field " + fd.name + " default: " + why);
            f.defaults.emplace_back(f.slot_type.size(), std::move(*v));
        }
        f.slot[fd.name] = f.slot_type.size();
        f.slot_type.push_back(fd.type);
    }
    for (const auto& c : def.classifiers) {
        f.slot[c.name] = f.slot_type.size();
        f.slot_type.push_back(FieldType::text);
    }
    for (const auto& x : def.facts)
        f.facts[x.name] = &x;
    for (const auto& x : def.windows)
        f.windows[x.name] = &x;
    for (const auto& x : def.seasons)
        f.seasons[x.name] = &x;
    for (const auto& x : def.lists)
        f.lists[x.name] = &x;
    for (const auto& x : def.channels)
        f.channels[x.name] = &x;
    for (const auto& k : def.keywords) {
        if (k.match == KeywordMatch::number)
            f.number_tests.emplace(k.name, k.range);
        else if (k.match == KeywordMatch::pattern)
            f.patterns.emplace(k.name, std::make_shared<const re2::RE2>(k.pattern, RE2::Quiet));
        else if (k.match == KeywordMatch::yes || k.match == KeywordMatch::no ||
                 k.match == KeywordMatch::date || k.match == KeywordMatch::time)
            f.meaning_tests.emplace(k.name, k.match);
        else
            f.keywords.emplace(k.name, detail::KeywordMatcher(k.words, k.match, k.ignore_accents));
    }
    f.opt_out = detail::KeywordMatcher(def.opt_out);
    for (const auto& ch : def.channels) {
        FlowRt::Chan c;
        if (ch.from) {
            c.from = detail::canonical_address(*ch.from, f.ctx.region);
            impl_->own.emplace(*ch.from, c.from);
            impl_->own.emplace(c.from, c.from);
        }
        if (ch.to_is_literal) {
            c.literal_to = detail::canonical_address(ch.to, f.ctx.region);
        } else if (auto it = f.slot.find(ch.to); it != f.slot.end()) {
            c.by_field = true;
            c.to_slot = it->second;
        } else {
            f.addresses_by_field = false; // a fact: it may change without the engine knowing
        }
        f.chans.push_back(std::move(c));
    }
    f.entries.assign(flow->states().size(), 0);
    for (const auto& t : def.triggers) {
        if (t.cooldown) f.keeps_starts = true;
        if (t.cooldown && !t.cooldown_per.empty() &&
            std::find(f.cooldown_fields.begin(), f.cooldown_fields.end(), t.cooldown_per) ==
                f.cooldown_fields.end())
            f.cooldown_fields.push_back(t.cooldown_per);
    }
    auto uses = [&](const Handler& h) {
        if (h.target.kind == Target::Kind::restart) f.keeps_trigger_data = true;
    };
    for (const auto& h : def.from_any)
        uses(h);
    for (const auto& st : flow->states()) {
        const auto& decl = flow->decl(static_cast<std::size_t>(&st - flow->states().data()));
        for (const auto& h : decl.handlers)
            uses(h);
        for (const auto& c : decl.choices)
            if (c.target.kind == Target::Kind::restart) f.keeps_trigger_data = true;
        auto runs = [&](const std::vector<Action>& actions) {
            for (const auto& a : actions)
                if (a.kind == Action::Kind::run) f.keeps_last_reply = true;
        };
        runs(decl.actions);
        for (const auto& r : decl.repeats)
            runs(r.actions);
    }
    if (version != 0) f.version = version;
    if (auto previous = impl_->newest(def.name)) {
        auto& p = impl_->flows[*previous];
        if (version == 0) f.version = p.version + 1;
        // Only the newest starts instances from now on; its cooldowns count from the starts
        // of every version.
        if (f.keeps_starts) {
            for (const auto& [key, at] : impl_->starts_of(def.name))
                f.last_start[key] = at;
        }
        p.superseded = true;
    }
    impl_->flows.push_back(std::move(f));
    return impl_->flows.back().version;
}

} // namespace nudge
