#include "expect.hpp"

#include <algorithm>

namespace nudge::detail {

namespace {

// How many unconsumed items a failure lists before it says "and N more".
constexpr std::size_t max_listed = 12;

std::string in_quotes(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\n') {
            out += "\\n";
        } else if (c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// The digits of a phone number written with a leading + or 00, or "" when it is not one.
std::string phone_digits(std::string_view s) {
    std::string digits;
    if (s.substr(0, 1) == "+") {
        s.remove_prefix(1);
    } else if (s.substr(0, 2) == "00") {
        s.remove_prefix(2);
    }
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c != ' ' && c != '-') {
            return "";
        }
    }
    return digits.size() >= 3 ? digits : "";
}

std::string describe(const Message& m, std::string_view zone) {
    std::string out = m.channel + " to " + m.to + " at " + show_instant(m.at, zone);
    if (m.subject) out += " subject " + in_quotes(*m.subject);
    return out + ": " + in_quotes(m.text);
}

std::string describe(const InboxItem& item, std::string_view zone) {
    return "from " + item.message.from + " to " + item.message.to + " at " +
           show_instant(item.at, zone) + " (" + item.reason + "): " + in_quotes(item.message.text);
}

std::string describe(const Record& r, std::string_view zone) {
    std::string out = show_instant(r.at, zone) + " " + r.kind;
    for (const auto& [k, v] : r.fields)
        out += " " + k + "=" + in_quotes(v);
    return out;
}

// "\n    item" lines for the items not yet taken, or `none` when there are none.
template <class T, class Describe>
std::string untaken(const std::vector<T>& items, const std::vector<bool>& taken,
                    Describe describe_item, std::string_view none) {
    std::string out;
    std::size_t shown = 0, left = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (taken[i]) continue;
        if (shown == max_listed) {
            ++left;
            continue;
        }
        out += "\n    " + describe_item(items[i]);
        ++shown;
    }
    if (left > 0) out += "\n    … and " + std::to_string(left) + " more";
    return shown == 0 ? std::string(none) : out;
}

// The first index not taken whose item `matches`, or nullopt.
template <class T, class Match>
std::optional<std::size_t> take_first(const std::vector<T>& items, std::vector<bool>& taken,
                                      Match matches) {
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!taken[i] && matches(items[i])) {
            taken[i] = true;
            return i;
        }
    }
    return std::nullopt;
}

bool text_is(const Text& want, std::string_view got) { return !want || want->text == got; }

} // namespace

// The instance an expect_state or expect_history is about: the newest with the key in the one
// flow that has it (or the named flow). Sets `problem` when there is none or it is ambiguous.
const InstanceView* pick(const std::vector<InstanceView>& candidates, const ScenarioValue& key,
                         const Text& flow, std::string& problem) {
    std::vector<const InstanceView*> in_flow;
    std::vector<std::string> flows;
    for (const auto& c : candidates) {
        if (flow && c.flow != flow->text) continue;
        in_flow.push_back(&c);
        if (std::find(flows.begin(), flows.end(), c.flow) == flows.end()) flows.push_back(c.flow);
    }
    if (in_flow.empty()) {
        problem = "no instance has key " + in_quotes(key.text) +
                  (flow ? " in flow " + flow->text : std::string());
        if (flow && !candidates.empty()) {
            problem += " (it has instances in flow " + candidates.front().flow + ")";
        }
        return nullptr;
    }
    if (flows.size() > 1) {
        problem = "key " + in_quotes(key.text) + " has instances in flows ";
        for (std::size_t i = 0; i < flows.size(); ++i)
            problem += (i ? " and " : "") + flows[i];
        problem += "; say which with 'flow:'";
        return nullptr;
    }
    return *std::max_element(in_flow.begin(), in_flow.end(),
                             [](auto* a, auto* b) { return a->id < b->id; });
}

void Observed::sync() {
    sent_taken.resize(sent.size(), false);
    emitted_taken.resize(emitted.size(), false);
    actions_taken.resize(actions.size(), false);
    inbox_taken.resize(inbox.size(), false);
    timeline_taken.resize(timeline.size(), false);
}

bool same_address(std::string_view expected, std::string_view actual) {
    if (expected == actual) return true;
    auto a = phone_digits(expected);
    return !a.empty() && a == phone_digits(actual);
}

std::string_view field_of(const Record& r, std::string_view name) {
    for (const auto& [k, v] : r.fields) {
        if (k == name) return v;
    }
    return {};
}

