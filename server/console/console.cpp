// The staff console's pages and actions. Every page is a mustache template (server/console/
// assets, embedded in the binary) rendered with escaping on; customer texts are never marked
// safe. Forms work without JavaScript; console.js only refreshes the live counts.
#include "console.hpp"

#include "app.hpp"
#include "signature.hpp"

#include <nudge/error.hpp>
#include <nudge/report.hpp>
#include <nudge/settings.hpp>

#include <date/tz.h>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <charconv>
#include <set>
#include <sstream>

namespace nudge::server::console {

using json = nlohmann::json;
namespace mustache = kainjow::mustache;

struct Console::Call {
    const Request& req;
    Respond respond;
    std::vector<std::string> parts; // the path after /ui, decoded
    std::vector<std::pair<std::string, std::string>> form;
    std::string session_id;
    Session* session = nullptr;

    std::string param(const std::string& name) const {
        for (const auto& [k, v] : parse_form(req.query))
            if (k == name) return v;
        return {};
    }
    std::string field(const std::string& name) const {
        for (const auto& [k, v] : form)
            if (k == name) return v;
        return {};
    }
    bool has_field(const std::string& name) const {
        return std::any_of(form.begin(), form.end(),
                           [&](const auto& kv) { return kv.first == name; });
    }
    bool admin() const { return session && session->role == "admin"; }
};

namespace {

mustache::data to_data(const json& j) {
    if (j.is_object()) {
        mustache::data d{mustache::data::type::object};
        for (const auto& [k, v] : j.items())
            d.set(k, to_data(v));
        return d;
    }
    if (j.is_array()) {
        mustache::data d{mustache::data::type::list};
        for (const auto& v : j)
            d.push_back(to_data(v));
        return d;
    }
    if (j.is_boolean()) return mustache::data(j.get<bool>());
    if (j.is_string()) return mustache::data(j.get<std::string>());
    if (j.is_null()) return mustache::data(false);
    return mustache::data(j.dump());
}

std::string render(std::string_view name, const json& ctx) {
    auto source = asset(name);
    if (source.empty()) throw error("the console has no template " + std::string(name));
    mustache::mustache tmpl{std::string(source)};
    if (!tmpl.is_valid()) throw error(std::string(name) + ": " + tmpl.error_message());
    return tmpl.render(to_data(ctx));
}

std::optional<std::uint64_t> to_id(const std::string& s) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || v == 0) return std::nullopt;
    return v;
}

std::string cookie(const Request& req, std::string_view name) {
    auto header = req.header("cookie");
    std::size_t at = 0;
    while (at < header.size()) {
        auto end = header.find(';', at);
        if (end == std::string::npos) end = header.size();
        auto part = std::string_view(header).substr(at, end - at);
        while (!part.empty() && part.front() == ' ')
            part.remove_prefix(1);
        if (part.size() > name.size() && part.substr(0, name.size()) == name &&
            part[name.size()] == '=')
            return std::string(part.substr(name.size() + 1));
        at = end + 1;
    }
    return {};
}

void secure_headers(Response& r) {
    r.headers.emplace_back("content-security-policy",
                           "default-src 'self'; img-src 'self'; style-src 'self'; "
                           "script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
                           "base-uri 'none'");
    r.headers.emplace_back("x-content-type-options", "nosniff");
    r.headers.emplace_back("referrer-policy", "same-origin");
    r.headers.emplace_back("cache-control", "no-store");
}

