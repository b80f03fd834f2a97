// The shipped transports.
#include <nudge/transport.hpp>

#include <ostream>

namespace nudge {

SendResult RecordingTransport::send(const Message& message) {
    if (refuse_ > 0) {
        --refuse_;
        return {false, {}, "refused by the test transport"};
    }
    sent_.push_back(message);
    return {true, "rec-" + std::to_string(sent_.size()), {}};
}

StdoutTransport::StdoutTransport(std::ostream& out, std::string zone)
    : out_(&out), zone_(std::move(zone)) {}

SendResult StdoutTransport::send(const Message& m) {
    *out_ << format_instant(m.at, zone_) << "  " << m.channel << " → " << m.to << ": ";
    if (m.subject) *out_ << "[" << *m.subject << "] ";
    for (char c : m.text)
        *out_ << (c == '\n' ? ' ' : c);
    *out_ << '\n';
    return {true, "out-" + std::to_string(++count_), {}};
}

} // namespace nudge
