// The C API over the C++ library. Every entry point catches everything: a C caller sees a
// status and nudge_last_error(), never an exception.
#include "advance.hpp"
#include "senders.hpp"
#include <nudge/nudge.h>

#include <nudge/nudge.hpp>
#include <nudge/scenario.hpp>
#include <nudge/settings.hpp>
#include <nudge/store.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

using json = nlohmann::ordered_json;

struct nudge_flow {
    nudge::CompileResult result;
    std::string name;
};

struct nudge_clock {
    std::unique_ptr<nudge::Clock> clock;
    nudge::FakeClock* fake = nullptr; // set for fake clocks
};

namespace {

// Hands each message to the C callback; the strings live until the callback returns.
class CallbackTransport final : public nudge::Transport {
public:
    CallbackTransport(nudge_send_fn send, void* user) : send_(send), user_(user) {}
    nudge::SendResult send(const nudge::Message& m) override {
        nudge_message c{};
        c.id = m.id.c_str();
        c.flow = m.flow.c_str();
        c.instance = m.instance;
        c.key = m.key.c_str();
        c.channel = m.channel.c_str();
        c.to = m.to.c_str();
        c.from = m.from.c_str();
        c.subject = m.subject ? m.subject->c_str() : nullptr;
        c.text = m.text.c_str();
        c.at = m.at.time_since_epoch().count();
        c.reminder = m.reminder ? 1 : 0;
        if (send_(user_, &c) == NUDGE_SEND_ACCEPTED) return {};
        return {.accepted = false, .transport_id = {}, .error = "refused by the host's transport"};
    }

private:
    nudge_send_fn send_;
    void* user_;
};

} // namespace

struct nudge_transport {
    std::unique_ptr<nudge::Transport> transport;
    nudge::RecordingTransport* recording = nullptr; // set for recording transports
};

namespace {

// The time zone of each loaded flow, for the times in JSON answers.
struct FlowZones {
    std::map<std::string, std::string, std::less<>> zones; // flow name → its time zone
    std::string first_zone = "UTC";

    void add(const nudge::CompiledFlow& flow) {
        auto zone = flow.flow().timezone.value_or("UTC");
        if (zones.empty()) first_zone = zone;
        zones[flow.flow().name] = zone;
    }
    std::string zone_of(std::string_view flow) const {
        auto it = zones.find(flow);
        return it == zones.end() ? first_zone : it->second;
    }
};

} // namespace

struct nudge_engine {
    nudge_engine(nudge_clock* c, nudge_transport* t) : clock(c), engine(*c->clock, *t->transport) {
        engine.on_record([this](const nudge::Record& r) { timeline.push_back(r); });
    }
    nudge_clock* clock;
    nudge::Engine engine;
    std::vector<nudge::Record> timeline;
    FlowZones zones;
    nudge::bindings::SenderNumbers senders;
};

struct nudge_durable {
    nudge_clock* clock;
    std::unique_ptr<nudge::DurableEngine> engine;
    std::vector<nudge::Record> timeline; // since this handle opened the database
    FlowZones zones;
    nudge::bindings::SenderNumbers senders;
};