Response redirect(const std::string& to) {
    Response r;
    r.status = 303;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("location", to);
    secure_headers(r);
    return r;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

// A CSV cell, quoted; a text a spreadsheet would run as a formula is prefixed with '.
std::string csv_cell(std::string v) {
    bool formula = !v.empty() && (v[0] == '=' || v[0] == '@' || v[0] == '\t' || v[0] == '\r' ||
                                  ((v[0] == '+' || v[0] == '-') && v.size() > 1 &&
                                   !std::isdigit(static_cast<unsigned char>(v[1])) && v[1] != ' '));
    if (formula) v = "'" + v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

const InboxItem* find_item(const Engine& e, std::uint64_t id) {
    const auto& inbox = e.inbox();
    if (id == 0 || id > inbox.size()) return nullptr;
    return &inbox[id - 1];
}

} // namespace

Console::Console(App& app) : app_(app), sessions_(app.config.console.session_idle) {
    const auto& k = app.config.console;
    strings_ = json::parse(asset(k.language + ".json"));
    zone_ = k.zone;
    if (zone_.empty()) {
        for (const auto& [name, info] : app.flows)
            if (info.flow->flow().timezone) {
                zone_ = *info.flow->flow().timezone;
                break;
            }
    }
    if (zone_.empty()) zone_ = "UTC";
}

std::string Console::text(const std::string& key) const {
    auto it = strings_.find(key);
    return it != strings_.end() && it->is_string() ? it->get<std::string>() : key;
}

std::string Console::time_text(std::chrono::sys_seconds t) const {
    try {
        return date::format("%Y-%m-%d %H:%M", date::make_zoned(zone_, t));
    } catch (const std::exception&) {
        return format_instant(t);
    }
}

Response Console::page(const Call& call, const std::string& name, json ctx, int status) {
    ctx["t"] = strings_;
    ctx["lang"] = app_.config.console.language;
    ctx["zone"] = zone_;
    if (call.session) {
        ctx["user"] = {{"name", call.session->user}, {"admin", call.admin()}};
        ctx["csrf"] = call.session->csrf;
        if (!call.session->flash.empty()) {
            ctx["flash"] = {{"text", call.session->flash}, {"error", call.session->flash_error}};
            call.session->flash.clear();
        }
        std::size_t open = 0;
        for (const auto& item : app_.engine->engine().inbox())
            open += item.open() ? 1 : 0;
        ctx["inbox_open"] = std::to_string(open);
    }
    ctx["nav_" + name] = true;
    ctx["body"] = render(name + ".html", ctx);
    Response r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = render("layout.html", ctx);
    secure_headers(r);
    return r;
}

void Console::handle(const Request& req, Respond respond) {
    Call call{req, std::move(respond), path_parts(req.path), {}, {}, nullptr};
    call.parts.erase(call.parts.begin()); // "ui"
    if (req.method == "POST") call.form = parse_form(req.body);
    auto answer = [&](Response r) { this->answer(call, std::move(r)); };
    try {
        // Static files and the login page need no session.
        if (call.parts.size() == 2 && call.parts[0] == "static") {
            auto body = asset(call.parts[1]);
            if (body.empty())
                return answer(page(call, "error", {{"message", text("not_found")}}, 404));
            Response r;
            r.content_type = call.parts[1].ends_with(".css") ? "text/css; charset=utf-8"
                                                             : "text/javascript; charset=utf-8";
            r.body = std::string(body);
            r.headers.emplace_back("cache-control", "max-age=300");
            r.headers.emplace_back("x-content-type-options", "nosniff");
            return answer(std::move(r));
        }
        if (call.parts.size() == 1 && call.parts[0] == "login") return login(call);
        call.session_id = cookie(req, "nudge_session");
        call.session = call.session_id.empty() ? nullptr : sessions_.find(call.session_id);
        if (!call.session) {
            auto back = req.method == "GET" ? req.path + (req.query.empty() ? "" : "?" + req.query)
                                            : std::string("/ui/");
            return answer(redirect("/ui/login?next=" + url_encode(back)));
        }
        if (req.method == "POST") {
            auto token = call.field("csrf");
            if (token.empty() || !detail::constant_time_equal(token, call.session->csrf))
                return answer(page(call, "error", {{"message", text("csrf_refused")}}, 403));
        } else if (req.method != "GET") {
            return answer(page(call, "error", {{"message", text("not_found")}}, 405));
        }
        route(call);
    } catch (const std::exception& e) {
        app_.log.error("console_error", {{"path", req.path}, {"error", e.what()}});
        Response r;
        r.status = 500;
        r.content_type = "text/plain; charset=utf-8";
        r.body = "The console could not show this page: " + std::string(e.what());
        secure_headers(r);
        answer(std::move(r));
    }
}

void Console::route(Call& call) {
    const auto& p = call.parts;
    auto answer = [&](Response r) { this->answer(call, std::move(r)); };
    bool get = call.req.method == "GET";
    if (p.empty()) return answer(redirect("/ui/inbox"));
    if (p.size() == 1 && p[0] == "logout" && !get) {
        sessions_.close(call.session_id);
        auto r = redirect("/ui/login");
        r.headers.emplace_back("set-cookie",
                               "nudge_session=; Path=/ui; Max-Age=0; HttpOnly; SameSite=Strict");
        return answer(std::move(r));
    }
    if (p[0] == "counts.json" && get) return counts(call);
    if (p[0] == "inbox") {
        if (p.size() == 1 && get) return inbox(call);
        auto id = p.size() == 3 ? to_id(p[1]) : std::nullopt;
        if (id && !get) return inbox_action(call, *id, p[2]);
    }
    if (p[0] == "lists" && p.size() == 1 && get) return lists(call, false);
    if (p[0] == "lists.csv" && p.size() == 1 && get) return lists(call, true);
    if (p[0] == "instances" && p.size() >= 2) {
        auto id = to_id(p[1]);
        if (id && p.size() == 2 && get) return instance(call, *id);
        if (id && p.size() == 3 && !get) return instance_action(call, *id, p[2]);
    }
    // The rest is the administrator's.
    bool admin_page = p[0] == "flows" || p[0] == "report" || p[0] == "optouts" || p[0] == "users" ||
                      p[0] == "settings";
    if (admin_page && !call.admin())
        return answer(page(call, "error", {{"message", text("admin_only")}}, 403));
    if (p[0] == "flows") {
        if (p.size() == 1 && get) return flows(call, nullptr);
        if (p.size() == 2 && get && p[1].ends_with(".svg")) {
            auto name = p[1].substr(0, p[1].size() - 4);
            if (!app_.flows.count(name))
                return answer(page(call, "error", {{"message", text("not_found")}}, 404));
            return app_.draw_svg(name, call.respond, "ui");
        }
        if (p.size() == 2 && p[1] == "reload" && !get) {
            app_.flush();
            return flows(call, {{"reload", app_.reload()}});
        }
        if (p.size() == 3 && p[2] == "migrate" && !get && app_.flows.count(p[1])) {
            app_.flush();
            bool dry = call.field("dry_run") == "true";
            auto m = app_.engine->migrate(p[1], dry);
            json moved = json::array(), missing = json::array();
            for (const auto& x : m.moved)
                moved.push_back({{"instance", std::to_string(x.instance)},
                                 {"from_version", std::to_string(x.from_version)},
                                 {"state", x.state}});
            for (const auto& x : m.missing)
                missing.push_back({{"state", x.state},
                                   {"version", std::to_string(x.version)},
                                   {"instances", std::to_string(x.instances)}});
            return flows(call, {{"migrate",
                                 {{"flow", m.flow},
                                  {"version", std::to_string(m.version)},
                                  {"dry_run", dry},
                                  {"ok", m.ok()},
                                  {"moved", moved},
                                  {"moved_count", std::to_string(moved.size())},
                                  {"missing", missing}}}});
        }
    }
    if (p[0] == "report" && p.size() == 1 && get) return report(call);
    if (p[0] == "optouts") {
        if (p.size() == 1 && get) return optouts(call);
        if (p.size() == 2 && !get) return optout_action(call, p[1]);
    }
    if (p[0] == "users" && p.size() == 1 && get) return users(call);
    if (p[0] == "settings") {
        if (p.size() == 1 && get) return settings(call);
        if (p.size() == 2 && !get) return settings_action(call, p[1]);
    }
    answer(page(call, "error", {{"message", text("not_found")}}, 404));
}

void Console::answer(Call& call, Response r) {
    app_.metrics.add("nudge_http_requests_total",
                     {{"route", "ui"}, {"status", std::to_string(r.status)}});
    call.respond(std::move(r));
}

void Console::refuse(Call& call, const std::string& why, const std::string& back) {
    call.session->flash = why;
    call.session->flash_error = true;
    answer(call, redirect(back));
}

void Console::commit(Call& call, std::function<std::string()> act, std::string back) {
    app_.submit({"",
                 [this, sid = call.session_id, act = std::move(act), back = std::move(back)] {
                     std::string message;
                     bool failed = false;
                     try {
                         message = act();
                     } catch (const store_error&) {
                         throw; // the batch is lost: answered 503
                     } catch (const nudge::error& ex) {
                         message = ex.what();
                         failed = true;
                     }
                     if (auto* session = sessions_.find(sid)) {
                         session->flash = message;
                         session->flash_error = failed;
                     }
                     return redirect(back);
                 },
                 call.respond, "ui"});
}

// ---- login -------------------------------------------------------------------------------

void Console::login(Call& call) {
    auto answer = [&](Response r) { this->answer(call, std::move(r)); };
    auto next = call.req.method == "POST" ? call.field("next") : call.param("next");
    // Only a console page is a place to go back to.
    if (next.rfind("/ui/", 0) != 0 || next.find("//") != std::string::npos) next = "/ui/inbox";
    // The login form's own CSRF guard: a random value in a cookie and in the form.
    auto form_token = cookie(call.req, "nudge_login");
    auto show = [&](const std::string& problem, int status) {
        auto token = random_token(16);
        json ctx = {{"next", next}, {"login_token", token}, {"name", call.field("name")}};
        if (!problem.empty()) ctx["problem"] = problem; // an empty text is still a section
        auto r = page(call, "login", ctx, status);
        r.headers.emplace_back(
            "set-cookie", "nudge_login=" + token + "; Path=/ui/login; HttpOnly; SameSite=Strict" +
                              (app_.config.console.secure_cookies ? "; Secure" : ""));
        return r;
    };
    if (call.req.method != "POST") return answer(show("", 200));
    auto sent = call.field("login_token");
    if (form_token.empty() || sent.empty() || !detail::constant_time_equal(sent, form_token))
        return answer(show(text("login_expired"), 403));
    auto name = call.field("name"), password = call.field("password");
    if (sessions_.locked(name)) return answer(show(text("login_locked"), 429));
    const ConsoleUser* user = nullptr;
    for (const auto& u : app_.config.console.users)
        if (u.name == name) user = &u;
    // A wrong name costs as much as a wrong password: both run scrypt.
    bool ok = verify_password(password, user ? user->password_hash
                                             : app_.config.console.users.front().password_hash) &&
              user;
    if (!ok) {
        sessions_.failed(name);
        app_.log.warn("console_login_failed", {{"user", name}, {"remote", call.req.remote}});
        return answer(show(text("login_wrong"), 401));
    }
    sessions_.succeeded(name);
    auto id = sessions_.open(*user);
    app_.log.info("console_login", {{"user", name}, {"remote", call.req.remote}});
    auto r = redirect(next);
    r.headers.emplace_back("set-cookie",
                           "nudge_session=" + id + "; Path=/ui; HttpOnly; SameSite=Strict" +
                               (app_.config.console.secure_cookies ? "; Secure" : ""));
    answer(std::move(r));
}

// ---- inbox -------------------------------------------------------------------------------

void Console::inbox(Call& call) {
    const auto& e = app_.engine->engine();
    bool all = call.param("all") == "1";
    std::map<std::string, std::size_t> counts;
    json items = json::array();
    const auto& inbox = e.inbox();
    for (auto it = inbox.rbegin(); it != inbox.rend(); ++it) {
        if (it->open()) ++counts[it->reason];
        if (!all && !it->open()) continue;
        json candidates = json::array();
        std::set<std::string> states;
        for (auto id : it->candidates) {
            auto v = app_.engine->instance(id, false);
            if (!v) continue;
            candidates.push_back({{"id", std::to_string(id)},
                                  {"flow", v->flow},
                                  {"state", v->state},
                                  {"key", v->key}});
            if (auto f = app_.flows.find(v->flow); f != app_.flows.end())
                for (const auto& s : f->second.flow->states())
                    states.insert(s.name);
        }
        json j = {{"id", std::to_string(it->id)},
                  {"at", time_text(it->at)},
                  {"from", it->message.from},
                  {"to", it->message.to},
                  {"text", it->message.text},
                  {"reason", text("reason_" + it->reason)},
                  {"open", it->open()},
                  {"candidates", candidates},
                  {"has_candidates", !candidates.empty()},
                  {"states", json(std::vector<std::string>(states.begin(), states.end()))}};
        if (it->assigned_to) j["assigned_to"] = std::to_string(*it->assigned_to);
        if (it->handled_at) {
            j["handled"] = {
                {"by", it->handled_by}, {"at", time_text(*it->handled_at)}, {"note", it->note}};
        }
        items.push_back(j);
    }
    json reasons = json::array();
    for (const auto& [reason, n] : counts)
        reasons.push_back({{"label", text("reason_" + reason)}, {"count", std::to_string(n)}});
    auto r = page(call, "inbox",
                  {{"items", items}, {"empty", items.empty()}, {"reasons", reasons}, {"all", all}});
    answer(call, std::move(r));
}

void Console::inbox_action(Call& call, std::uint64_t id, const std::string& action) {
    const auto& e = app_.engine->engine();
    const auto* item = find_item(e, id);
    auto fail = [&](const std::string& why) { refuse(call, why, "/ui/inbox"); };
    if (!item) return fail(text("no_such_message"));
    auto user = call.session->user;
    auto commit = [&](std::function<std::string()> act, std::string back) {
        this->commit(call, std::move(act), std::move(back));
    };
    if (action == "optout") {
        auto from = item->message.from;
        return commit(
            [this, from, user] {
                app_.engine->suppress(from, text("optout_from_inbox"), user);
                return text("done_optout") + " " + from;
            },
            "/ui/inbox");
    }
    if (action == "close") {
        auto note = call.field("note");
        if (note.empty()) return fail(text("note_needed"));
        return commit(
            [this, id, note, user] {
                app_.engine->close(id, note, user);
                return text("done_close");
            },
            "/ui/inbox");
    }
    if (action != "assign" && action != "move") return fail(text("not_found"));
    auto instance = to_id(call.field("instance"));
    if (!instance && item->candidates.size() == 1) instance = item->candidates.front();
    auto target = instance ? app_.engine->instance(*instance, false) : std::nullopt;
    if (!target) return fail(text("instance_needed"));
    auto back = "/ui/instances/" + std::to_string(*instance);
    if (action == "assign") {
        return commit(
            [this, id, inst = *instance, user] {
                app_.engine->assign(id, inst, user);
                return text("done_assign") + " #" + std::to_string(inst);
            },
            back);
    }
    auto state = call.field("state");
    auto info = app_.flows.find(target->flow);
    if (info == app_.flows.end() || !info->second.flow->state_index(state))
        return fail(text("no_such_state") + " '" + state + "'");
    commit(
        [this, id, inst = *instance, state, user] {
            app_.engine->assign(id, inst, user);
            app_.engine->move(inst, state, user);
            return text("done_move") + " " + state;
        },
        back);
}

// ---- lists -------------------------------------------------------------------------------

void Console::lists(Call& call, bool csv) {
    auto flow = call.param("flow"), state = call.param("state"), q = lower(call.param("q"));
    auto sort = call.param("sort");
    bool desc = call.param("desc") == "1";
    if (flow.empty() && !app_.flows.empty()) flow = app_.flows.begin()->first;
    auto info = app_.flows.find(flow);
    std::vector<InstanceView> rows;
    std::vector<std::string> columns;
    if (info != app_.flows.end()) {
        for (const auto& f : info->second.flow->flow().fields)
            columns.push_back(f.name);
        for (auto& v : app_.engine->instances(flow, state)) {
            if (!q.empty()) {
                bool hit = lower(v.key).find(q) != std::string::npos;
                for (const auto& [k, val] : v.fields)
                    hit = hit || lower(val).find(q) != std::string::npos;
                if (!hit) continue;
            }
            rows.push_back(std::move(v));
        }
    }
    auto value = [&](const InstanceView& v, const std::string& col) -> std::string {
        if (col == "key") return v.key;
        if (col == "state") return v.state;
        if (col == "entered") return format_instant(v.entered);
        auto it = v.fields.find(col);
        return it == v.fields.end() ? std::string() : it->second;
    };
    if (!sort.empty() && sort != "id") {
        std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
            return desc ? value(b, sort) < value(a, sort) : value(a, sort) < value(b, sort);
        });
    } else if (desc) {
        std::reverse(rows.begin(), rows.end());
    }
    if (csv) {
        std::ostringstream out;
        out << "id,flow,state,key,entered";
        for (const auto& c : columns)
            out << "," << csv_cell(c);
        out << "\r\n";
        for (const auto& v : rows) {
            out << v.id << "," << csv_cell(v.flow) << "," << csv_cell(v.state) << ","
                << csv_cell(v.key) << "," << csv_cell(format_instant(v.entered, zone_));
            for (const auto& c : columns)
                out << "," << csv_cell(value(v, c));
            out << "\r\n";
        }
        Response r;
        r.content_type = "text/csv; charset=utf-8";
        r.body = out.str();
        r.headers.emplace_back("content-disposition", "attachment; filename=\"" + flow +
                                                          (state.empty() ? "" : "-") + state +
                                                          ".csv\"");
        secure_headers(r);
        return answer(call, std::move(r));
    }
    auto link = [&](const std::string& col) {
        bool flip = sort == col && !desc;
        return "/ui/lists?flow=" + url_encode(flow) + "&state=" + url_encode(state) +
               "&q=" + url_encode(call.param("q")) + "&sort=" + url_encode(col) +
               (flip ? "&desc=1" : "");
    };
    json flows = json::array(), states = json::array(), cols = json::array(), list = json::array();
    for (const auto& [name, i] : app_.flows)
        flows.push_back({{"name", name}, {"selected", name == flow}});
    if (info != app_.flows.end())
        for (const auto& s : info->second.flow->states())
            states.push_back({{"name", s.name}, {"selected", s.name == state}});
    for (const auto& c : columns)
        cols.push_back({{"name", c}, {"link", link(c)}, {"sorted", sort == c}});
    for (const auto& v : rows) {
        json cells = json::array();
        for (const auto& c : columns)
            cells.push_back(value(v, c));
        list.push_back({{"id", std::to_string(v.id)},
                        {"key", v.key},
                        {"state", v.state},
                        {"status", text("status_" + std::string(to_string(v.status)))},
                        {"entered", time_text(v.entered)},
                        {"cells", cells}});
    }
    json ctx = {{"flows", flows},
                {"states", states},
                {"columns", cols},
                {"rows", list},
                {"count", std::to_string(rows.size())},
                {"empty", rows.empty()},
                {"q", call.param("q")},
                {"link_key", link("key")},
                {"link_state", link("state")},
                {"link_entered", link("entered")},
                {"csv", "/ui/lists.csv?flow=" + url_encode(flow) + "&state=" + url_encode(state) +
                            "&q=" + url_encode(call.param("q")) + "&sort=" + url_encode(sort) +
                            (desc ? "&desc=1" : "")}};
    answer(call, page(call, "lists", ctx));
}

