// Keyword sets and classifiers over reply tokens. Keywords go through the same tokenizer as the
// replies they are compared with, so "Dækskifte" in a flow matches "DÆKSKIFTE" on an invoice.
#include "text/reply_text.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

std::vector<std::string> accents_dropped(const std::vector<std::string>& tokens) {
    std::vector<std::string> out;
    out.reserve(tokens.size());
    for (const auto& token : tokens)
        out.push_back(without_accents(token));
    return out;
}

// Whether `keyword` occurs in `tokens` as a whole-word sequence.
bool occurs(const std::vector<std::string>& keyword, const std::vector<std::string>& tokens) {
    return std::search(tokens.begin(), tokens.end(), keyword.begin(), keyword.end()) !=
           tokens.end();
}

} // namespace

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords, KeywordMatch match,
                               bool ignore_accents)
    : match_(match), ignore_accents_(ignore_accents) {
    for (const auto& keyword : keywords) {
        auto tokens = reply_tokens(keyword);
        if (tokens.empty()) continue;
        if (ignore_accents_) tokens = accents_dropped(tokens);
        auto& same_start = by_first_[tokens.front()];
        if (std::find(same_start.begin(), same_start.end(), tokens) == same_start.end()) {
            same_start.push_back(tokens);
            keywords_.push_back(std::move(tokens));
        }
    }
}

bool KeywordMatcher::matches_at(const std::vector<std::string>& tokens, std::size_t at) const {
    auto it = by_first_.find(tokens[at]);
    if (it == by_first_.end()) return false;
    std::size_t left = tokens.size() - at;
    return std::any_of(it->second.begin(), it->second.end(), [&](const auto& keyword) {
        return keyword.size() <= left &&
               std::equal(keyword.begin() + 1, keyword.end(), tokens.begin() + at + 1);
    });
}

bool KeywordMatcher::matches(const std::vector<std::string>& tokens) const {
    if (ignore_accents_) return matches_folded(accents_dropped(tokens));
    return matches_folded(tokens);
}

bool KeywordMatcher::matches_folded(const std::vector<std::string>& tokens) const {
    switch (match_) {
    case KeywordMatch::any:
        for (std::size_t at = 0; at < tokens.size(); ++at) {
            if (matches_at(tokens, at)) return true;
        }
        return false;
    case KeywordMatch::all:
        return !keywords_.empty() &&
               std::all_of(keywords_.begin(), keywords_.end(),
                           [&](const auto& keyword) { return occurs(keyword, tokens); });
    case KeywordMatch::start: return !tokens.empty() && matches_at(tokens, 0);
    case KeywordMatch::exact:
        return std::find(keywords_.begin(), keywords_.end(), tokens) != keywords_.end();
    case KeywordMatch::number:  // a number test has no words (reply_number)
    case KeywordMatch::pattern: // nor has a pattern (RE2, in the engine)
    case KeywordMatch::yes:     // nor yes and no (reply_meaning)
    case KeywordMatch::no:
    case KeywordMatch::date:
    case KeywordMatch::time: return false;
    }
    return false;
}

bool KeywordMatcher::matches_first(const std::vector<std::string>& tokens) const {
    if (ignore_accents_) {
        auto folded = accents_dropped(tokens);
        return !folded.empty() && matches_at(folded, 0);
    }
    return !tokens.empty() && matches_at(tokens, 0);
}

Classifier::Classifier(const ClassifierDecl& c) {
    rules_.reserve(c.rules.size());
    for (const auto& rule : c.rules)
        rules_.emplace_back(rule.label, KeywordMatcher(rule.keywords));
}

std::optional<std::string> Classifier::classify(const std::vector<std::string_view>& texts) const {
    std::vector<std::vector<std::string>> tokenized;
    tokenized.reserve(texts.size());
    for (auto text : texts)
        tokenized.push_back(reply_tokens(text));
    // Rule order decides, not where in the texts a keyword stands.
    for (const auto& [label, matcher] : rules_) {
        for (const auto& tokens : tokenized) {
            if (matcher.matches(tokens)) return label;
        }
    }
    return std::nullopt;
}

std::optional<std::string> classify(const ClassifierDecl& c,
                                    const std::vector<std::string_view>& texts) {
    return Classifier(c).classify(texts);
}

} // namespace nudge::detail
