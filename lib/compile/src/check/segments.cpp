// SMS parts: how many each SMS text of a flow takes at most (nudge::sms_sizes), and the
// `too-many-segments` warning when that is over the limit of the channel that sends it.
// Counting is text/gsm7.hpp's, as KannelTransport sends; a merge field counts at the longest
// its type writes, in the form the flow's locale gives it (text/locale_format.hpp).
#include "check/detail.hpp"
#include "text/gsm7.hpp"
#include "text/locale_format.hpp"
#include "text/merge_text.hpp"

#include <nudge/dsl.hpp>

#include <algorithm>
#include <map>

namespace nudge {

namespace {

using detail::MergeFormat;

// The longest text a value of this type is written as, or nullopt when it has none.
std::optional<std::size_t> longest(FieldType type, std::optional<MergeFormat> format) {
    if (format) {
        switch (*format) {
        case MergeFormat::money: return 18;    // "1.234.567,89 kr."
        case MergeFormat::number: return 15;   // "-1.234.567,125"
        case MergeFormat::date: return 18;     // "30. september 2026"
        case MergeFormat::time: return 8;      // "12:30 PM"
        case MergeFormat::datetime: return 30; // "30. september 2026 kl. 14.30"
        case MergeFormat::weekday: return 13;  // "keskiviikkona"
        case MergeFormat::day: return 30;      // "Wednesday, 30 September"
        }
    }
    switch (type) {
    case FieldType::number:
    case FieldType::money: return 12;
    case FieldType::boolean: return 5;
    case FieldType::phone: return 16;
    case FieldType::date: return 10;
    case FieldType::datetime: return 16;
    case FieldType::duration: return 12;
    case FieldType::zone: return 32;
    case FieldType::text:
    case FieldType::email: return std::nullopt;
    }
    return std::nullopt;
}

// What a merge of each name may write: a type (fields, facts) or a longest label.
struct Merges {
    std::map<std::string, FieldType, std::less<>> types;
    std::map<std::string, std::size_t, std::less<>> labels;
    bool locale_declared = false;

