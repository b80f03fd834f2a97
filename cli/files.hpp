#pragma once
// File access for the command-line tool: whole-file reads and writes that never leave a
// half-written file behind.

#include <filesystem>
#include <optional>
#include <string>

namespace nudge::cli {

// The file's bytes, or nullopt when it cannot be read ("-" reads standard input).
std::optional<std::string> read_file(const std::string& path);

// Writes through a temporary file in the same folder and renames it over `path`, so readers see
// either the old or the new content. Returns an error message on failure.
std::optional<std::string> write_file_atomically(const std::filesystem::path& path,
                                                 const std::string& content);

} // namespace nudge::cli
