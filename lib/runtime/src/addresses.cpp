// The address book: our own numbers, the index of live instances by the address they
// send to, which instance takes a reply from an address, the live instance of each key, and
// the suppression list (opt-outs, by business).
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

std::string Engine::Impl::scope_key(std::string_view business, std::string_view address) {
    if (business.empty()) return std::string(address);
    std::string key(business);
    key += '\x1f';
    key += address;
    return key;
}

// Whether the address opted out of every flow, or of the business flow `fi` runs for.
bool Engine::Impl::opted_out(std::size_t fi, const std::string& address) const {
    if (suppressions.empty()) return false;
    if (suppressed_index.count(address)) return true;
    const auto& business = flows[fi].def->business;
    return !business.empty() && suppressed_index.count(scope_key(business, address));
}

void Engine::Impl::reindex_suppressions() {
    suppressed_index.clear();
    for (std::size_t i = 0; i < suppressions.size(); ++i)
        suppressed_index[scope_key(suppressions[i].business, suppressions[i].address)] = i;
}

// The business whose flows alone send from our number `to`; empty when none or several.
std::string Engine::Impl::business_of_number(const std::string& to) const {
    std::optional<std::string> found;
    for (const auto& f : flows) {
        if (f.superseded) continue;
        for (const auto& c : f.chans) {
            if (c.from.empty() || c.from != to) continue;
            if (found && *found != f.def->business) return {};
            found = f.def->business;
        }
    }
    return found.value_or("");
}

// The canonical address `inst` sends to on channel `ci`, "" when it has none. `fixed`: the
// text is its own canonical form.
std::string Engine::Impl::address_of(const Inst& inst, std::size_t ci, bool* fixed) const {
    const auto& f = flows[inst.flow];
    const auto& c = f.chans[ci];
    const auto& ch = f.def->channels[ci];
    if (fixed) *fixed = false;
    if (ch.to_is_literal) return c.literal_to;
    if (c.by_field) {
        const Value& v = inst.values[c.to_slot];
        if (v.empty()) return {};
        if (v.canonical) {
            if (fixed) *fixed = true;
            return v.text;
        }
    }
    auto to = recipient(inst, ch);
    return to.empty() ? std::string() : detail::canonical_address(to, f.ctx.region);
}

// Whether `inst` takes a reply from `from` to `to` (both canonical).
bool Engine::Impl::takes_reply(const Inst& inst, std::string_view from, std::string_view to) const {
    return inst.listening && texts(inst, from, to);
}

// Whether live `inst` texts `from` from our number `to` (both canonical), listening or not.
bool Engine::Impl::texts(const Inst& inst, std::string_view from, std::string_view to) const {
    if (!live(inst)) return false;
    const auto& f = flows[inst.flow];
    for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
        const auto& ch = f.def->channels[ci];
        if (ch.kind != ChannelKind::sms || !ch.from || f.chans[ci].from != to) continue;
        if (address_of(inst, ci) == from) return true;
    }
    return false;
}

// Live instances go in the address index (start, and again after their fields change);
// finished ones leave it.
void Engine::Impl::index_addresses(Inst& inst) {
    if (inst.indexed || !live(inst)) return;
    inst.indexed = true;
    const auto& f = flows[inst.flow];
    if (!f.addresses_by_field) {
        unindexed.insert(inst.id);
        return;
    }
    for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
        auto a = address_of(inst, ci);
        if (a.empty()) continue;
        auto h = key_hash(a);
        auto [begin, end] = addressed.equal_range(h);
        if (std::none_of(begin, end, [&](const auto& e) { return e.second == inst.id; }))
            addressed.emplace(h, inst.id);
    }
}

void Engine::Impl::unindex_addresses(Inst& inst) {
    if (!inst.indexed) return;
    inst.indexed = false;
    const auto& f = flows[inst.flow];
    if (!f.addresses_by_field) {
        unindexed.erase(inst.id);
        return;
    }
    for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
        auto a = address_of(inst, ci);
        if (a.empty()) continue;
        auto [begin, end] = addressed.equal_range(key_hash(a));
        for (auto it = begin; it != end; ++it) {
            if (it->second == inst.id) {
                addressed.erase(it);
                break;
            }
        }
    }
}

// Whether `inst` sends to `address` (canonical) now; `fixed`: on a channel whose recipient
// is that very text in canonical form.
bool Engine::Impl::sends_to(const Inst& inst, std::string_view address, bool* fixed) const {
    const auto& f = flows[inst.flow];
    for (std::size_t ci = 0; ci < f.chans.size(); ++ci) {
        bool canonical = false;
        if (address_of(inst, ci, &canonical) == address && (!fixed || canonical)) {
            if (fixed) *fixed = true;
            return true;
        }
    }
    return false;
}

// The live instances that send to a canonical address, in id order.
std::vector<std::uint64_t> Engine::Impl::sending_to(std::string_view address) const {
    std::vector<std::uint64_t> out;
    auto [begin, end] = addressed.equal_range(key_hash(address));
    for (auto it = begin; it != end; ++it)
        if (sends_to(*instances.find(it->second), address)) out.push_back(it->second);
    for (auto id : unindexed)
        if (sends_to(*instances.find(id), address)) out.push_back(id);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string Engine::Impl::canonical_own(std::string_view to, const std::string& region) const {
    if (auto it = own.find(to); it != own.end()) return it->second;
    return detail::canonical_address(to, region);
}

std::optional<std::uint64_t> Engine::Impl::active_id(const FlowRt& f, std::string_view key) const {
    auto [begin, end] = f.active.equal_range(key_hash(key));
    for (auto it = begin; it != end; ++it)
        if (instances.find(it->second)->key == key) return it->second;
    return std::nullopt;
}

void Engine::Impl::clear_active(FlowRt& f, const Inst& inst) {
    auto [begin, end] = f.active.equal_range(key_hash(inst.key));
    for (auto it = begin; it != end; ++it) {
        if (it->second == inst.id) {
            f.active.erase(it);
            return;
        }
    }
}

} // namespace nudge
