// SVG pictures: the DOT text of pictures.cpp through Graphviz's `dot`, run as a child process.
#include <nudge/compile.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace nudge {

namespace {

// Closes a descriptor when it goes out of scope, unless already closed.
struct Fd {
    int fd = -1;
    Fd() = default;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { close(); }
    void close() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

// Runs `dot -Tsvg`, writing the DOT text to its standard input while reading its standard
// output (poll on both, so a large picture cannot deadlock the two pipes). Its standard error
// is ours, so Graphviz's own complaints reach the user.
} // namespace

Svg render_svg(const std::string& dot_text) {
    Fd in_read, in_write, out_read, out_write;
    int in_pipe[2], out_pipe[2];
    if (::pipe(in_pipe) != 0) return {{}, std::string("cannot create a pipe: ") + strerror(errno)};
    in_read.fd = in_pipe[0];
    in_write.fd = in_pipe[1];
    if (::pipe(out_pipe) != 0) return {{}, std::string("cannot create a pipe: ") + strerror(errno)};
    out_read.fd = out_pipe[0];
    out_write.fd = out_pipe[1];
    // Our ends must not leak into the child, or it would never see end of input.
    ::fcntl(in_write.fd, F_SETFD, FD_CLOEXEC);
    ::fcntl(out_read.fd, F_SETFD, FD_CLOEXEC);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_read.fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out_write.fd, STDOUT_FILENO);
    char arg0[] = "dot";
    char arg1[] = "-Tsvg";
    char* argv[] = {arg0, arg1, nullptr};
    pid_t pid = 0;
    int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        if (spawned == ENOENT) {
            return {{},
                    "Graphviz 'dot' was not found on PATH; install Graphviz (Debian: apt-get "
                    "install graphviz) or use --format dot"};
        }
        return {{}, std::string("cannot run Graphviz 'dot': ") + strerror(spawned)};
    }
    in_read.close();
    out_write.close();

    // A `dot` that exits early must not kill us with SIGPIPE; the write just fails.
    auto old_pipe = std::signal(SIGPIPE, SIG_IGN);
    Svg result;
    std::size_t written = 0;
    if (dot_text.empty()) in_write.close();
    char buffer[65536];
    while (out_read.fd >= 0) {
        pollfd fds[2] = {{out_read.fd, POLLIN, 0}, {in_write.fd, POLLOUT, 0}};
        nfds_t count = in_write.fd >= 0 ? 2 : 1;
        if (::poll(fds, count, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (count == 2 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            auto n = ::write(in_write.fd, dot_text.data() + written, dot_text.size() - written);
            if (n > 0) written += static_cast<std::size_t>(n);
            if (n < 0 && errno != EINTR && errno != EAGAIN) in_write.close();
            if (written == dot_text.size()) in_write.close();
        }
        if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
            auto n = ::read(out_read.fd, buffer, sizeof buffer);
            if (n > 0) {
                result.out.append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                out_read.close();
            }
        }
    }
    in_write.close();
    std::signal(SIGPIPE, old_pipe);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        result.error = "Graphviz 'dot' failed (exit status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
    }
    return result;
}

Svg to_svg(const CompiledFlow& flow) { return render_svg(to_dot(flow)); }

} // namespace nudge
