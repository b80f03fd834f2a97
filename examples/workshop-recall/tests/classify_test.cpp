#include "recall/classify.hpp"

#include <doctest/doctest.h>

using recall::Classifier;
using recall::VisitKind;
using Kinds = std::vector<VisitKind>;

TEST_CASE("classify: one kind per typical invoice line") {
    auto c = Classifier::workshop();
    CHECK(c.classify("Olieskift inkl. oliefilter") == Kinds{VisitKind::service});
    CHECK(c.classify("Intervalservice 30.000 km") == Kinds{VisitKind::service});
    CHECK(c.classify("Klargøring til syn") == Kinds{VisitKind::inspection});
    CHECK(c.classify("Periodisk syn, kørt til synshal") == Kinds{VisitKind::inspection});
    CHECK(c.classify("Skift til sommerdæk") == Kinds{VisitKind::tyres});
    CHECK(c.classify("Afbalancering og hjulskift") == Kinds{VisitKind::tyres});
    CHECK(c.classify("Dækskifte til vinterdæk") == Kinds{VisitKind::tyres});
}

TEST_CASE("classify: case folding includes Æ Ø Å") {
    auto c = Classifier::workshop();
    CHECK(c.classify("HJULSKIFT + DÆKHOTEL") == Kinds{VisitKind::tyres});
    CHECK(c.classify("SERVICE") == Kinds{VisitKind::service});
    CHECK(recall::fold_case("ÆBLE ØL ÅS") == "æble øl ås");
}

TEST_CASE("classify: whole words only, so 'syn' is not found inside other words") {
    auto c = Classifier::workshop();
    // "serviceeftersyn" ends in "syn" but is a service; "synlig" is not an inspection.
    CHECK(c.classify("Serviceeftersyn og pollenfilter") == Kinds{VisitKind::service});
    CHECK(c.classify("Ridse synlig på kofanger").empty());
    CHECK(c.classify("Udskiftning af bremseklodser").empty());
}

TEST_CASE("classify: all text counts, and one visit may be several kinds") {
    auto c = Classifier::workshop();
    CHECK(c.classify("Stort service med tandrem\nKunden fik også hjulskift") ==
          Kinds{VisitKind::service, VisitKind::tyres});
    CHECK(c.classify("Syn; olieskift; vinterdæk monteret") ==
          Kinds{VisitKind::service, VisitKind::inspection, VisitKind::tyres});
}

TEST_CASE("classify: a workshop's own vocabulary") {
    Classifier c({{VisitKind::inspection, {"bilsyn"}}, {VisitKind::tyres, {"*hjul"}}});
    CHECK(c.classify("Bilsyn bestået") == Kinds{VisitKind::inspection});
    CHECK(c.classify("Vinterhjul monteret") == Kinds{VisitKind::tyres});
    CHECK(c.classify("Service").empty());
}

TEST_CASE("words: letters and digits, punctuation splits") {
    CHECK(recall::words_of("olie-skift, 30.000km!") ==
          std::vector<std::string>{"olie", "skift", "30", "000km"});
}