namespace {

thread_local std::string last_error;

// A status with its message, thrown inside the API and turned into a return value at the edge.
struct failure {
    nudge_status status;
    std::string message;
};

void require(bool ok, const char* what) {
    if (!ok) throw failure{NUDGE_ERROR_INVALID_ARGUMENT, what};
}

void remember(const char* message) noexcept {
    try {
        last_error = message;
    } catch (...) { // no memory for the message: keep the status at least
    }
}

template <class F> nudge_status guarded(F&& body) noexcept {
    try {
        body();
        return NUDGE_OK;
    } catch (const failure& f) {
        remember(f.message.c_str());
        return f.status;
    } catch (const std::bad_alloc&) {
        remember("out of memory");
        return NUDGE_ERROR_OUT_OF_MEMORY;
    } catch (const nudge::flow_error& e) {
        remember(e.what());
        return NUDGE_ERROR_FLOW;
    } catch (const nudge::store_error& e) {
        remember(e.what());
        return NUDGE_ERROR_STORE;
    } catch (const nudge::io_error& e) {
        remember(e.what());
        return NUDGE_ERROR_IO;
    } catch (const nudge::error& e) {
        remember(e.what());
        return NUDGE_ERROR_INVALID_ARGUMENT;
    } catch (const std::exception& e) {
        remember(e.what());
        return NUDGE_ERROR_INTERNAL;
    } catch (...) {
        remember("unknown exception");
        return NUDGE_ERROR_INTERNAL;
    }
}

// A copy the caller releases with nudge_string_free.
char* give(const std::string& s) {
    auto* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (!out) throw std::bad_alloc();
    std::memcpy(out, s.data(), s.size() + 1);
    return out;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

nudge::Data read_data(const char* data_json) {
    nudge::Data data;
    if (!data_json || !*data_json) return data;
    json j = json::parse(data_json, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        throw failure{NUDGE_ERROR_INVALID_ARGUMENT, "data is not a JSON object"};
    for (const auto& [name, value] : j.items()) {
        if (value.is_string())
            data[name] = value.get<std::string>();
        else if (value.is_null())
            data[name] = "";
        else if (value.is_primitive())
            data[name] = value.dump();
        else
            throw failure{NUDGE_ERROR_INVALID_ARGUMENT,
                          "data field '" + name + "' is not a string, number or boolean"};
    }
    return data;
}

json record_json(const nudge::Record& r, std::string_view zone) {
    return json::parse(nudge::to_json(r, zone)); // one record format, the library's
}

json instance_json(const FlowZones& zones, const nudge::InstanceView& v) {
    auto zone = zones.zone_of(v.flow);
    json j;
    j["id"] = v.id;
    j["flow"] = v.flow;
    j["version"] = v.version;
    j["key"] = v.key;
    j["state"] = v.state;
    j["status"] = std::string(nudge::to_string(v.status));
    j["started"] = nudge::format_instant(v.started, zone);
    j["entered"] = nudge::format_instant(v.entered, zone);
    j["fields"] = json::object();
    for (const auto& [name, value] : v.fields)
        j["fields"][name] = value;
    j["outcome"] = v.outcome ? json(*v.outcome) : json(nullptr);
    j["outcome_value"] = v.outcome_value ? json(*v.outcome_value) : json(nullptr);
    j["history"] = json::array();
    for (const auto& r : v.history)
        j["history"].push_back(record_json(r, zone));
    return j;
}

json instances_json(const FlowZones& zones, const std::vector<nudge::InstanceView>& vs) {
    json j = json::array();
    for (const auto& v : vs)
        j.push_back(instance_json(zones, v));
    return j;
}

json message_json(const nudge::Message& m, const std::string& zone) {
    json o;
    o["id"] = m.id;
    o["flow"] = m.flow;
    o["instance"] = m.instance;
    o["key"] = m.key;
    o["channel"] = m.channel;
    o["to"] = m.to;
    o["from"] = m.from;
    o["subject"] = m.subject ? json(*m.subject) : json(nullptr);
    o["text"] = m.text;
    o["at"] = nudge::format_instant(m.at, zone);
    o["reminder"] = m.reminder;
    return o;
}

json inbox_json(const std::vector<nudge::InboxItem>& inbox, const std::string& zone) {
    json j = json::array();
    for (const auto& item : inbox) {
        json o;
        o["id"] = item.id;
        o["at"] = nudge::format_instant(item.at, zone);
        o["from"] = item.message.from;
        o["to"] = item.message.to;
        o["text"] = item.message.text;
        o["reason"] = item.reason;
        o["candidates"] = item.candidates;
        o["assigned_to"] = item.assigned_to ? json(*item.assigned_to) : json(nullptr);
        j.push_back(std::move(o));
    }
    return j;
}

json timers_json(const std::vector<nudge::PendingTimer>& timers, const std::string& zone) {
    json j = json::array();
    for (const auto& t : timers)
        j.push_back(
            {{"due", nudge::format_instant(t.due, zone)}, {"kind", t.kind}, {"what", t.what}});
    return j;
}

json timeline_json(const std::vector<nudge::Record>& timeline, const FlowZones& zones) {
    json j = json::array();
    for (const auto& r : timeline)
        j.push_back(record_json(r, zones.zone_of(r.flow)));
    return j;
}

std::string text_or(const char* s, const char* fallback = "") { return s ? s : fallback; }

} // namespace

extern "C" {

const char* nudge_status_string(nudge_status status) {
    switch (status) {
    case NUDGE_OK: return "ok";
    case NUDGE_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case NUDGE_ERROR_FLOW: return "flow error";
    case NUDGE_ERROR_IO: return "i/o error";
    case NUDGE_ERROR_NOT_FOUND: return "not found";
    case NUDGE_ERROR_UNSUPPORTED: return "unsupported";
    case NUDGE_ERROR_OUT_OF_MEMORY: return "out of memory";
    case NUDGE_ERROR_INTERNAL: return "internal error";
    case NUDGE_ERROR_STORE: return "store error";
    }
    return "unknown status";
}

const char* nudge_last_error(void) { return last_error.c_str(); }

void nudge_string_free(char* string) { std::free(string); }

const char* nudge_version(void) { return NUDGE_VERSION_STRING; }

// ---- flows ----------------------------------------------------------------------------------

static nudge_status finish_compile(nudge::CompileResult result, nudge_flow** out) {
    auto flow = std::make_unique<nudge_flow>();
    flow->result = std::move(result);
    if (flow->result.flow) flow->name = flow->result.flow->flow().name;
    bool ok = flow->result.ok();
    if (!ok) {
        std::string first = "the flow has errors";
        for (const auto& d : flow->result.diagnostics)
            if (d.severity == nudge::Severity::error) {
                first = nudge::render(d);
                if (!first.empty() && first.back() == '\n') first.pop_back();
                break;
            }
        last_error = first;
    }
    *out = flow.release();
    return ok ? NUDGE_OK : NUDGE_ERROR_FLOW;
}

nudge_status nudge_flow_compile(const char* text, const char* filename, nudge_flow** out) {
    nudge_status status = NUDGE_OK;
    auto s = guarded([&] {
        require(text && out, "text and out must not be NULL");
        status = finish_compile(nudge::compile_source(text, text_or(filename, "<text>")), out);
    });
    return s == NUDGE_OK ? status : s;
}

nudge_status nudge_flow_compile_file(const char* path, nudge_flow** out) {
    nudge_status status = NUDGE_OK;
    auto s = guarded([&] {
        require(path && out, "path and out must not be NULL");
        status = finish_compile(nudge::compile_file(path), out);
    });
    return s == NUDGE_OK ? status : s;
}

nudge_status nudge_flow_apply_settings(const nudge_flow* flow, const char* business,
                                       const char* values_json, nudge_flow** out) {
    nudge_status status = NUDGE_OK;
    auto s = guarded([&] {
        require(flow && out, "flow and out must not be NULL");
        require(flow->result.flow != nullptr, "the flow could not be read");
        nudge::SettingValues values;
        if (values_json && *values_json) {
            json j = json::parse(values_json, nullptr, false);
            if (j.is_discarded() || !j.is_object())
                throw failure{NUDGE_ERROR_INVALID_ARGUMENT, "values are not a JSON object"};
            for (const auto& [name, value] : j.items()) {
                std::string text;
                if (value.is_array()) {
                    for (const auto& item : value) {
                        if (!item.is_string())
                            throw failure{NUDGE_ERROR_INVALID_ARGUMENT,
                                          "setting " + name + ": a list holds strings"};
                        text += (text.empty() ? "" : "\n") + item.get<std::string>();
                    }
                } else if (value.is_string()) {
                    text = value.get<std::string>();
                } else {
                    throw failure{NUDGE_ERROR_INVALID_ARGUMENT,
                                  "setting " + name + " must be a string or a list of strings"};
                }
                values[name] = text;
            }
        }
        status = finish_compile(
            nudge::apply_settings(flow->result.flow->flow(), text_or(business), values), out);
    });
    return s == NUDGE_OK ? status : s;
}

void nudge_flow_free(nudge_flow* flow) { delete flow; }

int nudge_flow_ok(const nudge_flow* flow) { return flow && flow->result.ok() ? 1 : 0; }

const char* nudge_flow_name(const nudge_flow* flow) { return flow ? flow->name.c_str() : ""; }

nudge_status nudge_flow_diagnostics_json(const nudge_flow* flow, char** out_json) {
    return guarded([&] {
        require(flow && out_json, "flow and out_json must not be NULL");
        // The library's diagnostics JSON, made compact like every other JSON here.
        *out_json = give(dump(json::parse(nudge::to_json(flow->result.diagnostics))));
    });
}

// ---- clocks ---------------------------------------------------------------------------------

nudge_status nudge_clock_new_fake(const char* start_iso, nudge_clock** out) {
    return guarded([&] {
        require(start_iso && out, "start_iso and out must not be NULL");
        auto c = std::make_unique<nudge_clock>();
        auto fake = std::make_unique<nudge::FakeClock>(std::string_view(start_iso));
        c->fake = fake.get();
        c->clock = std::move(fake);
        *out = c.release();
    });
}

nudge_status nudge_clock_new_system(nudge_clock** out) {
    return guarded([&] {
        require(out, "out must not be NULL");
        auto c = std::make_unique<nudge_clock>();
        c->clock = std::make_unique<nudge::SystemClock>();
        *out = c.release();
    });
}

void nudge_clock_free(nudge_clock* clock) { delete clock; }

nudge_status nudge_clock_now(const nudge_clock* clock, int64_t* out_unix_seconds) {
    return guarded([&] {
        require(clock && out_unix_seconds, "clock and out must not be NULL");
        *out_unix_seconds = clock->clock->now().time_since_epoch().count();
    });
}

static nudge::FakeClock& fake_of(nudge_clock* clock) {
    require(clock, "clock must not be NULL");
    if (!clock->fake) throw failure{NUDGE_ERROR_UNSUPPORTED, "only a fake clock can be moved"};
    return *clock->fake;
}

nudge_status nudge_clock_advance(nudge_clock* clock, int64_t seconds) {
    return guarded([&] {
        require(seconds >= 0, "a clock cannot move backwards");
        fake_of(clock).advance(std::chrono::seconds{seconds});
    });
}

nudge_status nudge_clock_set(nudge_clock* clock, int64_t unix_seconds) {
    return guarded([&] { fake_of(clock).set(nudge::Instant{std::chrono::seconds{unix_seconds}}); });
}

// ---- transports -----------------------------------------------------------------------------

nudge_status nudge_transport_new_recording(nudge_transport** out) {
    return guarded([&] {
        require(out, "out must not be NULL");
        auto t = std::make_unique<nudge_transport>();
        auto rec = std::make_unique<nudge::RecordingTransport>();
        t->recording = rec.get();
        t->transport = std::move(rec);
        *out = t.release();
    });
}

nudge_status nudge_transport_new_callback(nudge_send_fn send, void* user_data,
                                          nudge_transport** out) {
    return guarded([&] {
        require(send && out, "send and out must not be NULL");
        auto t = std::make_unique<nudge_transport>();
        t->transport = std::make_unique<CallbackTransport>(send, user_data);
        *out = t.release();
    });
}

void nudge_transport_free(nudge_transport* transport) { delete transport; }

static const nudge::RecordingTransport& recording_of(const nudge_transport* t) {
    require(t, "transport must not be NULL");
    if (!t->recording)
        throw failure{NUDGE_ERROR_UNSUPPORTED, "only a recording transport keeps messages"};
    return *t->recording;
}

nudge_status nudge_transport_sent_json(const nudge_transport* transport, const char* zone,
                                       char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        const auto& rec = recording_of(transport);
        std::string z = text_or(zone, "UTC");
        nudge::parse_instant("2000-01-01T00:00:00Z", z); // throws for an unknown zone
        json j = json::array();
        for (const auto& m : rec.sent())
            j.push_back(message_json(m, z));
        *out_json = give(dump(j));
    });
}

nudge_status nudge_transport_sent_count(const nudge_transport* transport, size_t* out_count) {
    return guarded([&] {
        require(out_count, "out_count must not be NULL");
        *out_count = recording_of(transport).sent().size();
    });
}

nudge_status nudge_transport_clear(nudge_transport* transport) {
    return guarded([&] {
        recording_of(transport);
        transport->recording->clear();
    });
}

// ---- engines --------------------------------------------------------------------------------

nudge_status nudge_engine_new(nudge_clock* clock, nudge_transport* transport, nudge_engine** out) {
    return guarded([&] {
        require(clock && transport && out, "clock, transport and out must not be NULL");
        *out = new nudge_engine(clock, transport);
    });
}

void nudge_engine_free(nudge_engine* engine) { delete engine; }

nudge_status nudge_engine_load(nudge_engine* engine, const nudge_flow* flow) {
    return guarded([&] {
        require(engine && flow, "engine and flow must not be NULL");
        if (!flow->result.ok())
            throw failure{NUDGE_ERROR_FLOW, "flow '" + flow->name + "' has errors"};
        engine->engine.load(flow->result.flow);
        engine->zones.add(*flow->result.flow);
        engine->senders.add(flow->result.flow->flow());
    });
}

nudge_status nudge_engine_load_version(nudge_engine* engine, const nudge_flow* flow, int version,
                                       int* out_version) {
    return guarded([&] {
        require(engine && flow, "engine and flow must not be NULL");
        if (!flow->result.ok())
            throw failure{NUDGE_ERROR_FLOW, "flow '" + flow->name + "' has errors"};
        int given = engine->engine.load_version(flow->result.flow, version); // error: invalid
        engine->zones.add(*flow->result.flow);
        engine->senders.add(flow->result.flow->flow());
        if (out_version) *out_version = given;
    });
}

nudge_status nudge_engine_migrate_json(nudge_engine* engine, const char* flow, int dry_run,
                                       char** out_json) {
    return guarded([&] {
        require(engine && flow && out_json, "engine, flow and out_json must not be NULL");
        if (engine->engine.version(flow) == 0)
            throw failure{NUDGE_ERROR_NOT_FOUND, std::string("no flow named '") + flow + "'"};
        auto m = engine->engine.migrate(flow, dry_run != 0);
        json j;
        j["flow"] = m.flow;
        j["version"] = m.version;
        j["ok"] = m.ok();
        j["moved"] = json::array();
        for (const auto& x : m.moved)
            j["moved"].push_back(
                {{"instance", x.instance}, {"from_version", x.from_version}, {"state", x.state}});
        j["missing"] = json::array();
        for (const auto& x : m.missing)
            j["missing"].push_back(
                {{"state", x.state}, {"version", x.version}, {"instances", x.instances}});
        *out_json = give(dump(j));
    });
}

nudge_status nudge_engine_trigger(nudge_engine* engine, const char* event, const char* data_json,
                                  uint64_t* out_ids, size_t capacity, size_t* out_count) {
    return guarded([&] {
        require(engine && event, "engine and event must not be NULL");
        require(out_ids || capacity == 0, "out_ids must not be NULL when capacity > 0");
        auto ids = engine->engine.trigger(event, read_data(data_json));
        for (size_t i = 0; i < ids.size() && i < capacity; ++i)
            out_ids[i] = ids[i];
        if (out_count) *out_count = ids.size();
    });
}

nudge_status nudge_engine_trigger_for(nudge_engine* engine, const char* business, const char* event,
                                      const char* data_json, uint64_t* out_ids, size_t capacity,
                                      size_t* out_count) {
    return guarded([&] {
        require(engine && event, "engine and event must not be NULL");
        require(out_ids || capacity == 0, "out_ids must not be NULL when capacity > 0");
        auto ids = engine->engine.trigger_for(text_or(business), event, read_data(data_json));
        for (size_t i = 0; i < ids.size() && i < capacity; ++i)
            out_ids[i] = ids[i];
        if (out_count) *out_count = ids.size();
    });
}

nudge_status nudge_engine_signal(nudge_engine* engine, const char* flow, const char* key,
                                 const char* event, const char* data_json, int* out_moved) {
    return guarded([&] {
        require(engine && key && event, "engine, key and event must not be NULL");
        int moved = engine->engine.signal(text_or(flow), key, event, read_data(data_json));
        if (out_moved) *out_moved = moved;
    });
}

nudge_status nudge_engine_reply(nudge_engine* engine, const char* from, const char* to,
                                const char* text) {
    return guarded([&] {
        require(engine && from && text, "engine, from and text must not be NULL");
        engine->engine.reply({from, engine->senders.fill(text_or(to)), text});
    });
}

nudge_status nudge_engine_run_due(nudge_engine* engine, int* out_fired) {
    return guarded([&] {
        require(engine, "engine must not be NULL");
        int fired = engine->engine.run_due();
        if (out_fired) *out_fired = fired;
    });
}

nudge_status nudge_engine_advance(nudge_engine* engine, int64_t seconds, int* out_fired) {
    return guarded([&] {
        require(engine, "engine must not be NULL");
        auto& clock = fake_of(engine->clock);
        require(seconds >= 0, "a clock cannot move backwards");
        int fired = nudge::bindings::advance_to(clock, engine->engine,
                                                clock.now() + std::chrono::seconds{seconds});
        if (out_fired) *out_fired = fired;
    });
}

nudge_status nudge_engine_next_due(const nudge_engine* engine, int* out_has,
                                   int64_t* out_unix_seconds) {
    return guarded([&] {
        require(engine && out_has && out_unix_seconds, "arguments must not be NULL");
        auto due = engine->engine.next_due();
        *out_has = due ? 1 : 0;
        if (due) *out_unix_seconds = due->time_since_epoch().count();
    });
}

nudge_status nudge_engine_cancel(nudge_engine* engine, uint64_t instance, const char* reason) {
    return guarded([&] {
        require(engine, "engine must not be NULL");
        if (!engine->engine.instance(instance))
            throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        engine->engine.cancel(instance, text_or(reason, "host"));
    });
}

nudge_status nudge_engine_instance_json(const nudge_engine* engine, uint64_t instance,
                                        char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        auto v = engine->engine.instance(instance);
        if (!v) throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        *out_json = give(dump(instance_json(engine->zones, *v)));
    });
}

