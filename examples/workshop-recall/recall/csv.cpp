#include "csv.hpp"

namespace recall {

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) return i;
    }
    return std::nullopt;
}

CsvRecords parse_csv(std::string_view text, char delimiter) {
    CsvRecords out;
    CsvRow row;
    std::string field;
    std::size_t line = 1;
    std::size_t record_line = 1;
    bool quoted = false;      // inside a quoted field
    bool after_quote = false; // a quoted field has just closed
    bool record_empty = true; // nothing read for the current record yet

    auto end_field = [&] {
        row.push_back(std::move(field));
        field.clear();
        after_quote = false;
    };
    auto end_record = [&] {
        end_field();
        out.rows.push_back(std::move(row));
        out.lines.push_back(record_line);
        row.clear();
        record_empty = true;
    };

    // A leading UTF-8 byte-order mark (spreadsheet exports add one) is not part of the data.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                    after_quote = true;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == delimiter) {
            end_field();
            record_empty = false;
        } else if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            // Blank lines between records carry no data.
            if (!(record_empty && row.empty() && field.empty() && !after_quote)) end_record();
            ++line;
            record_line = line;
        } else if (after_quote) {
            out.error = CsvError{line, "text after a closing quote"};
            return out;
        } else if (c == '"' && field.empty()) {
            quoted = true;
            record_empty = false;
        } else {
            field += c;
            record_empty = false;
        }
    }
    if (quoted) {
        out.error = CsvError{record_line, "a quoted field is not closed"};
        return out;
    }
    if (!record_empty || !row.empty() || !field.empty() || after_quote) end_record();
    return out;
}

CsvTable read_csv_table(std::string_view text, char delimiter) {
    CsvTable table;
    auto records = parse_csv(text, delimiter);
    auto& rows = records.rows;
    table.error = records.error;
    if (table.error) return table;
    if (rows.empty()) {
        table.error = CsvError{1, "no header line"};
        return table;
    }
    table.header = std::move(rows.front());
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].size() != table.header.size()) {
            table.error = CsvError{
                records.lines[i], "the record has " + std::to_string(rows[i].size()) +
                                      " fields, the header " + std::to_string(table.header.size())};
            return table;
        }
        table.rows.push_back(std::move(rows[i]));
        table.lines.push_back(records.lines[i]);
    }
    return table;
}

} // namespace recall
