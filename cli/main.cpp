// nudge: check, format, convert, draw, test and simulate follow-up flows.
#include "commands.hpp"
#include "serve_command.hpp"

#include <nudge/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    using namespace nudge::cli;
    CLI::App app{"nudge " NUDGE_VERSION_STRING " - automated customer follow-up flows", "nudge"};
    app.set_version_flag("--version", NUDGE_VERSION_STRING);
    app.require_subcommand(1);

    CheckOptions check;
    auto* check_cmd = app.add_subcommand(
        "check", "Read flows and report every problem as file:line:col diagnostics");
    check_cmd->add_option("files", check.files, "Flow files (.flow or .flow.yaml)")->required();
    check_cmd->add_option("--format", check.format, "Output: text (stderr) or json (stdout)")
        ->check(CLI::IsMember({"text", "json"}));
    check_cmd->add_flag("--stats", check.stats,
                        "Print each flow's states, edges, longest waiting path and message bounds");

    FmtOptions fmt;
    auto* fmt_cmd = app.add_subcommand("fmt", "Print flows in canonical form");
    fmt_cmd->add_option("files", fmt.files, "Flow files (.flow)")->required();
    auto* in_place = fmt_cmd->add_flag("-i,--in-place", fmt.in_place, "Rewrite the files");
    fmt_cmd->add_flag("--check", fmt.check, "Exit 1 when a file is not in canonical form")
        ->excludes(in_place);

    ConvertOptions convert;
    auto* convert_cmd = app.add_subcommand("convert", "Convert between .flow and .flow.yaml");
    convert_cmd->add_option("input", convert.input, "The flow to read")->required();
    convert_cmd->add_option("-o,--output", convert.output, "Where to write; - for stdout")
        ->required();
    convert_cmd->add_option("--to", convert.to, "Output form when the name does not say")
        ->check(CLI::IsMember({"flow", "yaml"}));

    GraphOptions graph;
    auto* graph_cmd = app.add_subcommand(
        "graph", "Draw a flow's states and transitions as DOT, Mermaid or SVG (through Graphviz)");
    graph_cmd->add_option("file", graph.file, "The flow (.flow or .flow.yaml)")->required();
    graph_cmd->add_option("--format", graph.format, "dot (default), mermaid, or svg")
        ->check(CLI::IsMember({"dot", "mermaid", "svg"}));
    graph_cmd->add_option("-o,--output", graph.output,
                          "Where to write (atomically); default standard output");

    TestOptions test;
    auto* test_cmd = app.add_subcommand(
        "test", "Run scenario files and report every expectation that does not hold");
    test_cmd
        ->add_option("scenarios", test.files, "Scenario files, or folders of *.scenario.yaml files")
        ->required();
    test_cmd->add_flag("-v,--verbose", test.verbose, "Print each scenario's timeline too");
    test_cmd->add_flag("--strict", test.strict,
                       "A warning (in a scenario or its flows) fails the scenario too");

    SimulateOptions simulate;
    auto* simulate_cmd = app.add_subcommand(
        "simulate", "Run flows on a fake clock and print the timeline as JSON lines");
    simulate_cmd->add_option("flows", simulate.flows,
                             "Flow files to run (with --scenario: default the scenario's flows)");
    simulate_cmd->add_option("--scenario", simulate.scenario,
                             "A scenario file whose steps to run (its own flows are replaced)");
    simulate_cmd->add_option("--zone", simulate.zone,
                             "IANA zone the timeline's times print in (default: the scenario's)");
    auto* trigger_opt = simulate_cmd->add_option(
        "--trigger", simulate.trigger, "Without --scenario: the event that starts the flows");
    simulate_cmd->add_option("--data", simulate.data, "With --trigger: a NAME=VALUE of its data")
        ->needs(trigger_opt);
    simulate_cmd
        ->add_option("--start", simulate.start,
                     "With --trigger: the fake clock's start (an instant)")
        ->needs(trigger_opt);
    auto* until_opt =
        simulate_cmd
            ->add_option("--until", simulate.until, "With --trigger: run the clock to this instant")
            ->needs(trigger_opt);
    simulate_cmd
        ->add_option("--for", simulate.for_,
                     "With --trigger: run the clock this long (default 30d)")
        ->needs(trigger_opt)
        ->excludes(until_opt);
    simulate_cmd->get_option("--scenario")->excludes(trigger_opt);
    simulate_cmd->footer(
        "Either --scenario FILE runs that scenario's steps (against FLOW… when given), or\n"
        "FLOW… --trigger EVENT --start INSTANT [--data NAME=VALUE]… [--until INSTANT | --for\n"
        "DURATION] triggers once and runs the clock, firing every timer on the way. Instants\n"
        "without an offset are read in the first flow's zone. Exit 0 when the run completed\n"
        "and its expectations held, 1 when the scenario has problems or an expectation\n"
        "failed, 2 on bad usage.");

    SimulateOptions durable;
    auto* run_cmd = app.add_subcommand(
        "run", "Run a scenario against a SQLite database (durable) and print the timeline");
    run_cmd->add_option("--db", durable.database, "The database (created when absent)")->required();
    run_cmd->add_option("--scenario", durable.scenario, "The scenario whose steps to run")
        ->required();
    run_cmd->add_option("flows", durable.flows, "Flow files instead of the scenario's");
    run_cmd->add_option("--zone", durable.zone, "IANA zone the timeline's times print in");
    run_cmd->footer("Like simulate --scenario, but every step is committed to the database; "
                    "running again\non the same database resumes its instances. Exit codes as "
                    "simulate.");

    InspectOptions inspect;
    auto* inspect_cmd =
        app.add_subcommand("inspect", "List the instances a durable database holds");
    inspect_cmd->add_option("--db", inspect.database, "The database")->required();
    inspect_cmd->add_option("--flow", inspect.flow, "Only this flow's instances");
    inspect_cmd->add_option("--state", inspect.state, "Only instances in this state");
    inspect_cmd->add_option("--key", inspect.key, "Only instances with this key");
    inspect_cmd->add_option("--zone", inspect.zone, "IANA zone times print in (default UTC)");
    inspect_cmd->add_option("--format", inspect.format, "table or json (one object a line)")
        ->check(CLI::IsMember({"table", "json"}));
    inspect_cmd->add_flag("--timers", inspect.timers,
                          "List the pending timers of the instances instead");

    MigrateOptions migrate;
    auto* migrate_cmd = app.add_subcommand(
        "migrate", "Load a changed flow as a new version and move running instances onto it");
    migrate_cmd->add_option("--db", migrate.database, "The database")->required();
    migrate_cmd->add_option("flow", migrate.flow, "The changed flow file")->required();
    migrate_cmd->add_flag("--dry-run", migrate.dry_run, "Only say what would move");
    migrate_cmd->add_option("--at", migrate.at, "The time of the migration (default now)");
    migrate_cmd->footer(
        "States map by name. When an instance sits in a state the new version lacks, nothing\n"
        "is changed and the states are listed (exit 1). Messages the migration causes wait in\n"
        "the outbox for the host.");

    InspectOptions inbox;
    inbox.inbox = true;
    auto* inbox_cmd = app.add_subcommand("inbox", "List the inbox of a durable database");
    inbox_cmd->add_option("--db", inbox.database, "The database")->required();
    inbox_cmd->add_flag("--unassigned", inbox.unassigned, "Only what nobody has handled yet");
    inbox_cmd->add_option("--zone", inbox.zone, "IANA zone times print in (default UTC)");
    inbox_cmd->add_option("--format", inbox.format, "table or json (one object a line)")
        ->check(CLI::IsMember({"table", "json"}));

    ReportOptions report;
    auto* report_cmd = app.add_subcommand(
        "report", "Report per flow (funnel, sends, conversions, ROI) from a scenario's run or "
                  "from a database over a period");
    auto* scenario_opt =
        report_cmd->add_option("--scenario", report.scenario, "The scenario to run");
    auto* db_opt = report_cmd->add_option("--db", report.database,
                                          "A database written by `nudge serve` or a DurableEngine");
    scenario_opt->excludes(db_opt);
    report_cmd->add_option("--period", report.period,
                           "With --db: today (default), yesterday, month, last-month or "
                           "YYYY-MM-DD..YYYY-MM-DD, as days in --zone");
    report_cmd->add_option("--zone", report.zone,
                           "With --db: the zone of the period's days (default: the first flow's)");
    report_cmd->add_option("flows", report.flows, "Flow files instead of the scenario's");
    report_cmd->add_option("--sms-price", report.sms_price, "Price of one SMS (default 0)")
        ->check(CLI::NonNegativeNumber);
    report_cmd
        ->add_option("--order-value", report.order_value,
                     "Average order value (default: the mean of the conversions' values)")
        ->check(CLI::NonNegativeNumber);
    report_cmd->add_option("--conversion", report.conversion,
                           "The outcome counted as a conversion (default converted)");
    report_cmd->add_option("--sms-channel", report.sms_channel,
                           "The channel whose sends are SMS (default sms)");
    report_cmd->add_option("--format", report.format, "Output: table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));

    ServeOptions serve;
    auto* serve_cmd = add_serve_command(app, serve);
    auto* hash_cmd = add_hash_password_command(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return 2;
    }

    if (*check_cmd) return run_check(check);
    if (*fmt_cmd) return run_fmt(fmt);
    if (*convert_cmd) return run_convert(convert);
    if (*graph_cmd) return run_graph(graph);
    if (*test_cmd) return run_test(test);
    if (*simulate_cmd) return run_simulate(simulate);
    if (*report_cmd) return run_report(report);
    if (*run_cmd) return run_simulate(durable);
    if (*inspect_cmd) return run_inspect(inspect);
    if (*inbox_cmd) return run_inspect(inbox);
    if (*migrate_cmd) return run_migrate(migrate);
    if (*serve_cmd) return run_serve(serve);
    if (*hash_cmd) return run_hash_password();
    return 2;
}