// ---- one instance ------------------------------------------------------------------------

void Console::instance(Call& call, std::uint64_t id) {
    auto v = app_.engine->instance(id, true);
    if (!v) {
        return answer(call, page(call, "error", {{"message", text("not_found")}}, 404));
    }
    json fields = json::array();
    for (const auto& [k, val] : v->fields)
        fields.push_back({{"name", k}, {"value", val}});
    json timeline = json::array();
    for (const auto& r : v->history) {
        json details = json::array();
        std::string by;
        for (const auto& [k, val] : r.fields) {
            if (k == "by") {
                by = val;
                continue;
            }
            details.push_back({{"name", k}, {"value", val}});
        }
        json row = {{"at", time_text(r.at)},
                    {"kind", r.kind},
                    {"label", text("kind_" + r.kind)},
                    {"details", details}};
        if (!by.empty()) row["by"] = by;
        // A message's delivery as the outbox has it now (delivery reports follow as records).
        if (r.kind == "sent") {
            if (auto item = app_.engine->outbox_item(r.get("id"))) {
                std::string status =
                    item->done_at        ? text("delivery_done") + " " + time_text(*item->done_at)
                    : item->failed_at    ? text("delivery_failed") + " " + item->last_error
                    : item->attempts > 0 ? text("delivery_retrying") + " (" + item->last_error + ")"
                                         : text("delivery_waiting");
                row["delivery"] = status;
                row["delivery_failed"] = item->failed_at.has_value();
            }
        }
        timeline.push_back(row);
    }
    json states = json::array();
    if (auto f = app_.flows.find(v->flow); f != app_.flows.end())
        for (const auto& s : f->second.flow->states())
            states.push_back({{"name", s.name}, {"current", s.name == v->state}});
    // Sending by hand: the flow's templates to start from (?template=N fills the text in, and
    // picks a channel of its kind), the channels to send on.
    json templates = json::array(), channels = json::array();
    std::string draft;
    std::string chosen_channel;
    if (auto f = app_.flows.find(v->flow); f != app_.flows.end()) {
        const auto& def = f->second.flow->flow();
        auto pick = to_id(call.param("template"));
        for (std::size_t i = 0; i < def.templates.size(); ++i) {
            const auto& t = def.templates[i];
            bool chosen = pick && *pick == i + 1;
            auto kind = t.kind ? std::string(to_string(*t.kind)) : std::string();
            templates.push_back({{"index", std::to_string(i + 1)},
                                 {"label", t.name + (kind.empty() ? "" : " (" + kind + ")")},
                                 {"chosen", chosen}});
            if (!chosen) continue;
            draft = t.text;
            for (const auto& c : def.channels)
                if (chosen_channel.empty() && (!t.kind || c.kind == *t.kind))
                    chosen_channel = c.name;
        }
        for (const auto& c : def.channels)
            channels.push_back({{"name", c.name},
                                {"kind", std::string(to_string(c.kind))},
                                {"chosen", c.name == chosen_channel}});
    }
    bool live = v->status == InstanceStatus::waiting || v->status == InstanceStatus::pending;
    json ctx = {{"id", std::to_string(v->id)},
                {"templates", templates},
                {"has_templates", !templates.empty()},
                {"channels", channels},
                {"draft", draft},
                {"flow", v->flow},
                {"version", std::to_string(v->version)},
                {"key", v->key},
                {"state", v->state},
                {"status", text("status_" + std::string(to_string(v->status)))},
                {"live", live},
                {"started", time_text(v->started)},
                {"entered", time_text(v->entered)},
                {"fields", fields},
                {"timeline", timeline},
                {"states", states}};
    if (v->outcome) ctx["outcome"] = *v->outcome;
    answer(call, page(call, "instance", ctx));
}

