#include "registers.hpp"

namespace recall {

namespace {

// The named columns' indices; a problem for each one missing.
std::optional<std::vector<std::size_t>> columns(const CsvTable& table,
                                                std::initializer_list<const char*> names,
                                                std::vector<ImportProblem>& problems) {
    std::vector<std::size_t> out;
    for (const char* name : names) {
        auto i = table.column(name);
        if (!i) {
            problems.push_back({1, std::string("no column '") + name + "'"});
            return std::nullopt;
        }
        out.push_back(*i);
    }
    return out;
}

std::size_t line_of(const CsvTable& table, std::size_t r) {
    return r < table.lines.size() ? table.lines[r] : 0;
}

} // namespace

std::optional<Date> OwnerRegister::owner_since(std::string_view plate) const {
    auto i = changed.find(plate);
    if (i == changed.end()) return std::nullopt;
    return i->second;
}

bool UnsubscribeList::contains(std::string_view customer_no, Date day) const {
    for (const auto& e : entries) {
        if (e.customer_no == customer_no && e.requested <= day) return true;
    }
    return false;
}

OwnerRegister read_owner_register(const CsvTable& table, std::vector<ImportProblem>& problems) {
    OwnerRegister out;
    auto col = columns(table, {"plate", "owner_since"}, problems);
    if (!col) return out;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        auto since = parse_date(row[(*col)[1]]);
        if (!since) {
            problems.push_back({line_of(table, r), "bad owner_since '" + row[(*col)[1]] + "'"});
            continue;
        }
        auto [it, added] = out.changed.try_emplace(row[(*col)[0]], *since);
        if (!added && it->second < *since) it->second = *since; // the latest change counts
    }
    return out;
}

UnsubscribeList read_unsubscribe_list(const CsvTable& table, std::vector<ImportProblem>& problems) {
    UnsubscribeList out;
    auto col = columns(table, {"customer_no", "name", "requested"}, problems);
    if (!col) return out;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        auto requested = parse_date(row[(*col)[2]]);
        if (row[(*col)[0]].empty() || !requested) {
            problems.push_back({line_of(table, r), "needs a customer number and a date"});
            continue;
        }
        out.entries.push_back({row[(*col)[0]], row[(*col)[1]], *requested});
    }
    return out;
}

std::vector<std::string> apply_unsubscribes(std::vector<Recall>& recalls,
                                            const UnsubscribeList& list, Date day) {
    std::vector<std::string> ids;
    for (auto& r : recalls) {
        if (!list.contains(r.customer_no, day)) continue;
        r.data["unsubscribed"] = "true";
        ids.push_back(r.recall_id);
    }
    return ids;
}

} // namespace recall
