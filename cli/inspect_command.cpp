// nudge inspect and nudge inbox: what a durable database holds, read without replaying.
#include "commands.hpp"

#include <nudge/store.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <set>
#include <sstream>

namespace nudge::cli {

namespace {

// One JSON line: the fields as an object, in their order.
std::string json_object(const std::vector<std::pair<std::string, std::string>>& fields) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [k, v] : fields)
        j[k] = v;
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void table(const std::vector<std::string>& header,
           const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size());
    for (std::size_t c = 0; c < header.size(); ++c)
        width[c] = header[c].size();
    for (const auto& r : rows)
        for (std::size_t c = 0; c < r.size(); ++c)
            width[c] = std::max(width[c], r[c].size());
    auto line = [&](const std::vector<std::string>& r) {
        std::string out;
        for (std::size_t c = 0; c < r.size(); ++c) {
            out += r[c];
            if (c + 1 < r.size()) out += std::string(width[c] - r[c].size() + 2, ' ');
        }
        std::cout << out << "\n";
    };
    line(header);
    for (const auto& r : rows)
        line(r);
}

// One row: a JSON line now, or kept for the table printed at the end.
void put(const std::string& format, const std::vector<std::pair<std::string, std::string>>& f,
         std::vector<std::vector<std::string>>& rows) {
    if (format == "json") {
        std::cout << json_object(f) << "\n";
        return;
    }
    std::vector<std::string> r;
    r.reserve(f.size());
    for (const auto& [k, v] : f)
        r.push_back(v);
    rows.push_back(std::move(r));
}

} // namespace

int run_inspect(const InspectOptions& o) {
    const char* name = o.inbox ? "nudge inbox" : "nudge inspect";
    try {
        format_instant(Instant{}, o.zone);
    } catch (const nudge::error&) {
        std::cerr << name << ": unknown time zone '" << o.zone << "'\n";
        return 2;
    }
    std::error_code ec;
    if (!std::filesystem::exists(o.database, ec)) {
        std::cerr << name << ": " << o.database << ": no such database\n";
        return 2; // an input that cannot be read, as for every command
    }
    try {
        StoreView view(o.database);
        if (o.inbox) {
            auto items = view.inbox(o.unassigned);
            std::vector<std::vector<std::string>> rows;
            for (const auto& i : items) {
                std::string candidates;
                for (auto c : i.candidates) {
                    if (!candidates.empty()) candidates += ',';
                    candidates += std::to_string(c);
                }
                std::vector<std::pair<std::string, std::string>> f{
                    {"id", std::to_string(i.id)},
                    {"at", format_instant(i.at, o.zone)},
                    {"from", i.message.from},
                    {"to", i.message.to},
                    {"reason", i.reason},
                    {"candidates", candidates},
                    {"assigned_to", i.assigned_to ? std::to_string(*i.assigned_to) : ""},
                    {"text", i.message.text}};
                put(o.format, f, rows);
            }
            if (o.format == "table") {
                table({"id", "at", "from", "to", "reason", "candidates", "assigned", "text"}, rows);
            }
            return 0;
        }
        if (o.timers) {
            // The pending timers of the instances the filters choose, by deadline.
            std::vector<std::vector<std::string>> rows;
            std::set<std::uint64_t> chosen;
            for (const auto& i : view.instances(o.flow, o.state, o.key))
                chosen.insert(i.id);
            for (const auto& t : view.timers()) {
                if (!chosen.count(t.instance)) continue;
                std::vector<std::pair<std::string, std::string>> f{
                    {"instance", std::to_string(t.instance)},
                    {"due", format_instant(t.due, o.zone)},
                    {"kind", t.kind},
                    {"what", t.what}};
                put(o.format, f, rows);
            }
            if (o.format == "table") table({"instance", "due", "kind", "what"}, rows);
            return 0;
        }
        auto instances = view.instances(o.flow, o.state, o.key);
        std::vector<std::vector<std::string>> rows;
        for (const auto& i : instances) {
            std::vector<std::pair<std::string, std::string>> f{
                {"id", std::to_string(i.id)},
                {"flow", i.flow},
                {"version", std::to_string(i.version)},
                {"key", i.key},
                {"state", i.state},
                {"status", i.status},
                {"entered", format_instant(i.entered, o.zone)},
                {"outcome", i.outcome.value_or("")}};
            if (o.format == "json") {
                for (const auto& [k, v] : i.fields)
                    f.emplace_back("field." + k, v);
            }
            put(o.format, f, rows);
        }
        if (o.format == "table") {
            table({"id", "flow", "version", "key", "state", "status", "entered", "outcome"}, rows);
            std::cout << instances.size() << " instance(s), " << view.steps()
                      << " step(s) committed\n";
        }
        return 0;
    } catch (const store_error& e) {
        std::cerr << name << ": " << e.what() << "\n";
        return 1;
    }
}

} // namespace nudge::cli
