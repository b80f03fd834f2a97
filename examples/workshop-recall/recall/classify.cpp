#include "classify.hpp"

#include <algorithm>

namespace recall {

std::string_view to_string(VisitKind kind) {
    switch (kind) {
    case VisitKind::service: return "service";
    case VisitKind::inspection: return "inspection";
    case VisitKind::tyres: return "tyres";
    }
    return "?";
}

std::string fold_case(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else if (c == 0xC3 && i + 1 < text.size()) {
            // Æ (C3 86), Ø (C3 98), Å (C3 85) become æ (C3 A6), ø (C3 B8), å (C3 A5).
            auto next = static_cast<unsigned char>(text[i + 1]);
            if (next == 0x86 || next == 0x98 || next == 0x85) next += 0x20;
            out += text[i];
            out += static_cast<char>(next);
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        bool letter =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
        if (letter) {
            word += ch;
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

namespace {

bool matches(std::string_view pattern, std::string_view word) {
    bool any_start = !pattern.empty() && pattern.front() == '*';
    bool any_end = !pattern.empty() && pattern.back() == '*';
    if (any_start) pattern.remove_prefix(1);
    if (any_end && !pattern.empty()) pattern.remove_suffix(1);
    if (pattern.empty()) return false;
    if (any_start && any_end) return word.find(pattern) != std::string_view::npos;
    if (any_start) return word.size() >= pattern.size() && word.ends_with(pattern);
    if (any_end) return word.starts_with(pattern);
    return word == pattern;
}

} // namespace

Classifier::Classifier(std::vector<KindRule> rules) : rules_(std::move(rules)) {
    for (auto& rule : rules_) {
        for (auto& w : rule.words)
            w = fold_case(w);
    }
}

Classifier Classifier::workshop() {
    return Classifier({
        // Order lines and remarks, the spare parts (oil and filters, tyres) and the repair
        // codes of the workshop system (SV service, SY inspection, HJ wheel change, DH tyre
        // hotel).
        {VisitKind::service,
         {"service*", "*service", "olieskift", "oliefilter", "serviceeftersyn", "serviceplan",
          "motorolie", "luftfilter", "pollenfilter", "tandremssæt", "sv10", "sv20", "sv30"}},
        {VisitKind::inspection,
         {"syn", "synstjek", "synshal", "omsyn", "synsrapport", "sy01", "sy02"}},
        {VisitKind::tyres,
         {"hjulskift*", "dækskift*", "*dæk", "dækhotel", "hjulopbevaring", "sæsonskift", "hj01",
          "dh02"}},
    });
}

std::vector<VisitKind> Classifier::classify(std::string_view text) const {
    auto words = words_of(fold_case(text));
    std::vector<VisitKind> kinds;
    for (const auto& rule : rules_) {
        bool hit = std::any_of(words.begin(), words.end(), [&](const std::string& word) {
            return std::any_of(rule.words.begin(), rule.words.end(),
                               [&](const std::string& p) { return matches(p, word); });
        });
        if (hit) kinds.push_back(rule.kind);
    }
    return kinds;
}

} // namespace recall
