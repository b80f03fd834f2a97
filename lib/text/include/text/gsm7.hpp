#pragma once
// SMS text: what the GSM 03.38 default alphabet can carry, and how many parts a text takes.
// KannelTransport picks the coding with gsm7_encodable; a flow's checks and `nudge report` can
// count segments with the same rules, so that the bill and the gateway agree.

#include <string>
#include <string_view>

namespace nudge::detail {

// True when every character of the UTF-8 text is in the GSM 03.38 default alphabet or its
// extension table (^ { } \ [ ] ~ | € and form feed). False for invalid UTF-8.
bool gsm7_encodable(std::string_view utf8);

// The parts an SMS of this text takes: GSM-7 160 septets in one part, else 153 a part, an
// extension character counting 2 and never split from its escape; otherwise UCS-2, 70 UTF-16
// units in one part, else 67 a part, a surrogate pair never split. An empty text is one part.
// Invalid UTF-8 bytes count as one UTF-16 unit each (they would be sent as U+FFFD).
int sms_segments(std::string_view utf8);

// The text as UTF-16BE (what Kannel takes with coding=2). Invalid UTF-8 bytes become U+FFFD.
std::string utf16be(std::string_view utf8);

} // namespace nudge::detail
