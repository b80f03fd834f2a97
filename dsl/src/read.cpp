// The entry points that tie the front ends and the checker together.
#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <fstream>
#include <optional>
#include <sstream>

namespace nudge {

namespace {
bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// At most max_reported errors and as many warnings (in order), then one line each saying how
// many more there were, at the first one left out: one mistake repeated through thousands of
// states must not bury the first report.
void cap(Diagnostics& ds) {
    if (ds.error_count() <= max_reported && ds.warning_count() <= max_reported) return;
    Diagnostics out;
    std::size_t errors = 0, warnings = 0;
    std::optional<Diagnostic> first_error, first_warning;
    for (const auto& d : ds) {
        if (d.code == "too-many-errors" || d.code == "too-many-warnings") {
            out.add(d); // a reader's own cap (the YAML reader stops at its hundredth error)
            continue;
        }
        if (d.severity == Severity::error && ++errors > max_reported) {
            if (!first_error) first_error = d;
            continue;
        }
        if (d.severity == Severity::warning && ++warnings > max_reported) {
            if (!first_warning) first_warning = d;
            continue;
        }
        out.add(d);
    }
    if (first_error)
        out.error("too-many-errors",
                  "too many errors: " + std::to_string(errors - max_reported) +
                      " more not shown, from here on",
                  first_error->file, first_error->pos);
    if (first_warning)
        out.warning("too-many-warnings",
                    "too many warnings: " + std::to_string(warnings - max_reported) +
                        " more not shown, from here on",
                    first_warning->file, first_warning->pos);
    ds = std::move(out);
}
} // namespace

SourceFormat format_of(std::string_view filename) {
    return ends_with(filename, ".yaml") || ends_with(filename, ".yml") ? SourceFormat::yaml
                                                                       : SourceFormat::text;
}

ParseResult read_flow(std::string_view source, std::string filename) {
    ParseResult result = format_of(filename) == SourceFormat::yaml
                             ? parse_flow_yaml(source, filename)
                             : parse_flow_text(source, std::move(filename));
    // Semantic checks only on a flow whose syntax was sound: errors after a syntax error are
    // mostly echoes of it.
    if (result.flow && !result.diagnostics.has_errors()) {
        result.diagnostics.append(check_flow(*result.flow));
    }
    result.diagnostics.sort();
    cap(result.diagnostics);
    return result;
}

ParseResult read_flow_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ParseResult r;
        r.diagnostics.error("io", "cannot read file", path.string(), {});
        return r;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return read_flow(ss.str(), path.string());
}

namespace {
CompileResult compile_read(ParseResult read) {
    CompileResult result;
    if (read.flow && !read.diagnostics.has_errors()) {
        result = compile(*read.flow);
    }
    result.diagnostics.append(read.diagnostics);
    result.diagnostics.sort();
    cap(result.diagnostics);
    return result;
}
} // namespace

CompileResult compile_source(std::string_view source, std::string filename) {
    return compile_read(read_flow(source, std::move(filename)));
}

CompileResult compile_file(const std::filesystem::path& path) {
    return compile_read(read_flow_file(path));
}

} // namespace nudge
