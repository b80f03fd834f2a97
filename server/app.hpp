#pragma once
// The server's state, shared by its lifecycle (app.cpp) and its routes (routes.cpp). Internal.

#include "config.hpp"
#include "http.hpp"
#include "log.hpp"
#include "metrics.hpp"

#include <nudge/compile.hpp>
#include <nudge/store.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace nudge::server {

namespace console {
class Console;
}

// Sends each message through the transport configured for its channel (or "*").
class ChannelRouter final : public Transport {
public:
    void add(const std::string& channel, std::unique_ptr<Transport> transport);
    SendResult send(const Message& message) override;
    bool has(const std::string& channel) const;

private:
    std::map<std::string, std::unique_ptr<Transport>> by_channel_;
};

// What the server knows of a loaded flow, for routing events and checking their values.
struct FlowInfo {
    std::shared_ptr<const CompiledFlow> flow;
    std::string file;
    std::set<std::string> triggers; // events that start it
    std::set<std::string> events;   // events its states wait for
    std::string key_field;          // the instances' key (its triggers' `as`)
};

// One input waiting for the group commit: `run` takes it (inside the batch) and says what to
// answer; `key` is its idempotency key (a webhook-id), "" for none.
struct PendingInput {
    std::string key;
    std::function<Response()> run;
    Respond respond;
    std::string route; // for metrics
};

class App {
public:
    App(const Config& config, std::ostream& log);
    ~App();
    int run(); // the loop, until drained

    // --- used by the routes ---------------------------------------------------------------
    Config config;
    Log log;
    Metrics metrics;
    boost::asio::io_context io{1};
    std::unique_ptr<Clock> clock;
    FakeClock* fake_clock = nullptr; // set in test mode
    ChannelRouter transports;
    std::unique_ptr<DurableEngine> engine;
    std::map<std::string, FlowInfo> flows;
    std::vector<std::string> webhook_keys;
    bool draining = false;
    bool store_ok = true;

    void handle(Request request, Respond respond);
    // Queues an input for the next group commit.
    void submit(PendingInput input);
    // Commits every queued input in one transaction, then answers them.
    void flush();
    // Reads the flows folder again: new and changed flows load as new versions; one with errors
    // is refused (and listed) while the running version stays. Returns what happened.
    nlohmann::json reload();
    // Loads a flow made by new settings (as a new version of its name, keeping its file) and
    // moves the running instances to it. Returns what migrate() said.
    Migration install(std::shared_ptr<const CompiledFlow> flow);
    // Advances the fake clock by `by`, firing what comes due on the way in order.
    nlohmann::json advance(std::chrono::seconds by);
    // Hands due messages to the worker pool; settles what came back.
    void dispatch();
    // Runs `then` once every commit made so far is on the disk: at once when each commit waits
    // for the disk itself (synchronous normal, or no deferred sync), else after the next flush
    // of the disk, which a thread of its own does while the loop goes on. Answers to inputs and
    // messages for the transport wait here, so nothing is acknowledged or sent that a power
    // loss could undo; one flush covers every commit before it (group commit).
    void after_durable(std::function<void()> then);
    void arm();
    // Draws a loaded flow's picture on a worker (Graphviz) and answers with the SVG.
    void draw_svg(const std::string& flow, Respond respond, const std::string& route);
    // The staff console, when users are configured.
    std::unique_ptr<console::Console> console;

private:
    HttpServer http_;
    boost::asio::steady_timer wake_;
    std::optional<Instant> armed_for_; // the deadline wake_ waits for, while it waits
    boost::asio::steady_timer drain_timer_;
    boost::asio::signal_set stop_signals_;
    boost::asio::signal_set hup_signal_;
    boost::asio::thread_pool workers_;
    std::vector<PendingInput> queue_;
    bool flush_posted_ = false;
    std::size_t in_flight_ = 0;
    std::vector<std::pair<std::string, SendResult>> results_;
    bool settle_posted_ = false;
    std::chrono::steady_clock::time_point drain_deadline_;
    // Durability: waiters (the commit count they need on disk, what then) and the flusher.
    bool deferred_sync_ = false;
    std::deque<std::pair<std::uint64_t, std::function<void()>>> durable_waiters_;
    bool syncing_ = false;
    std::uint64_t synced_upto_ = 0; // every commit up to this count is on the disk
    boost::asio::thread_pool syncer_{1};

    void setup_transports();
    void load_flows(bool initial, nlohmann::json* report);
    void wait_for_signals();
    void wait_for_hup();
    void on_wake();
    void settle();
    void start_sync();
    void hand_over(Message message);
    void synced(std::uint64_t upto, const std::string& failure);
    void drain_step();
    void count_send(const std::string& channel, const std::string& to, const SendResult& r);
    void refresh_gauges();
};

// A JSON error body {"error": message, …extra}.
Response json_error(int status, const std::string& message, nlohmann::json extra = {});
Response json_response(int status, const nlohmann::json& body);

} // namespace nudge::server
