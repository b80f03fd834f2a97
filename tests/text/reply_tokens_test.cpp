// reply_tokens / normalize_reply: how a customer's free text becomes comparable words.
#include "text/reply_text.hpp"

#include <doctest/doctest.h>

#include <random>

using nudge::detail::normalize_reply;
using nudge::detail::reply_tokens;
using Tokens = std::vector<std::string>;

namespace {

// Whether `s` decodes as UTF-8 (no stray bytes left behind by the tokenizer).
bool valid_utf8(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xE  ? 3
                        : (c >> 3) == 0x1E ? 4
                                           : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        }
        i += n;
    }
    return true;
}

// Random text from the pieces the tokenizer treats specially, joined at random.
std::string random_reply(std::mt19937& rng) {
    static const std::vector<std::string> pieces = {
        "a",      "K",      "æ",    "Ø",      "å",      "ä",      "ß",      "İ",          "1",
        "٣",      " ",      "  ",   "\t",     "\n",     "!",      ".",      ",",          "-",
        "'",      "’",      "ʼ",    "\u0301", "\u030A", "\u0305", "👍",      "🏽",       "\uFE0F",
        "\u200D", "\u20E3", "👨",    "🇩",      "🇰",      "\u00AD", "\u200B", "\uFEFF",     "Ｏ",
        "ﬁ",      "①",      "™",    "©",      "\u00A0", "€",      "\x01",   "ǅ",          "ا",
        "ह",      "\u094D", "\r\n", "ᄀ",     "ᅡ",     "각",     "\u0600", "\U000E0067", "🏴",
        "\u0903", "ℹ",      "Ⅻ",    "ｶﾞ",     "\u0345", "ΐ"};
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), length(0, 12);
    std::string out;
    for (auto n = length(rng); n > 0; --n)
        out += pieces[pick(rng)];
    return out;
}

} // namespace

TEST_CASE("punctuation, case and spacing go, words stay") {
    CHECK(reply_tokens("OK!") == Tokens{"ok"});
    CHECK(reply_tokens("ok.") == Tokens{"ok"});
    CHECK(reply_tokens(" Ok ") == Tokens{"ok"});
    CHECK(reply_tokens("Okei") == Tokens{"okei"});
    CHECK(reply_tokens("Hej!!!   Ja,tak") == Tokens{"hej", "ja", "tak"});
    CHECK(reply_tokens("tab\tnew\nline\r\n") == Tokens{"tab", "new", "line"});
    CHECK(reply_tokens("e-mail (please)") == Tokens{"e", "mail", "please"});
    CHECK(reply_tokens("Nr. 42, kl. 14:30") == Tokens{"nr", "42", "kl", "14", "30"});
    CHECK(reply_tokens("").empty());
    CHECK(reply_tokens(" ?! ... ").empty());
}

TEST_CASE("normalize_reply joins the tokens with single spaces") {
    CHECK(normalize_reply("  JA,   tak!! ") == "ja tak");
    CHECK(normalize_reply("Ja, tak 👍") == "ja tak 👍");
    CHECK(normalize_reply("...") == "");
    CHECK(normalize_reply("Can’t  COME") == "can't come");
}

TEST_CASE("apostrophes inside a word keep it one word") {
    CHECK(reply_tokens("can't") == Tokens{"can't"});
    CHECK(reply_tokens("Can’t come") == Tokens{"can't", "come"}); // typographic apostrophe
    CHECK(reply_tokens("canʼt") == Tokens{"can't"});              // modifier letter apostrophe
    CHECK(reply_tokens("rock'n'roll") == Tokens{"rock'n'roll"});
    // At the edges of a word an apostrophe is a quote mark.
    CHECK(reply_tokens("'ja'") == Tokens{"ja"});
    CHECK(reply_tokens("Anders' bil") == Tokens{"anders", "bil"});
    CHECK(reply_tokens("a ' b") == Tokens{"a", "b"});
    CHECK(reply_tokens("ok''k") == Tokens{"ok'k"});
}

