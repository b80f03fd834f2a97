// The HTTP interface (docs/http.md): authentication, input checks, and what each route does.
// Inputs that change the engine go through the group commit (App::submit) and are answered
// only after their step is committed; reads answer at once from the engine.
#include "app.hpp"
#include "console/console.hpp"
#include "signature.hpp"
#include "text/phone.hpp"
#include "text/value.hpp"

#include <nudge/compile.hpp>
#include <nudge/error.hpp>
#include <nudge/report.hpp>

#include <boost/asio/post.hpp>

#include <date/tz.h>

#include <charconv>
#include <set>
#include <tuple>

namespace nudge::server {

using json = nlohmann::json;

namespace {

std::string query_value(const Request& r, const std::string& name) {
    for (const auto& [k, v] : parse_form(r.query))
        if (k == name) return v;
    return {};
}

// The body as a JSON object; on failure the 400 answer names the line and column.
std::optional<json> parse_object(const std::string& body, Response& refusal) {
    try {
        auto j = json::parse(body);
        if (!j.is_object()) {
            refusal = json_error(400, "the body must be a JSON object");
            return std::nullopt;
        }
        return j;
    } catch (const json::parse_error& e) {
        std::size_t line = 1, column = 1;
        for (std::size_t i = 0; i + 1 < e.byte && i < body.size(); ++i) {
            if (body[i] == '\n') {
                ++line;
                column = 1;
            } else {
                ++column;
            }
        }
        auto what = std::string(e.what());
        auto colon = what.rfind(": ");
        refusal = json_error(400,
                             "malformed JSON at line " + std::to_string(line) + ", column " +
                                 std::to_string(column) +
                                 (colon == std::string::npos ? "" : ": " + what.substr(colon + 2)),
                             {{"line", line}, {"column", column}});
        return std::nullopt;
    }
}

// JSON values as the engine's text forms; nullopt with `why` for objects and arrays.
std::optional<Data> to_data(const json& object, std::string& why) {
    Data data;
    for (const auto& [k, v] : object.items()) {
        if (v.is_string()) {
            data[k] = v.get<std::string>();
        } else if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float()) {
            data[k] = v.dump();
        } else if (v.is_boolean()) {
            data[k] = v.get<bool>() ? "true" : "false";
        } else if (v.is_null()) {
            data[k] = "";
        } else {
            why = k;
            return std::nullopt;
        }
    }
    return data;
}

const char* type_name(FieldType t) {
    switch (t) {
    case FieldType::text: return "text";
    case FieldType::number: return "a number";
    case FieldType::money: return "an amount of money";
    case FieldType::boolean: return "true or false";
    case FieldType::datetime: return "a date and time (RFC 3339)";
    case FieldType::date: return "a date (YYYY-MM-DD)";
    case FieldType::duration: return "a duration (30m, 2h, 3d)";
    case FieldType::phone: return "a phone number";
    case FieldType::email: return "an e-mail address";
    case FieldType::zone: return "a time zone name";
    }
    return "a value of the field's type";
}

json instance_json(const InstanceView& v, bool with_history, const std::string& zone) {
    json j = {{"id", v.id},
              {"flow", v.flow},
              {"version", v.version},
              {"key", v.key},
              {"state", v.state},
              {"status", std::string(to_string(v.status))},
              {"started", format_instant(v.started, zone)},
              {"entered", format_instant(v.entered, zone)},
              {"fields", v.fields}};
    if (v.outcome) j["outcome"] = *v.outcome;
    if (v.outcome_value) j["outcome_value"] = *v.outcome_value;
    if (with_history) {
        j["history"] = json::array();
        for (const auto& r : v.history)
            j["history"].push_back(json::parse(to_json(r, zone)));
    }
    return j;
}

json inbox_json(const InboxItem& item, const Log& log) {
    json j = {{"id", item.id},
              {"at", format_instant(item.at)},
              {"from", item.message.from},
              {"to", item.message.to},
              {"text", item.message.text},
              {"reason", item.reason},
              {"candidates", item.candidates}};
    (void)log;
    if (item.assigned_to) j["assigned_to"] = *item.assigned_to;
    if (item.handled_at) {
        j["handled_at"] = format_instant(*item.handled_at);
        j["handled_by"] = item.handled_by;
        j["note"] = item.note;
    }
    return j;
}

json metrics_json(const FlowMetrics& m) {
    json outcomes = json::object();
    for (const auto& [label, o] : m.outcomes)
        outcomes[label] = {{"count", o.count}, {"value", o.value}};
    return {{"triggers", m.triggers}, {"starts", m.starts},   {"suppressed", m.suppressed},
            {"sends", m.sends},       {"replies", m.replies}, {"entries", m.entries},
            {"outcomes", outcomes}};
}

std::optional<std::uint64_t> to_id(const std::string& s) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v == 0) return std::nullopt;
    return v;
}

} // namespace

