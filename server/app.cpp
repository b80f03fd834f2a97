// The server's lifecycle: start (config, transports, flows, database, listener), the loop's
// wake-ups (engine deadlines, deliveries), the group commit, and the drain on SIGTERM.
#include "app.hpp"
#include "console/console.hpp"
#include "service.hpp"

#include <nudge/dsl.hpp>
#include <nudge/settings.hpp>
#include <nudge/transports.hpp>
#include <nudge/version.hpp>

#include "signature.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace nudge::server {

namespace net = boost::asio;
using json = nlohmann::json;

// ---- transports -------------------------------------------------------------------------------

void ChannelRouter::add(const std::string& channel, std::unique_ptr<Transport> transport) {
    by_channel_[channel] = std::move(transport);
}

bool ChannelRouter::has(const std::string& channel) const {
    return by_channel_.count(channel) || by_channel_.count("*");
}

SendResult ChannelRouter::send(const Message& message) {
    auto it = by_channel_.find(message.channel);
    if (it == by_channel_.end()) it = by_channel_.find("*");
    if (it == by_channel_.end()) {
        SendResult r{false, {}, "no transport is configured for channel " + message.channel};
        r.permanent = true;
        return r;
    }
    try {
        return it->second->send(message);
    } catch (const std::exception& e) {
        return {false, {}, e.what()};
    }
}

Response json_response(int status, const json& body) {
    Response r;
    r.status = status;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
    return r;
}

Response json_error(int status, const std::string& message, json extra) {
    json body = extra.is_object() ? std::move(extra) : json::object();
    body["error"] = message;
    return json_response(status, body);
}

// ---- start ------------------------------------------------------------------------------------

App::App(const Config& c, std::ostream& out)
    : config(c), log(out, c.debug_log),
      http_(
          io, c.limits,
          [this](Request r, Respond respond) { handle(std::move(r), std::move(respond)); },
          [this](int status) {
              metrics.add("nudge_http_requests_total",
                          {{"route", "refused"}, {"status", std::to_string(status)}});
          }),
      wake_(io), drain_timer_(io), stop_signals_(io, SIGINT, SIGTERM), hup_signal_(io, SIGHUP),
      workers_(std::max<std::size_t>(1, c.limits.send_workers)) {
    metrics.family("nudge_http_requests_total", "counter", "HTTP requests by route and status.");
    metrics.family("nudge_triggers_total", "counter", "Events received, by event.");
    metrics.family("nudge_instances_started_total", "counter", "Instances started, by flow.");
    metrics.family("nudge_suppressions_total", "counter",
                   "Triggers that started nothing, by flow and reason.");
    metrics.family("nudge_signals_total", "counter", "Instances moved by an event, by flow.");
    metrics.family("nudge_replies_total", "counter", "Inbound messages, by how they were routed.");
    metrics.family("nudge_sends_total", "counter",
                   "Messages handed to a transport, by channel and result.");
    metrics.family("nudge_delivery_reports_total", "counter",
                   "Gateway delivery reports, by status.");
    metrics.family("nudge_timers_fired_total", "counter", "Engine timers fired.");
    metrics.family("nudge_outbox_pending", "gauge", "Messages written but not yet done.");
    metrics.family("nudge_sends_in_flight", "gauge", "Messages a worker is sending now.");
    metrics.family("nudge_instances_live", "gauge", "Instances waiting or pending.");
    metrics.family("nudge_commit_seconds", "histogram", "Time to commit one group of inputs.",
                   {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1});
    metrics.family("nudge_commit_batch_size", "histogram", "Inputs committed together.",
                   {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000});
    metrics.family("nudge_build_info", "gauge", "Always 1; the version in a label.");
    metrics.set("nudge_build_info", {{"version", NUDGE_VERSION_STRING}}, 1);
}

App::~App() {
    workers_.join();
    syncer_.join();
}

