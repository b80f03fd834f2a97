#pragma once
// Where messages go. The engine renders a message and hands it to its Transport; the transport
// says whether it took it. Shipped: RecordingTransport (tests) and StdoutTransport (demos).

#include <nudge/clock.hpp>
#include <nudge/flow.hpp>

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

// The public API: exported from a shared libnudge (the library is compiled hidden).
#pragma GCC visibility push(default)

namespace nudge {

struct Message {
    // Idempotency key, unique per message: "flow/instance/N", where N counts the instance's
    // messages from 1 ("order_confirmation/17/2" is instance 17's second). A DurableEngine that
    // replays its journal gives each message the same key again.
    std::string id;
    std::string flow;
    std::uint64_t instance = 0;
    std::string key; // the instance's key
    std::string channel;
    ChannelKind kind = ChannelKind::sms;
    std::string to;
    std::string from;
    std::optional<std::string> subject;
    std::string text;
    Instant at;
    bool reminder = false;
};

struct SendResult {
    bool accepted = true;
    std::string transport_id; // the transport's own reference, recorded in history
    std::string error;        // why not, when not accepted
    // A refusal that trying again cannot mend (the gateway answered 4xx other than 429, the
    // address is malformed): a DurableEngine stops retrying and routes the instance's
    // `on send.failed`. Without it a refusal is temporary and retried with backoff.
    bool permanent = false;
};

// Thread safety: the engines call send() from the thread that drives them. `nudge serve` calls
// the transports of nudge/transports.hpp from a small worker pool, several sends at once, so
// those are safe to call concurrently; a host's own transport only needs that when the host
// does the same. send() is called in the middle of an engine's step and must not call back
// into that engine (see nudge/engine.hpp). RecordingTransport and StdoutTransport are not
// safe to share between threads: one thread at a time, the engine's.
class Transport {
public:
    virtual ~Transport() = default;
    // Must not throw; a throwing transport is treated as a refusal with the exception's text.
    virtual SendResult send(const Message& message) = 0;
};

// Keeps every message, in order. `refuse_next(n)` makes the next n sends fail (for tests of
// transport failures).
class RecordingTransport final : public Transport {
public:
    SendResult send(const Message& message) override;
    const std::vector<Message>& sent() const { return sent_; }
    void clear() { sent_.clear(); }
    void refuse_next(int n) { refuse_ = n; }

private:
    std::vector<Message> sent_;
    int refuse_ = 0;
};

// Prints each message as one line: time, channel, recipient, text.
class StdoutTransport final : public Transport {
public:
    explicit StdoutTransport(std::ostream& out, std::string zone = "UTC");
    SendResult send(const Message& message) override;

private:
    std::ostream* out_;
    std::string zone_;
    std::uint64_t count_ = 0;
};

} // namespace nudge

#pragma GCC visibility pop