void Console::instance_action(Call& call, std::uint64_t id, const std::string& action) {
    auto back = "/ui/instances/" + std::to_string(id);
    auto v = app_.engine->instance(id, false);
    auto fail = [&](const std::string& why) { refuse(call, why, back); };
    if (!v) return fail(text("not_found"));
    auto user = call.session->user;
    std::function<std::string()> act;
    if (action == "cancel") {
        auto reason = call.field("reason");
        if (reason.empty()) reason = text("cancelled_in_console");
        act = [this, id, reason, user] {
            app_.engine->cancel(id, reason, user);
            return text("done_cancel");
        };
    } else if (action == "move") {
        auto state = call.field("state");
        auto info = app_.flows.find(v->flow);
        if (info == app_.flows.end() || !info->second.flow->state_index(state))
            return fail(text("no_such_state") + " '" + state + "'");
        act = [this, id, state, user] {
            app_.engine->move(id, state, user);
            return text("done_move") + " " + state;
        };
    } else if (action == "send") {
        auto channel = call.field("channel"), message = call.field("text");
        std::erase(message, '\r'); // a textarea's lines end in CR LF
        if (message.empty()) return fail(text("message_needed"));
        act = [this, id, channel, message, user] {
            bool sent = app_.engine->send_by_hand(id, channel, message, user);
            return text(sent ? "done_send" : "send_held_back");
        };
    } else {
        return fail(text("not_found"));
    }
    commit(call, std::move(act), back);
}