void App::setup_transports() {
    for (const auto& [name, ch] : config.channels) {
        std::unique_ptr<Transport> t;
        if (ch.kind == "kannel") {
            KannelOptions o;
            o.sendsms_url = ch.url;
            o.username = ch.username;
            o.password = ch.password;
            o.smsc = ch.smsc;
            o.dlr_mask = ch.dlr_mask;
            if (ch.dlr_mask != 0 && !config.kannel_token.empty())
                o.dlr_url = config.public_url + "/v1/dlr/kannel/" + config.kannel_token +
                            "?id={id}&status=%d";
            t = std::make_unique<KannelTransport>(o);
        } else if (ch.kind == "smtp") {
            SmtpOptions o;
            o.url = ch.url;
            o.username = ch.username;
            o.password = ch.password;
            o.from = ch.from;
            o.require_tls = ch.require_tls;
            t = std::make_unique<SmtpTransport>(o);
        } else if (ch.kind == "webhook") {
            t = std::make_unique<WebhookTransport>(WebhookOptions{ch.url, ch.secret, {}});
        } else {
            t = std::make_unique<FileTransport>(ch.path);
        }
        transports.add(name, std::move(t));
    }
}

namespace {

// The flow files of a folder, in name order; a twin (x.flow beside x.flow.yaml) is read once,
// from its .flow.
std::vector<std::filesystem::path> flow_files(const std::string& folder) {
    std::vector<std::filesystem::path> out;
    std::set<std::string> stems;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
        auto name = e.path().filename().string();
        auto ends = [&](std::string_view s) {
            return name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
        };
        if (ends(".flow")) {
            out.push_back(e.path());
            stems.insert(name.substr(0, name.size() - 5));
        }
    }
    for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
        auto name = e.path().filename().string();
        if (name.size() > 10 && name.compare(name.size() - 10, 10, ".flow.yaml") == 0 &&
            !stems.count(name.substr(0, name.size() - 10)))
            out.push_back(e.path());
    }
    if (ec) throw error(folder + ": cannot read the flows folder: " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

FlowInfo describe(std::shared_ptr<const CompiledFlow> flow, std::string file) {
    FlowInfo info;
    const auto& def = flow->flow();
    for (const auto& t : def.triggers) {
        info.triggers.insert(t.event);
        info.key_field = t.key;
    }
    auto scan = [&](const std::vector<nudge::Handler>& handlers) {
        for (const auto& h : handlers)
            if (h.kind == nudge::Handler::Kind::event) info.events.insert(h.event);
    };
    for (const auto& s : def.states)
        scan(s.handlers);
    scan(def.from_any);
    info.flow = std::move(flow);
    info.file = std::move(file);
    return info;
}

} // namespace