TEST_CASE("each emoji is a token of its own") {
    CHECK(reply_tokens("Ja, tak 👍") == Tokens{"ja", "tak", "👍"});
    CHECK(reply_tokens("ok👍ok") == Tokens{"ok", "👍", "ok"});
    CHECK(reply_tokens("👍👍") == Tokens{"👍", "👍"});
    CHECK(reply_tokens("🙂") == Tokens{"🙂"});
    // Skin tones and variation selectors are how it is drawn, not what it says.
    CHECK(reply_tokens("👍🏽") == Tokens{"👍"});
    CHECK(reply_tokens("❤️") == reply_tokens("❤"));
    // A joined sequence and a flag are one emoji each.
    CHECK(reply_tokens("👨‍👩‍👧 ok") == Tokens{"👨‍👩‍👧", "ok"});
    CHECK(reply_tokens("👩🏽‍💻") == Tokens{"👩‍💻"});
    CHECK(reply_tokens("🇩🇰🇳🇴") == Tokens{"🇩🇰", "🇳🇴"});
    // A keycap digit is the digit.
    CHECK(reply_tokens("1️⃣") == Tokens{"1"});
}

TEST_CASE("Danish, Norwegian and Swedish letters fold to lower case and stay letters") {
    CHECK(reply_tokens("NEJ") == reply_tokens("nej"));
    CHECK(reply_tokens("JÅ") == Tokens{"jå"});
    CHECK(reply_tokens("ÆØÅ æøå") == Tokens{"æøå", "æøå"});
    CHECK(reply_tokens("Ärlig ÖL") == Tokens{"ärlig", "öl"});
    CHECK(reply_tokens("DÆKSKIFTE") == Tokens{"dækskifte"});
    CHECK(reply_tokens("BEKREFTER") == Tokens{"bekrefter"});
    // Letters keep their marks: "jå" is not "ja".
    CHECK(reply_tokens("jå") != reply_tokens("ja"));
    // A decomposed å (a + combining ring) is the same word as the composed one.
    CHECK(reply_tokens("ja\u030A") == Tokens{"jå"});
    CHECK(reply_tokens("Straße") == Tokens{"strasse"});
}

TEST_CASE("Turkish and Azeri capital İ folds to a plain i, dotless ı stays itself") {
    // Case folding turns İ into i + U+0307; the dot above goes, so both cases are one word.
    CHECK(reply_tokens("İPTAL") == Tokens{"iptal"});
    CHECK(reply_tokens("İPTAL") == reply_tokens("iptal"));
    CHECK(reply_tokens("İSTİYORUM") == Tokens{"istiyorum"});
    CHECK(reply_tokens("EVET, İSTERİM") == Tokens{"evet", "isterim"});
    CHECK(reply_tokens("I\u0307ptal") == Tokens{"iptal"}); // decomposed: I + dot above
    CHECK(reply_tokens("Hayır") == Tokens{"hayır"});
    CHECK(reply_tokens("HAYIR") == Tokens{"hayir"}); // I folds to i: without ignoring accents
    CHECK(reply_tokens("ŞİMDİ DEĞİL") == Tokens{"şimdi", "değil"});
    // Azeri: ə and the dotted capital.
    CHECK(reply_tokens("BƏLİ") == Tokens{"bəli"});
    CHECK(reply_tokens("bəli") == Tokens{"bəli"});
    CHECK(reply_tokens("İMTİNA EDİRƏM") == Tokens{"imtina", "edirəm"});
    // A dot above on another letter is a mark like any other: ż keeps it.
    CHECK(reply_tokens("ŻUBR") == Tokens{"żubr"});
    CHECK(normalize_reply(normalize_reply("İPTAL EDİN")) == normalize_reply("İPTAL EDİN"));
}

TEST_CASE("full-width and compatibility characters read as their plain forms (NFKC)") {
    CHECK(reply_tokens("ＯＫ！") == Tokens{"ok"});
    CHECK(reply_tokens("ＪＡ") == Tokens{"ja"});
    CHECK(reply_tokens("ﬁne") == Tokens{"fine"});
    CHECK(reply_tokens("① ²") == Tokens{"1", "2"});
    CHECK(reply_tokens("™") == Tokens{"tm"});
    CHECK(reply_tokens("ok\u00A0ja") == Tokens{"ok", "ja"}); // no-break space
}

