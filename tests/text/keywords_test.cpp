// KeywordMatcher and classify: whole-word matching after normalisation.
#include "text/reply_text.hpp"

#include <doctest/doctest.h>

using namespace nudge;
using nudge::detail::Classifier;
using nudge::detail::classify;
using nudge::detail::KeywordMatcher;
using nudge::detail::reply_tokens;

namespace {

bool matches(const KeywordMatcher& m, std::string_view reply) {
    return m.matches(reply_tokens(reply));
}
bool matches_first(const KeywordMatcher& m, std::string_view reply) {
    return m.matches_first(reply_tokens(reply));
}

ClassifierDecl workshop_visits() {
    ClassifierDecl c;
    c.name = "visit_kind";
    c.sources = {"invoice_text", "notes"};
    c.rules = {{"service", {"service", "olieskift"}, {}},
               {"inspection", {"syn", "synstjek"}, {}},
               {"tyres", {"hjulskift", "dækskifte"}, {}}};
    return c;
}

} // namespace

TEST_CASE("\"ok\" matches OK!, ok. and ' Ok ' but not Okei") {
    KeywordMatcher ok({"ok"});
    CHECK(matches(ok, "OK!"));
    CHECK(matches(ok, "ok."));
    CHECK(matches(ok, " Ok "));
    CHECK(matches(ok, "ＯＫ"));
    CHECK_FALSE(matches(ok, "Okei"));
    CHECK_FALSE(matches(ok, "okay"));
    CHECK_FALSE(matches(ok, "bok"));
    CHECK_FALSE(matches(ok, ""));
}

TEST_CASE("\"ja\" matches JA, ja! and Ja tak") {
    KeywordMatcher yes({"ja", "ok", "bekrefter"});
    CHECK(matches(yes, "JA"));
    CHECK(matches(yes, "ja!"));
    CHECK(matches(yes, "Ja tak"));
    CHECK(matches(yes, "Tak, ja."));
    CHECK(matches(yes, "Jeg BEKREFTER"));
    CHECK_FALSE(matches(yes, "jaa"));
    CHECK_FALSE(matches(yes, "Nej"));
}

TEST_CASE("keywords are normalised like replies") {
    KeywordMatcher m({"JA!", "  Dækskifte ", "Can’t"});
    CHECK(matches(m, "ja"));
    CHECK(matches(m, "DÆKSKIFTE i dag"));
    CHECK(matches(m, "I can't"));
    // A keyword with no words in it never matches anything.
    KeywordMatcher nothing({"!!!", ""});
    CHECK(nothing.empty());
    CHECK_FALSE(matches(nothing, "!!!"));
    CHECK_FALSE(matches(nothing, "ok"));
    CHECK(KeywordMatcher().empty());
    CHECK_FALSE(KeywordMatcher().matches(reply_tokens("ok")));
}

TEST_CASE("an apostrophe keeps can't from matching can") {
    KeywordMatcher can({"can"});
    CHECK(matches(can, "I can"));
    CHECK_FALSE(matches(can, "I can't"));
    CHECK_FALSE(matches(can, "I can’t"));
    KeywordMatcher cant({"can't"});
    CHECK(matches(cant, "Sorry, CAN’T!"));
    CHECK_FALSE(matches(cant, "I can"));
}

TEST_CASE("Danish and Swedish letters fold before matching") {
    KeywordMatcher no({"nej", "jå", "nä"});
    CHECK(matches(no, "NEJ"));
    CHECK(matches(no, "Nej tak"));
    CHECK(matches(no, "JÅ"));
    CHECK(matches(no, "NÄ!"));
    CHECK_FALSE(matches(no, "ja"));
    CHECK_FALSE(matches(no, "na"));
}

TEST_CASE("Turkish and Azeri keywords match in both cases") {
    KeywordMatcher cancel({"iptal", "istemiyorum"});
    CHECK(matches(cancel, "İPTAL"));
    CHECK(matches(cancel, "iptal"));
    CHECK(matches(cancel, "Lütfen İPTAL edin"));
    CHECK(matches(cancel, "İSTEMİYORUM!"));
    KeywordMatcher upper({"İPTAL"});
    CHECK(matches(upper, "iptal"));
    CHECK(matches(upper, "İptal"));
    KeywordMatcher azeri({"bəli", "imtina"});
    CHECK(matches(azeri, "BƏLİ"));
    CHECK(matches(azeri, "Bəli"));
    CHECK(matches(azeri, "İMTİNA"));
    CHECK_FALSE(matches(azeri, "beli")); // ə is a letter of its own
}

TEST_CASE("emoji keywords match emoji tokens") {
    KeywordMatcher thumbs({"👍"});
    CHECK(matches(thumbs, "👍"));
    CHECK(matches(thumbs, "Ja tak👍🏽"));
    CHECK_FALSE(matches(thumbs, "ok"));
    KeywordMatcher ok({"ok"});
    CHECK(matches(ok, "ok 👍"));
    CHECK(matches(ok, "👍ok"));
    // A skin tone alone is no word: the matcher has nothing to look for (nudge check refuses it).
    KeywordMatcher tone({"🏽"});
    CHECK(tone.empty());
    CHECK_FALSE(matches(tone, "👍🏽"));
    CHECK_FALSE(matches(tone, "🏽"));
    KeywordMatcher symbols({"!!!", "$"});
    CHECK(symbols.empty());
    CHECK_FALSE(matches(symbols, "!!!"));
}