nudge_status nudge_engine_instances_json(const nudge_engine* engine, const char* flow,
                                         const char* state, char** out_json) {
    return guarded([&] {
        require(engine && flow && out_json, "engine, flow and out_json must not be NULL");
        auto vs = engine->engine.instances(flow, text_or(state));
        *out_json = give(dump(instances_json(engine->zones, vs)));
    });
}

nudge_status nudge_engine_instances_by_key_json(const nudge_engine* engine, const char* key,
                                                char** out_json) {
    return guarded([&] {
        require(engine && key && out_json, "engine, key and out_json must not be NULL");
        *out_json = give(dump(instances_json(engine->zones, engine->engine.instances_by_key(key))));
    });
}

nudge_status nudge_engine_history_json(const nudge_engine* engine, uint64_t instance,
                                       char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        auto v = engine->engine.instance(instance);
        if (!v) throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        *out_json = give(dump(instance_json(engine->zones, *v)["history"]));
    });
}

nudge_status nudge_engine_timeline_json(const nudge_engine* engine, char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        *out_json = give(dump(timeline_json(engine->timeline, engine->zones)));
    });
}

nudge_status nudge_engine_timers_json(const nudge_engine* engine, uint64_t instance,
                                      char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        auto v = engine->engine.instance(instance, false);
        if (!v) throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        *out_json = give(
            dump(timers_json(engine->engine.timers(instance), engine->zones.zone_of(v->flow))));
    });
}