TEST_CASE("invisible format characters do not split words, a zero-width space does") {
    CHECK(reply_tokens("af\u00ADmeld") == Tokens{"afmeld"}); // soft hyphen
    CHECK(reply_tokens("ja\u200Btak") == Tokens{"ja", "tak"});
    CHECK(reply_tokens("\uFEFFstop") == Tokens{"stop"}); // a byte order mark in front
}

TEST_CASE("invalid UTF-8 never throws: bad bytes are dropped") {
    CHECK(reply_tokens("ok\xff") == Tokens{"ok"});
    CHECK(reply_tokens("\xc3").empty());
    CHECK(reply_tokens("ja \xc3 tak") == Tokens{"ja", "tak"});
    CHECK(reply_tokens("\xed\xa0\x80stop") == Tokens{"stop"}); // an encoded surrogate
    CHECK(reply_tokens("\xc0\xafok") == Tokens{"ok"});         // an overlong '/'
    CHECK(reply_tokens(std::string_view("ja\0tak", 6)) == Tokens{"ja", "tak"});

    std::mt19937 rng(20260328);
    std::uniform_int_distribution<int> byte(0, 255), length(0, 40);
    for (int round = 0; round < 2000; ++round) {
        std::string junk(static_cast<std::size_t>(length(rng)), '\0');
        for (auto& ch : junk)
            ch = static_cast<char>(byte(rng));
        std::vector<std::string> tokens;
        CHECK_NOTHROW(tokens = reply_tokens(junk));
        for (const auto& t : tokens) {
            CHECK(!t.empty());
            CHECK(valid_utf8(t));
            CHECK(t.find(' ') == std::string::npos);
        }
        // Normalising is idempotent: a normalised reply tokenizes to itself.
        auto once = normalize_reply(junk);
        CHECK(normalize_reply(once) == once);
    }
}

TEST_CASE("a normalised reply tokenizes to the same tokens") {
    // The engine stores normalised replies and the compiler compares normalised keywords, so
    // normalising twice must change nothing.
    std::mt19937 rng(7);
    for (int round = 0; round < 5000; ++round) {
        auto text = random_reply(rng);
        INFO(text);
        auto tokens = reply_tokens(text);
        auto joined = normalize_reply(text);
        CHECK(reply_tokens(joined) == tokens);
        for (const auto& t : tokens) {
            CHECK(!t.empty());
            CHECK(valid_utf8(t));
        }
    }
}

TEST_CASE("plain ASCII takes a short cut that gives the same tokens as the Unicode passes") {
    // Every ASCII character alone and between letters, then seeded random ASCII strings with
    // the characters that matter most (letters, digits, apostrophes, spaces, punctuation,
    // controls, CR LF) over-represented.
    std::vector<std::string> samples;
    for (int c = 0; c < 128; ++c) {
        std::string ch(1, static_cast<char>(c));
        samples.push_back(ch);
        samples.push_back("a" + ch + "B");
        samples.push_back("Ok" + ch + ch + "9'");
    }
    const std::string alphabet = "aZk9'' \t\r\n.,!?-_\"#*@\x01\x7f";
    std::uint64_t seed = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 5000; ++i) {
        std::string s;
        auto len = 1 + (seed >> 59);
        for (std::uint64_t k = 0; k < len; ++k) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            auto r = seed >> 33;
            s += r % 3 == 0 ? static_cast<char>(r % 128) : alphabet[r % alphabet.size()];
        }
        samples.push_back(s);
    }
    for (const auto& s : samples) {
        INFO("sample: [" << s << "]");
        CHECK(reply_tokens(s) == nudge::detail::reply_tokens_full(s));
    }
    CHECK(reply_tokens("Don't STOP, ok?") == std::vector<std::string>{"don't", "stop", "ok"});
}
