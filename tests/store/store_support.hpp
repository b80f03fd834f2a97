#pragma once
// What the store tests share: a scratch folder for one database, removed when the test ends
// (also when it fails).
#include <filesystem>
#include <string>
#include <system_error>

#include <unistd.h>

namespace nudge::test {

struct TempDb {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() /
        ("nudge-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::path file = dir / "nudge.db";
    TempDb() { std::filesystem::create_directories(dir); }
    ~TempDb() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
    TempDb(const TempDb&) = delete;
    TempDb& operator=(const TempDb&) = delete;
    static int& counter() {
        static int n = 0;
        return n;
    }
};

} // namespace nudge::test
