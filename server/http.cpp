// Beast lives in this translation unit only (its templates are heavy). One io_context, one
// thread: sessions, the engine's timers and signals share the loop, so nothing here locks.
#include "http.hpp"

#include <nudge/error.hpp>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <set>

namespace nudge::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::string Request::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

namespace {

std::string error_body(std::string_view message) {
    return nlohmann::json{{"error", message}}.dump() + "\n";
}

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

} // namespace

class Session;

struct HttpServer::Impl {
    net::io_context& io;
    Limits limits;
    Handler handler;
    std::function<void(int)> on_refusal;
    tcp::acceptor acceptor;
    HttpCounters counters;
    bool accepting = false;
    std::set<Session*> sessions;

    Impl(net::io_context& i, const Limits& l, Handler h, std::function<void(int)> r)
        : io(i), limits(l), handler(std::move(h)), on_refusal(std::move(r)), acceptor(i) {}

    void accept(const std::shared_ptr<Impl>& self);
};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
        : stream_(std::move(socket)), deadline_(stream_.get_executor()),
          server_(std::move(server)) {
        server_->sessions.insert(this);
        ++server_->counters.open_connections;
        boost::system::error_code ec;
        auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) remote_ = ep.address().to_string();
    }
    ~Session() {
        server_->sessions.erase(this);
        --server_->counters.open_connections;
    }

    void start() { read(); }
    bool busy() const { return busy_; }

    void close() {
        boost::system::error_code ec;
        deadline_.cancel();
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.socket().close(ec);
    }

private:
    beast::tcp_stream stream_;
    // The read deadline is a timer of its own, not the stream's: the stream's closes the
    // socket, and a client that stalled mid-request should still hear 408.
    net::steady_timer deadline_;
    bool timed_out_ = false;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    std::shared_ptr<HttpServer::Impl> server_;
    std::string remote_;
    bool busy_ = false;

    void read() {
        busy_ = false;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_->limits.header_bytes));
        parser_->body_limit(server_->limits.body_bytes);
        stream_.expires_never();
        timed_out_ = false;
        deadline_.expires_after(server_->limits.read_timeout);
        deadline_.async_wait([weak = weak_from_this()](beast::error_code ec) {
            auto self = weak.lock();
            if (ec || !self) return;
            self->timed_out_ = true;
            beast::error_code ignored;
            self->stream_.socket().cancel(ignored);
        });
        http::async_read(
            stream_, buffer_, *parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void refuse(int status, const std::string& message) {
        if (server_->on_refusal) server_->on_refusal(status);
        Response r;
        r.status = status;
        r.body = error_body(message);
        write(std::move(r), false);
    }

    void on_read(beast::error_code ec) {
        deadline_.cancel();
        if (timed_out_ && ec) {
            ++server_->counters.timeouts;
            // A client that sent part of a request and stalled hears why; an idle keep-alive
            // connection is just closed.
            if (parser_->got_some() || buffer_.size() > 0)
                return refuse(408, "the request did not arrive within " +
                                       std::to_string(server_->limits.read_timeout.count()) + " s");
            return close();
        }
        if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
            ec == net::error::eof || ec == net::error::connection_reset) {
            return close();
        }
        if (ec == http::error::body_limit)
            return refuse(413, "the body is larger than " +
                                   std::to_string(server_->limits.body_bytes) + " bytes");
        if (ec == http::error::header_limit)
            return refuse(431, "the request's headers are larger than " +
                                   std::to_string(server_->limits.header_bytes) + " bytes");
        if (ec) return refuse(400, "not a valid HTTP/1.1 request: " + ec.message());

        busy_ = true;
        auto& msg = parser_->get();
        Request req;
        req.method = std::string(msg.method_string());
        auto target = std::string(msg.target());
        auto q = target.find('?');
        req.path = target.substr(0, q);
        if (q != std::string::npos) req.query = target.substr(q + 1);
        for (const auto& field : msg)
            req.headers.emplace_back(lower(std::string(field.name_string())),
                                     std::string(field.value()));
        req.body = std::move(msg.body());
        req.remote = remote_;
        bool keep_alive = msg.keep_alive();
        // The answer may wait for the group commit: no deadline while the handler works.
        stream_.expires_never();
        auto answered = std::make_shared<bool>(false);
        server_->handler(std::move(req),
                         [self = shared_from_this(), keep_alive, answered](Response r) {
                             if (*answered) return;
                             *answered = true;
                             self->write(std::move(r), keep_alive);
                         });
    }

    void write(Response r, bool keep_alive) {
        response_ = {};
        response_.version(11);
        response_.result(static_cast<http::status>(r.status));
        response_.set(http::field::server, "nudge");
        response_.set(http::field::content_type, r.content_type);
        for (const auto& [k, v] : r.headers)
            response_.set(k, v);
        response_.body() = std::move(r.body);
        response_.keep_alive(keep_alive && server_->accepting);
        response_.prepare_payload();
        stream_.expires_after(server_->limits.read_timeout);
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || !self->response_.keep_alive()) return self->close();
                              self->read();
                          });
    }
};

