#include "order_parser.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>

namespace missed_call {

namespace {

// Lower case for ASCII and the Danish letters (UTF-8); everything that is not a letter, digit
// or one of the separators below becomes a space. ',', '+', '&' and ';' become their own tokens.
std::vector<std::string> tokens(std::string_view text) {
    static const std::vector<std::pair<std::string, std::string>> upper = {
        {"Æ", "æ"}, {"Ø", "ø"}, {"Å", "å"}, {"É", "é"}, {"Ü", "ü"}, {"Ö", "ö"}, {"Ä", "ä"}};
    std::string s(text);
    for (const auto& [from, to] : upper) {
        for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos))
            s.replace(pos, from.size(), to);
    }
    std::vector<std::string> out;
    std::string word;
    auto flush = [&] {
        if (!word.empty()) out.push_back(word);
        word.clear();
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            word += s[i]; // part of a UTF-8 letter (æ ø å é …)
        } else if (std::isalnum(c)) {
            word += static_cast<char>(std::tolower(c));
        } else if ((c == ':' || c == '.') && !word.empty() &&
                   std::isdigit(static_cast<unsigned char>(word.back())) && i + 1 < s.size() &&
                   std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
            word += ':'; // 18:30, 19.30: a clock time, kept as one token
        } else if (c == ',' || c == '+' || c == '&' || c == ';') {
            flush();
            out.emplace_back(1, ',');
        } else {
            flush();
        }
    }
    flush();
    return out;
}

bool is_digits(const std::string& t) {
    return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
}

std::optional<int> number_word(const std::string& t) {
    static const std::map<std::string, int> words = {
        {"en", 1},   {"et", 1},   {"én", 1},  {"ét", 1},    {"a", 1},     {"an", 1},   {"one", 1},
        {"to", 2},   {"two", 2},  {"tre", 3}, {"three", 3}, {"fire", 4},  {"four", 4}, {"fem", 5},
        {"five", 5}, {"seks", 6}, {"six", 6}, {"syv", 7},   {"seven", 7}, {"otte", 8}, {"eight", 8},
        {"ni", 9},   {"nine", 9}, {"ti", 10}, {"ten", 10}};
    auto it = words.find(t);
    if (it == words.end()) return std::nullopt;
    return it->second;
}

// Words that carry no order: greetings, politeness, "I would like", pickup and delivery.
bool filler(const std::string& t) {
    static const std::vector<std::string> words = {
        "tak",      "hej",      "hi",     "hello", "please", "pls",        "gerne",  "vil",
        "jeg",      "i",        "id",     "d",     "like",   "would",      "have",   "kan",
        "få",       "bestille", "order",  "want",  "stk",    "styk",       "pcs",    "x",
        "og",       "and",      "samt",   "plus",  "også",   "also",       "så",     "mvh",
        "venlig",   "hilsen",   "thanks", "thank", "you",    "afhentning", "pickup", "levering",
        "delivery", "hente",    "henter", "mig",   "me",     "os",         "us",     "for"};
    return std::find(words.begin(), words.end(), t) != words.end();
}

bool generic_dish(const std::string& t) {
    return t == "pizza" || t == "pizzaer" || t == "pizzas" || t == "pizzaen";
}

// Whether `token` is `word` or a plural or definite form of it.
bool word_matches(const std::string& token, const std::string& word) {
    if (token == word) return true;
    for (const char* suffix : {"s", "es", "er", "r", "e", "en", "erne"}) {
        if (token == word + suffix) return true;
    }
    return false;
}

// The menu item whose alias starts at tokens[i], longest alias first: (item index, length).
std::optional<std::pair<std::size_t, std::size_t>> item_at(const std::vector<std::string>& ts,
                                                           std::size_t i, const Menu& menu) {
    std::optional<std::pair<std::size_t, std::size_t>> best;
    for (std::size_t m = 0; m < menu.size(); ++m) {
        std::vector<std::string> names = menu[m].aliases;
        names.push_back(menu[m].name);
        for (const auto& alias : names) {
            std::vector<std::string> words;
            for (auto& w : tokens(alias))
                words.push_back(w);
            if (words.empty() || i + words.size() > ts.size()) continue;
            bool ok = true;
            for (std::size_t k = 0; k < words.size() && ok; ++k) {
                ok = k + 1 == words.size() ? word_matches(ts[i + k], words[k])
                                           : ts[i + k] == words[k];
            }
            if (ok && (!best || words.size() > best->second)) best = {{m, words.size()}};
        }
    }
    return best;
}

