// Keyword sets and classifiers over reply tokens. Keywords go through the same tokenizer as the
// replies they are compared with, so "Dækskifte" in a flow matches "DÆKSKIFTE" on an invoice.
#include "text/reply_text.hpp"

#include <algorithm>

namespace nudge::detail {

KeywordMatcher::KeywordMatcher(const std::vector<std::string>& keywords) {
    for (const auto& keyword : keywords) {
        auto tokens = reply_tokens(keyword);
        if (tokens.empty()) continue;
        auto& same_start = by_first_[tokens.front()];
        if (std::find(same_start.begin(), same_start.end(), tokens) == same_start.end())
            same_start.push_back(std::move(tokens));
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
    for (std::size_t at = 0; at < tokens.size(); ++at) {
        if (matches_at(tokens, at)) return true;
    }
    return false;
}

bool KeywordMatcher::matches_first(const std::vector<std::string>& tokens) const {
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
