// GSM 03.38 checks and SMS segment counts (lib/text/gsm7), which KannelTransport uses to pick
// coding 0 or UCS-2.
#include "text/gsm7.hpp"

#include <doctest/doctest.h>

#include <string>

using nudge::detail::gsm7_encodable;
using nudge::detail::sms_segments;
using nudge::detail::utf16be;

TEST_CASE("gsm7: the default alphabet and its extension table are encodable") {
    CHECK(gsm7_encodable(""));
    CHECK(gsm7_encodable("Hej Jens, vi ses i morgen kl. 10:30?"));
    CHECK(gsm7_encodable("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./"));
    CHECK(gsm7_encodable("¡ÄÖÑÜ§¿äöñüà"));
    CHECK(gsm7_encodable("Pris: 100€ [rabat] {kode} ~ | ^ \\ \f"));
    CHECK(gsm7_encodable("Hej Søren, blåbærgrød"));
}

TEST_CASE("gsm7: characters outside GSM 03.38 are not encodable") {
    CHECK_FALSE(gsm7_encodable("Hej Søren ✓"));
    CHECK_FALSE(gsm7_encodable("Καλημέρα")); // lower-case Greek is not in the alphabet
    CHECK_FALSE(gsm7_encodable("ok 👍"));
    CHECK_FALSE(gsm7_encodable("façade")); // ç: only the capital Ç is there
    CHECK_FALSE(gsm7_encodable("`"));
    CHECK_FALSE(gsm7_encodable("\t"));
    CHECK_FALSE(gsm7_encodable("á"));
    CHECK_FALSE(gsm7_encodable(std::string("ab\xC3", 3))); // cut in a character
    CHECK_FALSE(gsm7_encodable(std::string("\xFF", 1)));
}

TEST_CASE("gsm7: segments of GSM-7 text, 160 in one and 153 a part") {
    CHECK(sms_segments("") == 1);
    CHECK(sms_segments(std::string(160, 'a')) == 1);
    CHECK(sms_segments(std::string(161, 'a')) == 2);
    CHECK(sms_segments(std::string(306, 'a')) == 2);
    CHECK(sms_segments(std::string(307, 'a')) == 3);
    // Å is two bytes of UTF-8 but one septet.
    std::string danish;
    for (int i = 0; i < 160; ++i)
        danish += "Å";
    CHECK(sms_segments(danish) == 1);
}

TEST_CASE("gsm7: an extension character counts two septets and stays with its escape") {
    CHECK(sms_segments(std::string(158, 'a') + "€") == 1);
    CHECK(sms_segments(std::string(159, 'a') + "€") == 2);
    CHECK(sms_segments(std::string(80, '{')) == 1);
    CHECK(sms_segments(std::string(81, '{')) == 2);
    // 152 septets, then '[' would straddle the cut at 153: it starts the second part, and the
    // second part then holds 2 + 152 septets, one too many.
    CHECK(sms_segments(std::string(152, 'a') + "[" + std::string(151, 'a')) == 2);
    CHECK(sms_segments(std::string(152, 'a') + "[" + std::string(152, 'a')) == 3);
}

TEST_CASE("gsm7: segments of UCS-2 text, 70 units in one and 67 a part") {
    std::string check;
    for (int i = 0; i < 70; ++i)
        check += "✓";
    CHECK(sms_segments(check) == 1);
    CHECK(sms_segments(check + "a") == 2);
    CHECK(sms_segments("✓" + std::string(69, 'a')) == 1);
    CHECK(sms_segments("✓" + std::string(133, 'a')) == 2);
    CHECK(sms_segments("✓" + std::string(134, 'a')) == 3);
    // An emoji is a surrogate pair, two units, never split across parts.
    std::string emoji;
    for (int i = 0; i < 35; ++i)
        emoji += "😀";
    CHECK(sms_segments(emoji) == 1);
    CHECK(sms_segments(std::string(67, 'a') + "😀") == 1);
    CHECK(sms_segments(std::string(69, 'a') + "😀") == 2);
    CHECK(sms_segments(std::string(65, 'a') + "✓😀" + std::string(66, 'b')) == 3);
}

TEST_CASE("gsm7: UTF-16BE for UCS-2 sends, with surrogate pairs") {
    CHECK(utf16be("") == "");
    CHECK(utf16be("Hø") == std::string("\x00H\x00\xF8", 4));
    CHECK(utf16be("✓") == std::string("\x27\x13", 2));
    CHECK(utf16be("😀") == std::string("\xD8\x3D\xDE\x00", 4));
    CHECK(utf16be(std::string("a\xFF", 2)) == std::string("\x00"
                                                          "a\xFF\xFD",
                                                          4));
}
