// FileTransport: JSON lines, each on disk before send() returns, each id once.
#include <nudge/error.hpp>
#include <nudge/transports.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>

namespace nudge {

struct FileTransport::Impl {
    std::filesystem::path path;
    int fd = -1;
    off_t size = 0; // where the next line goes: the end of the last whole line
    std::unordered_set<std::string> ids;
    std::mutex mutex;

    ~Impl() {
        if (fd >= 0) ::close(fd);
    }

    [[noreturn]] void fail(const std::string& what) const {
        throw io_error(path.string() + ": " + what + ": " + std::strerror(errno));
    }

    // Reads the ids of every whole line. A last line without its '\n' is what a crash in the
    // middle of a write leaves: it is cut off, and its message (never reported as sent) is
    // written again when it is handed over again.
    void load() {
        std::string content;
        char buffer[65536];
        for (;;) {
            ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(content.size()));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) fail("cannot read");
            if (n == 0) break;
            content.append(buffer, static_cast<std::size_t>(n));
        }
        std::size_t whole = content.rfind('\n');
        whole = whole == std::string::npos ? 0 : whole + 1;
        for (std::size_t at = 0; at < whole;) {
            std::size_t end = content.find('\n', at);
            auto line = std::string_view(content).substr(at, end - at);
            at = end + 1;
            // A whole line that is not one of ours (edited by hand) holds no id to honour.
            auto j = nlohmann::json::parse(line, nullptr, false);
            if (j.is_object() && j.contains("id") && j["id"].is_string())
                ids.insert(j["id"].get<std::string>());
        }
        size = static_cast<off_t>(whole);
        if (whole != content.size()) {
            if (::ftruncate(fd, size) != 0) fail("cannot cut off a torn last line");
            if (::fdatasync(fd) != 0) fail("cannot sync");
        }
    }

    // Writes all of `line` at the end; on failure the file is cut back to its last whole line.
    bool append(const std::string& line, std::string& error) {
        std::size_t done = 0;
        while (done < line.size()) {
            ssize_t n = ::pwrite(fd, line.data() + done, line.size() - done,
                                 size + static_cast<off_t>(done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                error = std::string("file: cannot write: ") + std::strerror(errno);
                [[maybe_unused]] int ignored = ::ftruncate(fd, size);
                return false;
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fdatasync(fd) != 0) {
            error = std::string("file: cannot sync: ") + std::strerror(errno);
            [[maybe_unused]] int ignored = ::ftruncate(fd, size);
            return false;
        }
        size += static_cast<off_t>(line.size());
        return true;
    }
};

FileTransport::FileTransport(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    impl_->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (impl_->fd < 0) impl_->fail("cannot open");
    // Two writers would each keep their own end of file and list of ids; the second one is
    // refused rather than let them overwrite each other's lines.
    if (::flock(impl_->fd, LOCK_EX | LOCK_NB) != 0) impl_->fail("in use by another transport");
    impl_->load();
}

FileTransport::~FileTransport() = default;

SendResult FileTransport::send(const Message& message) {
    SendResult r;
    try {
        std::string line = message_json(message) + "\n";
        std::lock_guard lock(impl_->mutex);
        if (impl_->ids.count(message.id) != 0) {
            r.transport_id = "already written";
            return r;
        }
        if (!impl_->append(line, r.error)) {
            r.accepted = false;
            return r;
        }
        impl_->ids.insert(message.id);
        r.transport_id = impl_->path.filename().string() + ":" + std::to_string(impl_->ids.size());
        return r;
    } catch (const std::exception& e) {
        r.accepted = false;
        r.error = std::string("file: ") + e.what();
        return r;
    }
}

} // namespace nudge
