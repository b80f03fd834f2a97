// The import's registers (owners, unsubscribes) and what a later import of the export changes.
#include "recall/registers.hpp"

#include <doctest/doctest.h>

namespace {

const char* header = "order_no,customer_no,customer_name,email,phone,plate,customer_type,"
                     "unsubscribed,visit_date,order_lines,remarks,next_service,inspection_due,"
                     "spare_parts,repair_codes\n";

std::vector<recall::Visit> visits(const std::string& body) {
    auto table = recall::read_csv_table(header + body);
    REQUIRE_FALSE(table.error);
    auto in = recall::import_visits(table, recall::Classifier::workshop());
    REQUIRE(in.problems.empty());
    return in.visits;
}

recall::Date day(std::string_view text) {
    auto d = recall::parse_date(text);
    REQUIRE(d);
    return *d;
}

const recall::Recall* find(const std::vector<recall::Recall>& rs, std::string_view id) {
    for (const auto& r : rs) {
        if (r.recall_id == id) return &r;
    }
    return nullptr;
}

const std::string export_rows =
    "1,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,2025-04-02,"
    "Arbejdsløn,,,,Oliefilter; Luftfilter,SV10\n"
    "2,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,2025-10-14,"
    "Arbejdsløn,,,,Ventiler,HJ01\n"
    "3,K2,Lis Dahl,lis@example.dk,,CD 45 678,privat,nej,2025-05-06,Lille service,,,,,\n"
    "4,K1,Jens Holm,jens@example.dk,+4520000001,AB 12 345,privat,nej,2026-03-20,"
    "Service iflg. serviceplan,,,,,\n";

} // namespace

TEST_CASE("spare parts and repair codes classify a visit whose lines say only 'labour'") {
    auto vs = visits(export_rows);
    REQUIRE(vs.size() == 4);
    CHECK(vs[0].kinds == std::vector{recall::VisitKind::service});
    CHECK(vs[1].kinds == std::vector{recall::VisitKind::tyres});
}

TEST_CASE("a later import sees the work done and plans the next recall") {
    auto all = visits(export_rows);
    auto before = recall::plan_recalls(recall::visits_until(all, day("2026-03-02")));
    auto service = find(before, "AB12345-service");
    REQUIRE(service);
    CHECK(service->data.at("last_visit") == "2025-04-02");
    CHECK(service->data.at("last_seen") == "2025-10-14"); // the car's latest visit of any kind
    CHECK(service->data.at("customer_no") == "K1");

    // The same export a week later: nothing new.
    auto same = recall::plan_recalls(recall::visits_until(all, day("2026-03-09")));
    auto unchanged = recall::replan(before, same);
    CHECK(unchanged.done.empty());
    CHECK(unchanged.start.empty());

    // After 20 March: Jens had his car serviced. That recall is done; the new one counts from
    // the new visit. The tyre recall and Lis's service are untouched.
    auto now = recall::plan_recalls(recall::visits_until(all, day("2026-03-23")));
    auto changes = recall::replan(before, now);
    CHECK(changes.done == std::vector<std::string>{"AB12345-service"});
    REQUIRE(changes.start.size() == 1);
    CHECK(changes.start[0]->recall_id == "AB12345-service");
    CHECK(changes.start[0]->data.at("last_visit") == "2026-03-20");

    // The first import starts everything.
    auto first = recall::replan({}, before);
    CHECK(first.done.empty());
    CHECK(first.start.size() == before.size());
}

TEST_CASE("the owner register: the latest change of owner per plate") {
    auto table = recall::read_csv_table("plate,owner_since\n"
                                        "AB 12 345,2024-05-01\n"
                                        "AB 12 345,2026-01-15\n"
                                        "CD 45 678,15-01-2026\n");
    std::vector<recall::ImportProblem> problems;
    auto owners = recall::read_owner_register(table, problems);
    CHECK(owners.owner_since("AB 12 345") == day("2026-01-15"));
    CHECK_FALSE(owners.owner_since("CD 45 678"));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].line == 4);
    CHECK(problems[0].message == "bad owner_since '15-01-2026'");

    std::vector<recall::ImportProblem> missing;
    recall::read_owner_register(recall::read_csv_table("plate,changed\n"), missing);
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].message == "no column 'owner_since'");
}

TEST_CASE("unsubscribing by customer number, from the day of the request") {
    auto table = recall::read_csv_table("customer_no,name,requested\n"
                                        "K1,Jens Holm,2026-04-20\n"
                                        ",Nobody,2026-04-20\n");
    std::vector<recall::ImportProblem> problems;
    auto list = recall::read_unsubscribe_list(table, problems);
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message == "needs a customer number and a date");

    auto rs = recall::plan_recalls(visits(export_rows));
    CHECK(recall::apply_unsubscribes(rs, list, day("2026-04-19")).empty());
    auto ids = recall::apply_unsubscribes(rs, list, day("2026-04-20"));
    // Every recall of customer K1 (both of his car's jobs), whatever address they use; Lis's
    // recall is untouched.
    CHECK(ids == std::vector<std::string>{"AB12345-service", "AB12345-winter_tyres"});
    CHECK(find(rs, "AB12345-service")->data.at("unsubscribed") == "true");
    CHECK(find(rs, "CD45678-service")->data.at("unsubscribed") == "false");
}