nudge_status nudge_engine_inbox_json(const nudge_engine* engine, char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        *out_json = give(dump(inbox_json(engine->engine.inbox(), engine->zones.first_zone)));
    });
}

nudge_status nudge_engine_stats_json(const nudge_engine* engine, char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        json j = json::object();
        engine->engine.stats().each([&](const char* name, auto value) { j[name] = value; });
        *out_json = give(dump(j));
    });
}

// ---- durable engines ------------------------------------------------------------------------

nudge_status nudge_durable_open(const char* path, nudge_clock* clock, nudge_transport* transport,
                                unsigned flags, nudge_durable** out) {
    return guarded([&] {
        require(path && clock && transport && out,
                "path, clock, transport and out must not be NULL");
        require((flags & ~unsigned{NUDGE_DURABLE_MANUAL_DELIVERY}) == 0, "unknown flags");
        nudge::DurableOptions options;
        options.deliver_after_step = (flags & NUDGE_DURABLE_MANUAL_DELIVERY) == 0;
        auto d = std::make_unique<nudge_durable>();
        d->clock = clock;
        d->engine = std::make_unique<nudge::DurableEngine>(
            std::filesystem::path(path), *clock->clock, *transport->transport, options);
        // Records reach the host only as they first happen, never during the replay above.
        d->engine->on_record(
            [raw = d.get()](const nudge::Record& r) { raw->timeline.push_back(r); });
        *out = d.release();
    });
}