void App::load_flows(bool initial, json* report) {
    auto files = flow_files(config.flows);
    if (files.empty() && initial) throw error(config.flows + ": no .flow or .flow.yaml files");
    std::map<std::string, FlowInfo> next;
    std::map<std::string, std::string> bases; // flows run per business → their file
    json refused = json::array();
    json loaded = json::array();
    for (const auto& file : files) {
        auto result = compile_file(file);
        if (!result.ok()) {
            std::string source;
            std::ifstream in(file);
            source.assign(std::istreambuf_iterator<char>(in), {});
            auto text = render(result.diagnostics, source);
            if (initial) {
                std::cerr << text;
                throw error(file.string() + ": the flow has errors; nothing was started");
            }
            refused.push_back({{"file", file.string()}, {"diagnostics", text}});
            continue;
        }
        const auto& name = result.flow->flow().name;
        if (next.count(name) || bases.count(name)) {
            auto why = "flow " + name + " is defined by both " +
                       (bases.count(name) ? bases[name] : next[name].file) + " and " +
                       file.string();
            if (initial) throw error(why);
            refused.push_back({{"file", file.string()}, {"diagnostics", why}});
            continue;
        }
        // A flow some business runs is loaded once per business, with its settings, and
        // not on its own.
        bool for_businesses = false;
        for (const auto& [business, flows_of] : config.businesses) {
            auto values = flows_of.find(name);
            if (values == flows_of.end()) continue;
            for_businesses = true;
            // What people changed in the console wins over the config's value.
            auto merged = values->second;
            for (auto& [setting, value] : engine->changed_settings(name, business))
                merged[setting] = value;
            auto applied = apply_settings(result.flow->flow(), business, merged);
            if (!applied.ok()) {
                auto text = render(applied.diagnostics, "");
                if (initial) {
                    std::cerr << text;
                    throw error(file.string() + ": business " + business +
                                "'s settings do not fit the flow; nothing was started");
                }
                refused.push_back(
                    {{"file", file.string()}, {"business", business}, {"diagnostics", text}});
                continue;
            }
            next[applied.flow->flow().name] = describe(applied.flow, file.string());
        }
        if (for_businesses) {
            bases[name] = file.string();
            continue;
        }
        next[name] = describe(result.flow, file.string());
    }
    for (const auto& [business, flows_of] : config.businesses) {
        for (const auto& [flow, values] : flows_of) {
            if (bases.count(flow)) continue;
            auto why = "business " + business + " names flow " + flow + ", which " + config.flows +
                       " does not have";
            if (initial) throw error(why);
            refused.push_back(
                {{"file", config.flows}, {"business", business}, {"diagnostics", why}});
        }
    }
    for (auto& [name, info] : next) {
        int before = engine->engine().version(name);
        int version = engine->load(info.flow);
        if (version != before)
            loaded.push_back({{"flow", name}, {"version", version}, {"file", info.file}});
        flows[name] = std::move(info);
    }
    if (report) *report = {{"loaded", loaded}, {"refused", refused}};
    for (const auto& l : loaded)
        log.info("flow_loaded", l);
    for (const auto& r : refused)
        log.warn("flow_refused", {{"file", r["file"]}, {"diagnostics", r["diagnostics"]}});
}

Migration App::install(std::shared_ptr<const CompiledFlow> flow) {
    const auto name = flow->flow().name;
    auto file = flows.count(name) ? flows[name].file : std::string();
    int version = engine->load(flow);
    flows[name] = describe(std::move(flow), file);
    log.info("flow_loaded", {{"flow", name}, {"version", version}, {"file", file}});
    return engine->migrate(name);
}

json App::reload() {
    json report;
    try {
        load_flows(false, &report);
    } catch (const std::exception& e) {
        report = {{"loaded", json::array()},
                  {"refused", json::array({{{"file", config.flows}, {"diagnostics", e.what()}}})}};
        log.warn("reload_failed", {{"error", e.what()}});
    }
    arm();
    return report;
}

// ---- the loop ---------------------------------------------------------------------------------