void App::draw_svg(const std::string& name, Respond respond, const std::string& route) {
    // Graphviz runs on a worker: the loop goes on meanwhile.
    boost::asio::post(
        workers_, [this, flow = flows.at(name).flow, respond = std::move(respond), route] {
            auto svg = to_svg(*flow);
            boost::asio::post(io, [this, svg = std::move(svg), respond, route]() mutable {
                Response r;
                if (svg.error) {
                    r = json_error(503, "the picture could not be drawn: " + *svg.error);
                } else {
                    r.content_type = "image/svg+xml";
                    r.body = std::move(svg.out);
                }
                metrics.add("nudge_http_requests_total",
                            {{"route", route}, {"status", std::to_string(r.status)}});
                respond(std::move(r));
            });
        });
}

void App::handle(Request req, Respond respond) {
    auto parts = path_parts(req.path);
    auto route = std::string("other");
    // Every answer given here (not through the group commit) is counted on its way out. It
    // waits until what it may show is on the disk (after_durable: at once unless a commit is
    // still being flushed); the health routes and the metrics answer at once.
    auto answer_now = [&](const std::string& name, Response r) {
        metrics.add("nudge_http_requests_total",
                    {{"route", name}, {"status", std::to_string(r.status)}});
        respond(std::move(r));
    };
    auto answer = [&](const std::string& name, Response r) {
        after_durable([this, name, respond, r = std::move(r)]() mutable {
            metrics.add("nudge_http_requests_total",
                        {{"route", name}, {"status", std::to_string(r.status)}});
            respond(std::move(r));
        });
    };
    auto method_is = [&](const char* m) { return req.method == m; };

    // ---- health ----------------------------------------------------------------------------
    if (req.path == "/healthz")
        return answer_now("healthz", json_response(200, {{"status", "ok"}}));
    if (req.path == "/readyz") {
        if (draining) return answer_now("readyz", json_error(503, "draining"));
        if (!store_ok) return answer_now("readyz", json_error(503, "the database is not writable"));
        return answer_now("readyz", json_response(200, {{"status", "ready"}}));
    }
    if (req.path == "/metrics") {
        refresh_gauges();
        Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics.text();
        return answer_now("metrics", std::move(r));
    }
    if (draining) return answer("draining", json_error(503, "the server is shutting down"));
    if (req.path == "/ui" || req.path.starts_with("/ui/")) {
        if (!console)
            return answer("ui", json_error(404, "the staff console is off: configure console "
                                                "users (docs/console.md)"));
        return console->handle(req, respond);
    }
    if (parts.empty() || parts[0] != "v1")
        return answer("unknown", json_error(404, "no such route"));

    // ---- Kannel's callbacks: a token in the path (Kannel cannot sign) -----------------------
    if (parts.size() == 4 && parts[1] == "inbound" && parts[2] == "kannel") {
        route = "inbound_kannel";
        if (config.kannel_token.empty() ||
            !detail::constant_time_equal(parts[3], config.kannel_token))
            return answer(route, json_error(404, "no such route"));
        auto from = query_value(req, "from"), to = query_value(req, "to"),
             id = query_value(req, "id");
        auto text = req.body;
        if (text.empty()) text = query_value(req, "text");
        if (from.empty() || to.empty())
            return answer(route, json_error(400, "Kannel's post-url must pass from=%p and to=%P"));
        Inbound message{from, to, text};
        return submit({id.empty() ? std::string() : "kannel-mo:" + id,
                       [this, message] {
                           auto before = engine->engine().inbox().size();
                           engine->reply(message);
                           auto& inbox = engine->engine().inbox();
                           auto result = inbox.size() > before ? inbox.back().reason : "taken";
                           metrics.add("nudge_replies_total", {{"result", result}});
                           Response r;
                           r.status = 200;
                           r.content_type = "text/plain";
                           return r; // an empty body: Kannel sends no answer SMS
                       },
                       respond, route});
    }
    if (parts.size() == 4 && parts[1] == "dlr" && parts[2] == "kannel") {
        route = "dlr_kannel";
        if (config.kannel_token.empty() ||
            !detail::constant_time_equal(parts[3], config.kannel_token))
            return answer(route, json_error(404, "no such route"));
        auto id = query_value(req, "id");
        auto status = query_value(req, "status");
        auto item = engine->outbox_item(id);
        if (!item) return answer(route, json_error(404, "no message with id " + id));
        // Kannel's %d: 1 delivered, 2 not delivered, 16 rejected by the SMSC; 4 and 8 are
        // intermediate (buffered, accepted by the SMSC) and only counted.
        metrics.add("nudge_delivery_reports_total", {{"status", status}});
        if (status != "1" && status != "2" && status != "16")
            return answer(route, json_response(200, {{"recorded", false}}));
        DeliveryReport report;
        report.instance = item->message.instance;
        report.message_id = id;
        report.channel = item->message.channel;
        report.to = item->message.to;
        report.delivered = status == "1";
        report.detail = status == "1"   ? "delivered"
                        : status == "2" ? "not delivered to the phone"
                                        : "rejected by the SMSC";
        return submit({"kannel-dlr:" + id + ":" + status,
                       [this, report] {
                           engine->report(report);
                           return json_response(200, {{"recorded", true}});
                       },
                       respond, route});
    }

    // ---- signed webhooks --------------------------------------------------------------------
    bool is_event = parts.size() == 3 && parts[1] == "events";
    bool is_inbound = parts.size() == 3 && parts[1] == "inbound" && parts[2] == "sms";
    if (is_event || is_inbound) {
        route = is_event ? "events" : "inbound_sms";
        if (!method_is("POST")) return answer(route, json_error(405, "use POST"));
        auto id = req.header("webhook-id"), ts = req.header("webhook-timestamp"),
             sig = req.header("webhook-signature");
        if (id.empty() || ts.empty() || sig.empty())
            return answer(route, json_error(401, "missing webhook-id, webhook-timestamp or "
                                                 "webhook-signature (Standard Webhooks)"));
        long long stamp = 0;
        auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), stamp);
        if (ec != std::errc() || p != ts.data() + ts.size())
            return answer(route, json_error(401, "webhook-timestamp is not a number of seconds"));
        // The tolerance is measured against the real time, also in test mode: it guards
        // against replays, which a fake clock does not change.
        auto real_now = SystemClock().now().time_since_epoch().count();
        if (std::llabs(real_now - stamp) > config.limits.webhook_tolerance.count())
            return answer(
                route, json_error(401, "webhook-timestamp is more than " +
                                           std::to_string(config.limits.webhook_tolerance.count()) +
                                           " s away from now"));
        if (!detail::webhook_signature_valid(webhook_keys, id, ts, req.body, sig))
            return answer(route, json_error(401, "webhook-signature does not match"));
        Response refusal;
        auto body = parse_object(req.body, refusal);
        if (!body) return answer(route, refusal);
        std::string bad;
        auto data = to_data(*body, bad);
        if (!data)
            return answer(route,
                          json_error(422, "field " + bad + " must be a text, number or boolean",
                                     {{"field", bad}}));
        if (is_inbound) {
            auto get = [&](const char* k) {
                auto it = data->find(k);
                return it == data->end() ? std::string() : it->second;
            };
            Inbound message{get("from"), get("to"), get("text")};
            if (message.from.empty() || message.to.empty())
                return answer(route, json_error(422, "an inbound message needs 'from' and 'to'",
                                                {{"field", message.from.empty() ? "from" : "to"}}));
            return submit({"webhook:" + id,
                           [this, message] {
                               auto before = engine->engine().inbox().size();
                               auto opted = engine->engine().suppressions().size();
                               engine->reply(message);
                               const auto& e = engine->engine();
                               // To the inbox (for its reason), an opt-out, or taken by a route.
                               std::string result = e.inbox().size() > before
                                                        ? e.inbox().back().reason
                                                    : e.suppressions().size() > opted ? "opted_out"
                                                                                      : "taken";
                               metrics.add("nudge_replies_total", {{"result", result}});
                               return json_response(202, {{"result", result}});
                           },
                           respond, route});
        }
        const auto& event = parts[2];
        // `?business=B` addresses one business's flows (`flow X for B`): only they start, and
        // only their instances are signalled. Without it, flows that serve no business start
        // and every flow's instances with the key are signalled.
        auto business = query_value(req, "business");
        if (!business.empty() && std::none_of(flows.begin(), flows.end(), [&](const auto& f) {
                return f.second.flow->flow().business == business;
            }))
            return answer(route, json_error(404, "no flow runs for business " + business,
                                            {{"business", business}}));
        std::vector<std::tuple<std::string, std::string, bool>> signals; // flow, key, key from data
        bool triggers = false;
        for (const auto& [name, info] : flows) {
            const auto& of = info.flow->flow().business;
            bool starts = info.triggers.count(event) > 0 && of == business;
            bool waits = info.events.count(event) > 0 && (business.empty() || of == business);
            if (!starts && !waits) continue;
            // Each value the flow declares must read as the field's type.
            detail::ValueContext ctx;
            const auto& def = info.flow->flow();
            auto zone = def.timezone.value_or("UTC");
            try {
                ctx.zone = date::locate_zone(zone);
            } catch (const std::exception&) {}
            ctx.region = detail::region_of_zone(zone);
            for (const auto& f : def.fields) {
                auto it = data->find(f.name);
                if (it == data->end() || it->second.empty()) continue;
                std::string why;
                // The engine keeps a phone value that is not a valid number as text (a number
                // policy may still judge it); at the edge it is a mistake of the sender's.
                bool ok = f.type == FieldType::phone
                              ? detail::valid_e164(it->second, ctx.region).has_value()
                              : detail::read_value(f.type, it->second, ctx, why).has_value();
                if (!ok)
                    return answer(route, json_error(422,
                                                    "field " + f.name + ": '" + it->second +
                                                        "' is not " + type_name(f.type),
                                                    {{"field", f.name},
                                                     {"expected", type_name(f.type)},
                                                     {"flow", name}}));
            }
            if (starts) triggers = true;
            if (waits) {
                auto key = query_value(req, "key");
                bool from_data = key.empty();
                if (key.empty() && data->count(info.key_field)) key = data->at(info.key_field);
                if (!key.empty()) signals.emplace_back(name, key, from_data);
            }
        }
        if (!triggers) {
            // An event that starts only flows run for a business must name one: without it,
            // it would start nothing (and at most signal running instances) without a word.
            std::set<std::string> need;
            for (const auto& [name, info] : flows)
                if (info.triggers.count(event) && business.empty())
                    need.insert(info.flow->flow().business);
            if (!need.empty()) {
                std::string list;
                for (const auto& b : need)
                    list += (list.empty() ? "" : ", ") + b;
                return answer(route, json_error(404,
                                                "event " + event +
                                                    " starts flows that run for a business (" +
                                                    list + "): name one with ?business=",
                                                {{"event", event}}));
            }
        }
        if (!triggers && signals.empty()) {
            bool known = false;
            for (const auto& [name, info] : flows)
                known = known || info.events.count(event);
            if (!known)
                return answer(route,
                              json_error(404, "no flow starts on or waits for event " + event,
                                         {{"event", event}}));
        }
        metrics.add("nudge_triggers_total", {{"event", event}});
        return submit(
            {"webhook:" + id,
             [this, event, business, data = std::move(*data), triggers, signals] {
                 json out = {{"event", event},
                             {"started", json::array()},
                             {"signalled", 0},
                             {"suppressed", json::array()}};
                 // The event that just started an instance is not also delivered to it: a flow
                 // that started one for the data's key is not signalled for that key.
                 std::set<std::string> started_in;
                 if (triggers) {
                     std::map<std::string, FlowMetrics> before;
                     for (const auto& [name, info] : flows)
                         if (info.triggers.count(event) && info.flow->flow().business == business)
                             before[name] = engine->engine().metrics(name);
                     auto ids = engine->trigger_for(business, event, data);
                     out["started"] = ids;
                     for (const auto& [name, m] : before) {
                         auto after = engine->engine().metrics(name);
                         auto started = after.starts - m.starts;
                         if (started > 0) started_in.insert(name);
                         if (started > 0)
                             metrics.add("nudge_instances_started_total", {{"flow", name}},
                                         static_cast<double>(started));
                         for (const auto& [reason, n] : after.suppressed) {
                             auto was = m.suppressed.count(reason) ? m.suppressed.at(reason) : 0;
                             if (n > was) {
                                 out["suppressed"].push_back({{"flow", name}, {"reason", reason}});
                                 metrics.add("nudge_suppressions_total",
                                             {{"flow", name}, {"reason", reason}},
                                             static_cast<double>(n - was));
                             }
                         }
                     }
                 }
                 int moved = 0;
                 for (const auto& [flow, key, from_data] : signals) {
                     if (from_data && started_in.count(flow)) continue;
                     int n = engine->signal(flow, key, event, data);
                     if (n > 0) metrics.add("nudge_signals_total", {{"flow", flow}}, n);
                     moved += n;
                 }
                 out["signalled"] = moved;
                 return json_response(202, out);
             },
             respond, route});
    }

    // ---- test mode --------------------------------------------------------------------------
    if (parts.size() == 3 && parts[1] == "clock" && parts[2] == "advance" && fake_clock) {
        route = "clock_advance";
        if (!method_is("POST")) return answer(route, json_error(405, "use POST"));
        Response refusal;
        auto body = parse_object(req.body, refusal);
        if (!body) return answer(route, refusal);
        auto by = body->value("by", std::string());
        // One duration or several written together: "90s", "4d22h59m".
        std::optional<std::int64_t> seconds =
            by.empty() ? std::nullopt : std::optional<std::int64_t>(0);
        for (std::size_t at = 0; seconds && at < by.size();) {
            auto end = by.find_first_of("0123456789", by.find_first_not_of("0123456789", at));
            auto d = parse_duration(std::string_view(by).substr(at, end - at));
            // The fake clock counts a day as 24 hours and a week as 7 days (an elapsed time).
            auto part = !d                           ? std::nullopt
                        : d->unit == DurationUnit::d ? std::optional<std::int64_t>(d->count * 86400)
                        : d->unit == DurationUnit::w
                            ? std::optional<std::int64_t>(d->count * 7 * 86400)
                            : exact_seconds(*d);
            seconds = part ? std::optional<std::int64_t>(*seconds + *part) : std::nullopt;
            at = end;
        }
        if (!seconds || *seconds < 0)
            return answer(route, json_error(422,
                                            "'by' must be an elapsed time in s, m, h, d or w "
                                            "such as 30s, 2h or 4d22h59m, saw '" +
                                                by + "'",
                                            {{"field", "by"}}));
        return answer(route, json_response(200, advance(std::chrono::seconds(*seconds))));
    }

    // ---- the read API and manual handling: a bearer token -----------------------------------
    route = parts.size() > 1 ? parts[1] : "v1";
    auto auth = req.header("authorization");
    constexpr std::string_view bearer = "Bearer ";
    if (config.read_token.empty() || auth.substr(0, bearer.size()) != bearer ||
        !detail::constant_time_equal(std::string_view(auth).substr(bearer.size()),
                                     config.read_token))
        return answer(route, json_error(401, "missing or wrong bearer token"));
    const auto& e = engine->engine();

    if (parts.size() == 2 && parts[1] == "instances" && method_is("GET")) {
        auto flow = query_value(req, "flow"), state = query_value(req, "state");
        json list = json::array();
        std::vector<std::string> names;
        if (!flow.empty())
            names.push_back(flow);
        else
            names = e.flows();
        for (const auto& f : names)
            for (const auto& v : engine->instances(f, state))
                list.push_back(instance_json(v, false, "UTC"));
        return answer(route, json_response(200, {{"instances", list}}));
    }
    if (parts.size() >= 3 && parts[1] == "instances") {
        auto id = to_id(parts[2]);
        auto v = id ? engine->instance(*id) : std::nullopt;
        if (!v) return answer(route, json_error(404, "no instance " + parts[2]));
        if (parts.size() == 3 && method_is("GET"))
            return answer(route, json_response(200, instance_json(*v, true, "UTC")));
        if (parts.size() == 4 && parts[3] == "cancel" && method_is("POST")) {
            return submit({"",
                           [this, id = *id] {
                               engine->cancel(id, "cancelled through the API");
                               return json_response(
                                   200, instance_json(*engine->instance(id, false), false, "UTC"));
                           },
                           respond, route});
        }
        if (parts.size() == 4 && parts[3] == "send" && method_is("POST")) {
            Response refusal;
            auto body = parse_object(req.body, refusal);
            if (!body) return answer(route, refusal);
            auto text_of = [&](const char* key) {
                auto it = body->find(key);
                return it != body->end() && it->is_string() ? it->get<std::string>()
                                                            : std::string();
            };
            auto channel = text_of("channel"), text = text_of("text"), by = text_of("by");
            if (by.empty()) by = "api";
            std::optional<std::string> subject;
            if (body->contains("subject")) subject = text_of("subject");
            auto info = flows.find(v->flow);
            bool known = info != flows.end() &&
                         std::any_of(info->second.flow->flow().channels.begin(),
                                     info->second.flow->flow().channels.end(),
                                     [&](const ChannelDecl& c) { return c.name == channel; });
            if (!known)
                return answer(
                    route, json_error(422, "flow " + v->flow + " has no channel '" + channel + "'",
                                      {{"field", "channel"}}));
            if (text.empty())
                return answer(route,
                              json_error(422, "the message needs a 'text'", {{"field", "text"}}));
            return submit({"",
                           [this, id = *id, channel, text, by, subject] {
                               bool sent = engine->send_by_hand(id, channel, text, by, subject);
                               auto view = instance_json(*engine->instance(id, true), true, "UTC");
                               return json_response(200, {{"sent", sent}, {"instance", view}});
                           },
                           respond, route});
        }
        if (parts.size() == 4 && parts[3] == "move" && method_is("POST")) {
            Response refusal;
            auto body = parse_object(req.body, refusal);
            if (!body) return answer(route, refusal);
            auto state = body->value("state", std::string());
            auto info = flows.find(v->flow);
            if (info == flows.end() || !info->second.flow->state_index(state))
                return answer(route,
                              json_error(422, "flow " + v->flow + " has no state '" + state + "'",
                                         {{"field", "state"}}));
            return submit({"",
                           [this, id = *id, state] {
                               engine->move(id, state);
                               return json_response(
                                   200, instance_json(*engine->instance(id, false), false, "UTC"));
                           },
                           respond, route});
        }
        return answer(route, json_error(405, "not a method or action of an instance"));
    }
    if (parts.size() == 2 && parts[1] == "inbox" && method_is("GET")) {
        json items = json::array();
        bool all = query_value(req, "all") == "true";
        const auto& inbox = e.inbox();
        for (auto it = inbox.rbegin(); it != inbox.rend(); ++it)
            if (all || it->open()) items.push_back(inbox_json(*it, log));
        return answer(route, json_response(200, {{"inbox", items}}));
    }
    if (parts.size() == 4 && parts[1] == "inbox" && method_is("POST")) {
        auto id = to_id(parts[2]);
        const InboxItem* item = nullptr;
        for (const auto& i : e.inbox())
            if (id && i.id == *id) item = &i;
        if (!item) return answer(route, json_error(404, "no inbox item " + parts[2]));
        Response refusal;
        auto body = parse_object(req.body.empty() ? "{}" : req.body, refusal);
        if (!body) return answer(route, refusal);
        if (parts[3] == "close") {
            auto note = body->value("note", std::string());
            if (note.empty())
                return answer(route, json_error(422, "say what was done ('note': text)",
                                                {{"field", "note"}}));
            return submit({"",
                           [this, item_id = item->id, note] {
                               engine->close(item_id, note);
                               return json_response(200, {{"handled", true}, {"note", note}});
                           },
                           respond, route});
        }
        std::uint64_t instance = 0;
        if (body->contains("instance") && (*body)["instance"].is_number_unsigned())
            instance = (*body)["instance"].get<std::uint64_t>();
        else if (item->assigned_to)
            instance = *item->assigned_to;
        else if (item->candidates.size() == 1)
            instance = item->candidates[0];
        auto target = instance ? e.instance(instance, false) : std::nullopt;
        if (!target)
            return answer(
                route, json_error(422, "name the instance ('instance': id) this reply belongs to",
                                  {{"field", "instance"}}));
        if (parts[3] == "assign") {
            return submit({"",
                           [this, item_id = item->id, instance] {
                               engine->assign(item_id, instance);
                               return json_response(200, {{"assigned_to", instance}});
                           },
                           respond, route});
        }
        if (parts[3] == "move") {
            auto state = body->value("state", std::string());
            auto info = flows.find(target->flow);
            if (info == flows.end() || !info->second.flow->state_index(state))
                return answer(
                    route, json_error(422, "flow " + target->flow + " has no state '" + state + "'",
                                      {{"field", "state"}}));
            return submit(
                {"",
                 [this, item_id = item->id, instance, state] {
                     engine->assign(item_id, instance);
                     engine->move(instance, state);
                     return json_response(200, {{"assigned_to", instance}, {"state", state}});
                 },
                 respond, route});
        }
        return answer(route, json_error(404, "an inbox item can be assigned, moved or closed"));
    }
    if (parts.size() == 3 && parts[1] == "flows" && parts[2].size() > 4 &&
        parts[2].ends_with(".svg") && method_is("GET")) {
        route = "flow_svg";
        auto name = parts[2].substr(0, parts[2].size() - 4);
        if (!flows.count(name)) return answer(route, json_error(404, "no flow " + name));
        return draw_svg(name, respond, route);
    }
    if (parts.size() == 2 && parts[1] == "flows" && method_is("GET")) {
        json list = json::array();
        for (const auto& [name, info] : flows) {
            json states = json::object();
            auto counts = e.state_counts(name);
            for (const auto& s : info.flow->states())
                states[s.name] = counts.count(s.name) ? counts.at(s.name) : 0;
            list.push_back({{"name", name},
                            {"version", e.version(name)},
                            {"file", info.file},
                            {"states", states}});
        }
        return answer(route, json_response(200, {{"flows", list}}));
    }
    if (parts.size() == 3 && parts[1] == "flows" && parts[2] == "reload" && method_is("POST")) {
        flush();
        auto report = reload();
        return answer(route, json_response(report["refused"].empty() ? 200 : 422, report));
    }
    if (parts.size() == 4 && parts[1] == "flows" && parts[3] == "migrate" && method_is("POST")) {
        if (!flows.count(parts[2])) return answer(route, json_error(404, "no flow " + parts[2]));
        flush();
        try {
            auto m = engine->migrate(parts[2], query_value(req, "dry_run") == "true");
            json moved = json::array(), missing = json::array();
            for (const auto& x : m.moved)
                moved.push_back({{"instance", x.instance},
                                 {"from_version", x.from_version},
                                 {"state", x.state}});
            for (const auto& x : m.missing)
                missing.push_back(
                    {{"state", x.state}, {"version", x.version}, {"instances", x.instances}});
            return answer(route, json_response(m.ok() ? 200 : 409, {{"flow", m.flow},
                                                                    {"version", m.version},
                                                                    {"moved", moved},
                                                                    {"missing", missing}}));
        } catch (const store_error& ex) {
            store_ok = false;
            return answer(route, json_error(503, ex.what()));
        }
    }
    if (parts.size() == 3 && parts[1] == "report" && method_is("GET")) {
        if (!flows.count(parts[2])) return answer(route, json_error(404, "no flow " + parts[2]));
        auto period = query_value(req, "period");
        if (period.empty()) {
            auto j = metrics_json(e.metrics(parts[2]));
            j["flow"] = parts[2];
            return answer(route, json_response(200, j));
        }
        // Over a period: the records of those days (in the flow's zone, or ?zone=) summed up.
        auto zone = query_value(req, "zone");
        if (zone.empty()) zone = flows.at(parts[2]).flow->flow().timezone.value_or("UTC");
        ReportSettings settings;
        try {
            auto number = [&](const char* name, double fallback) {
                auto v = query_value(req, name);
                if (v.empty()) return fallback;
                std::size_t used = 0;
                double d = std::stod(v, &used);
                if (used != v.size() || d < 0) throw std::invalid_argument(name);
                return d;
            };
            settings.sms_price = number("sms_price", config.console.sms_price);
            settings.order_value = number("order_value", -1);
        } catch (const std::exception&) {
            return answer(route, json_error(422, "sms_price and order_value must be numbers of 0 "
                                                 "or more"));
        }
        if (auto c = query_value(req, "conversion"); !c.empty()) settings.conversion = c;
        Period span;
        try {
            span = report_period(period, clock->now(), zone);
        } catch (const nudge::error& ex) {
            return answer(route, json_error(422, ex.what(), {{"field", "period"}}));
        }
        FlowReport f;
        f.flow = parts[2];
        for (auto& r : make_report(engine->records(span.from, span.to), settings))
            if (r.flow == parts[2]) f = std::move(r);
        auto tally = [](const Tally& t) {
            json out = json::object();
            for (const auto& [name, n] : t.items())
                out[name] = n;
            return out;
        };
        json outcomes = json::object();
        for (const auto& [label, n] : f.outcomes.items())
            outcomes[label] = {{"count", n}, {"value", f.outcome_values[label]}};
        return answer(route, json_response(200, {{"flow", f.flow},
                                                 {"period",
                                                  {{"first_day", span.first_day},
                                                   {"last_day", span.last_day},
                                                   {"zone", zone},
                                                   {"from", format_instant(span.from, zone)},
                                                   {"to", format_instant(span.to, zone)}}},
                                                 {"triggers", f.events.total()},
                                                 {"starts", f.starts},
                                                 {"not_started", tally(f.not_started)},
                                                 {"entries", tally(f.entries)},
                                                 {"sent", tally(f.sent)},
                                                 {"failed", tally(f.failed)},
                                                 {"outcomes", outcomes},
                                                 {"sms", f.sms},
                                                 {"conversions", f.conversions},
                                                 {"revenue", f.revenue},
                                                 {"sms_cost", f.sms_cost},
                                                 {"roi", f.roi}}));
    }
    return answer(route, json_error(404, "no such route"));
}

} // namespace nudge::server
