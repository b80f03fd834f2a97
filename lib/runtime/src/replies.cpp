// The reply router: where a reply is matched. Opt-out words first, then the instance that
// takes it (none: unknown; several: ambiguous; one: its reply routes), and the inbox.
#include "engine_impl.hpp"

#include <algorithm>

namespace nudge {

namespace {

// A reply's text without the white space around it, as `on reply other as FIELD` keeps it.
std::string trimmed(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

} // namespace

void Engine::Impl::to_inbox(const Inbound& m, InboxReason reason,
                            std::vector<std::uint64_t> candidates, Inst* inst) {
    InboxItem item;
    item.id = inbox.size() + 1;
    item.at = now();
    item.message = m;
    item.reason = to_string(reason);
    item.candidates = candidates;
    // An unmatched reply came to one instance: it is the one candidate a person sees.
    if (inst && candidates.empty()) item.candidates.push_back(inst->id);
    inbox.push_back(item);
    Fields fields{{"inbox", std::to_string(item.id)},
                  {"reason", item.reason},
                  {"from", m.from},
                  {"to", m.to},
                  {"text", m.text}};
    if (!candidates.empty()) {
        std::string c;
        for (auto id : candidates)
            c += (c.empty() ? "" : ",") + std::to_string(id);
        fields.emplace_back("candidates", c);
    }
    std::size_t fi = inst ? inst->flow : 0;
    if (!inst && !candidates.empty()) fi = instances.find(candidates.front())->flow;
    if (flows.empty()) return;
    record(inst, fi, RecordKind::inbox, std::move(fields));
}

void Engine::Impl::reply(const Inbound& m) {
    if (flows.empty()) return;
    auto region = flows.front().ctx.region;
    auto to = canonical_own(m.to, region);
    auto tokens = detail::reply_tokens(m.text);
    // The instances that send to the sender: found by the text as it came when that is an
    // instance's own canonical number (no parsing), else by its canonical form.
    std::string from;
    std::vector<std::uint64_t> senders;
    {
        auto [begin, end] = addressed.equal_range(key_hash(m.from));
        for (auto it = begin; it != end; ++it) {
            bool fixed = false;
            if (sends_to(*instances.find(it->second), m.from, &fixed)) {
                from = m.from;
                break;
            }
        }
        if (from.empty()) {
            from = detail::canonical_address(m.from, region);
            senders = sending_to(from);
        } else {
            for (auto it = begin; it != end; ++it)
                if (sends_to(*instances.find(it->second), from)) senders.push_back(it->second);
            for (auto id : unindexed)
                if (sends_to(*instances.find(id), from)) senders.push_back(id);
            std::sort(senders.begin(), senders.end());
            senders.erase(std::unique(senders.begin(), senders.end()), senders.end());
        }
    }
    std::vector<std::uint64_t> candidates;
    for (auto id : senders)
        if (takes_reply(*instances.find(id), from, to)) candidates.push_back(id);

    // Opt-out beats everything: the first word decides, across every flow.
    for (std::size_t fi = 0; fi < flows.size(); ++fi) {
        if (!flows[fi].opt_out.matches_first(tokens)) continue;
        // To a number only one business's flows send from: out of that business only.
        auto business = business_of_number(to);
        auto key = scope_key(business, from);
        if (suppressed_index.count(key) == 0) {
            suppressed_index[key] = suppressions.size();
            suppressions.push_back({from, now(), "reply \"" + m.text + "\" to " + m.to, business});
        }
        Inst* inst = candidates.size() == 1 ? instances.find(candidates.front()) : nullptr;
        if (tracing()) {
            Fields fields{{"address", from}, {"text", m.text}, {"to", m.to}};
            if (!business.empty()) fields.emplace_back("business", business);
            record(inst, inst ? inst->flow : fi, RecordKind::opted_out, std::move(fields));
        }
        cancel_pending_sends(from, business);
        run_due();
        return;
    }
    if (candidates.empty()) {
        // No instance listens: the reply still belongs to the conversation of one that
        // texts this customer from this number (it waits for the host, say).
        for (auto id : senders)
            if (texts(*instances.find(id), from, to)) candidates.push_back(id);
        if (candidates.empty()) {
            to_inbox(m, InboxReason::unknown, {}, nullptr);
        } else if (candidates.size() > 1) {
            to_inbox(m, InboxReason::ambiguous, candidates, nullptr);
        } else {
            unmatched_reply(*instances.find(candidates.front()), m);
        }
    } else if (candidates.size() > 1) {
        to_inbox(m, InboxReason::ambiguous, candidates, nullptr);
    } else {
        route_reply(*instances.find(candidates.front()), m, tokens);
    }
    run_due();
}

// An address opted out: the pending sends to it are cancelled, then every live instance
// that sends to it gets the event `opted.out` (taken only where a route waits for it).
void Engine::Impl::cancel_pending_sends(const std::string& address, std::string_view business) {
    auto reached = sending_to(address);
    if (!business.empty())
        std::erase_if(reached, [&](std::uint64_t id) {
            return flows[instances.find(id)->flow].def->business != business;
        });
    for (auto id : reached) {
        Inst& inst = *instances.find(id);
        if (inst.pending_sends == 0 && inst.pending_reminders == 0) continue;
        cancel_timer_kind(inst, FireKind::send);
        cancel_timer_kind(inst, FireKind::reminder);
        if (tracing())
            record(&inst, inst.flow, RecordKind::cancelled,
                   {{"what", "pending sends"}, {"why", address + " opted out"}});
    }
    for (auto id : reached) {
        Inst& inst = *instances.find(id);
        if (live(inst)) take_event(inst, "opted.out", {});
    }
}

// A reply received by an instance that no route of it takes: kept in the inbox on it.
void Engine::Impl::unmatched_reply(Inst& inst, const Inbound& m) {
    flows[inst.flow].metrics.replies++;
    if (tracing())
        record(&inst, inst.flow, RecordKind::received,
               {{"from", m.from}, {"to", m.to}, {"text", m.text}});
    to_inbox(m, InboxReason::unmatched, {}, &inst);
}

// A time test's moment: the reply's time of day on the reply's date, or (none given) the
// next such time from now, in the recipient's zone.
Instant Engine::Impl::moment_of_reply(const Inst& inst, const std::string& text) const {
    auto minutes = std::chrono::minutes{detail::reply_time(text).value_or(0)};
    const auto* zone = zone_of(inst);
    auto today = date::local_days{detail::local_date(now(), zone)};
    auto day = detail::reply_date(detail::without_time(text), flows[inst.flow].locale->locale(),
                                  date::year_month_day{today});
    auto on = [&](date::local_days d) {
        return detail::resolve_local(date::local_seconds{d} + minutes, zone);
    };
    if (day) return on(date::local_days{*day});
    auto t = on(today);
    return t > now() ? t : on(today + date::days{1});
}

void Engine::Impl::route_reply(Inst& inst, const Inbound& m,
                               const std::vector<std::string>& tokens) {
    auto& f = flows[inst.flow];
    f.metrics.replies++;
    if (f.keeps_last_reply) inst.more().last_reply = m.text;
    if (tracing())
        record(&inst, inst.flow, RecordKind::received,
               {{"from", m.from}, {"to", m.to}, {"text", m.text}});
    const Handler* chosen = nullptr;
    InstScope scope(*this, inst);
    // The reply's number, read once when a number test asks for it.
    std::optional<std::optional<double>> number;
    auto number_of_reply = [&] {
        if (!number) number = detail::reply_number(m.text);
        return *number;
    };
    std::string found; // what a pattern test found: its first group, or the whole match
    // The reply's date, read once when a date test asks for it (in the recipient's zone).
    std::optional<std::optional<date::year_month_day>> day;
    auto date_of_reply = [&] {
        if (!day)
            day = detail::reply_date(m.text, f.locale->locale(),
                                     detail::local_date(now(), zone_of(inst)));
        return *day;
    };
    std::optional<detail::YesNo> said; // yes or no, read once for the state's yes/no routes
    each_handler(inst, [&](const Handler& h) {
        if (h.kind != Handler::Kind::reply) return false;
        bool match = h.keywords == "other" || h.keywords == "any";
        if (auto t = f.number_tests.find(h.keywords); !match && t != f.number_tests.end()) {
            auto n = number_of_reply();
            match = n && detail::in_range(*n, t->second);
        } else if (auto mt = f.meaning_tests.find(h.keywords);
                   !match && mt != f.meaning_tests.end()) {
            if (mt->second == KeywordMatch::date) {
                match = date_of_reply().has_value();
            } else if (mt->second == KeywordMatch::time) {
                match = detail::reply_time(m.text).has_value();
            } else {
                if (!said) said = detail::reply_yes_no(m.text, f.locale->locale());
                match = *said ==
                        (mt->second == KeywordMatch::yes ? detail::YesNo::yes : detail::YesNo::no);
            }
        } else if (auto p = f.patterns.find(h.keywords); !match && p != f.patterns.end()) {
            const re2::RE2& re = *p->second;
            re2::StringPiece parts[2];
            int group = re.NumberOfCapturingGroups() > 0 ? 1 : 0;
            match = re.ok() &&
                    re.Match(m.text, 0, m.text.size(), re2::RE2::UNANCHORED, parts, group + 1);
            if (match) found = std::string(parts[group].data(), parts[group].size());
        } else if (!match) {
            auto k = f.keywords.find(h.keywords);
            match = k != f.keywords.end() && k->second.matches(tokens);
        }
        if (match && h.condition && !detail::holds(*h.condition, scope)) match = false;
        if (match) chosen = &h;
        return match;
    });
    if (!chosen) {
        to_inbox(m, InboxReason::unmatched, {}, &inst);
        return;
    }
    if (tracing())
        record(&inst, inst.flow, RecordKind::matched,
               {{"route", "reply " + chosen->keywords}, {"target", to_text(chosen->target)}});
    if (!chosen->capture.empty()) {
        // `as FIELD`: a number test keeps the number, any other route the reply's text.
        bool numeric = f.number_tests.count(chosen->keywords) > 0;
        bool pattern = f.patterns.count(chosen->keywords) > 0;
        auto mt = f.meaning_tests.find(chosen->keywords);
        bool dated = mt != f.meaning_tests.end() && mt->second == KeywordMatch::date;
        bool timed = mt != f.meaning_tests.end() && mt->second == KeywordMatch::time;
        keep(inst, chosen->capture,
             numeric   ? detail::Value::of_number(number_of_reply().value_or(0))
             : dated   ? detail::Value::of_date(date::sys_days{*date_of_reply()})
             : timed   ? detail::Value::of_instant(moment_of_reply(inst, m.text))
             : pattern ? detail::Value::of_text(found)
                       : detail::Value::of_text(trimmed(m.text)));
    }
    if (chosen->target.kind == Target::Kind::inbox) {
        to_inbox(m, InboxReason::routed, {}, &inst);
        return;
    }
    go(inst, chosen->target, tracing() ? "reply " + chosen->keywords : std::string());
}

} // namespace nudge