int App::run() {
    // A peer that closes its end (a client, Graphviz's `dot`) must not end the server.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        for (const auto& key : config.webhook_secrets) {
            auto k = detail::webhook_key(key);
            if (!k) throw error("a webhook secret starts with whsec_ but is not base64");
            webhook_keys.push_back(*k);
        }
        if (config.fake_clock) {
            auto fc = std::make_unique<FakeClock>(*config.fake_clock);
            fake_clock = fc.get();
            clock = std::move(fc);
        } else {
            clock = std::make_unique<SystemClock>();
        }
        setup_transports();
        DurableOptions options;
        options.deliver_after_step = false;
        options.synchronous_full = config.synchronous_full;
        // Full durability by group commit: a commit only appends to the log, and a flusher
        // thread makes every commit before it durable in one go (after_durable).
        options.deferred_sync = config.synchronous_full;
        deferred_sync_ = config.synchronous_full;
        options.keep_finished = config.limits.keep_finished;
        options.cache_kib = static_cast<std::int64_t>(config.limits.db_cache_mib) * 1024;
        engine = std::make_unique<DurableEngine>(config.database, *clock, transports, options);
        load_flows(true, nullptr);
        if (!config.console.users.empty()) console = std::make_unique<console::Console>(*this);
        http_.listen(config.listen);
    } catch (const flow_error& e) {
        log.error("start_failed", {{"error", e.what()}});
        return 1;
    } catch (const std::exception& e) {
        log.error("start_failed", {{"error", e.what()}});
        return 1;
    }
    json started = {{"listen", config.listen},
                    {"port", http_.port()},
                    {"database", config.database},
                    {"flows", json::array()},
                    {"steps", engine->steps()}};
    for (const auto& [name, info] : flows)
        started["flows"].push_back(name);
    if (fake_clock) started["fake_clock"] = format_instant(clock->now());
    log.info("started", started);
    wait_for_signals();
    // Work the database holds from before a restart: deadlines that passed, unsent messages.
    net::post(io, [this] { on_wake(); });
    io.run();
    log.info("stopped", {{"steps", engine->steps()}});
    return 0;
}

void App::wait_for_signals() {
    stop_signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec) return;
        log.info("draining", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
        draining = true;
        http_.stop_accepting();
        hup_signal_.cancel();
        wake_.cancel();
        drain_deadline_ = std::chrono::steady_clock::now() + config.limits.drain_timeout;
        drain_step();
    });
    wait_for_hup();
}

void App::wait_for_hup() {
    hup_signal_.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec || draining) return;
        log.info("reload", {{"signal", "SIGHUP"}});
        reload();
        wait_for_hup();
    });
}

// Drain: queued inputs are committed and answered, sends in flight may finish (until the
// drain deadline), then idle connections close and the loop ends. A send still in flight
// at the deadline is not marked done, so the next start hands it over again (same key).
void App::drain_step() {
    if (!queue_.empty()) flush();
    auto now = std::chrono::steady_clock::now();
    // Answers waiting for the disk are always waited for; sends only until the deadline.
    if ((in_flight_ > 0 && now < drain_deadline_) || syncing_ || !durable_waiters_.empty()) {
        drain_timer_.expires_after(std::chrono::milliseconds(20));
        drain_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) drain_step();
        });
        return;
    }
    if (in_flight_ > 0)
        log.warn("drain_timeout", {{"sends_in_flight", in_flight_},
                                   {"note", "handed over again with the same keys on restart"}});
    if (!results_.empty()) settle();
    http_.close_idle();
    io.stop();
}

void App::arm() {
    if (draining) return;
    std::optional<Instant> next = engine->next_due();
    if (auto d = engine->next_delivery(); d && (!next || *d < *next)) next = d;
    if (!next) {
        armed_for_.reset();
        wake_.cancel();
        return;
    }
    // Armed for this very instant already: re-arming would only cost a system call.
    if (!fake_clock && armed_for_ == next) return;
    auto now = clock->now();
    if (fake_clock) {
        // The fake clock moves only by /v1/clock/advance; what is due now runs at once.
        if (*next <= now) net::post(io, [this] { on_wake(); });
        return;
    }
    auto wait = *next > now ? std::chrono::duration_cast<std::chrono::milliseconds>(*next - now)
                            : std::chrono::milliseconds(0);
    armed_for_ = next;
    wake_.expires_after(wait);
    wake_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        armed_for_.reset();
        on_wake();
    });
}

void App::on_wake() {
    if (draining) return;
    if (!queue_.empty()) flush();
    try {
        auto fired = engine->run_due();
        if (fired > 0) metrics.add("nudge_timers_fired_total", {}, fired);
        store_ok = true;
    } catch (const store_error& e) {
        store_ok = false;
        log.error("store_error", {{"during", "run_due"}, {"error", e.what()}});
    }
    dispatch();
    arm();
}

// ---- delivery ---------------------------------------------------------------------------------

