#include "recall/csv.hpp"

#include <doctest/doctest.h>

using recall::parse_csv;
using recall::read_csv_table;

TEST_CASE("csv: plain fields and both line endings") {
    auto r = parse_csv("a,b,c\r\n1,2,3\n4,5,6");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.rows.size() == 3);
    CHECK(r.rows[1] == recall::CsvRow{"1", "2", "3"});
    CHECK(r.rows[2] == recall::CsvRow{"4", "5", "6"});
    CHECK(r.lines == std::vector<std::size_t>{1, 2, 3});
}

TEST_CASE("csv: quoted fields keep delimiters, doubled quotes and line breaks") {
    auto r = parse_csv(
        "x,\"Bemærk: \"\"kontrollampe\"\" lyser, stadig\",\"to\nlinjer\"\r\nnext,,\"\"\r\n");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0][1] == "Bemærk: \"kontrollampe\" lyser, stadig");
    CHECK(r.rows[0][2] == "to\nlinjer");
    CHECK(r.rows[1] == recall::CsvRow{"next", "", ""});
    CHECK(r.lines == std::vector<std::size_t>{1, 3});
}

TEST_CASE("csv: empty fields, a trailing delimiter and blank lines") {
    auto r = parse_csv("a,,\n\n\nb,c,\n");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0] == recall::CsvRow{"a", "", ""});
    CHECK(r.rows[1] == recall::CsvRow{"b", "c", ""});
}

TEST_CASE("csv: another delimiter, as Danish spreadsheets write it") {
    auto r = parse_csv("navn;beløb\n\"Hansen; Jens\";1.234,50\n", ';');
    REQUIRE_FALSE(r.error);
    CHECK(r.rows[1] == recall::CsvRow{"Hansen; Jens", "1.234,50"});
}

TEST_CASE("csv: a quote inside an unquoted field is text") {
    auto r = parse_csv("17\" fælge,ok\n");
    REQUIRE_FALSE(r.error);
    CHECK(r.rows[0][0] == "17\" fælge");
}

TEST_CASE("csv: a byte-order mark is not part of the first field") {
    auto r = parse_csv("\xEF\xBB\xBForder_no,plate\n1,AB 12 345\n");
    REQUIRE_FALSE(r.error);
    CHECK(r.rows[0][0] == "order_no");
}

TEST_CASE("csv: broken quoting is reported with its line") {
    auto unclosed = parse_csv("a,b\n1,\"never closed\n2,3\n");
    REQUIRE(unclosed.error);
    CHECK(unclosed.error->line == 2);
    auto trailing = parse_csv("a,b\n\"quoted\"text,1\n");
    REQUIRE(trailing.error);
    CHECK(trailing.error->line == 2);
}

TEST_CASE("csv table: header, columns by name, field count checked") {
    auto t = read_csv_table("plate,kind\nAB 12 345,service\nCD 67 890,syn\n");
    REQUIRE_FALSE(t.error);
    CHECK(t.column("kind") == 1);
    CHECK_FALSE(t.column("missing"));
    CHECK(t.rows.size() == 2);

    auto bad = read_csv_table("plate,kind\nAB 12 345,service\n\"CD\n67 890\",syn,extra\n");
    REQUIRE(bad.error);
    CHECK(bad.error->line == 3);

    CHECK(read_csv_table("").error);
}
