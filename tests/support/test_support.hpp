#pragma once
// Helpers shared by the test executables.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nudge::test {

inline std::filesystem::path source_dir() { return NUDGE_SOURCE_DIR; }
inline std::filesystem::path test_dir() { return NUDGE_TEST_DIR; }

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

// Golden files are rewritten instead of compared when NUDGE_UPDATE_GOLDEN=1 (review the diff!).
inline bool updating_golden() {
    const char* v = std::getenv("NUDGE_UPDATE_GOLDEN");
    return v != nullptr && std::string(v) == "1";
}

} // namespace nudge::test