// ---- flows -------------------------------------------------------------------------------

void Console::flows(Call& call, json result) {
    const auto& e = app_.engine->engine();
    json list = json::array();
    for (const auto& [name, info] : app_.flows) {
        json states = json::array();
        auto counts = e.state_counts(name);
        for (const auto& s : info.flow->states())
            states.push_back({{"name", s.name},
                              {"count", std::to_string(counts[s.name])},
                              {"key", name + ":" + s.name}});
        json versions = json::array();
        auto stored = app_.engine->versions(name);
        for (auto it = stored.rbegin(); it != stored.rend(); ++it)
            versions.push_back({{"version", std::to_string(it->version)},
                                {"loaded", time_text(it->loaded_at)},
                                {"running", it->version == e.version(name)},
                                {"source", it->source}});
        list.push_back({{"name", name},
                        {"version", std::to_string(e.version(name))},
                        {"file", info.file},
                        {"versions", versions},
                        {"states", states},
                        {"svg", "/ui/flows/" + url_encode(name) + ".svg"}});
    }
    json ctx = {{"flows", list}};
    if (result.is_object() && result.contains("reload")) {
        const auto& r = result["reload"];
        json loaded = json::array(), refused = json::array();
        for (const auto& x : r.value("loaded", json::array()))
            loaded.push_back(x.is_string() ? x.get<std::string>() : x.dump());
        for (const auto& x : r.value("refused", json::array()))
            refused.push_back({{"file", x.value("file", std::string())},
                               {"diagnostics", x.value("diagnostics", std::string())}});
        ctx["reload"] = {{"loaded", loaded},
                         {"refused", refused},
                         {"nothing", loaded.empty() && refused.empty()}};
    }
    if (result.is_object() && result.contains("migrate")) ctx["migrate"] = result["migrate"];
    answer(call, page(call, "flows", ctx));
}

