// Checks on the declarations above the states: header, channels, calendars, word sets, policy,
// templates and classifiers.
#include "check/detail.hpp"
#include "text/locale_format.hpp"
#include "text/reply_text.hpp"

#include <re2/re2.h>

#include <date/tz.h>

#include <algorithm>

namespace nudge::detail {

void check_header(Checker& c) {
    const auto& f = c.flow;
    if (f.version < 1) {
        c.error("bad-version", "version must be 1 or more, but it is " + std::to_string(f.version),
                f.loc.begin, span(f.loc));
    }
    if (f.timezone) {
        bool known = false;
        try {
            known = date::locate_zone(*f.timezone) != nullptr;
        } catch (const std::exception&) {
            known = false;
        }
        if (!known) {
            // A flow built by a program may have no position for its zone: the flow line then.
            const Loc& at = f.timezone_loc.begin.line ? f.timezone_loc : f.loc;
            std::vector<std::string> zones;
            try {
                for (const auto& z : date::get_tzdb().zones)
                    zones.push_back(z.name());
            } catch (const std::exception&) {}
            auto near = suggestion(*f.timezone, zones);
            c.error("unknown-zone",
                    "unknown time zone " + quote(*f.timezone) +
                        (near.empty() ? " (use an IANA name such as \"Europe/Copenhagen\")" : near),
                    at.begin, span(at));
        }
    }
    if (f.locale && !known_locale(*f.locale)) {
        const Loc& at = f.locale_loc.begin.line ? f.locale_loc : f.loc;
        auto near = suggestion(*f.locale, known_locales());
        c.error("unknown-locale",
                "unknown locale " + quote(*f.locale) +
                    (near.empty() ? " (write a language and country, such as \"da_DK\")" : near),
                at.begin, span(at));
    }
}

namespace {

void check_channel(Checker& c, const ChannelDecl& ch) {
    if (ch.to_is_literal) return;
    const ValueInfo* v = resolve_value(c, ch.to, ch.loc.begin, span(ch.loc));
    if (!v || v->type == Ty::unknown) return;
    Ty wanted = Ty::unknown;
    if (ch.kind == ChannelKind::sms || ch.kind == ChannelKind::voice) wanted = Ty::phone;
    if (ch.kind == ChannelKind::email) wanted = Ty::email;
    if (wanted != Ty::unknown && v->type != wanted) {
        c.error("type-mismatch",
                a_kind(ch.kind) + " channel needs " + a_ty(wanted) + " recipient, but " + q(ch.to) +
                    " is " + a_ty(v->type),
                ch.loc.begin, span(ch.loc));
    }
}

bool valid_month_day(const MonthDay& md) {
    static constexpr int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return md.month >= 1 && md.month <= 12 && md.day >= 1 && md.day <= days[md.month - 1];
}

std::string month_day_text(const MonthDay& md) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d-%02d", md.month, md.day);
    return buf;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

// `replies`: the words are compared with replies (keyword sets, opt_out, classifier rules),
// so one that normalises to no token at all ("!!!", "$", a lone skin tone) can never match.
void check_words(Checker& c, const std::vector<std::string>& words, std::string_view what,
                 const Loc& loc, bool replies) {
    for (const auto& w : words) {
        if (blank(w)) {
            c.error("empty-word", std::string(what) + " has an empty word", loc.begin, span(loc));
            return;
        }
        if (replies && reply_tokens(w).empty()) {
            c.error("empty-word",
                    std::string(what) + " has " + quote(w) +
                        ", which has no letter, digit or emoji, so no reply can match it",
                    loc.begin, span(loc));
            return;
        }
    }
}

bool region_code(std::string_view r) {
    return r.size() == 2 && r[0] >= 'A' && r[0] <= 'Z' && r[1] >= 'A' && r[1] <= 'Z';
}

} // namespace

void check_declarations(Checker& c) {
    const auto& f = c.flow;
    for (const auto& ch : f.channels)
        check_channel(c, ch);

    for (const auto& w : f.windows) {
        for (const auto& slot : w.slots) {
            if (slot.open_minute == slot.close_minute) {
                c.error("empty-window-slot",
                        "slot " + q(to_text(slot)) + " of window " + q(w.name) +
                            " opens and closes at the same time",
                        slot.loc.begin.line ? slot.loc.begin : w.loc.begin,
                        slot.loc.begin.line ? span(slot.loc) : span(w.loc));
            }
        }
    }

    for (const auto& s : f.seasons) {
        for (const MonthDay* md : {&s.first, &s.last}) {
            if (!valid_month_day(*md)) {
                c.error("bad-season",
                        "season " + q(s.name) + " has " + q(month_day_text(*md)) +
                            ", which is not a day of the year",
                        s.loc.begin, span(s.loc));
            }
        }
    }

    for (const auto& k : f.keywords) {
        check_words(c, k.words, "keywords " + q(k.name), k.loc, true);
        if (k.match == KeywordMatch::pattern) {
            // Compiled here as the engine compiles it, so a pattern RE2 refuses stops the flow.
            RE2 re(k.pattern, RE2::Quiet);
            bool at_pattern = k.pattern_loc.begin.line != 0;
            if (!re.ok()) {
                c.error("bad-pattern",
                        "keywords " + q(k.name) + " has a pattern RE2 cannot read: " + re.error(),
                        at_pattern ? k.pattern_loc.begin : k.loc.begin,
                        at_pattern ? span(k.pattern_loc) : span(k.loc));
            }
        }
        if (k.match == KeywordMatch::number && k.range && k.range->min > k.range->max) {
            c.error("bad-range",
                    "keywords " + q(k.name) + " takes numbers " + to_text(*k.range) +
                        ", but the range is empty: the first bound is above the second",
                    k.loc.begin, span(k.loc));
        }
    }
    // Opt-out is tried before any route, on the reply's first words: a keyword that begins
    // with an opt-out word opts the customer out instead of taking its route.
    for (const auto& k : f.keywords) {
        for (const auto& w : k.words) {
            auto word = normalize_reply(w);
            auto stop = std::find_if(f.opt_out.begin(), f.opt_out.end(), [&](const auto& o) {
                auto out = normalize_reply(o);
                return !out.empty() && (word == out || word.starts_with(out + " "));
            });
            if (word.empty() || stop == f.opt_out.end()) continue;
            c.warning("opt-out-keyword",
                      "keywords " + q(k.name) + " has " + quote(w) + ", but " + quote(*stop) +
                          " is an opt-out word: a reply that starts with it opts the number out "
                          "and never reaches 'on reply " +
                          k.name + "'",
                      k.loc.begin, span(k.loc));
            break;
        }
    }
    for (const auto& l : f.lists)
        check_words(c, l.items, "list " + q(l.name), l.loc, false);
    check_words(c, f.opt_out, "opt_out", f.opt_out_loc, true);

    if (f.numbers && f.numbers->kind == NumberPolicy::Kind::regions) {
        for (const auto& r : f.numbers->regions) {
            if (!region_code(r)) {
                c.error("bad-region",
                        "region " + q(r) + " is not a two-letter upper-case country code " +
                            "such as 'DK'",
                        f.numbers->loc.begin, span(f.numbers->loc));
            }
        }
    }

    for (const auto& cap : f.caps) {
        resolve_channel(c, cap.channel, cap.loc.begin, span(cap.loc));
        if (cap.count < 1) {
            c.error("bad-cap",
                    "cap on " + q(cap.channel) +
                        " must allow at least 1 message, "
                        "but it allows " +
                        std::to_string(cap.count),
                    cap.loc.begin, span(cap.loc));
        }
        if (cap.per.count < 1) {
            c.error("bad-cap",
                    "cap on " + q(cap.channel) + " needs a period longer than " +
                        q(to_text(cap.per)),
                    cap.loc.begin, span(cap.loc));
        }
    }

    for (const auto& t : f.templates) {
        if (t.subject) check_merge_text(c, *t.subject, t.loc, t.subject_loc);
        check_merge_text(c, t.text, t.loc, t.text_loc);
    }

    for (const auto& cl : f.classifiers) {
        for (const auto& src : cl.sources) {
            if (src == cl.name) {
                c.error("unknown-field", "classifier " + q(cl.name) + " cannot read itself",
                        cl.loc.begin, span(cl.loc));
                continue;
            }
            resolve_value(c, src, cl.loc.begin, span(cl.loc));
        }
        for (const auto& rule : cl.rules) {
            const Loc& loc = rule.loc.begin.line ? rule.loc : cl.loc;
            check_words(c, rule.keywords, "label " + q(rule.label) + " of " + q(cl.name), loc,
                        true);
        }
    }
}

} // namespace nudge::detail