void nudge_durable_free(nudge_durable* engine) { delete engine; }

static nudge::DurableEngine& durable_of(nudge_durable* engine) {
    require(engine, "engine must not be NULL");
    return *engine->engine;
}

static const nudge::DurableEngine& durable_view(const nudge_durable* engine) {
    require(engine, "engine must not be NULL");
    return *engine->engine;
}

nudge_status nudge_durable_load(nudge_durable* engine, const nudge_flow* flow, int* out_version) {
    return guarded([&] {
        require(engine && flow, "engine and flow must not be NULL");
        if (!flow->result.ok())
            throw failure{NUDGE_ERROR_FLOW, "flow '" + flow->name + "' has errors"};
        int version = engine->engine->load(flow->result.flow);
        engine->zones.add(*flow->result.flow);
        engine->senders.add(flow->result.flow->flow());
        if (out_version) *out_version = version;
    });
}

nudge_status nudge_durable_flows_json(const nudge_durable* engine, char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        *out_json = give(dump(json(durable_view(engine).flows())));
    });
}

nudge_status nudge_durable_trigger(nudge_durable* engine, const char* event, const char* data_json,
                                   uint64_t* out_ids, size_t capacity, size_t* out_count) {
    return guarded([&] {
        require(engine && event, "engine and event must not be NULL");
        require(out_ids || capacity == 0, "out_ids must not be NULL when capacity > 0");
        auto ids = engine->engine->trigger(event, read_data(data_json));
        for (size_t i = 0; i < ids.size() && i < capacity; ++i)
            out_ids[i] = ids[i];
        if (out_count) *out_count = ids.size();
    });
}