bool time_word(const std::string& t) {
    return t == "kl" || t == "klokken" || t == "at" || t == "by" || t == "til" || t == "om" ||
           t == "ca" || t == "omkring";
}

} // namespace

const Menu& default_menu() {
    static const Menu menu = {
        {"margherita", 85, {"margarita", "pizza margherita"}},
        {"pepperoni", 95, {"pizza pepperoni"}},
        {"hawaii", 95, {"pizza hawaii"}},
        {"kebabpizza", 99, {"kebab pizza", "kebab"}},
        {"calzone", 105, {}},
        {"lasagne", 110, {"lasagna"}},
        {"cola", 25, {"coca cola", "coke"}},
        {"fanta", 25, {}},
        {"pommes", 35, {"pommes frites", "fries", "chips"}},
    };
    return menu;
}

std::string ParsedOrder::summary() const {
    std::string out;
    for (const auto& l : lines)
        out += (out.empty() ? "" : ", ") + std::to_string(l.quantity) + " x " + l.item;
    return out;
}

double ParsedOrder::total() const {
    double sum = 0;
    for (const auto& l : lines)
        sum += l.quantity * l.price;
    return sum;
}

ParsedOrder parse_order(std::string_view text, const Menu& menu) {
    ParsedOrder order;
    auto ts = tokens(text);
    auto add = [&](int quantity, std::size_t item) {
        const auto& m = menu[item];
        auto it = std::find_if(order.lines.begin(), order.lines.end(),
                               [&](const OrderLine& l) { return l.item == m.name; });
        if (it != order.lines.end()) {
            it->quantity += quantity;
        } else {
            order.lines.push_back({quantity, m.name, m.price});
        }
    };
    auto unclear = [&](std::string reason) {
        if (!order.unclear) order.reason = std::move(reason);
        order.unclear = true;
    };

    std::size_t i = 0;
    while (i < ts.size()) {
        const auto& t = ts[i];
        bool after_time_word = i > 0 && time_word(ts[i - 1]);
        std::optional<int> quantity;
        // "2x" is written as one word as often as "2 x".
        std::string digits = t.size() > 1 && t.back() == 'x' ? t.substr(0, t.size() - 1) : t;
        if (is_digits(digits) && digits.size() <= 2 && !after_time_word) {
            quantity = std::stoi(digits);
        } else if (!after_time_word) {
            quantity = number_word(t);
        }
        if (quantity) {
            std::size_t j = i + 1;
            while (j < ts.size() && (ts[j] == "x" || ts[j] == "stk" || ts[j] == "styk"))
                ++j;
            // "2 pizza margherita" and "2 pizzaer": the generic word may precede the kind.
            std::size_t generic = j;
            if (j < ts.size() && generic_dish(ts[j])) ++j;
            if (auto item = item_at(ts, j, menu)) {
                if (*quantity <= 0) unclear("a quantity of 0");
                add(*quantity, item->first);
                i = j + item->second;
                continue;
            }
            if (generic < ts.size() && generic_dish(ts[generic])) {
                unclear("which pizza is not said");
            } else if (is_digits(t) && j < ts.size() && ts[j] != "," && !filler(ts[j]) &&
                       !is_digits(ts[j]) && !time_word(ts[j])) {
                unclear("'" + ts[j] + "' is not on the menu");
            }
            ++i;
            continue;
        }
        if (auto item = item_at(ts, i, menu)) {
            add(1, item->first);
            i += item->second;
            continue;
        }
        ++i;
    }
    if (order.lines.empty()) unclear("no dish or drink named");
    return order;
}

} // namespace missed_call