TEST_CASE("multi-word keywords match as a whole-word sequence") {
    KeywordMatcher call({"call me", "ring mig op"});
    CHECK(matches(call, "Please CALL me!"));
    CHECK(matches(call, "call   me"));
    CHECK(matches(call, "Kan I ringe? Ring mig op, tak"));
    CHECK_FALSE(matches(call, "call"));
    CHECK_FALSE(matches(call, "me call"));
    CHECK_FALSE(matches(call, "call them, not me"));
    CHECK_FALSE(matches(call, "call meeting"));
    // A keyword that shares its first word with a shorter one still matches.
    KeywordMatcher both({"call", "call me back"});
    CHECK(matches(both, "call me"));
    CHECK(matches(both, "please call me back"));
}

TEST_CASE("opt-out: the first word decides") {
    KeywordMatcher stop({"STOP", "afmeld", "stopp"});
    CHECK(matches_first(stop, "STOP please"));
    CHECK(matches_first(stop, "stop"));
    CHECK(matches_first(stop, "Stop!"));
    CHECK(matches_first(stop, "  AFMELD."));
    CHECK(matches_first(stop, "Stopp, takk"));
    CHECK_FALSE(matches_first(stop, "please stop"));
    CHECK(stop.matches(reply_tokens("please stop"))); // it occurs, but not first
    CHECK_FALSE(matches_first(stop, "stopped"));
    CHECK_FALSE(matches_first(stop, ""));
    KeywordMatcher words({"stop sms"});
    CHECK(matches_first(words, "Stop SMS tak"));
    CHECK_FALSE(matches_first(words, "stop"));
    CHECK_FALSE(matches_first(words, "tak stop sms"));
}

TEST_CASE("classify Danish invoice texts: the first rule with a keyword wins") {
    auto c = workshop_visits();
    using V = std::vector<std::string_view>;
    CHECK(classify(c, V{"Olieskift og service"}) == "service");
    CHECK(classify(c, V{"Syn"}) == "inspection");
    CHECK(classify(c, V{"Dækskifte, 4 stk. vinterdæk"}) == "tyres");
    CHECK(classify(c, V{"DÆKSKIFTE"}) == "tyres");
    CHECK(classify(c, V{"Periodisk SERVICE."}) == "service");
    // Rule order decides, not where in the text the keyword stands.
    CHECK(classify(c, V{"Dækskifte og syn"}) == "inspection");
    CHECK(classify(c, V{"Hjulskift", "Olieskift"}) == "service");
    // Any of the texts counts; empty and unmatched texts are fine.
    CHECK(classify(c, V{"Bremser", "", "syn af bil"}) == "inspection");
    // Whole words only: "synkron" is not "syn", "servicebog" is not "service".
    CHECK(classify(c, V{"Synkronring udskiftet", "Ny servicebog"}) == std::nullopt);
    CHECK(classify(c, V{}) == std::nullopt);
    CHECK(classify(ClassifierDecl{}, V{"service"}) == std::nullopt);
}

TEST_CASE("a compiled Classifier answers like classify") {
    auto decl = workshop_visits();
    Classifier compiled(decl);
    for (std::string_view text : {"Olieskift", "Syn", "Dækskifte", "Bremser", "SYNSTJEK"}) {
        std::vector<std::string_view> texts{text};
        CHECK(compiled.classify(texts) == classify(decl, texts));
    }
}

TEST_CASE("a keyword set may ignore accents: cafe is café, HAYIR is hayır") {
    KeywordMatcher no({"hayır", "café"}, KeywordMatch::any, true);
    CHECK(matches(no, "HAYIR"));
    CHECK(matches(no, "hayir"));
    CHECK(matches(no, "Hayır, teşekkürler"));
    CHECK(matches(no, "cafe"));
    CHECK(matches(no, "CAFÉ"));
    CHECK(matches(no, "cafè"));
    CHECK_FALSE(matches(no, "cafes"));
    KeywordMatcher strict({"hayır", "café"});
    CHECK_FALSE(matches(strict, "HAYIR")); // I folds to i, not to ı
    CHECK_FALSE(matches(strict, "cafe"));
    CHECK(matches(strict, "Café"));
    KeywordMatcher nordic({"nej", "sø"}, KeywordMatch::any, true);
    CHECK(matches(nordic, "SO"));
    CHECK(matches(nordic, "så nej"));
    CHECK(detail::without_accents("şğüöçé") == "sguoce");
    CHECK(detail::without_accents("ıøłđ") == "iold");
    CHECK(detail::without_accents("👍") == "👍");
}

TEST_CASE("all of: every keyword occurs, in any order") {
    KeywordMatcher order({"pizza", "today"}, KeywordMatch::all);
    CHECK(matches(order, "One pizza today please"));
    CHECK(matches(order, "today: PIZZA!"));
    CHECK_FALSE(matches(order, "pizza tomorrow"));
    CHECK_FALSE(matches(order, "today"));
    CHECK_FALSE(matches(order, ""));
}

TEST_CASE("starting with: the reply begins with a keyword") {
    KeywordMatcher stop({"stop", "call me"}, KeywordMatch::start);
    CHECK(matches(stop, "STOP"));
    CHECK(matches(stop, "Stop sending, thanks"));
    CHECK(matches(stop, "call me later"));
    CHECK_FALSE(matches(stop, "please stop"));
    CHECK_FALSE(matches(stop, "call"));
    CHECK_FALSE(matches(stop, ""));
}

TEST_CASE("exactly: the whole reply is a keyword and nothing else") {
    KeywordMatcher yes({"yes", "yes please"}, KeywordMatch::exact);
    CHECK(matches(yes, "YES!"));
    CHECK(matches(yes, " yes, please. "));
    CHECK_FALSE(matches(yes, "yes but not now"));
    CHECK_FALSE(matches(yes, "oh yes"));
    CHECK_FALSE(matches(yes, ""));
    KeywordMatcher loose({"evet"}, KeywordMatch::exact, true);
    CHECK(matches(loose, "EVET"));
    CHECK_FALSE(matches(loose, "evet evet"));
}