    std::optional<std::size_t> longest_of(const detail::MergePart& part) const {
        auto format = detail::parse_merge_format(part.format);
        if (auto it = labels.find(part.text); it != labels.end()) return it->second;
        auto it = types.find(part.text);
        if (it == types.end()) return std::nullopt;
        bool localised = it->second == FieldType::number || it->second == FieldType::money ||
                         it->second == FieldType::date || it->second == FieldType::datetime;
        if (!format && locale_declared && localised) {
            format = it->second == FieldType::money    ? MergeFormat::money
                     : it->second == FieldType::number ? MergeFormat::number
                     : it->second == FieldType::date   ? MergeFormat::date
                                                       : MergeFormat::datetime;
        }
        return longest(it->second, format);
    }
};

Merges merges_of(const FlowDef& flow) {
    Merges m;
    m.locale_declared = flow.locale.has_value();
    for (const auto& f : flow.fields)
        m.types.emplace(f.name, f.type);
    for (const auto& f : flow.facts)
        m.types.emplace(f.name, f.type);
    for (const auto& c : flow.classifiers) {
        std::size_t most = 0;
        for (const auto& r : c.rules)
            most = std::max(most, r.label.size());
        m.labels.emplace(c.name, most);
    }
    return m;
}

SmsSize size_of(std::string message, std::string_view text, const Merges& merges) {
    SmsSize s;
    s.message = std::move(message);
    std::string longest_text;
    std::string written; // the text without its merges: it decides GSM-7 or UCS-2
    for (const auto& part : detail::parse_merge(text)) {
        if (part.kind != detail::MergePart::Kind::field) {
            longest_text += part.text;
            written += part.text;
            continue;
        }
        if (auto n = merges.longest_of(part)) {
            longest_text.append(*n, '0');
        } else if (std::find(s.uncounted.begin(), s.uncounted.end(), part.text) ==
                   s.uncounted.end()) {
            s.uncounted.emplace_back(part.text);
        }
    }
    s.gsm7 = detail::gsm7_encodable(written);
    s.parts = detail::sms_segments(longest_text);
    return s;
}

std::string short_text(std::string_view text) {
    auto cut = std::min(text.find('\n'), std::size_t{24});
    std::string out(text.substr(0, cut));
    if (cut < text.size()) out += "…";
    return quote(out);
}

} // namespace

std::vector<SmsSize> sms_sizes(const FlowDef& flow) {
    std::map<std::string, const ChannelDecl*, std::less<>> channels;
    for (const auto& c : flow.channels)
        channels.emplace(c.name, &c);
    auto is_sms = [&](const std::string& name) {
        auto it = channels.find(name);
        return it != channels.end() && it->second->kind == ChannelKind::sms;
    };
    std::map<std::string, int, std::less<>> caps; // SMS channel -> its segment cap
    for (const auto& c : flow.segment_caps)
        if (is_sms(c.channel) && c.count >= 1)
            caps[c.channel] = caps.count(c.channel) ? std::min(caps[c.channel], c.count) : c.count;

    auto merges = merges_of(flow);
    std::vector<SmsSize> out;
    // The limit for a text some SMS channels send (all of the flow's, when no action names one).
    auto set_limit = [&](SmsSize& s, const std::vector<std::string>& senders) {
        std::vector<std::string> all;
        for (const auto& c : flow.channels)
            if (c.kind == ChannelKind::sms) all.push_back(c.name);
        for (const auto& ch : senders.empty() ? all : senders) {
            if (auto it = caps.find(ch); it != caps.end()) {
                s.limit = s.limit_set ? std::min(s.limit, it->second) : it->second;
                s.limit_set = true;
            }
        }
    };

    // Which SMS channels send each template, and the inline SMS texts, from the actions.
    std::map<std::string, std::vector<std::string>, std::less<>> senders;
    std::vector<std::pair<const StateDecl*, const Action*>> inline_sends;
    auto visit = [&](const StateDecl& st, const Action& a) {
        if (a.kind != Action::Kind::send) return;
        std::vector<std::string> chans{a.channel};
        chans.insert(chans.end(), a.fallback.begin(), a.fallback.end());
        for (const auto& ch : chans) {
            if (!is_sms(ch)) continue;
            if (a.inline_text) {
                if (ch == a.channel) inline_sends.emplace_back(&st, &a);
            } else {
                auto& list = senders[a.template_name];
                if (std::find(list.begin(), list.end(), ch) == list.end()) list.push_back(ch);
            }
        }
    };
    for (const auto& st : flow.states) {
        for (const auto& a : st.actions)
            visit(st, a);
        for (const auto& r : st.repeats)
            for (const auto& a : r.actions)
                visit(st, a);
    }

    bool has_sms = std::any_of(flow.channels.begin(), flow.channels.end(),
                               [](const ChannelDecl& c) { return c.kind == ChannelKind::sms; });
    for (const auto& t : flow.templates) {
        bool for_sms = t.kind ? *t.kind == ChannelKind::sms : has_sms;
        if (!for_sms) continue;
        auto s = size_of("template " + t.name, t.text, merges);
        s.pos = t.loc.begin;
        s.length = detail::keyword_span("template", t.name);
        auto it = senders.find(t.name);
        set_limit(s, it == senders.end() ? std::vector<std::string>{} : it->second);
        out.push_back(std::move(s));
    }
    for (const auto& [st, a] : inline_sends) {
        auto s = size_of("state " + st->name + ": send " + a->channel + " " +
                             short_text(*a->inline_text),
                         *a->inline_text, merges);
        s.pos = a->loc.begin;
        s.length = detail::span(a->loc);
        set_limit(s, {a->channel});
        out.push_back(std::move(s));
    }
    return out;
}

namespace detail {

void check_segments(Checker& c) {
    for (const auto& cap : c.flow.segment_caps) {
        if (!resolve_channel(c, cap.channel, cap.loc.begin, span(cap.loc))) continue;
        auto ch = c.channels.find(cap.channel);
        if (ch != c.channels.end() && ch->second->kind != ChannelKind::sms) {
            c.error("bad-cap",
                    "a segments cap is for SMS, but " + q(cap.channel) + " is " +
                        a_kind(ch->second->kind) + " channel",
                    cap.loc.begin, span(cap.loc));
        } else if (cap.count < 1) {
            c.error("bad-cap",
                    "cap on " + q(cap.channel) + " must allow at least 1 SMS part, but it allows " +
                        std::to_string(cap.count),
                    cap.loc.begin, span(cap.loc));
        }
    }
    for (const auto& s : sms_sizes(c.flow)) {
        if (s.parts <= s.limit) continue;
        std::string uncounted;
        for (const auto& u : s.uncounted)
            uncounted += (uncounted.empty() ? "" : ", ") + q("{" + u + "}");
        c.warning("too-many-segments",
                  s.message + " takes " + (s.uncounted.empty() ? "up to " : "at least ") +
                      std::to_string(s.parts) + " SMS parts (" + (s.gsm7 ? "GSM-7" : "UCS-2") +
                      (s.uncounted.empty() ? "" : "; " + uncounted + " not counted") + "), " +
                      (s.limit_set ? "over its channel's cap of " + std::to_string(s.limit)
                                   : "over the " + std::to_string(s.limit) +
                                         " a flow allows without 'cap CHANNEL N segments'"),
                  s.pos, s.length);
    }
}

} // namespace detail

} // namespace nudge
