#include <nudge/version.hpp>
#include <iostream>
int main() { std::cout << "nudge " << NUDGE_VERSION_STRING << "\n"; }