void HttpServer::Impl::accept(const std::shared_ptr<Impl>& self) {
    acceptor.async_accept(net::make_strand(io),
                          [this, self](beast::error_code ec, tcp::socket socket) {
                              if (!accepting) return;
                              if (!ec) {
                                  if (sessions.size() >= limits.max_connections) {
                                      ++counters.refused_connections;
                                      boost::system::error_code ignored;
                                      socket.close(ignored);
                                  } else {
                                      std::make_shared<Session>(std::move(socket), self)->start();
                                  }
                              }
                              accept(self);
                          });
}

HttpServer::HttpServer(net::io_context& io, const Limits& limits, Handler handler,
                       std::function<void(int)> on_refusal)
    : impl_(std::make_shared<Impl>(io, limits, std::move(handler), std::move(on_refusal))) {}

HttpServer::~HttpServer() {
    impl_->accepting = false;
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
}

void HttpServer::listen(const std::string& address_port) {
    auto colon = address_port.rfind(':');
    if (colon == std::string::npos)
        throw error("listen: ADDRESS:PORT expected, saw '" + address_port + "'");
    auto host = address_port.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    unsigned long port = 0;
    try {
        port = std::stoul(address_port.substr(colon + 1));
    } catch (const std::exception&) {
        port = 70000;
    }
    if (port > 65535) throw error("listen: not a port number in '" + address_port + "'");
    boost::system::error_code ec;
    auto address = net::ip::make_address(host, ec);
    if (ec) throw error("listen: '" + host + "' is not an IP address");
    tcp::endpoint ep(address, static_cast<unsigned short>(port));
    auto& a = impl_->acceptor;
    a.open(ep.protocol(), ec);
    if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) a.bind(ep, ec);
    if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw error("listen: cannot listen on " + address_port + ": " + ec.message());
    impl_->accepting = true;
    impl_->accept(impl_);
}

unsigned short HttpServer::port() const {
    boost::system::error_code ec;
    auto ep = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

void HttpServer::stop_accepting() {
    impl_->accepting = false;
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
}

void HttpServer::close_idle() {
    std::vector<Session*> idle;
    for (auto* s : impl_->sessions)
        if (!s->busy()) idle.push_back(s);
    for (auto* s : idle)
        s->close();
}

const HttpCounters& HttpServer::counters() const { return impl_->counters; }

std::optional<std::string> url_decode(std::string_view text, bool form) {
    std::string out;
    out.reserve(text.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            int hi = hex(text[i + 1]), lo = hex(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && form) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i <= text.size() && !text.empty()) {
        auto end = text.find('&', i);
        if (end == std::string_view::npos) end = text.size();
        auto part = text.substr(i, end - i);
        if (!part.empty()) {
            auto eq = part.find('=');
            auto k = url_decode(part.substr(0, eq), true);
            auto v = eq == std::string_view::npos ? std::optional<std::string>("")
                                                  : url_decode(part.substr(eq + 1), true);
            if (k && v) out.emplace_back(std::move(*k), std::move(*v));
        }
        if (end == text.size()) break;
        i = end + 1;
    }
    return out;
}

std::vector<std::string> path_parts(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t i = 1;
    while (i <= path.size()) {
        auto end = path.find('/', i);
        if (end == std::string_view::npos) end = path.size();
        parts.push_back(url_decode(path.substr(i, end - i)).value_or(""));
        i = end + 1;
    }
    while (!parts.empty() && parts.back().empty())
        parts.pop_back();
    return parts;
}

std::string url_encode(std::string_view text) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

} // namespace nudge::server
