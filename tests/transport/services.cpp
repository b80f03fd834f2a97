#include "services.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace nudge::test {

namespace {

const std::string script = std::string(NUDGE_TEST_DIR) + "/fixtures/services.py";

bool executable(const char* path) { return ::access(path, X_OK) == 0; }

bool python_module(const char* module) {
    if (!python_installed()) return false;
    std::string command = std::string(debian_python) + " -c 'import " + module + "' 2>/dev/null";
    return std::system(command.c_str()) == 0;
}

// Waits up to `wait` for the child to exit; true when it did.
bool reaped(int pid, std::chrono::milliseconds wait) {
    auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace

bool kannel_installed() {
    return executable("/usr/sbin/bearerbox") && executable("/usr/sbin/smsbox") &&
           executable("/usr/lib/kannel/test/fakesmsc") && python_installed();
}
bool aiosmtpd_installed() { return python_module("aiosmtpd"); }
bool python_installed() { return executable(debian_python); }

Service::Service(const std::vector<std::string>& args, std::chrono::seconds timeout) {
    int in[2];
    int out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    std::vector<std::string> argv_text{debian_python, script};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text)
        argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, debian_python, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    to_child_ = in[1];
    from_child_ = out[0];
    if (rc != 0) {
        ::close(to_child_);
        ::close(from_child_);
        throw std::runtime_error(std::string("cannot start services.py: ") + std::strerror(rc));
    }
    pid_ = pid;
    try {
        info_ = nlohmann::json::parse(read_line(std::chrono::steady_clock::now() + timeout));
        if (info_.contains("ok") && !info_["ok"].get<bool>())
            throw std::runtime_error(info_.value("error", "services.py failed"));
    } catch (...) {
        stop();
        throw;
    }
}

Service::~Service() { stop(); }

void Service::stop() {
    if (to_child_ >= 0) ::close(to_child_); // the service's signal to clean up and go
    to_child_ = -1;
    if (pid_ > 0 && !reaped(pid_, std::chrono::seconds(15))) {
        ::kill(pid_, SIGTERM);
        if (!reaped(pid_, std::chrono::seconds(5))) {
            ::kill(pid_, SIGKILL);
            reaped(pid_, std::chrono::seconds(5));
        }
    }
    pid_ = -1;
    if (from_child_ >= 0) ::close(from_child_);
    from_child_ = -1;
}

std::string Service::read_line(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        auto nl = buffered_.find('\n');
        if (nl != std::string::npos) {
            std::string line = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return line;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("services.py: no answer in time");
        pollfd p{from_child_, POLLIN, 0};
        int n = ::poll(&p, 1, static_cast<int>(left.count()));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) continue;
        char buffer[4096];
        ssize_t got = ::read(from_child_, buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) throw std::runtime_error("services.py: exited (see its stderr above)");
        buffered_.append(buffer, static_cast<std::size_t>(got));
    }
}

nlohmann::json Service::command(const nlohmann::json& cmd, std::chrono::seconds timeout) {
    std::string line = cmd.dump() + "\n";
    if (::write(to_child_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw std::runtime_error("services.py: cannot write a command");
    auto own = std::chrono::seconds(static_cast<long>(cmd.value("timeout", 0.0)) + 1);
    auto answer =
        nlohmann::json::parse(read_line(std::chrono::steady_clock::now() + timeout + own));
    if (!answer.value("ok", false))
        throw std::runtime_error("services.py: " + answer.value("error", answer.dump()));
    return answer;
}

int closed_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

} // namespace nudge::test
