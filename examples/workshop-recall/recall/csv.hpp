#pragma once
// A small CSV reader after RFC 4180: fields separated by a delimiter, records by CRLF or LF; a
// field in double quotes may hold the delimiter, line breaks and doubled quotes ("" for ").
// Export files from workshop systems are read whole, so the reader works on a string.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recall {

using CsvRow = std::vector<std::string>;

struct CsvError {
    std::size_t line = 0; // 1-based line where the broken record starts
    std::string message;
};

struct CsvTable {
    CsvRow header;
    std::vector<CsvRow> rows;
    std::vector<std::size_t> lines; // the line each row starts on
    std::optional<CsvError> error;

    // The column's index in the header, if present.
    std::optional<std::size_t> column(std::string_view name) const;
};

struct CsvRecords {
    std::vector<CsvRow> rows;
    std::vector<std::size_t> lines; // the line each record starts on
    std::optional<CsvError> error;
};

// Splits `text` into records. A quote inside an unquoted field is kept as text; a quoted field
// that never closes, or text right after a closing quote, is an error.
CsvRecords parse_csv(std::string_view text, char delimiter = ',');

// The first record is the header. Records with a different number of fields are an error.
CsvTable read_csv_table(std::string_view text, char delimiter = ',');

} // namespace recall
