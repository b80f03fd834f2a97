// Fuzzes the .flow.yaml front end and the YAML writer.
#include <nudge/dsl.hpp>

#include <cstdint>
#include <cstdlib>
#include <iostream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view source(reinterpret_cast<const char*>(data), size);
    auto result = nudge::parse_flow_yaml(source, "fuzz.flow.yaml");
    if (!result.flow || result.diagnostics.has_errors()) return 0;
    (void)nudge::check_flow(*result.flow);
    auto yaml = nudge::flow_to_yaml(*result.flow);
    auto again = nudge::parse_flow_yaml(yaml, "fuzz.flow.yaml");
    if (!again.flow || again.diagnostics.has_errors() || !(*again.flow == *result.flow)) {
        std::cerr << "yaml round trip failed for:\n" << source << "\n--- written:\n" << yaml;
        std::abort();
    }
    return 0;
}
