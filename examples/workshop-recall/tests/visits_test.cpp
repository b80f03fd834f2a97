#include "recall/csv.hpp"
#include "recall/visits.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace {

const char* header = "order_no,customer_no,customer_name,email,phone,plate,customer_type,"
                     "unsubscribed,visit_date,order_lines,remarks,next_service\n";

recall::Import import(const std::string& body) {
    auto table = recall::read_csv_table(header + body);
    REQUIRE_FALSE(table.error);
    return recall::import_visits(table, recall::Classifier::workshop());
}

const recall::Recall* find(const std::vector<recall::Recall>& rs, std::string_view id) {
    for (const auto& r : rs) {
        if (r.recall_id == id) return &r;
    }
    return nullptr;
}

} // namespace

TEST_CASE("dates: ISO days only, checked") {
    CHECK(recall::parse_date("2026-02-28"));
    CHECK_FALSE(recall::parse_date("2026-02-30"));
    CHECK_FALSE(recall::parse_date("28-02-2026"));
    CHECK_FALSE(recall::parse_date(""));
    CHECK(recall::format_date(*recall::parse_date("2024-02-29")) == "2024-02-29");
}

TEST_CASE("plan: latest service, inspection two years on, tyre changes per season") {
    auto in = import("1,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,"
                     "2025-04-02,Lille service,,\n"
                     "2,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,"
                     "2025-09-10,Olieskift,,2026-09-01\n"
                     "3,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,"
                     "2024-02-29,Klargøring til syn,,\n"
                     "4,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,"
                     "2025-10-14,Hjulskift,,\n"
                     "5,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,"
                     "2025-03-20,\"Skift til sommerdæk\",\"Bemærk: \"\"dækhotel\"\"\",\n");
    REQUIRE(in.problems.empty());
    auto rs = recall::plan_recalls(in.visits);
    REQUIRE(rs.size() == 4);
    auto service = find(rs, "AB12345-service");
    REQUIRE(service);
    CHECK(service->data.at("last_service") == "2025-09-10");
    CHECK(service->data.at("next_service") == "2026-09-01");
    CHECK(service->data.at("phone") == "+4520000001");
    auto inspection = find(rs, "AB12345-inspection");
    REQUIRE(inspection);
    CHECK(inspection->data.at("inspection_due") == "2026-02-28");
    CHECK(find(rs, "AB12345-winter_tyres")->data.at("last_tyre_change") == "2025-10-14");
    CHECK(find(rs, "AB12345-summer_tyres")->data.at("last_tyre_change") == "2025-03-20");
}

TEST_CASE("plan: missing contact details stay out of the data, flags pass through") {
    auto in = import("1,K2,Bo Dam,,+4520000002,CD 10 200,leasing,ja,2025-05-05,Service,,\n");
    auto rs = recall::plan_recalls(in.visits);
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].data.count("email") == 0);
    CHECK(rs[0].data.at("customer_type") == "leasing");
    CHECK(rs[0].data.at("unsubscribed") == "true");
}

TEST_CASE("import: a visit with a bad date is skipped and reported with its line") {
    auto in = import("1,K3,Eva Bak,eva@example.dk,,EF 30 400,privat,nej,2025-13-01,Service,,\n"
                     "2,K3,Eva Bak,eva@example.dk,,EF 30 400,privat,nej,2025-06-01,Service,,\n");
    REQUIRE(in.problems.size() == 1);
    CHECK(in.problems[0].line == 2);
    CHECK(in.visits.size() == 1);
}

TEST_CASE("sample data: at least 200 customers, every record readable") {
    std::ifstream file(WORKSHOP_RECALL_DIR "/data/visits.csv", std::ios::binary);
    REQUIRE(file);
    std::ostringstream text;
    text << file.rdbuf();
    auto table = recall::read_csv_table(text.str());
    REQUIRE_FALSE(table.error);
    auto in = recall::import_visits(table, recall::Classifier::workshop());
    CHECK(in.problems.empty());
    std::set<std::string> customers;
    for (const auto& v : in.visits)
        customers.insert(v.customer_no);
    CHECK(customers.size() >= 200);
    CHECK(recall::plan_recalls(in.visits).size() >= 200);
}

TEST_CASE("plan: the inspection date comes from the register's column when the export has it") {
    const std::string with_due = "order_no,customer_no,customer_name,email,phone,plate,"
                                 "customer_type,unsubscribed,visit_date,order_lines,remarks,"
                                 "next_service,inspection_due\n";
    auto table = recall::read_csv_table(
        with_due +
        // Inspected here in 2024, but the register says the next one is in May 2026.
        "1,K1,Jens Holm,jens@example.dk,,AB 12 345,privat,nej,2024-02-29,Klargøring til syn,,,"
        "2026-05-12\n"
        // Never inspected here: the register's date alone makes the recall.
        "2,K2,Bo Dam,bo@example.dk,,CD 10 200,privat,nej,2025-05-05,Olieskift,,,2026-11-03\n"
        // No date in the register: no inspection recall.
        "3,K3,Eva Bak,eva@example.dk,,EF 30 400,privat,nej,2025-06-01,Olieskift,,,\n");
    REQUIRE_FALSE(table.error);
    auto in = recall::import_visits(table, recall::Classifier::workshop());
    REQUIRE(in.problems.empty());
    auto rs = recall::plan_recalls(in.visits);
    CHECK(find(rs, "AB12345-inspection")->data.at("inspection_due") == "2026-05-12");
    REQUIRE(find(rs, "CD10200-inspection"));
    CHECK(find(rs, "CD10200-inspection")->data.at("inspection_due") == "2026-11-03");
    CHECK(find(rs, "EF30400-inspection") == nullptr);
    // A bad date in the column is reported with its line, as any bad date is.
    auto bad = recall::read_csv_table(
        with_due + "1,K1,Jens Holm,,,AB 12 345,privat,nej,2025-06-01,Service,,,2026-02-30\n");
    auto in2 = recall::import_visits(bad, recall::Classifier::workshop());
    REQUIRE(in2.problems.size() == 1);
    CHECK(in2.problems[0].message == "bad inspection_due '2026-02-30'");
}
