#pragma once
// The HTTP/1.1 listener of `nudge serve` (Boost.Beast on one Asio io_context, in http.cpp only).
// A handler gets each request and answers through a callback, at once or later (after the
// group commit): the connection reads its next request only once the answer is written.

#include "config.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace nudge::server {

struct Request {
    std::string method;
    std::string path;                                         // without the query, not decoded
    std::string query;                                        // after '?', not decoded
    std::vector<std::pair<std::string, std::string>> headers; // names in lower case
    std::string body;
    std::string remote; // the peer's address
    // The value of a header, or "" when absent.
    std::string header(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request, Respond)>;

// Counts the listener reports (for /metrics).
struct HttpCounters {
    std::size_t open_connections = 0;
    std::uint64_t refused_connections = 0; // over max_connections
    std::uint64_t timeouts = 0;
};

class HttpServer {
public:
    // Refused requests (413 body too large, 431 headers too large, 400 not HTTP) are answered
    // here and never reach the handler; `on_refusal(status)` counts them.
    HttpServer(boost::asio::io_context& io, const Limits& limits, Handler handler,
               std::function<void(int)> on_refusal);
    ~HttpServer();
    // Binds ADDRESS:PORT (port 0: any free one). Throws nudge::error when it cannot.
    void listen(const std::string& address_port);
    // The port bound (useful with port 0).
    unsigned short port() const;
    // Stops accepting; open connections finish the request they are in and are then closed.
    void stop_accepting();
    // Closes every connection that is not in the middle of a request.
    void close_idle();
    const HttpCounters& counters() const;

    struct Impl; // public so that http.cpp's sessions can hold it

private:
    std::shared_ptr<Impl> impl_;
};

// Percent-decoding ('+' as space when `form`); nullopt for a malformed escape.
std::optional<std::string> url_decode(std::string_view text, bool form = false);
// name=value pairs of a query or form body, decoded.
std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text);
std::string url_encode(std::string_view text);
// "/v1/inbox/3/assign" → {"v1", "inbox", "3", "assign"}: the segments after the first '/',
// each decoded (a malformed escape gives ""); trailing slashes add none.
std::vector<std::string> path_parts(std::string_view path);

} // namespace nudge::server
