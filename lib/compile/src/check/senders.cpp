// SMS senders (DESIGN §2.3): a phone number (optional '+', 5–15 digits) or a text name of 3–11
// characters from A–Z a–z 0–9 and space. Customers cannot answer a text name, so reply routes
// need messages that went out from a number.
#include "check/detail.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

bool digits_only(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

// A sender written as a number ("+4570000000", "4570000000"), valid or not.
bool number_form(std::string_view s) {
    if (!s.empty() && s.front() == '+') return true;
    return digits_only(s);
}

bool name_char(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == ' ';
}

// One UTF-8 sequence starting at s[i] (a lone byte when malformed).
std::size_t utf8_length(std::string_view s, std::size_t i) {
    auto u = static_cast<unsigned char>(s[i]);
    std::size_t n = u < 0x80           ? 1
                    : (u >> 5) == 0x6  ? 2
                    : (u >> 4) == 0xe  ? 3
                    : (u >> 3) == 0x1e ? 4
                                       : 1;
    return std::min(n, s.size() - i);
}

void check_sender(Checker& c, const ChannelDecl& ch, const std::string& from) {
    auto report = [&](std::string message) {
        c.error("invalid-sender", std::move(message), ch.loc.begin, span(ch.loc));
    };
    if (from.empty()) {
        report("the sender of " + q(ch.name) +
               " is empty; use a phone number or a name of 3 to 11 characters");
        return;
    }
    if (number_form(from)) {
        std::string_view digits = from;
        if (digits.front() == '+') digits.remove_prefix(1);
        if (!digits_only(digits)) {
            report("sender " + quote(from) +
                   " is not a phone number: only digits may follow '+' (no spaces)");
        } else if (digits.size() < 5 || digits.size() > 15) {
            report("sender " + quote(from) + " has " + std::to_string(digits.size()) +
                   " digits, but a phone number sender needs 5 to 15");
        }
        return;
    }
    std::size_t chars = 0;
    std::string bad;
    for (std::size_t i = 0; i < from.size();) {
        auto n = utf8_length(from, i);
        if (bad.empty() && (n != 1 || !name_char(from[i]))) bad = from.substr(i, n);
        i += n;
        ++chars;
    }
    if (!bad.empty()) {
        report("sender " + quote(from) + " has " + q(bad) +
               ", but a text sender may only use A-Z, a-z, 0-9 and space");
    }
    if (chars < 3 || chars > 11) {
        report("sender " + quote(from) + " has " + std::to_string(chars) +
               " characters, but a text sender needs 3 to 11");
    }
}

const ChannelDecl* channel(const Checker& c, const std::string& name) {
    auto it = c.channels.find(name);
    return it == c.channels.end() ? nullptr : it->second;
}

bool text_sender(const ChannelDecl* ch) {
    return ch && ch->kind == ChannelKind::sms && ch->from && !number_form(*ch->from);
}

// The channel every send of `s` uses, when all of them go out from a text name; else null.
const ChannelDecl* only_text_senders(const Checker& c, const StateDecl& s) {
    const ChannelDecl* first = nullptr;
    auto visit = [&](const Action& a) {
        if (a.kind != Action::Kind::send) return true;
        const ChannelDecl* ch = channel(c, a.channel);
        if (!text_sender(ch)) return false;
        if (!first) first = ch;
        return true;
    };
    for (const auto& a : s.actions) {
        if (!visit(a)) return nullptr;
    }
    for (const auto& r : s.repeats) {
        for (const auto& a : r.actions) {
            if (!visit(a)) return nullptr;
        }
    }
    return first;
}

} // namespace

void check_senders(Checker& c) {
    const auto& f = c.flow;
    bool number_sender = false;
    for (const auto& ch : f.channels) {
        if (ch.kind != ChannelKind::sms || !ch.from) continue;
        check_sender(c, ch, *ch.from);
        if (number_form(*ch.from)) number_sender = true;
    }

    const Handler* first_reply = nullptr;
    for (const auto& s : f.states) {
        for (const auto& h : s.handlers) {
            if (h.kind == Handler::Kind::reply && !first_reply) first_reply = &h;
        }
    }
    const Handler* any_reply = nullptr;
    for (const auto& h : f.from_any) {
        if (h.kind == Handler::Kind::reply && !any_reply) any_reply = &h;
    }
    if (!first_reply) first_reply = any_reply;
    if (!first_reply) return;

    if (!number_sender) {
        c.error(
            "reply-without-number",
            "'on reply' needs an sms channel with a phone number sender ('from \"4570000000\"'), "
            "but no channel has one",
            first_reply->loc.begin, span(first_reply->loc));
        return;
    }

    for (const auto& s : f.states) {
        if (s.is_final) continue;
        const Handler* reply = nullptr;
        for (const auto& h : s.handlers) {
            if (h.kind == Handler::Kind::reply) {
                reply = &h;
                break;
            }
        }
        if (!reply) reply = any_reply;
        if (!reply) continue;
        if (const ChannelDecl* ch = only_text_senders(c, s)) {
            c.error("reply-to-text-sender",
                    "replies cannot reach state " + q(s.name) + ": it sends on " + q(ch->name) +
                        ", whose sender " + quote(*ch->from) + " is a name, not a number",
                    reply->loc.begin, span(reply->loc));
        }
    }
}

} // namespace nudge::detail
