#include "visits.hpp"

#include <algorithm>
#include <cstdio>

namespace recall {

std::optional<Date> parse_date(std::string_view text) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    }
    auto number = [&](std::size_t from, std::size_t n) {
        int v = 0;
        for (std::size_t i = from; i < from + n; ++i)
            v = v * 10 + (text[i] - '0');
        return v;
    };
    y = number(0, 4);
    m = static_cast<unsigned>(number(5, 2));
    d = static_cast<unsigned>(number(8, 2));
    Date date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!date.ok()) return std::nullopt;
    return date;
}

std::string format_date(Date date) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return buf;
}

Import import_visits(const CsvTable& table, const Classifier& classifier) {
    Import out;
    const char* needed[] = {"customer_no", "customer_name", "email",        "phone",
                            "plate",       "customer_type", "unsubscribed", "visit_date",
                            "order_lines", "remarks",       "next_service"};
    std::map<std::string, std::size_t, std::less<>> col;
    for (const char* name : needed) {
        auto i = table.column(name);
        if (!i) {
            out.problems.push_back({1, std::string("no column '") + name + "'"});
            continue;
        }
        col[name] = *i;
    }
    if (!out.problems.empty()) return out;
    // Optional: older exports lack them.
    auto due_col = table.column("inspection_due");
    auto parts_col = table.column("spare_parts");
    auto codes_col = table.column("repair_codes");

    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        std::size_t line = r < table.lines.size() ? table.lines[r] : 0;
        auto cell = [&](std::string_view name) -> const std::string& {
            return row[col.find(name)->second];
        };
        Visit v;
        v.line = line;
        auto date = parse_date(cell("visit_date"));
        if (!date) {
            out.problems.push_back({line, "bad visit_date '" + cell("visit_date") + "'"});
            continue;
        }
        v.date = *date;
        if (due_col && !row[*due_col].empty()) {
            v.inspection_due = parse_date(row[*due_col]);
            if (!v.inspection_due) {
                out.problems.push_back({line, "bad inspection_due '" + row[*due_col] + "'"});
                continue;
            }
        }
        if (!cell("next_service").empty()) {
            v.next_service = parse_date(cell("next_service"));
            if (!v.next_service) {
                out.problems.push_back({line, "bad next_service '" + cell("next_service") + "'"});
                continue;
            }
        }
        v.customer_no = cell("customer_no");
        v.customer_name = cell("customer_name");
        v.email = cell("email");
        v.phone = cell("phone");
        v.plate = cell("plate");
        v.customer_type = cell("customer_type");
        v.unsubscribed = cell("unsubscribed") == "ja";
        // Every bit of text on the invoice counts: order lines, remarks, spare parts and repair
        // codes.
        std::string text = cell("order_lines") + "\n" + cell("remarks");
        if (parts_col) text += "\n" + row[*parts_col];
        if (codes_col) text += "\n" + row[*codes_col];
        v.kinds = classifier.classify(text);
        out.visits.push_back(std::move(v));
    }
    return out;
}

namespace {

bool has(const Visit& v, VisitKind k) {
    return std::find(v.kinds.begin(), v.kinds.end(), k) != v.kinds.end();
}

bool autumn(const Visit& v) {
    auto m = static_cast<unsigned>(v.date.month());
    return m >= 8; // August to December: the change to winter tyres
}

std::string compact(std::string_view plate) {
    std::string out;
    for (char c : plate) {
        if (c != ' ') out += c;
    }
    return out;
}

Recall make(const Visit& v, std::string kind) {
    Recall r;
    r.kind = std::move(kind);
    r.recall_id = compact(v.plate) + "-" + r.kind;
    r.customer_no = v.customer_no;
    r.plate = v.plate;
    r.data = {{"recall_id", r.recall_id},
              {"customer_no", v.customer_no},
              {"customer", v.customer_name},
              {"plate", v.plate},
              {"kind", r.kind},
              {"customer_type", v.customer_type},
              {"unsubscribed", v.unsubscribed ? "true" : "false"}};
    if (!v.email.empty()) r.data["email"] = v.email;
    if (!v.phone.empty()) r.data["phone"] = v.phone;
    return r;
}

void counts_from(Recall& r, const Visit* latest) {
    if (!latest) return;
    r.last_visit = latest->date;
    r.data["last_visit"] = format_date(latest->date);
}

} // namespace

