// nudge report: runs a scenario like `nudge simulate` and sums its timeline up per flow: how many
// triggers came in and why some started nothing, the funnel (entries per state), what was sent,
// the outcomes, and the money: conversions, revenue, and ROI = conversions × order value −
// SMS count × SMS price.
#include "commands.hpp"
#include "files.hpp"
#include "scenario_output.hpp"

#include <nudge/scenario.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace nudge::cli {

namespace {

// Names in the order they first appeared in the timeline, with a count each.
class Tally {
public:
    void add(const std::string& name, std::int64_t n = 1) {
        auto [it, fresh] = index_.emplace(name, items_.size());
        if (fresh) items_.emplace_back(name, 0);
        items_[it->second].second += n;
    }
    std::int64_t total() const {
        std::int64_t sum = 0;
        for (const auto& [name, n] : items_)
            sum += n;
        return sum;
    }
    const std::vector<std::pair<std::string, std::int64_t>>& items() const { return items_; }

private:
    std::map<std::string, std::size_t> index_;
    std::vector<std::pair<std::string, std::int64_t>> items_;
};

struct FlowReport {
    std::string flow;
    Tally events; // trigger events that came in (started or not)
    std::int64_t starts = 0;
    Tally not_started; // trigger suppressions by reason
    Tally entries;     // by state
    Tally sent;        // by channel
    Tally suppressed;  // sends held back, by reason
    Tally failed;      // sends that failed, by channel
    Tally outcomes;    // by label
    std::map<std::string, double> outcome_values;
    std::int64_t sms = 0;
    std::int64_t conversions = 0;
    double revenue = 0;
    // Filled in from the options.
    double order_value = 0;
    double rate = 0;
    double sms_cost = 0;
    double roi = 0;
};

double parse_number(std::string_view s) {
    try {
        return std::stod(std::string(s));
    } catch (const std::exception&) {
        return 0;
    }
}

std::vector<FlowReport> tally(const std::vector<Record>& timeline, const ReportOptions& o) {
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

std::string fixed(double v, int decimals) {
    if (std::abs(v) < 0.5 * std::pow(10.0, -decimals)) v = 0; // no "-0.00"
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string listed(const Tally& t) {
    std::string out;
    for (const auto& [name, n] : t.items())
        out += (out.empty() ? "" : ", ") + name + " " + std::to_string(n);
    return out;
}

// ---- table

void print_table(const std::vector<FlowReport>& reports, const ReportOptions& o,
                 std::ostream& out) {
    bool first = true;
    for (const auto& f : reports) {
        if (!first) out << "\n";
        first = false;
        auto row = [&](const std::string& name, const std::string& value,
                       const std::string& note = {}) {
            std::string line = "  " + name;
            if (line.size() < 26) line.resize(26, ' ');
            line += value;
            if (!note.empty()) {
                if (line.size() < 36) line.resize(36, ' ');
                line += "  " + note;
            }
            out << line << "\n";
        };
        out << "flow " << f.flow << "\n";
        row("triggers", std::to_string(f.events.total()), listed(f.events));
        row("started", std::to_string(f.starts));
        row("not started", std::to_string(f.not_started.total()), listed(f.not_started));
        out << "  entries per state\n";
        for (const auto& [state, n] : f.entries.items())
            row("  " + state, std::to_string(n));
        row("sent", std::to_string(f.sent.total()), listed(f.sent));
        if (f.suppressed.total() > 0) {
            row("sends held back", std::to_string(f.suppressed.total()), listed(f.suppressed));
        }
        if (f.failed.total() > 0) row("sends failed", std::to_string(f.failed.total()));
        out << "  outcomes\n";
        for (const auto& [label, n] : f.outcomes.items()) {
            row("  " + label, std::to_string(n), "value " + fixed(f.outcome_values.at(label), 2));
        }
        out << "  money\n";
        row("  SMS sent", std::to_string(f.sms));
        row("  conversions", std::to_string(f.conversions), "outcome " + o.conversion);
        row("  conversion rate", fixed(100 * f.rate, 1) + " %", "of triggers");
        row("  revenue saved", fixed(f.revenue, 2));
        row("  SMS cost", fixed(f.sms_cost, 2),
            std::to_string(f.sms) + " × " + fixed(o.sms_price, 2));
        row("  ROI", fixed(f.roi, 2),
            std::to_string(f.conversions) + " × " + fixed(f.order_value, 2) + " − " +
                fixed(f.sms_cost, 2));
    }
}

// ---- csv: one metric a line

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void print_csv(const std::vector<FlowReport>& reports, std::ostream& out) {
    out << "flow,metric,name,value\n";
    for (const auto& f : reports) {
        auto line = [&](const std::string& metric, const std::string& name,
                        const std::string& value) {
            out << csv_field(f.flow) << "," << metric << "," << csv_field(name) << "," << value
                << "\n";
        };
        auto each = [&](const std::string& metric, const Tally& t) {
            for (const auto& [name, n] : t.items())
                line(metric, name, std::to_string(n));
        };
        line("triggers", "", std::to_string(f.events.total()));
        each("trigger_event", f.events);
        line("started", "", std::to_string(f.starts));
        each("not_started", f.not_started);
        each("entries", f.entries);
        each("sent", f.sent);
        each("held_back", f.suppressed);
        each("failed", f.failed);
        for (const auto& [label, n] : f.outcomes.items()) {
            line("outcome", label, std::to_string(n));
            line("outcome_value", label, fixed(f.outcome_values.at(label), 2));
        }
        line("sms_sent", "", std::to_string(f.sms));
        line("conversions", "", std::to_string(f.conversions));
        line("conversion_rate", "", fixed(f.rate, 4));
        line("revenue_saved", "", fixed(f.revenue, 2));
        line("order_value", "", fixed(f.order_value, 2));
        line("sms_cost", "", fixed(f.sms_cost, 2));
        line("roi", "", fixed(f.roi, 2));
    }
}

// ---- json

std::string json_string(const std::string& s) { return json_quote(s); }

std::string json_object(const Tally& t) {
    std::string out = "{";
    for (const auto& [name, n] : t.items()) {
        // Appended piece by piece: GCC 12 warns falsely on "," + std::string (bug 105651).
        if (out.size() > 1) out += ',';
        out += json_string(name);
        out += ':';
        out += std::to_string(n);
    }
    return out + "}";
}

void print_json(const std::vector<FlowReport>& reports, const ReportOptions& o, std::ostream& out) {
    out << "{\"sms_price\":" << fixed(o.sms_price, 2)
        << ",\"conversion\":" << json_string(o.conversion) << ",\"flows\":[";
    bool first = true;
    for (const auto& f : reports) {
        out << (first ? "" : ",") << "\n  {\"flow\":" << json_string(f.flow)
            << ",\"triggers\":" << f.events.total()
            << ",\"trigger_events\":" << json_object(f.events) << ",\"started\":" << f.starts
            << ",\"not_started\":" << json_object(f.not_started)
            << ",\"entries\":" << json_object(f.entries) << ",\"sent\":" << json_object(f.sent)
            << ",\"held_back\":" << json_object(f.suppressed)
            << ",\"failed\":" << json_object(f.failed) << ",\"outcomes\":{";
        bool first_outcome = true;
        for (const auto& [label, n] : f.outcomes.items()) {
            out << (first_outcome ? "" : ",") << json_string(label) << ":{\"count\":" << n
                << ",\"value\":" << fixed(f.outcome_values.at(label), 2) << "}";
            first_outcome = false;
        }
        out << "},\"sms_sent\":" << f.sms << ",\"conversions\":" << f.conversions
            << ",\"conversion_rate\":" << fixed(f.rate, 4)
            << ",\"revenue_saved\":" << fixed(f.revenue, 2)
            << ",\"order_value\":" << fixed(f.order_value, 2)
            << ",\"sms_cost\":" << fixed(f.sms_cost, 2) << ",\"roi\":" << fixed(f.roi, 2) << "}";
        first = false;
    }
    out << "\n]}\n";
}

} // namespace

int run_report(const ReportOptions& options) {
    auto source = read_file(options.scenario);
    if (!source) {
        std::cerr << "nudge report: cannot read file " << options.scenario << "\n";
        return 2;
    }
    ScenarioOptions run;
    for (const auto& f : options.flows)
        run.flows.emplace_back(f);
    auto result = run_scenario(*source, options.scenario, run);
    if (!result.diagnostics.empty()) {
        std::cerr << render_diagnostics(result.diagnostics, options.scenario, *source);
    }
    if (result.diagnostics.has_errors()) return 1;

    auto reports = tally(result.timeline, options);
    std::ostringstream out;
    if (options.format == "csv") {
        print_csv(reports, out);
    } else if (options.format == "json") {
        print_json(reports, options, out);
    } else {
        print_table(reports, options, out);
    }
    std::cout << out.str();
    std::cout.flush();
    for (const auto& failure : result.failures)
        std::cerr << options.scenario << ": " << failure << "\n";
    return result.ok ? 0 : 1;
}

} // namespace nudge::cli
