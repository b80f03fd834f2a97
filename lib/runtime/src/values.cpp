// Field values: lookups, facts, merge text, host data merged into fields (and what follows
// from them: classifiers, the recipient's zone), and values kept by `set` or `as FIELD`.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

const detail::ValueContext& Engine::Impl::ctx_of(const Inst& inst,
                                                 detail::ValueContext& tmp) const {
    const auto& base = flows[inst.flow].ctx;
    if (!inst.zone) return base;
    tmp = base;
    tmp.zone = inst.zone;
    return tmp;
}

Value Engine::Impl::lookup(const Inst& inst, std::string_view name) const {
    const auto& f = flows[inst.flow];
    if (auto it = f.slot.find(name); it != f.slot.end()) return inst.values[it->second];
    if (auto it = f.facts.find(name); it != f.facts.end()) return fact(inst, *it->second);
    if (auto it = f.lists.find(name); it != f.lists.end()) {
        Value v;
        v.kind = Value::Kind::list;
        for (const auto& item : it->second->items)
            v.items.push_back(Value::of_text(item));
        return v;
    }
    return {};
}

Value Engine::Impl::fact(const Inst& inst, const FactDecl& decl) const {
    if (!fact_provider) return {};
    const auto& f = flows[inst.flow];
    std::optional<std::string> text;
    try {
        text = fact_provider({decl.name, f.def->name, inst.id, inst.key});
    } catch (...) {
        return {};
    }
    if (!text) return {};
    std::string why;
    auto v = detail::read_value(decl.type, *text, f.ctx, why);
    return v ? *v : Value{};
}

// A merge field's text: `{name}` or `{name | format}` (text/locale_format.hpp).
std::string Engine::Impl::merge_text(const Inst& inst, std::string_view name,
                                     std::string_view format) const {
    const auto& f = flows[inst.flow];
    auto fmt = detail::parse_merge_format(format);
    if (!fmt && !f.locale_declared) return text_of(inst, name);
    detail::ValueContext tmp;
    const auto& ctx = ctx_of(inst, tmp);
    if (auto it = f.slot.find(name); it != f.slot.end()) {
        return detail::formatted_text(inst.values[it->second], f.slot_type[it->second], ctx,
                                      *f.locale, fmt);
    }
    if (auto it = f.facts.find(name); it != f.facts.end()) {
        return detail::formatted_text(fact(inst, *it->second), it->second->type, ctx, *f.locale,
                                      fmt);
    }
    return {};
}

std::string Engine::Impl::text_of(const Inst& inst, std::string_view name) const {
    const auto& f = flows[inst.flow];
    detail::ValueContext tmp;
    const auto& ctx = ctx_of(inst, tmp);
    if (auto it = f.slot.find(name); it != f.slot.end()) {
        return detail::value_text(inst.values[it->second], f.slot_type[it->second], ctx);
    }
    if (auto it = f.facts.find(name); it != f.facts.end()) {
        return detail::value_text(fact(inst, *it->second), it->second->type, ctx);
    }
    return {};
}

// Merges host data into the instance's fields, typed; bad values are recorded.
void Engine::Impl::merge_data(Inst& inst, const Data& data) {
    auto& f = flows[inst.flow];
    bool was_indexed = inst.indexed;
    unindex_addresses(inst);
    for (const auto& [name, text] : data) {
        auto it = f.slot.find(name);
        if (it == f.slot.end() || it->second >= f.def->fields.size()) continue;
        std::string why;
        auto v = detail::read_value(f.slot_type[it->second], text, f.ctx, why);
        if (!v) {
            error(&inst, inst.flow, "field " + name + ": " + why);
            continue;
        }
        inst.values[it->second] = std::move(*v);
    }
    refresh_derived(inst);
    if (was_indexed) index_addresses(inst);
}

// Classifiers and the recipient's zone follow the fields.
void Engine::Impl::refresh_derived(Inst& inst) {
    auto& f = flows[inst.flow];
    const auto& def = *f.def;
    for (const auto& c : def.classifiers) {
        std::vector<std::string> texts;
        for (const auto& s : c.sources)
            texts.push_back(text_of(inst, s));
        std::vector<std::string_view> views(texts.begin(), texts.end());
        auto label = detail::classify(c, views);
        inst.values[f.slot.at(c.name)] = label ? Value::of_text(*label) : Value{};
    }
    inst.zone = nullptr;
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
        if (def.fields[i].type == FieldType::zone && !inst.values[i].empty()) {
            inst.zone = detail::find_zone(inst.values[i].text);
            if (inst.zone) break;
        }
    }
}

Data Engine::Impl::field_data(const Inst& inst) const {
    Data out;
    const auto& f = flows[inst.flow];
    detail::ValueContext tmp;
    const auto& ctx = ctx_of(inst, tmp);
    for (const auto& [name, slot] : f.slot) {
        if (!inst.values[slot].empty())
            out[name] = detail::value_text(inst.values[slot], f.slot_type[slot], ctx);
    }
    return out;
}

// Stores `value` in the field `name` (set, or a reply route's `as FIELD`) and records it.
void Engine::Impl::keep(Inst& inst, const std::string& name, detail::Value value) {
    auto& f = flows[inst.flow];
    auto it = f.slot.find(name);
    if (it == f.slot.end()) return;
    bool was_indexed = inst.indexed;
    unindex_addresses(inst);
    inst.values[it->second] = std::move(value);
    refresh_derived(inst);
    if (was_indexed) index_addresses(inst);
    detail::ValueContext tmp;
    // Instants print as everywhere else in the timeline (a merge prints them shorter).
    const auto& v = inst.values[it->second];
    record(&inst, inst.flow, RecordKind::set,
           {{name, v.kind == Value::Kind::instant
                       ? detail::format_instant(v.instant, zone_of(inst))
                       : detail::value_text(v, f.slot_type[it->second], ctx_of(inst, tmp))}});
}

} // namespace nudge
