#pragma once
// The staff console (docs/console.md): server-rendered pages under /ui/ on the same loop as
// the API. Pages read the engine; actions go through the group commit like any input, carry
// the user's name into the instance's history, and answer with a redirect once committed.
// Internal to nudge_server.

#include "auth.hpp"
#include "http.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace nudge::server {
class App;
}

namespace nudge::server::console {

// The embedded file `name` (templates, styles, script, texts), or "" when there is none.
std::string_view asset(std::string_view name);

class Console {
public:
    explicit Console(App& app);
    // Every request whose path starts with /ui.
    void handle(const Request& req, Respond respond);

private:
    App& app_;
    Sessions sessions_;
    nlohmann::json strings_; // the texts in the configured language
    std::string zone_;

    struct Call; // one request being answered
    void route(Call& call);
    void login(Call& call);
    void inbox(Call& call);
    void inbox_action(Call& call, std::uint64_t id, const std::string& action);
    void lists(Call& call, bool csv);
    void instance(Call& call, std::uint64_t id);
    void instance_action(Call& call, std::uint64_t id, const std::string& action);
    void flows(Call& call, nlohmann::json result);
    void report(Call& call);
    void settings(Call& call);
    void settings_action(Call& call, const std::string& flow);
    void optouts(Call& call);
    void optout_action(Call& call, const std::string& action);
    void users(Call& call);
    void counts(Call& call);

    Response page(const Call& call, const std::string& name, nlohmann::json ctx, int status = 200);
    // Counts the answer (for /metrics) and sends it.
    void answer(Call& call, Response r);
    // A refused action: `why` as the next page's flash, and a redirect to `back`.
    void refuse(Call& call, const std::string& why, const std::string& back);
    // Runs `act` in the group commit; what it returns (or the engine's refusal) is the next
    // page's flash, and the answer a redirect to `back` once the step is committed.
    void commit(Call& call, std::function<std::string()> act, std::string back);
    std::string time_text(std::chrono::sys_seconds t) const;
    std::string text(const std::string& key) const;
};

} // namespace nudge::server::console
