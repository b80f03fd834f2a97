// nudge report: runs a scenario like `nudge simulate` and sums its timeline up per flow: how many
// triggers came in and why some started nothing, the funnel (entries per state), what was sent,
// the outcomes, and the money: conversions, revenue, and ROI = conversions × order value −
// SMS count × SMS price.
#include "commands.hpp"
#include "files.hpp"
#include "scenario_output.hpp"

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>
#include <nudge/report.hpp>
#include <nudge/scenario.hpp>
#include <nudge/store.hpp>

#include <nlohmann/json.hpp>

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

using Json = nlohmann::ordered_json; // keys in the order written

// Money and rates as numbers rounded to `decimals` places, as the table and CSV print them.
double rounded(double v, int decimals) {
    double scale = std::pow(10.0, decimals);
    double r = std::round(v * scale) / scale;
    return r == 0 ? 0.0 : r; // no -0
}

Json json_object(const Tally& t) {
    Json j = Json::object();
    for (const auto& [name, n] : t.items())
        j[name] = n;
    return j;
}

void print_json(const std::vector<FlowReport>& reports, const ReportOptions& o, std::ostream& out) {
    Json flows = Json::array();
    for (const auto& f : reports) {
        Json outcomes = Json::object();
        for (const auto& [label, n] : f.outcomes.items())
            outcomes[label] = {{"count", n}, {"value", rounded(f.outcome_values.at(label), 2)}};
        flows.push_back({{"flow", f.flow},
                         {"triggers", f.events.total()},
                         {"trigger_events", json_object(f.events)},
                         {"started", f.starts},
                         {"not_started", json_object(f.not_started)},
                         {"entries", json_object(f.entries)},
                         {"sent", json_object(f.sent)},
                         {"held_back", json_object(f.suppressed)},
                         {"failed", json_object(f.failed)},
                         {"outcomes", std::move(outcomes)},
                         {"sms_sent", f.sms},
                         {"conversions", f.conversions},
                         {"conversion_rate", rounded(f.rate, 4)},
                         {"revenue_saved", rounded(f.revenue, 2)},
                         {"order_value", rounded(f.order_value, 2)},
                         {"sms_cost", rounded(f.sms_cost, 2)},
                         {"roi", rounded(f.roi, 2)}});
    }
    Json report = {{"sms_price", rounded(o.sms_price, 2)},
                   {"conversion", o.conversion},
                   {"flows", std::move(flows)}};
    out << report.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

} // namespace

namespace {

// The reports in the format asked for, to standard output; `heading` (table only) goes first.
void print_reports(const std::vector<FlowReport>& reports, const ReportOptions& options,
                   const std::string& heading = {}) {
    std::ostringstream out;
    if (options.format == "csv") {
        print_csv(reports, out);
    } else if (options.format == "json") {
        print_json(reports, options, out);
    } else {
        out << heading;
        print_table(reports, options, out);
    }
    std::cout << out.str();
    std::cout.flush();
}

// The report of a database's records over a period (nudge report --db).
int report_database(const ReportOptions& options, const ReportSettings& settings) {
    try {
        StoreView view(options.database);
        auto zone = options.zone;
        if (zone.empty()) {
            for (const auto& [name, source] : view.flow_sources()) {
                auto compiled = compile_source(source, name + ".flow");
                if (compiled.flow && compiled.flow->flow().timezone) {
                    zone = *compiled.flow->flow().timezone;
                    break;
                }
            }
        }
        if (zone.empty()) zone = "UTC";
        auto period = report_period(options.period, SystemClock().now(), zone);
        print_reports(make_report(view.records(period.from, period.to), settings), options,
                      "period " + period.first_day + " .. " + period.last_day + " (" + zone +
                          ")\n");
        return 0;
    } catch (const store_error& e) {
        std::cerr << "nudge report: " << e.what() << "\n";
        return 2;
    } catch (const nudge::error& e) {
        std::cerr << "nudge report: " << e.what() << "\n";
        return 2;
    }
}

} // namespace

int run_report(const ReportOptions& options) {
    ReportSettings settings;
    settings.sms_price = options.sms_price;
    settings.order_value = options.order_value;
    settings.conversion = options.conversion;
    settings.sms_channel = options.sms_channel;
    if (!options.database.empty()) return report_database(options, settings);
    if (options.scenario.empty()) {
        std::cerr << "nudge report: give --scenario FILE or --db FILE\n";
        return 2;
    }
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

    print_reports(make_report(result.timeline, settings), options);
    for (const auto& failure : result.failures)
        std::cerr << options.scenario << ": " << failure << "\n";
    return result.ok ? 0 : 1;
}

} // namespace nudge::cli
