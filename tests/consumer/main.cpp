// A program outside the nudge tree: reads a flow through the installed package.
#include <nudge/nudge.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer FILE.flow\n";
        return 2;
    }
    auto result = nudge::read_flow_file(argv[1]);
    if (!result.ok()) {
        std::cerr << nudge::render(result.diagnostics);
        return 1;
    }
    std::cout << "flow " << result.flow->name << ": " << result.flow->states.size() << " states ("
              << NUDGE_VERSION_STRING << ")\n";
    return 0;
}
