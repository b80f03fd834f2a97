#pragma once
// Reply text as the runtime compares it: tokens after Unicode normalisation, keyword sets
// compiled for whole-word matching, and keyword classifiers. The engine, the compiler (duplicate
// keywords) and the scenario runner all use these, so that "OK!" means the same everywhere.

#include <nudge/flow.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace nudge::detail {

// Tokens of a reply: Unicode NFKC + case folding (utf8proc), punctuation and symbols dropped,
// apostrophes inside words kept ("can't" stays one token, not "can"), each emoji its own token,
// whitespace folded. "OK!" -> {"ok"}; "Ja, tak 👍" -> {"ja","tak","👍"}; "Okei" -> {"okei"}.
// Invalid UTF-8 never throws: bad bytes are dropped.
// Also: ’ and ʼ inside a word become ', an emoji token is its pictographs and the joiners
// between them ("👍🏽" is "👍", "👩🏽‍💻" is "👩‍💻"), a keycap digit is its
// digit, Turkish and Azeri "İ" folds to a plain "i" ("İPTAL" is "iptal"), invisible characters
// (soft hyphen, byte order mark) vanish without splitting a word, and a zero-width space splits
// one. normalize_reply(normalize_reply(x)) == normalize_reply(x).
std::vector<std::string> reply_tokens(std::string_view text);
// The same through the full Unicode passes, even for plain ASCII text (reply_tokens takes a
// short cut for it): for tests that the two agree.
std::vector<std::string> reply_tokens_full(std::string_view text);

// The tokens joined by single spaces.
std::string normalize_reply(std::string_view text);

// A token without its accents, for keyword sets that ignore them: marks go ("café" is "cafe",
// "ş" is "s", "å" is "a") and the letters that carry theirs built in read as their base letter
// ("ı" is "i", "ø" is "o", "ł" is "l", "đ" is "d"). Emoji tokens stay as they are.
std::string without_accents(std::string_view token);

// The numbers a reply holds, for number tests (dsl/REFERENCE.md, "Number tests"): a number is
// a run of decimal digits of any script ("٩" is 9, "９" is 9) that no letter touches ("A4",
// "4G" are words), with a '-' or '−' right before it that follows no letter or digit ("-3";
// "7-8" is 7 and 8), thousands grouped by '.' or ',' in threes after 1–3 leading digits
// ("1.000", "12,500"), and one '.', ',' or '٫' then digits as the fraction ("9,5" is 9.5). A
// leading zero is dropped ("09" is 9); spaces separate numbers ("1 000" is two).
struct ReplyNumbers {
    int count = 0;    // how many numbers the reply holds
    double first = 0; // the first of them, when count > 0
};
ReplyNumbers reply_numbers(std::string_view text);
// The reply's number when it holds exactly one; nullopt when it holds none or several (which
// one the customer meant is not for the flow to guess: "Not 10, more like 4").
std::optional<double> reply_number(std::string_view text);
// Whether `number` lies in the inclusive range (any number when there is none).
bool in_range(double number, const std::optional<KeywordsDecl::Range>& range);

// A keyword set compiled for matching: each keyword may be several words ("call me").
// Keywords are tokenized like replies; one that has no tokens ("!!!") never matches.
class KeywordMatcher {
public:
    KeywordMatcher() = default;
    explicit KeywordMatcher(const std::vector<std::string>& keywords,
                            KeywordMatch match = KeywordMatch::any, bool ignore_accents = false);

    // true when the reply's tokens match the set as its KeywordMatch says: some keyword occurs
    // as a whole-word sequence (any), every keyword does (all), the reply starts with one
    // (start), or is one (exact).
    bool matches(const std::vector<std::string>& tokens) const;
    // true when `tokens` starts with some keyword (used for opt-out: the first word decides).
    bool matches_first(const std::vector<std::string>& tokens) const;

    bool empty() const { return by_first_.empty(); }

private:
    bool matches_folded(const std::vector<std::string>& tokens) const;
    bool matches_at(const std::vector<std::string>& tokens, std::size_t at) const;

    // Keyword token sequences, indexed by their first token.
    std::unordered_map<std::string, std::vector<std::vector<std::string>>> by_first_;
    std::vector<std::vector<std::string>> keywords_; // each once, in declaration order
    KeywordMatch match_ = KeywordMatch::any;
    bool ignore_accents_ = false;
};

// A classifier compiled once: its rules' keyword sets, in declaration order.
class Classifier {
public:
    explicit Classifier(const ClassifierDecl& c);

    // The label of the first rule with a keyword occurring in any of the texts.
    std::optional<std::string> classify(const std::vector<std::string_view>& texts) const;

private:
    std::vector<std::pair<std::string, KeywordMatcher>> rules_;
};

// Classifier: the label of the first rule with a keyword occurring (whole words) in any of the
// texts.
std::optional<std::string> classify(const ClassifierDecl& c,
                                    const std::vector<std::string_view>& texts);

} // namespace nudge::detail