std::optional<std::string> expect_sent(const ExpectSentStep& e, Observed& seen,
                                       std::string_view zone) {
    seen.sync();
    auto differences = [&](const Message& m) {
        std::vector<std::string> d;
        if (!text_is(e.channel, m.channel)) d.push_back("channel");
        if (e.to && !same_address(e.to->text, m.to)) d.push_back("to");
        if (e.at && e.at->at != m.at) d.push_back("at");
        if (!text_is(e.text, m.text)) d.push_back("text");
        if (e.text_contains && m.text.find(e.text_contains->text) == std::string::npos) {
            d.push_back("text");
        }
        if (e.subject && (!m.subject || *m.subject != e.subject->text)) d.push_back("subject");
        return d;
    };
    if (take_first(seen.sent, seen.sent_taken,
                   [&](const Message& m) { return differences(m).empty(); })) {
        return std::nullopt;
    }
    std::string wanted;
    auto add = [&](const std::string& part) { wanted += (wanted.empty() ? "" : ", ") + part; };
    if (e.channel) add("channel " + e.channel->text);
    if (e.to) add("to " + e.to->text);
    if (e.at) add("at " + show_instant(e.at->at, zone));
    if (e.subject) add("subject " + in_quotes(e.subject->text));
    if (e.text) add("text " + in_quotes(e.text->text));
    if (e.text_contains) add("text containing " + in_quotes(e.text_contains->text));
    auto each = [&](const Message& m) {
        auto d = differences(m);
        std::string s = describe(m, zone) + "   (differs in ";
        for (std::size_t i = 0; i < d.size(); ++i)
            s += (i ? ", " : "") + d[i];
        return s + ")";
    };
    return "expected a message" + (wanted.empty() ? "" : " with " + wanted) +
           "; got none that matches. Messages sent and not yet expected:" +
           untaken(seen.sent, seen.sent_taken, each, " none");
}

std::optional<std::string> expect_no_sent(Observed& seen, std::string_view zone) {
    seen.sync();
    bool clean = std::all_of(seen.sent_taken.begin(), seen.sent_taken.end(),
                             [](bool taken) { return taken; });
    if (clean) return std::nullopt;
    auto list = untaken(
        seen.sent, seen.sent_taken, [&](const Message& m) { return describe(m, zone); }, "");
    // Taken now, so that one surprise is reported once.
    std::fill(seen.sent_taken.begin(), seen.sent_taken.end(), true);
    return "expected no messages besides those expected earlier; got:" + list;
}

std::optional<std::string> expect_no_inbox(Observed& seen, std::string_view zone) {
    seen.sync();
    std::string waiting;
    for (const auto& item : seen.inbox)
        if (item.open()) waiting += "\n    " + describe(item, zone);
    if (waiting.empty()) return std::nullopt;
    return "expected no message waiting in the inbox for a person (each assigned or closed); "
           "waiting:" +
           waiting;
}

std::optional<std::string> expect_inbox(const ExpectInboxStep& e, Observed& seen,
                                        std::string_view zone) {
    seen.sync();
    auto matches = [&](const InboxItem& item) {
        return same_address(e.from.text, item.message.from) && item.reason == e.reason.text &&
               text_is(e.text, item.message.text);
    };
    if (take_first(seen.inbox, seen.inbox_taken, matches)) return std::nullopt;
    return "expected an inbox entry from " + e.from.text + " with reason " + e.reason.text +
           (e.text ? " and text " + in_quotes(e.text->text) : "") +
           "; inbox entries not yet expected:" +
           untaken(
               seen.inbox, seen.inbox_taken,
               [&](const InboxItem& item) { return describe(item, zone); }, " none");
}

std::optional<std::string> expect_event(const ExpectEventStep& e, Observed& seen) {
    seen.sync();
    auto matches = [&](const Emitted& ev) {
        if (ev.event != e.event.text || (e.key && ev.key != e.key->text)) return false;
        for (const auto& [name, value] : e.data) {
            auto it = ev.fields.find(name);
            if (it == ev.fields.end() || it->second != value.text) return false;
        }
        return true;
    };
    if (take_first(seen.emitted, seen.emitted_taken, matches)) return std::nullopt;
    std::string want;
    for (const auto& [name, value] : e.data)
        want += (want.empty() ? " with " : ", ") + name + " " + in_quotes(value.text);
    return "expected the event " + e.event.text +
           (e.key ? " for key " + in_quotes(e.key->text) : "") + want +
           " to be emitted; events emitted and not yet expected:" +
           untaken(
               seen.emitted, seen.emitted_taken,
               [&](const Emitted& ev) {
                   std::string fields;
                   for (const auto& [name, value] : e.data) {
                       auto it = ev.fields.find(name);
                       fields +=
                           ", " + name + " " +
                           (it == ev.fields.end() ? std::string("(none)") : in_quotes(it->second));
                   }
                   return ev.event + " for key " + in_quotes(ev.key) + " (flow " + ev.flow + ")" +
                          fields;
               },
               " none");
}