// ---- report ------------------------------------------------------------------------------

void Console::report(Call& call) {
    auto period = call.param("period");
    if (period != "month" && period != "range") period = "today";
    std::string problem;
    auto spec = period == "range" ? call.param("from") + ".." + call.param("to") : period;
    Period span;
    try {
        span = report_period(spec, app_.clock->now(), zone_);
    } catch (const nudge::error&) {
        problem = text("bad_range");
        period = "today";
        span = report_period("today", app_.clock->now(), zone_);
    }
    ReportSettings settings;
    settings.sms_price = app_.config.console.sms_price;
    if (auto price = call.param("sms_price"); !price.empty()) {
        try {
            settings.sms_price = std::stod(price);
        } catch (const std::exception&) {
            problem = text("bad_price");
        }
    }
    auto conversion = call.param("conversion");
    if (!conversion.empty()) settings.conversion = conversion;
    auto records = app_.engine->records(span.from, span.to);
    auto reports = make_report(records, settings);
    auto money = [](double v) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f", std::abs(v) < 0.005 ? 0.0 : v);
        return std::string(buf);
    };
    auto tally = [&](const Tally& t, const std::string& prefix) {
        json out = json::array();
        for (const auto& [name, n] : t.items())
            out.push_back({{"name", prefix.empty() ? name : text(prefix + name)},
                           {"count", std::to_string(n)}});
        return out;
    };
    json list = json::array();
    for (const auto& [name, info] : app_.flows) {
        FlowReport f;
        f.flow = name;
        for (const auto& r : reports)
            if (r.flow == name) f = r;
        // The funnel follows the flow's own order of states.
        std::int64_t top = 1;
        for (const auto& [s, n] : f.entries.items())
            top = std::max(top, n);
        json funnel = json::array();
        for (const auto& s : info.flow->states()) {
            auto n = f.entries.count(s.name);
            funnel.push_back({{"state", s.name},
                              {"count", std::to_string(n)},
                              {"percent", std::to_string(n * 100 / top)}});
        }
        list.push_back({{"flow", name},
                        {"triggers", std::to_string(f.events.total())},
                        {"starts", std::to_string(f.starts)},
                        {"not_started", tally(f.not_started, "reason_")},
                        {"funnel", funnel},
                        {"sent", tally(f.sent, "")},
                        {"failed", tally(f.failed, "")},
                        {"outcomes", tally(f.outcomes, "")},
                        {"sms", std::to_string(f.sms)},
                        {"conversions", std::to_string(f.conversions)},
                        {"revenue", money(f.revenue)},
                        {"sms_cost", money(f.sms_cost)},
                        {"roi", money(f.roi)},
                        {"rate", money(f.rate * 100)}});
    }
    json ctx = {{"flows", list},
                {"period_today", period == "today"},
                {"period_month", period == "month"},
                {"period_range", period == "range"},
                {"from", span.first_day},
                {"to", span.last_day},
                {"sms_price", money(settings.sms_price)},
                {"conversion", settings.conversion}};
    if (!problem.empty()) ctx["problem"] = problem;
    answer(call, page(call, "report", ctx));
}