std::vector<Recall> plan_recalls(const std::vector<Visit>& visits) {
    // The latest visit of each kind per car; later visits replace earlier ones.
    struct Latest {
        const Visit* service = nullptr;
        const Visit* inspection = nullptr;
        const Visit* registered = nullptr; // the latest visit with the register's inspection date
        const Visit* winter = nullptr;
        const Visit* summer = nullptr;
        const Visit* latest = nullptr; // of any kind: the car's last activity here
    };
    std::map<std::string, Latest> cars;
    auto later = [](const Visit*& slot, const Visit& v) {
        if (!slot || slot->date <= v.date) slot = &v;
    };
    for (const auto& v : visits) {
        auto& car = cars[v.plate];
        later(car.latest, v);
        if (has(v, VisitKind::service)) later(car.service, v);
        if (has(v, VisitKind::inspection)) later(car.inspection, v);
        if (v.inspection_due) later(car.registered, v);
        if (has(v, VisitKind::tyres)) later(autumn(v) ? car.winter : car.summer, v);
    }

    std::vector<Recall> out;
    for (const auto& [plate, car] : cars) {
        auto first = out.size();
        if (car.service) {
            auto r = make(*car.service, "service");
            counts_from(r, car.service);
            r.data["last_service"] = format_date(car.service->date);
            if (car.service->next_service) {
                r.data["next_service"] = format_date(*car.service->next_service);
            }
            out.push_back(std::move(r));
        }
        if (car.registered) {
            // The register's date: the car may have been inspected elsewhere, or be new.
            auto r = make(*car.registered, "inspection");
            counts_from(r, car.inspection);
            r.data["inspection_due"] = format_date(*car.registered->inspection_due);
            out.push_back(std::move(r));
        } else if (car.inspection) {
            auto r = make(*car.inspection, "inspection");
            counts_from(r, car.inspection);
            // Without the register's date: periodic inspection every second year.
            auto due = car.inspection->date + std::chrono::years{2};
            if (!due.ok()) due = due.year() / due.month() / std::chrono::last; // 29 February
            r.data["inspection_due"] = format_date(due);
            out.push_back(std::move(r));
        }
        if (car.winter) {
            auto r = make(*car.winter, "winter_tyres");
            counts_from(r, car.winter);
            r.data["last_tyre_change"] = format_date(car.winter->date);
            out.push_back(std::move(r));
        }
        if (car.summer) {
            auto r = make(*car.summer, "summer_tyres");
            counts_from(r, car.summer);
            r.data["last_tyre_change"] = format_date(car.summer->date);
            out.push_back(std::move(r));
        }
        // The owner check compares the car's latest visit with the motor register.
        for (auto i = first; i < out.size(); ++i)
            out[i].data["last_seen"] = format_date(car.latest->date);
    }
    std::sort(out.begin(), out.end(),
              [](const Recall& a, const Recall& b) { return a.recall_id < b.recall_id; });
    return out;
}

std::vector<Visit> visits_until(const std::vector<Visit>& visits, Date day) {
    std::vector<Visit> out;
    for (const auto& v : visits) {
        if (v.date <= day) out.push_back(v);
    }
    return out;
}

Replan replan(const std::vector<Recall>& before, std::vector<Recall>& now) {
    std::map<std::string_view, const Recall*> earlier;
    for (const auto& r : before)
        earlier[r.recall_id] = &r;
    Replan out;
    for (auto& r : now) {
        auto e = earlier.find(r.recall_id);
        if (e == earlier.end()) {
            out.start.push_back(&r);
            continue;
        }
        const Recall& old = *e->second;
        if (r.last_visit && (!old.last_visit || *old.last_visit < *r.last_visit)) {
            out.done.push_back(r.recall_id);
            out.start.push_back(&r);
        }
    }
    return out;
}

} // namespace recall
