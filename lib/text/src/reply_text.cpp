// Reply tokens: the one place where a customer's free text becomes comparable words.
// Three passes: clean (valid UTF-8, invisible characters out), fold (utf8proc's NFKC with case
// folding), cut (at grapheme clusters, so that an emoji sequence, a flag or a letter with its
// marks stays whole). Invisible characters go before folding so that what is left around them
// composes as it would have without them: normalising a normalised reply changes nothing.
#include "text/reply_text.hpp"

#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <utility>

namespace nudge::detail {

namespace {

constexpr utf8proc_int32_t zwj = 0x200D;
constexpr utf8proc_int32_t zero_width_space = 0x200B;
constexpr utf8proc_int32_t keycap = 0x20E3;

bool skin_tone(utf8proc_int32_t cp) { return cp >= 0x1F3FB && cp <= 0x1F3FF; }

bool pictograph(utf8proc_int32_t cp) {
    switch (utf8proc_get_property(cp)->boundclass) {
    case UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC:
    case UTF8PROC_BOUNDCLASS_E_ZWG:
    case UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR:
    case UTF8PROC_BOUNDCLASS_E_BASE:
    case UTF8PROC_BOUNDCLASS_E_BASE_GAZ:
    case UTF8PROC_BOUNDCLASS_GLUE_AFTER_ZWJ: return true;
    default: return false;
    }
}

// Valid UTF-8 without the characters that only steer how text is drawn: bad bytes, soft
// hyphens, byte order marks, variation selectors and keycaps are dropped (utf8proc would refuse
// the whole string for one bad byte); a zero-width space is meant as a word break and becomes a
// space. Joiners stay for now: whether one joins emoji is known after folding.
std::string clean(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    auto left = static_cast<utf8proc_ssize_t>(text.size());
    while (left > 0) {
        utf8proc_int32_t cp = 0;
        auto n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) {
            ++p;
            --left;
            continue;
        }
        p += n;
        left -= n;
        if (cp == zero_width_space) {
            out += ' ';
        } else if (cp == zwj || (cp != keycap && !utf8proc_get_property(cp)->ignorable)) {
            out.append(reinterpret_cast<const char*>(p - n), static_cast<std::size_t>(n));
        }
    }
    return out;
}

// Drops each joiner that does not follow a pictograph ("👩‍💻" keeps its own; "™‍" folded
// to "tm‍" does not). True when one was dropped.
bool drop_stray_joiners(std::string& text) {
    std::string out;
    out.reserve(text.size());
    const auto* base = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
    auto size = static_cast<utf8proc_ssize_t>(text.size());
    bool after_pictograph = false;
    bool dropped = false;
    for (utf8proc_ssize_t at = 0; at < size;) {
        utf8proc_int32_t cp = 0;
        auto n = utf8proc_iterate(base + at, size - at, &cp);
        if (n <= 0) n = 1; // cannot happen: the text is valid
        if (cp == zwj && !after_pictograph) {
            dropped = true;
        } else {
            out.append(text, static_cast<std::size_t>(at), static_cast<std::size_t>(n));
        }
        after_pictograph = cp != zwj && (pictograph(cp) || skin_tone(cp));
        at += n;
    }
    if (dropped) text = std::move(out);
    return dropped;
}

// Case folding makes Turkish and Azeri "İ" an "i" with a dot above (U+0307), which no
// precomposed letter absorbs: the dot goes, so that "İPTAL" is "iptal". True when one went (what
// is left may compose: "İ́" is "í").
bool drop_dots_above_i(std::string& text) {
    static constexpr std::string_view dotted = "i\u0307";
    auto at = text.find(dotted);
    if (at == std::string::npos) return false;
    std::string out;
    out.reserve(text.size());
    std::size_t from = 0;
    for (; at != std::string::npos; at = text.find(dotted, from)) {
        out.append(text, from, at + 1 - from);
        from = at + dotted.size();
    }
    out.append(text, from);
    text = std::move(out);
    return true;
}

// NFKC + case folding: "ＯＫ" is "ok", "ﬁ" is "fi", "Å" is "å".
std::string fold(const std::string& valid) {
    utf8proc_uint8_t* mapped = nullptr;
    auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(valid.data()),
                          static_cast<utf8proc_ssize_t>(valid.size()), &mapped,
                          static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                         UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
    if (n < 0) return valid; // only when out of memory: the input is valid UTF-8
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
    return std::string(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
}

// What a grapheme cluster is to the tokenizer, decided by its first code point.
enum class Role {
    word,       // starts with a letter or digit
    apostrophe, // ' ’ ʼ: kept between two word characters
    emoji,      // pictographs and flags: a token of its own
    gap,        // spaces, punctuation, other symbols, controls, marks with nothing to sit on
};

Role role_of(utf8proc_int32_t cp) {
    if (cp == 0x27 || cp == 0x2019 || cp == 0x2BC) return Role::apostrophe;
    if (pictograph(cp)) return Role::emoji;
    switch (utf8proc_get_property(cp)->category) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO: return Role::word;
    default: return Role::gap;
    }
}

struct CodePoint {
    utf8proc_int32_t cp;
    std::string_view bytes;
};

class Tokenizer {
public:
    std::vector<std::string> tokens;

