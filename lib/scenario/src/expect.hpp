#pragma once
// Expectations: each compares one step's wishes with what the run produced so far and, when they
// do not hold, says what was expected and what there was instead. Sent messages, inbox entries,
// host events, action calls and suppressions are consumed: each expectation takes the oldest
// one that matches and not yet taken, so two equal expectations need two equal messages.
//
// Nothing here drives the engine; it reads plain values, so it is tested on its own.

#include "model.hpp"

#include <nudge/engine.hpp>
#include <nudge/transport.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace nudge::detail {

// Everything the run has produced, with what expectations have taken so far.
struct Observed {
    std::vector<Message> sent;
    std::vector<Emitted> emitted;
    std::vector<ActionCall> actions;
    std::vector<InboxItem> inbox;
    std::vector<Record> timeline;
    std::vector<bool> sent_taken, emitted_taken, actions_taken, inbox_taken, timeline_taken;
    // Grows the taken flags to the sizes of the lists (the lists only ever grow).
    void sync();
};

// Two addresses are the same when equal, or when both are phone numbers with the same digits
// ("+4791234567", "4791234567" and "004791234567").
bool same_address(std::string_view expected, std::string_view actual);

// A field of a record by name, or "" (as Record::get, without needing the engine).
std::string_view field_of(const Record& r, std::string_view name);

// Each returns nullopt when the expectation holds, else the failure text.
std::optional<std::string> expect_sent(const ExpectSentStep& e, Observed& seen,
                                       std::string_view zone);
std::optional<std::string> expect_no_sent(Observed& seen, std::string_view zone);
std::optional<std::string> expect_no_inbox(Observed& seen, std::string_view zone);
std::optional<std::string> expect_inbox(const ExpectInboxStep& e, Observed& seen,
                                        std::string_view zone);
std::optional<std::string> expect_event(const ExpectEventStep& e, Observed& seen);
std::optional<std::string> expect_action(const ExpectActionStep& e, Observed& seen);
// `key_of` gives an instance's key, for records about an instance that carry no key.
std::optional<std::string>
expect_suppressed(const ExpectSuppressedStep& e, Observed& seen, std::string_view zone,
                  const std::function<std::string(std::uint64_t)>& key_of);
// `candidates`: the instances with the step's key, in id order.
std::optional<std::string> expect_state(const ExpectStateStep& e,
                                        const std::vector<InstanceView>& candidates);
// The instance an expect_state, expect_history or assign is about: the newest with the key in
// the one flow that has it (or the named flow). Sets `problem` when there is none or it is
// ambiguous.
const InstanceView* pick(const std::vector<InstanceView>& candidates, const ScenarioValue& key,
                         const Text& flow, std::string& problem);

std::optional<std::string> expect_history(const ExpectHistoryStep& e,
                                          const std::vector<InstanceView>& candidates,
                                          std::string_view zone);

} // namespace nudge::detail