// ---- settings -----------------------------------------------------------------------------

void Console::settings(Call& call) {
    json businesses = json::array();
    for (const auto& [name, info] : app_.flows) {
        const auto& def = info.flow->flow();
        if (def.business.empty()) continue;
        json list = json::array();
        for (const auto& s : settings_of(def)) {
            bool multiline = s.kind == SettingKind::list || s.kind == SettingKind::template_text;
            list.push_back({{"name", s.name},
                            {"field", "set_" + s.name},
                            {"kind", text("setting_" + std::string(to_string(s.kind)))},
                            {"hint", text("hint_" + std::string(to_string(s.kind)))},
                            {"value", s.value},
                            {"multiline", multiline}});
        }
        businesses.push_back({{"business", def.business},
                              {"flow", std::string(base_name(def))},
                              {"name", name},
                              {"action", "/ui/settings/" + url_encode(name)},
                              {"version", std::to_string(app_.engine->engine().version(name))},
                              {"settings", list}});
    }
    json changes = json::array();
    auto history = app_.engine->history(0);
    for (auto it = history.rbegin(); it != history.rend() && changes.size() < 200; ++it) {
        if (it->kind != "settings_changed") continue;
        std::string what;
        for (const auto& [k, v] : it->fields) {
            if (k == "flow" || k == "by") continue;
            what += (what.empty() ? "" : "; ") + k + " = " + v;
        }
        changes.push_back({{"at", time_text(it->at)},
                           {"flow", std::string(it->get("flow"))},
                           {"what", what},
                           {"by", std::string(it->get("by"))}});
    }
    answer(call,
           page(call, "settings",
                {{"businesses", businesses}, {"none", businesses.empty()}, {"changes", changes}}));
}

