// nudge graph: a picture of a flow as DOT, Mermaid, or SVG (DOT through Graphviz's `dot`).
#include "commands.hpp"
#include "files.hpp"

#include <nudge/compile.hpp>
#include <nudge/dsl.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace nudge::cli {

namespace {

struct Rendered {
    std::string out;
    std::optional<std::string> error; // why no SVG came out
};

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
Rendered run_dot(const std::string& dot_text) {
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
    Rendered result;
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

} // namespace

int run_graph(const GraphOptions& options) {
    auto source = read_file(options.file);
    if (!source) {
        std::cerr << options.file << ": error: cannot read file [io]\n";
        return 2;
    }
    auto result = compile_source(*source, options.file);
    std::cerr << render(result.diagnostics, *source);
    // A flow with analysis errors is still drawn: the picture often shows the mistake (the
    // unreachable state, the loop). Only a flow that could not be read has nothing to draw.
    if (!result.flow) return 1;

    std::string picture;
    if (options.format == "mermaid") {
        picture = to_mermaid(*result.flow);
    } else if (options.format == "svg") {
        auto svg = run_dot(to_dot(*result.flow));
        if (svg.error) {
            std::cerr << "nudge graph: error: " << *svg.error << "\n";
            return 2;
        }
        picture = std::move(svg.out);
    } else {
        picture = to_dot(*result.flow);
    }

    if (options.output.empty() || options.output == "-") {
        std::cout << picture;
    } else if (auto err = write_file_atomically(options.output, picture)) {
        std::cerr << options.output << ": error: " << *err << " [io]\n";
        return 2;
    }
    return result.diagnostics.has_errors() ? 1 : 0;
}

} // namespace nudge::cli
