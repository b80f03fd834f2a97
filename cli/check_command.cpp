#include "commands.hpp"
#include "files.hpp"

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <iostream>

namespace nudge::cli {

int run_check(const CheckOptions& options) {
    if (options.stats && options.format == "json") {
        std::cerr << "nudge check: error: --stats prints text; use it without --format json\n";
        return 2;
    }
    Diagnostics all;
    std::string rendered;
    std::string stats;
    bool unreadable = false;
    for (const auto& path : options.files) {
        auto source = read_file(path);
        if (!source) {
            unreadable = true;
            all.error("io", "cannot read file", path, {});
            rendered += render(all.items().back());
            continue;
        }
        // Parse, check and the whole-flow analyses (unreachable states, livelocks, caps, …).
        auto result = compile_source(*source, path);
        rendered += render(result.diagnostics, *source);
        all.append(result.diagnostics);
        if (options.stats && result.flow) {
            stats += path + ":\n";
            auto text = to_text(result.flow->stats());
            for (std::size_t pos = 0; pos < text.size();) {
                auto end = text.find('\n', pos);
                if (end == std::string::npos) end = text.size();
                stats += "  " + text.substr(pos, end - pos) + "\n";
                pos = end + 1;
            }
            for (const auto& s : sms_sizes(result.flow->flow())) {
                std::string uncounted;
                for (const auto& u : s.uncounted)
                    uncounted += (uncounted.empty() ? "; " : ", ") + ("{" + u + "}");
                stats += "  sms parts of " + s.message + ": " +
                         (s.uncounted.empty() ? "" : "at least ") + std::to_string(s.parts) + " (" +
                         (s.gsm7 ? "GSM-7" : "UCS-2") + ", limit " + std::to_string(s.limit) +
                         uncounted + (uncounted.empty() ? "" : " not counted") + ")\n";
            }
        }
    }
    if (options.format == "json") {
        std::cout << to_json(all);
    } else {
        std::cerr << rendered;
        if (!all.empty()) {
            std::cerr << all.error_count() << " error(s), " << all.warning_count()
                      << " warning(s)\n";
        }
    }
    std::cout << stats; // standard output: data, where the diagnostics are on standard error
    // One rule for every command: 2 when an input could not be read, 1 for problems in it.
    if (unreadable) return 2;
    return all.has_errors() ? 1 : 0;
}

} // namespace nudge::cli