nudge_status nudge_durable_trigger_for(nudge_durable* engine, const char* business,
                                       const char* event, const char* data_json, uint64_t* out_ids,
                                       size_t capacity, size_t* out_count) {
    return guarded([&] {
        require(engine && event, "engine and event must not be NULL");
        require(out_ids || capacity == 0, "out_ids must not be NULL when capacity > 0");
        auto ids = engine->engine->trigger_for(text_or(business), event, read_data(data_json), {});
        for (size_t i = 0; i < ids.size() && i < capacity; ++i)
            out_ids[i] = ids[i];
        if (out_count) *out_count = ids.size();
    });
}

nudge_status nudge_durable_signal(nudge_durable* engine, const char* flow, const char* key,
                                  const char* event, const char* data_json, int* out_moved) {
    return guarded([&] {
        require(engine && key && event, "engine, key and event must not be NULL");
        int moved = engine->engine->signal(text_or(flow), key, event, read_data(data_json));
        if (out_moved) *out_moved = moved;
    });
}

nudge_status nudge_durable_reply(nudge_durable* engine, const char* from, const char* to,
                                 const char* text) {
    return guarded([&] {
        require(engine && from && text, "engine, from and text must not be NULL");
        engine->engine->reply({from, engine->senders.fill(text_or(to)), text});
    });
}