    // One grapheme cluster: [begin, end) of the code points.
    void cluster(const CodePoint* begin, const CodePoint* end) {
        switch (role_of(begin->cp)) {
        case Role::word:
            if (apostrophe_ && !word_.empty()) word_ += '\'';
            apostrophe_ = false;
            for (auto* c = begin; c != end; ++c)
                word_ += c->bytes;
            break;
        case Role::apostrophe: apostrophe_ = !word_.empty(); break;
        case Role::emoji: emoji(begin, end); break;
        case Role::gap: flush(); break;
        }
    }

    void flush() {
        if (!word_.empty()) tokens.push_back(std::move(word_));
        word_.clear();
        apostrophe_ = false;
    }

private:
    // Only the pictographs and the joiners between them: "👍🏽" is "👍", and marks someone
    // stacked on an emoji are noise.
    void emoji(const CodePoint* begin, const CodePoint* end) {
        flush();
        std::string token;
        bool joined = false; // a joiner waiting for the next pictograph
        for (auto* c = begin; c != end; ++c) {
            if (c->cp == zwj) {
                joined = !token.empty();
            } else if (pictograph(c->cp)) {
                if (joined) token += "\u200D";
                joined = false;
                token += c->bytes;
            }
        }
        tokens.push_back(std::move(token));
    }

    std::string word_;
    bool apostrophe_ = false; // an apostrophe followed the word so far
};

// Plain ASCII, as most replies are: folding is lower-casing, every character is a cluster of
// its own, letters and digits are the word characters and nothing is a pictograph, so the
// passes above come down to one loop. reply_tokens_full gives the same tokens (tested).
bool plain_ascii(std::string_view text) {
    for (unsigned char ch : text)
        if (ch >= 0x80) return false;
    return true;
}

std::vector<std::string> ascii_tokens(std::string_view text) {
    std::vector<std::string> tokens;
    std::string word;
    bool apostrophe = false;
    for (char ch : text) {
        bool lower = ch >= 'a' && ch <= 'z', upper = ch >= 'A' && ch <= 'Z';
        if (lower || upper || (ch >= '0' && ch <= '9')) {
            if (apostrophe && !word.empty()) word += '\'';
            apostrophe = false;
            word += upper ? static_cast<char>(ch - 'A' + 'a') : ch;
        } else if (ch == '\'') {
            apostrophe = !word.empty();
        } else {
            if (!word.empty()) tokens.push_back(std::move(word));
            word.clear();
            apostrophe = false;
        }
    }
    if (!word.empty()) tokens.push_back(std::move(word));
    return tokens;
}

} // namespace

std::vector<std::string> reply_tokens(std::string_view text) {
    if (plain_ascii(text)) return ascii_tokens(text);
    return reply_tokens_full(text);
}

std::vector<std::string> reply_tokens_full(std::string_view text) {
    auto folded = fold(clean(text));
    // Letters the joiner or the dot sat between may compose once it is gone.
    bool dropped = drop_stray_joiners(folded);
    if (drop_dots_above_i(folded)) dropped = true;
    if (dropped) folded = fold(folded);

    std::vector<CodePoint> cps;
    cps.reserve(folded.size());
    const auto* base = reinterpret_cast<const utf8proc_uint8_t*>(folded.data());
    auto size = static_cast<utf8proc_ssize_t>(folded.size());
    for (utf8proc_ssize_t at = 0; at < size;) {
        utf8proc_int32_t cp = 0;
        auto n = utf8proc_iterate(base + at, size - at, &cp);
        if (n <= 0) { // cannot happen after clean and utf8proc_map; never loop forever
            ++at;
            continue;
        }
        cps.push_back({cp, std::string_view(folded).substr(static_cast<std::size_t>(at),
                                                           static_cast<std::size_t>(n))});
        at += n;
    }

    Tokenizer t;
    utf8proc_int32_t state = 0;
    std::size_t start = 0;
    for (std::size_t i = 1; i <= cps.size(); ++i) {
        if (i < cps.size() && !utf8proc_grapheme_break_stateful(cps[i - 1].cp, cps[i].cp, &state))
            continue;
        t.cluster(cps.data() + start, cps.data() + i);
        start = i;
    }
    t.flush();
    return std::move(t.tokens);
}

std::string without_accents(std::string_view token) {
    if (plain_ascii(token)) return std::string(token);
    utf8proc_uint8_t* mapped = nullptr;
    auto n = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(token.data()),
        static_cast<utf8proc_ssize_t>(token.size()), &mapped,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK));
    if (n < 0) return std::string(token); // invalid UTF-8 or out of memory: leave it be
    std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
    std::string_view stripped(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
    // Letters whose stroke or missing dot is part of the letter, not a mark utf8proc can strip.
    static constexpr std::pair<std::string_view, char> base_letters[] = {
        {"\u0131", 'i'}, {"\u00F8", 'o'}, {"\u0142", 'l'}, {"\u0111", 'd'}, {"\u0127", 'h'}};
    std::string out;
    out.reserve(stripped.size());
    for (std::size_t at = 0; at < stripped.size();) {
        bool replaced = false;
        for (const auto& [letter, base] : base_letters) {
            if (stripped.substr(at, letter.size()) == letter) {
                out += base;
                at += letter.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) out += stripped[at++];
    }
    return out;
}

std::string normalize_reply(std::string_view text) {
    std::string out;
    for (const auto& token : reply_tokens(text)) {
        if (!out.empty()) out += ' ';
        out += token;
    }
    return out;
}

} // namespace nudge::detail
