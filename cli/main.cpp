// nudge: check, format, convert (and later run and simulate) follow-up flows.
#include "commands.hpp"

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
    return 2;
}