nudge_status nudge_durable_run_due(nudge_durable* engine, int* out_fired) {
    return guarded([&] {
        int fired = durable_of(engine).run_due();
        if (out_fired) *out_fired = fired;
    });
}

nudge_status nudge_durable_advance(nudge_durable* engine, int64_t seconds, int* out_fired) {
    return guarded([&] {
        require(engine, "engine must not be NULL");
        auto& clock = fake_of(engine->clock);
        require(seconds >= 0, "a clock cannot move backwards");
        int fired = nudge::bindings::advance_to(clock, *engine->engine,
                                                clock.now() + std::chrono::seconds{seconds});
        if (out_fired) *out_fired = fired;
    });
}

nudge_status nudge_durable_next_due(const nudge_durable* engine, int* out_has,
                                    int64_t* out_unix_seconds) {
    return guarded([&] {
        require(out_has && out_unix_seconds, "arguments must not be NULL");
        auto due = durable_view(engine).next_due();
        *out_has = due ? 1 : 0;
        if (due) *out_unix_seconds = due->time_since_epoch().count();
    });
}

nudge_status nudge_durable_cancel(nudge_durable* engine, uint64_t instance, const char* reason) {
    return guarded([&] {
        auto& e = durable_of(engine);
        if (!e.instance(instance, false))
            throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        e.cancel(instance, text_or(reason, "host"));
    });
}

nudge_status nudge_durable_deliver(nudge_durable* engine, int* out_accepted) {
    return guarded([&] {
        int accepted = durable_of(engine).deliver();
        if (out_accepted) *out_accepted = accepted;
    });
}

nudge_status nudge_durable_next_delivery(const nudge_durable* engine, int* out_has,
                                         int64_t* out_unix_seconds) {
    return guarded([&] {
        require(out_has && out_unix_seconds, "arguments must not be NULL");
        auto at = durable_view(engine).next_delivery();
        *out_has = at ? 1 : 0;
        if (at) *out_unix_seconds = at->time_since_epoch().count();
    });
}