void Console::settings_action(Call& call, const std::string& name) {
    auto fail = [&](const std::string& why) { refuse(call, why, "/ui/settings"); };
    auto it = app_.flows.find(name);
    if (it == app_.flows.end() || it->second.flow->flow().business.empty())
        return fail(text("not_found"));
    const auto& def = it->second.flow->flow();
    std::map<std::string, std::string, std::less<>> changes;
    for (const auto& s : settings_of(def)) {
        // A setting the form does not carry is left as it is (not emptied).
        if (!call.has_field("set_" + s.name)) continue;
        auto value = call.field("set_" + s.name);
        std::erase(value, '\r'); // a textarea's lines end in CR LF
        while (!value.empty() && (value.back() == '\n' || value.back() == ' '))
            value.pop_back();
        if (value != s.value) changes[s.name] = value;
    }
    if (changes.empty()) return fail(text("nothing_changed"));
    // The running flow already has this business's values: the changes go on top of it, and
    // are checked and compiled as the compiler would any flow.
    FlowDef base = def;
    base.name = std::string(base_name(def));
    base.business.clear();
    SettingValues values(changes.begin(), changes.end());
    auto result = apply_settings(base, def.business, values);
    if (!result.ok()) {
        std::string why;
        for (const auto& d : result.diagnostics)
            if (d.severity == Severity::error) why += (why.empty() ? "" : "; ") + d.message;
        return fail(why);
    }
    auto user = call.session->user;
    commit(
        call,
        [this, flow = result.flow, changes, user, business = def.business, base_flow = base.name] {
            app_.engine->change_settings(base_flow, business, changes, user);
            auto m = app_.install(flow);
            return text("done_settings") + " " + flow->flow().name + " (" + text("version") + " " +
                   std::to_string(m.version) + ", " + std::to_string(m.moved.size()) + " " +
                   text("moved") + ")";
        },
        "/ui/settings");
}

// ---- opt-outs ----------------------------------------------------------------------------

void Console::optouts(Call& call) {
    auto q = lower(call.param("q"));
    json list = json::array();
    for (const auto& s : app_.engine->engine().suppressions()) {
        if (!q.empty() && lower(s.address).find(q) == std::string::npos &&
            lower(s.source).find(q) == std::string::npos)
            continue;
        list.push_back({{"address", s.address},
                        {"since", time_text(s.at)},
                        {"source", s.source},
                        {"business", s.business},
                        {"scope", s.business.empty() ? text("every_business") : s.business}});
    }
    std::set<std::string> names;
    for (const auto& [name, info] : app_.flows)
        if (!info.flow->flow().business.empty()) names.insert(info.flow->flow().business);
    json businesses = json::array();
    for (const auto& b : names)
        businesses.push_back({{"name", b}});
    json changes = json::array();
    auto history = app_.engine->history(0);
    for (auto it = history.rbegin(); it != history.rend() && changes.size() < 200; ++it) {
        if (it->kind != "opt_out_added" && it->kind != "opt_out_removed") continue;
        changes.push_back({{"at", time_text(it->at)},
                           {"label", text("kind_" + it->kind)},
                           {"address", std::string(it->get("address"))},
                           {"reason", std::string(it->get("reason"))},
                           {"business", std::string(it->get("business"))},
                           {"by", std::string(it->get("by"))}});
    }
    answer(call, page(call, "optouts",
                      {{"list", list},
                       {"empty", list.empty()},
                       {"changes", changes},
                       {"businesses", businesses},
                       {"has_businesses", !businesses.empty()},
                       {"q", call.param("q")}}));
}

void Console::optout_action(Call& call, const std::string& action) {
    auto address = call.field("address"), reason = call.field("reason"),
         business = call.field("business");
    auto fail = [&](const std::string& why) { refuse(call, why, "/ui/optouts"); };
    if (action != "add" && action != "remove") return fail(text("not_found"));
    if (address.empty()) return fail(text("address_needed"));
    if (reason.empty()) return fail(text("reason_needed"));
    auto user = call.session->user;
    bool add = action == "add";
    commit(
        call,
        [this, add, address, reason, user, business] {
            if (add) {
                app_.engine->suppress(address, reason, user, business);
                return text("done_optout") + " " + address;
            }
            if (!app_.engine->unsuppress(address, reason, user, business))
                throw nudge::error(text("not_opted_out") + " " + address);
            return text("done_optin") + " " + address;
        },
        "/ui/optouts");
}

// ---- users and counts --------------------------------------------------------------------

void Console::users(Call& call) {
    json list = json::array();
    for (const auto& u : app_.config.console.users)
        list.push_back({{"name", u.name}, {"role", text("role_" + u.role)}});
    answer(call, page(call, "users", {{"users", list}}));
}

void Console::counts(Call& call) {
    const auto& e = app_.engine->engine();
    std::size_t open = 0;
    for (const auto& item : e.inbox())
        open += item.open() ? 1 : 0;
    json counts = {{"inbox", open}};
    for (const auto& [name, info] : app_.flows) {
        auto held = e.state_counts(name);
        for (const auto& s : info.flow->states())
            counts[name + ":" + s.name] = held[s.name];
    }
    Response r = json_response(200, counts);
    secure_headers(r);
    answer(call, std::move(r));
}

} // namespace nudge::server::console
