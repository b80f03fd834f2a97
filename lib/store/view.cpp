// StoreView: the read tables of a durable database, read-only.
#include "sqlite.hpp"

#include <nudge/store.hpp>

#include <nlohmann/json.hpp>

namespace nudge {

struct StoreView::Impl {
    store::Db db;
};

StoreView::StoreView(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw store_error(path.string() + ": no such database");
    impl_->db = store::Db(path.string(), SQLITE_OPEN_READONLY);
    store::check_database(impl_->db, path.string(), store::application_id, store::schema_version);
}

StoreView::~StoreView() = default;

std::vector<StoredInstance> StoreView::instances(std::string_view flow, std::string_view state,
                                                 std::string_view key) const {
    store::Stmt s(impl_->db,
                  "SELECT id, flow, key, state, status, started, entered, fields, outcome "
                  "FROM instances WHERE (?1 = '' OR flow = ?1) AND (?2 = '' OR state = ?2) "
                  "AND (?3 = '' OR key = ?3) ORDER BY id");
    s.bind(1, flow).bind(2, state).bind(3, key);
    std::vector<StoredInstance> out;
    while (s.step()) {
        StoredInstance i;
        i.id = static_cast<std::uint64_t>(s.integer(0));
        i.flow = s.text(1);
        i.key = s.text(2);
        i.state = s.text(3);
        i.status = s.text(4);
        i.started = Instant{std::chrono::seconds{s.integer(5)}};
        i.entered = Instant{std::chrono::seconds{s.integer(6)}};
        auto fields = nlohmann::json::parse(s.text(7), nullptr, false);
        if (fields.is_object()) {
            for (auto it = fields.begin(); it != fields.end(); ++it)
                if (it.value().is_string()) i.fields[it.key()] = it.value().get<std::string>();
        }
        if (!s.is_null(8)) i.outcome = s.text(8);
        out.push_back(std::move(i));
    }
    return out;
}

std::vector<InboxItem> StoreView::inbox(bool unassigned_only) const {
    store::Stmt s(impl_->db, "SELECT id, at, from_addr, to_addr, text, reason, candidates, "
                             "assigned_to FROM inbox ORDER BY id");
    std::vector<InboxItem> out;
    while (s.step()) {
        if (unassigned_only && !s.is_null(7)) continue;
        InboxItem item;
        item.id = static_cast<std::uint64_t>(s.integer(0));
        item.at = Instant{std::chrono::seconds{s.integer(1)}};
        item.message = {s.text(2), s.text(3), s.text(4)};
        item.reason = s.text(5);
        auto c = nlohmann::json::parse(s.text(6), nullptr, false);
        if (c.is_array()) {
            for (const auto& id : c)
                if (id.is_number_unsigned()) item.candidates.push_back(id.get<std::uint64_t>());
        }
        if (!s.is_null(7)) item.assigned_to = static_cast<std::uint64_t>(s.integer(7));
        out.push_back(std::move(item));
    }
    return out;
}

std::vector<std::string> StoreView::flow_versions() const {
    store::Stmt s(impl_->db, "SELECT name, version, hash FROM flows ORDER BY id");
    std::vector<std::string> out;
    while (s.step())
        out.push_back(s.text(0) + " " + std::to_string(s.integer(1)) + " " + s.text(2));
    return out;
}

std::int64_t StoreView::steps() const {
    store::Stmt s(impl_->db, "SELECT count(*) FROM steps");
    return s.step() ? s.integer(0) : 0;
}

} // namespace nudge
