// StoreView: the read tables of a durable database, read-only, through a SqliteStore.
#include <nudge/store.hpp>

namespace nudge {

struct StoreView::Impl {
    SqliteStore store;
    explicit Impl(const std::filesystem::path& path) : store(path, read_only()) {}
    static SqliteStore::Options read_only() {
        SqliteStore::Options o;
        o.read_only = true;
        return o;
    }
};

StoreView::StoreView(const std::filesystem::path& path) : impl_(std::make_unique<Impl>(path)) {}

StoreView::~StoreView() = default;

std::vector<StoredInstance> StoreView::instances(std::string_view flow, std::string_view state,
                                                 std::string_view key) const {
    return impl_->store.instances(flow, state, key);
}

std::vector<InboxItem> StoreView::inbox(bool unassigned_only) const {
    return impl_->store.inbox(unassigned_only);
}

std::vector<std::string> StoreView::flow_versions() const {
    std::vector<std::string> out;
    for (const auto& f : impl_->store.flows())
        out.push_back(f.name + " " + std::to_string(f.version) + " " + f.hash);
    return out;
}

std::vector<PendingTimer> StoreView::timers(std::uint64_t instance) const {
    return impl_->store.timers(instance);
}

std::vector<Cooldown> StoreView::cooldowns(std::string_view flow) const {
    return impl_->store.cooldowns(flow);
}

FlowMetrics StoreView::metrics(std::string_view flow) const {
    auto all = impl_->store.metrics();
    auto it = all.find(std::string(flow));
    return it == all.end() ? FlowMetrics{} : it->second;
}

std::vector<Record> StoreView::records(Instant from, Instant to) const {
    return impl_->store.records(from, to);
}

std::vector<std::pair<std::string, std::string>> StoreView::flow_sources() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& f : impl_->store.flows()) { // versions in the order stored: newest last
        bool seen = false;
        for (auto& [name, source] : out)
            if (name == f.name) {
                source = f.source;
                seen = true;
            }
        if (!seen) out.emplace_back(f.name, f.source);
    }
    return out;
}

std::int64_t StoreView::steps() const { return impl_->store.steps(); }

} // namespace nudge
