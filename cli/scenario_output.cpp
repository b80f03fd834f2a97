#include "scenario_output.hpp"
#include "files.hpp"

#include <nudge/clock.hpp>

#include <map>

namespace nudge::cli {

std::string render_diagnostics(const Diagnostics& ds, std::string_view scenario_file,
                               std::string_view source) {
    std::map<std::string, std::string> flows; // flow file → its text, read once
    std::string out;
    for (const auto& d : ds) {
        if (d.file == scenario_file) {
            out += render(d, source);
            continue;
        }
        auto it = flows.find(d.file);
        if (it == flows.end()) it = flows.emplace(d.file, read_file(d.file).value_or("")).first;
        out += render(d, it->second);
    }
    return out;
}

std::string timeline_line(const Record& record, std::string_view zone) {
    std::string out = format_instant(record.at, zone) + "  ";
    if (record.instance != 0) out += "#" + std::to_string(record.instance) + " ";
    out += record.flow + "  " + record.kind;
    for (const auto& [name, value] : record.fields) {
        out += "  " + name + "=";
        bool plain = !value.empty() && value.find_first_of(" \"\n\t=") == std::string::npos;
        if (plain) {
            out += value;
            continue;
        }
        out += '"';
        for (char c : value) {
            if (c == '\n') {
                out += "\\n";
            } else {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
        }
        out += '"';
    }
    return out;
}

} // namespace nudge::cli
