#pragma once
// One function per `nudge` subcommand. Each returns the process exit status:
// 0 success, 1 the input has problems (diagnostics printed), 2 bad usage or I/O failure.

#include <string>
#include <vector>

namespace nudge::cli {

struct CheckOptions {
    std::vector<std::string> files;
    std::string format = "text"; // text | json
    bool stats = false;          // print each flow's FlowStats too
};
int run_check(const CheckOptions& options);

struct FmtOptions {
    std::vector<std::string> files;
    bool in_place = false;
    bool check = false;
};
int run_fmt(const FmtOptions& options);

struct ConvertOptions {
    std::string input;
    std::string output; // a path, or "-" for standard output
    std::string to;     // flow | yaml; default from the output's name
};
int run_convert(const ConvertOptions& options);

struct GraphOptions {
    std::string file;
    std::string format = "dot"; // dot | mermaid | svg
    std::string output;         // a path; empty or "-" for standard output
};
int run_graph(const GraphOptions& options);

struct TestOptions {
    std::vector<std::string> files; // scenario files
    bool verbose = false;           // print each timeline too
    bool strict = false;            // a warning fails the scenario too
};
int run_test(const TestOptions& options);

struct SimulateOptions {
    std::vector<std::string> flows;
    std::string scenario; // a scenario file; else the options below make one
    std::string zone;     // the zone times print in; default the scenario's
    std::string trigger;
    std::vector<std::string> data; // NAME=VALUE
    std::string start;
    std::string until;
    std::string for_ = "30d";
    std::string database; // `nudge run --db`: durable on this SQLite database
};
int run_simulate(const SimulateOptions& options);

// nudge inspect / nudge inbox: a durable database's instances and inbox, read-only.
struct InspectOptions {
    std::string database;
    std::string flow;
    std::string state;
    std::string key;
    std::string zone = "UTC";
    std::string format = "table"; // table | json
    bool inbox = false;           // nudge inbox
    bool unassigned = false;      // nudge inbox --unassigned
    bool timers = false;          // nudge inspect --timers: pending timers, not instances
};
int run_inspect(const InspectOptions& options);

// nudge migrate: a changed flow as a new version, and the running instances moved onto it.
struct MigrateOptions {
    std::string database;
    std::string flow; // the changed flow file
    std::string at;   // the time the migration is taken (default now)
    bool dry_run = false;
};
int run_migrate(const MigrateOptions& options);

struct ReportOptions {
    std::string scenario;           // the run to report on, or
    std::string database;           // a durable database, over
    std::string period = "today";   // today, yesterday, month, last-month or FROM..TO
    std::string zone;               // the days' zone (default: the first stored flow's)
    std::vector<std::string> flows; // instead of the scenario's own flows, when given
    double sms_price = 0;           // per SMS sent
    double order_value = -1;        // per conversion; < 0: the mean of the conversions' values
    std::string conversion = "converted"; // the outcome that counts as a conversion
    std::string sms_channel = "sms";      // the channel whose sends are SMS
    std::string format = "table";         // table | csv | json
};
int run_report(const ReportOptions& options);

} // namespace nudge::cli