nudge_status nudge_durable_outbox_json(const nudge_durable* engine, int unfinished_only,
                                       char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        auto instant = [](const std::optional<nudge::Instant>& t) {
            return t ? json(nudge::format_instant(*t, "UTC")) : json(nullptr);
        };
        json j = json::array();
        for (const auto& item : durable_view(engine).outbox(unfinished_only != 0)) {
            json o = message_json(item.message, "UTC");
            o["step"] = item.step;
            o["attempts"] = item.attempts;
            o["next_attempt"] = nudge::format_instant(item.next_attempt, "UTC");
            o["done_at"] = instant(item.done_at);
            o["failed_at"] = instant(item.failed_at);
            o["last_error"] = item.last_error;
            j.push_back(std::move(o));
        }
        *out_json = give(dump(j));
    });
}

nudge_status nudge_durable_instance_json(const nudge_durable* engine, uint64_t instance,
                                         char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        auto v = durable_view(engine).instance(instance);
        if (!v) throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        *out_json = give(dump(instance_json(engine->zones, *v)));
    });
}

nudge_status nudge_durable_instances_json(const nudge_durable* engine, const char* flow,
                                          const char* state, char** out_json) {
    return guarded([&] {
        require(flow && out_json, "flow and out_json must not be NULL");
        auto vs = durable_view(engine).instances(flow, text_or(state));
        *out_json = give(dump(instances_json(engine->zones, vs)));
    });
}

nudge_status nudge_durable_instances_by_key_json(const nudge_durable* engine, const char* key,
                                                 char** out_json) {
    return guarded([&] {
        require(key && out_json, "key and out_json must not be NULL");
        auto vs = durable_view(engine).engine().instances_by_key(key);
        *out_json = give(dump(instances_json(engine->zones, vs)));
    });
}

nudge_status nudge_durable_history_json(const nudge_durable* engine, uint64_t instance,
                                        char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        auto v = durable_view(engine).instance(instance, false);
        if (!v) throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        auto zone = engine->zones.zone_of(v->flow);
        json j = json::array();
        for (const auto& r : engine->engine->history(instance))
            j.push_back(record_json(r, zone));
        *out_json = give(dump(j));
    });
}

nudge_status nudge_durable_timers_json(const nudge_durable* engine, uint64_t instance,
                                       char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        auto v = durable_view(engine).instance(instance, false);
        if (!v) throw failure{NUDGE_ERROR_NOT_FOUND, "no instance " + std::to_string(instance)};
        *out_json = give(dump(timers_json(engine->engine->engine().timers(instance),
                                          engine->zones.zone_of(v->flow))));
    });
}

nudge_status nudge_durable_inbox_json(const nudge_durable* engine, char** out_json) {
    return guarded([&] {
        require(out_json, "out_json must not be NULL");
        *out_json =
            give(dump(inbox_json(durable_view(engine).engine().inbox(), engine->zones.first_zone)));
    });
}

nudge_status nudge_durable_timeline_json(const nudge_durable* engine, char** out_json) {
    return guarded([&] {
        require(engine && out_json, "engine and out_json must not be NULL");
        *out_json = give(dump(timeline_json(engine->timeline, engine->zones)));
    });
}

nudge_status nudge_durable_steps(const nudge_durable* engine, int64_t* out_steps) {
    return guarded([&] {
        require(out_steps, "out_steps must not be NULL");
        *out_steps = durable_view(engine).steps();
    });
}

// ---- scenarios ------------------------------------------------------------------------------

nudge_status nudge_scenario_run_file(const char* path, char** out_json) {
    return guarded([&] {
        require(path && out_json, "path and out_json must not be NULL");
        auto result = nudge::run_scenario_file(path);
        json j;
        j["ok"] = result.ok;
        j["steps"] = result.steps;
        j["zone"] = result.zone;
        j["failures"] = result.failures;
        j["diagnostics"] = json::parse(nudge::to_json(result.diagnostics));
        j["timeline"] = json::array();
        for (const auto& r : result.timeline)
            j["timeline"].push_back(record_json(r, result.zone));
        *out_json = give(dump(j));
    });
}

} // extern "C"
