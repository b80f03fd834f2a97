#include <nudge/report.hpp>

#include <optional>

#include <nudge/error.hpp>

#include <date/tz.h>

#include <sstream>
#include <string_view>

namespace nudge {

void Tally::add(const std::string& name, std::int64_t n) {
    auto [it, fresh] = index_.emplace(name, items_.size());
    if (fresh) items_.emplace_back(name, 0);
    items_[it->second].second += n;
}

std::int64_t Tally::total() const {
    std::int64_t sum = 0;
    for (const auto& [name, n] : items_)
        sum += n;
    return sum;
}

std::int64_t Tally::count(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? 0 : items_[it->second].second;
}

namespace {

double parse_number(std::string_view s) {
    try {
        return std::stod(std::string(s));
    } catch (const std::exception&) {
        return 0;
    }
}

std::optional<date::local_days> read_day(std::string_view s) {
    std::istringstream in{std::string(s)};
    date::local_days d;
    in >> date::parse("%F", d);
    if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
    return d;
}

} // namespace

Period report_period(std::string_view spec, Instant now, std::string_view zone_name) {
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(std::string(zone_name));
    } catch (const std::exception&) {
        throw error("unknown time zone '" + std::string(zone_name) + "'");
    }
    auto today = date::floor<date::days>(date::make_zoned(zone, now).get_local_time());
    date::local_days first = today, after = today + date::days(1);
    date::year_month_day ymd{today};
    if (spec == "today") {
    } else if (spec == "yesterday") {
        first = today - date::days(1);
        after = today;
    } else if (spec == "month" || spec == "last-month") {
        auto month = ymd.year() / ymd.month();
        if (spec == "last-month") month -= date::months(1);
        first = date::local_days{month / 1};
        after = date::local_days{(month + date::months(1)) / 1};
    } else if (auto dots = spec.find(".."); dots != std::string_view::npos) {
        auto a = read_day(spec.substr(0, dots)), b = read_day(spec.substr(dots + 2));
        if (!a || !b)
            throw error("a period FROM..TO takes two dates as YYYY-MM-DD, saw '" +
                        std::string(spec) + "'");
        if (*b < *a) throw error("the period '" + std::string(spec) + "' ends before it begins");
        first = *a;
        after = *b + date::days(1);
    } else {
        throw error("unknown period '" + std::string(spec) +
                    "' (known: today, yesterday, month, last-month, YYYY-MM-DD..YYYY-MM-DD)");
    }
    auto instant = [&](date::local_days d) {
        return std::chrono::time_point_cast<std::chrono::seconds>(
            date::make_zoned(zone, d, date::choose::earliest).get_sys_time());
    };
    return {instant(first), instant(after), date::format("%F", first),
            date::format("%F", after - date::days(1))};
}

std::vector<FlowReport> make_report(const std::vector<Record>& timeline, const ReportSettings& o) {
    std::vector<FlowReport> out;
    std::map<std::string, std::size_t> index;
    auto of = [&](const std::string& flow) -> FlowReport& {
        auto [it, fresh] = index.emplace(flow, out.size());
        if (fresh) {
            out.emplace_back();
            out.back().flow = flow;
        }
        return out[it->second];
    };
    for (const auto& r : timeline) {
        if (r.flow.empty()) continue; // a person's change to the inbox or the opt-out list
        auto& f = of(r.flow);
        const std::string& k = r.kind;
        if (k == "started") {
            f.events.add(std::string(r.get("event")));
            ++f.starts;
        } else if (k == "suppressed" && r.instance == 0 && !r.get("event").empty()) {
            f.events.add(std::string(r.get("event")));
            f.not_started.add(std::string(r.get("reason")));
        } else if (k == "suppressed") {
            f.suppressed.add(std::string(r.get("reason")));
        } else if (k == "entered") {
            f.entries.add(std::string(r.get("state")));
        } else if (k == "sent") {
            std::string channel(r.get("channel"));
            f.sent.add(channel);
            if (channel == o.sms_channel) ++f.sms;
        } else if (k == "failed" && !r.get("channel").empty()) {
            f.failed.add(std::string(r.get("channel")));
        } else if (k == "outcome") {
            std::string label(r.get("outcome"));
            double value = parse_number(r.get("value"));
            f.outcomes.add(label);
            f.outcome_values[label] += value;
            if (label == o.conversion) {
                ++f.conversions;
                f.revenue += value;
            }
        }
    }
    for (auto& f : out) {
        auto triggers = f.events.total();
        f.order_value = o.order_value >= 0  ? o.order_value
                        : f.conversions > 0 ? f.revenue / static_cast<double>(f.conversions)
                                            : 0;
        f.rate =
            triggers > 0 ? static_cast<double>(f.conversions) / static_cast<double>(triggers) : 0;
        f.sms_cost = static_cast<double>(f.sms) * o.sms_price;
        f.roi = static_cast<double>(f.conversions) * f.order_value - f.sms_cost;
    }
    return out;
}

} // namespace nudge