std::optional<std::string> expect_action(const ExpectActionStep& e, Observed& seen) {
    seen.sync();
    auto matches = [&](const ActionCall& c) {
        return c.action == e.action.text && (!e.key || c.key == e.key->text);
    };
    if (take_first(seen.actions, seen.actions_taken, matches)) return std::nullopt;
    return "expected the action " + e.action.text +
           (e.key ? " for key " + in_quotes(e.key->text) : "") +
           " to be asked for; actions asked for and not yet expected:" +
           untaken(
               seen.actions, seen.actions_taken,
               [](const ActionCall& c) {
                   return c.action + " for key " + in_quotes(c.key) + " (flow " + c.flow + ")";
               },
               " none");
}

std::optional<std::string>
expect_suppressed(const ExpectSuppressedStep& e, Observed& seen, std::string_view zone,
                  const std::function<std::string(std::uint64_t)>& key_of) {
    seen.sync();
    auto key = [&](const Record& r) {
        auto k = field_of(r, "key");
        if (!k.empty() || r.instance == 0) return std::string(k);
        return key_of(r.instance);
    };
    auto matches = [&](const Record& r) {
        return r.kind == "suppressed" && field_of(r, "reason") == e.reason.text &&
               (!e.key || key(r) == e.key->text);
    };
    if (take_first(seen.timeline, seen.timeline_taken, matches)) return std::nullopt;
    std::vector<Record> suppressed;
    std::vector<bool> taken;
    for (std::size_t i = 0; i < seen.timeline.size(); ++i) {
        if (seen.timeline[i].kind != "suppressed") continue;
        suppressed.push_back(seen.timeline[i]);
        taken.push_back(seen.timeline_taken[i]);
    }
    return "expected a suppression with reason " + e.reason.text +
           (e.key ? " for key " + in_quotes(e.key->text) : "") +
           "; suppressions not yet expected:" +
           untaken(
               suppressed, taken,
               [&](const Record& r) {
                   // Records about an instance carry no key of their own: say whose they are.
                   bool own = !field_of(r, "key").empty();
                   return describe(r, zone) + (own ? "" : " (key " + in_quotes(key(r)) + ")");
               },
               " none");
}

std::optional<std::string> expect_state(const ExpectStateStep& e,
                                        const std::vector<InstanceView>& candidates) {
    std::string problem;
    const InstanceView* inst = pick(candidates, e.key, e.flow, problem);
    if (!inst) return "expected " + in_quotes(e.key.text) + " to have an instance; " + problem;
    std::string outcome = inst->outcome.value_or("");
    // `outcome: none`: the instance has no outcome (the reader refuses an empty one).
    bool outcome_holds =
        e.outcome && e.outcome->text == no_outcome ? !inst->outcome : text_is(e.outcome, outcome);
    bool holds = text_is(e.state, inst->state) && text_is(e.status, to_string(inst->status)) &&
                 outcome_holds;
    if (holds) return std::nullopt;
    std::string wanted, got;
    auto both = [&](std::string_view what, const Text& want, std::string_view actual) {
        if (!want) return;
        wanted += (wanted.empty() ? "" : ", ") + std::string(what) + " " + want->text;
        got += (got.empty() ? "" : ", ") + std::string(what) + " " +
               (actual.empty() ? std::string("(none)") : std::string(actual));
    };
    both("state", e.state, inst->state);
    both("status", e.status, to_string(inst->status));
    both("outcome", e.outcome, outcome);
    return "expected instance #" + std::to_string(inst->id) + " (" + inst->flow + ", key " +
           in_quotes(e.key.text) + ") with " + wanted + "; got " + got;
}

std::optional<std::string> expect_history(const ExpectHistoryStep& e,
                                          const std::vector<InstanceView>& candidates,
                                          std::string_view zone) {
    std::string problem;
    const InstanceView* inst = pick(candidates, e.key, e.flow, problem);
    if (!inst) return "expected " + in_quotes(e.key.text) + " to have an instance; " + problem;
    auto wanted = [&e] { // for the message only
        std::string out = e.kind.text;
        for (const auto& [name, value] : e.fields)
            out += " " + name + "=" + in_quotes(value.text);
        return out;
    };
    for (const auto& r : inst->history) {
        if (r.kind != e.kind.text) continue;
        bool all = std::all_of(e.fields.begin(), e.fields.end(), [&](const auto& f) {
            return field_of(r, f.first) == f.second.text;
        });
        if (!all) continue;
        if (!e.absent) return std::nullopt;
        return "expected no history entry " + wanted() + " on instance #" +
               std::to_string(inst->id) + " (" + inst->flow + "); found " + describe(r, zone);
    }
    if (e.absent) return std::nullopt;
    std::vector<bool> none(inst->history.size(), false);
    return "expected a history entry " + wanted() + " on instance #" + std::to_string(inst->id) +
           " (" + inst->flow + "); its history:" +
           untaken(
               inst->history, none, [&](const Record& r) { return describe(r, zone); }, " empty");
}

} // namespace nudge::detail
