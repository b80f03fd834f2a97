// Fuzzes the .flow text front end, the checker and the formatter.
#include <nudge/dsl.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view source(reinterpret_cast<const char*>(data), size);
    auto result = nudge::parse_flow_text(source, "fuzz.flow");
    if (!result.flow || result.diagnostics.has_errors()) return 0;
    (void)nudge::check_flow(*result.flow);
    (void)nudge::render(result.diagnostics, source);
    // The canonical text must read back to the same flow, and be a fixed point.
    auto text = nudge::format_flow(*result.flow);
    auto again = nudge::parse_flow_text(text, "fuzz.flow");
    if (!again.flow || again.diagnostics.has_errors() || !(*again.flow == *result.flow)) {
        std::cerr << "format round trip failed for:\n" << source << "\n--- printed:\n" << text;
        std::abort();
    }
    if (nudge::format_flow(*again.flow) != text) {
        std::cerr << "format is not idempotent for:\n" << text;
        std::abort();
    }
    return 0;
}