void App::dispatch() {
    if (draining) return;
    auto capacity = config.limits.send_workers * 4;
    if (in_flight_ >= capacity) return;
    std::vector<OutboxItem> items;
    try {
        items = engine->take_due(capacity - in_flight_);
    } catch (const store_error& e) {
        store_ok = false;
        log.error("store_error", {{"during", "take_due"}, {"error", e.what()}});
        return;
    }
    in_flight_ += items.size();
    // A message goes out only once the step that wrote it is on the disk.
    after_durable([this, items = std::move(items)]() mutable {
        for (auto& item : items)
            hand_over(std::move(item.message));
    });
}

void App::hand_over(Message message) {
    net::post(workers_, [this, message = std::move(message)] {
        SendResult r = transports.send(message);
        net::post(io, [this, key = message.id, channel = message.channel, to = message.to,
                       r = std::move(r)]() mutable {
            --in_flight_;
            count_send(channel, to, r);
            results_.emplace_back(std::move(key), std::move(r));
            if (!settle_posted_) {
                settle_posted_ = true;
                net::post(io, [this] { settle(); });
            }
        });
    });
}

// Counted where the send finished, from what was handed to the worker: settling reads no row.
void App::count_send(const std::string& channel, const std::string& to, const SendResult& r) {
    auto result = r.accepted ? "accepted" : r.permanent ? "failed" : "retry";
    metrics.add("nudge_sends_total", {{"channel", channel}, {"result", result}});
    if (!r.accepted)
        log.warn("send_refused", {{"channel", channel},
                                  {"permanent", r.permanent},
                                  {"error", r.error},
                                  {"to", log.personal(to)}});
}

void App::settle() {
    settle_posted_ = false;
    if (results_.empty()) return;
    auto results = std::move(results_);
    results_.clear();
    try {
        engine->settle(results);
        store_ok = true;
    } catch (const store_error& e) {
        // Not marked done: handed over again later with the same keys.
        store_ok = false;
        log.error("store_error", {{"during", "settle"}, {"error", e.what()}});
    }
    dispatch();
    arm();
}

void App::refresh_gauges() {
    metrics.set("nudge_sends_in_flight", {}, static_cast<double>(in_flight_));
    metrics.set("nudge_outbox_pending", {}, static_cast<double>(engine->unfinished_count()));
    metrics.set("nudge_instances_live", {}, static_cast<double>(engine->engine().stats().live));
}

// ---- the group commit ---------------------------------------------------------------------

void App::submit(PendingInput input) {
    queue_.push_back(std::move(input));
    if (queue_.size() >= config.limits.batch_max) {
        flush();
        return;
    }
    if (!flush_posted_) {
        // Posted, not run now: requests whose bytes are already here are read first and
        // join this commit.
        flush_posted_ = true;
        net::post(io, [this] {
            flush_posted_ = false;
            flush();
        });
    }
}

void App::flush() {
    if (queue_.empty()) return;
    auto inputs = std::move(queue_);
    queue_.clear();
    std::vector<Response> answers(inputs.size());
    std::map<std::string, std::size_t> first_with_key;
    auto started = std::chrono::steady_clock::now();
    try {
        engine->batch([&] {
            for (std::size_t i = 0; i < inputs.size(); ++i) {
                const auto& key = inputs[i].key;
                if (!key.empty()) {
                    if (auto it = first_with_key.find(key); it != first_with_key.end()) {
                        answers[i] = answers[it->second];
                        continue;
                    }
                    if (auto stored = engine->receipt(key)) {
                        auto j = json::parse(*stored);
                        answers[i].status = j.at("status").get<int>();
                        answers[i].body = j.at("body").get<std::string>();
                        answers[i].headers.emplace_back("x-nudge-replayed", "true");
                        first_with_key[key] = i;
                        continue;
                    }
                }
                try {
                    answers[i] = inputs[i].run();
                } catch (const store_error&) {
                    throw; // the whole batch is lost: answered 503 below
                } catch (const data_error& e) {
                    // Data a flow cannot take (a required field missing): nothing started.
                    answers[i] =
                        json_error(422, e.what(), {{"field", e.field()}, {"flow", e.flow()}});
                } catch (const nudge::error& e) {
                    // Refused by the engine before it changed anything (an instance that has
                    // ended, say): this request fails, the rest of the batch goes on.
                    answers[i] = json_error(409, e.what());
                }
                if (!key.empty()) {
                    first_with_key[key] = i;
                    engine->remember(
                        key, json{{"status", answers[i].status}, {"body", answers[i].body}}.dump());
                }
            }
        });
        store_ok = true;
    } catch (const store_error& e) {
        store_ok = false;
        log.error("store_error",
                  {{"during", "commit"}, {"inputs", inputs.size()}, {"error", e.what()}});
        for (auto& a : answers)
            a = json_error(503, "the database could not save the request; nothing happened, "
                                "try again");
    }
    auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics.observe("nudge_commit_seconds", seconds);
    metrics.observe("nudge_commit_batch_size", static_cast<double>(inputs.size()));
    after_durable([this, inputs = std::move(inputs), answers = std::move(answers)]() mutable {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            metrics.add(
                "nudge_http_requests_total",
                {{"route", inputs[i].route}, {"status", std::to_string(answers[i].status)}});
            inputs[i].respond(std::move(answers[i]));
        }
    });
    dispatch();
    arm();
}

void App::after_durable(std::function<void()> then) {
    if (!deferred_sync_ || (durable_waiters_.empty() && engine->commits() <= synced_upto_)) {
        then();
        return;
    }
    durable_waiters_.emplace_back(engine->commits(), std::move(then));
    if (!syncing_) start_sync();
}

void App::start_sync() {
    syncing_ = true;
    auto upto = engine->commits();
    // sync_to_disk() is the engine's one member that may run on another thread.
    net::post(syncer_, [this, upto] {
        std::string failure;
        try {
            engine->sync_to_disk();
        } catch (const std::exception& e) {
            failure = e.what();
        }
        net::post(io, [this, upto, failure] { synced(upto, failure); });
    });
}

void App::synced(std::uint64_t upto, const std::string& failure) {
    syncing_ = false;
    if (!failure.empty()) {
        // Nothing waiting is released: the flush is tried again (answers and sends wait).
        store_ok = false;
        log.error("store_error", {{"during", "flush to disk"}, {"error", failure}});
        drain_timer_.expires_after(std::chrono::milliseconds(100));
        drain_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (!ec && !syncing_ && !durable_waiters_.empty()) start_sync();
        });
        return;
    }
    synced_upto_ = std::max(synced_upto_, upto);
    while (!durable_waiters_.empty() && durable_waiters_.front().first <= upto) {
        auto then = std::move(durable_waiters_.front().second);
        durable_waiters_.pop_front();
        then();
    }
    if (!durable_waiters_.empty()) start_sync();
}

// ---- test mode ------------------------------------------------------------------------------

json App::advance(std::chrono::seconds by) {
    flush();
    auto target = clock->now() + by;
    int fired = 0;
    while (true) {
        auto next = engine->next_due();
        if (!next || *next > target) break;
        if (*next > clock->now()) fake_clock->set(*next);
        auto n = engine->run_due();
        fired += n;
        // A deadline that fired nothing and is still the next one would spin: stop there.
        if (n == 0 && engine->next_due() == next) break;
    }
    fake_clock->set(target);
    fired += engine->run_due();
    if (fired > 0) metrics.add("nudge_timers_fired_total", {}, fired);
    dispatch();
    arm();
    return {{"now", format_instant(clock->now())}, {"fired", fired}};
}

int serve(const Config& config, std::ostream& log) {
    App app(config, log);
    return app.run();
}

} // namespace nudge::server
