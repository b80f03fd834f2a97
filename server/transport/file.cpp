// FileTransport: JSON lines, each on disk before send() returns, each id once. Sends from
// several threads share disk flushes: a line written while another thread's flush is under way
// waits for it, then one flush covers every line written by then (group commit).
#include <nudge/error.hpp>
#include <nudge/transports.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace nudge {

struct FileTransport::Impl {
    std::filesystem::path path;
    int fd = -1;
    off_t size = 0; // where the next line goes: the end of the last whole line
    std::unordered_set<std::string> ids;
    std::mutex mutex; // the fields above and below but `flushing`

    // Group flushes. Lines are numbered as written; `synced` lines are on the disk, up to
    // `synced_size` bytes. A failed flush cuts the file back to `synced_size`, forgets the ids
    // written since, and starts a new `epoch`, whose lines are numbered on from `synced`.
    struct Unsynced {
        std::uint64_t line;
        std::string id;
    };
    std::uint64_t written = 0;
    std::uint64_t synced = 0;
    off_t synced_size = 0;
    std::uint64_t epoch = 0;
    std::vector<Unsynced> unsynced;
    std::mutex flushing; // one fdatasync at a time

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
        synced_size = size;
        if (whole != content.size()) {
            if (::ftruncate(fd, size) != 0) fail("cannot cut off a torn last line");
            if (::fdatasync(fd) != 0) fail("cannot sync");
        }
    }

    // Writes all of `line` at the end (not yet flushed); on failure the file is cut back to its
    // last whole line. Called with `mutex` held.
    bool write(const std::string& line, std::string& error) {
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
        size += static_cast<off_t>(line.size());
        return true;
    }

    // Returns once line `line` of `line_epoch` is on the disk (true), or its flush failed and
    // it was cut off again (false, `error` says why).
    bool flush(std::uint64_t line, std::uint64_t line_epoch, std::string& error) {
        std::lock_guard one_at_a_time(flushing);
        std::uint64_t target = 0;
        off_t target_size = 0;
        {
            std::lock_guard lock(mutex);
            if (epoch != line_epoch) {
                error = "file: cannot sync: an earlier flush failed";
                return false;
            }
            if (synced >= line) return true; // a flush that ended meanwhile covered it
            target = written;
            target_size = size;
        }
        int rc = ::fdatasync(fd);
        int err = errno;
        std::lock_guard lock(mutex);
        if (rc == 0) {
            synced = target;
            synced_size = target_size;
            std::erase_if(unsynced, [&](const Unsynced& u) { return u.line <= target; });
            return true;
        }
        error = std::string("file: cannot sync: ") + std::strerror(err);
        [[maybe_unused]] int ignored = ::ftruncate(fd, synced_size);
        size = synced_size;
        for (const auto& u : unsynced)
            ids.erase(u.id);
        unsynced.clear();
        written = synced;
        ++epoch;
        return false;
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
        std::uint64_t mine = 0, mine_epoch = 0;
        {
            std::lock_guard lock(impl_->mutex);
            if (impl_->ids.count(message.id) != 0) {
                // Written, but perhaps by a send whose flush is still under way: wait for it.
                if (auto u = std::find_if(impl_->unsynced.begin(), impl_->unsynced.end(),
                                          [&](const auto& x) { return x.id == message.id; });
                    u != impl_->unsynced.end()) {
                    mine = u->line;
                    mine_epoch = impl_->epoch;
                } else {
                    r.transport_id = "already written";
                    return r;
                }
            } else {
                if (!impl_->write(line, r.error)) {
                    r.accepted = false;
                    return r;
                }
                impl_->ids.insert(message.id);
                mine = ++impl_->written;
                mine_epoch = impl_->epoch;
                impl_->unsynced.push_back({mine, message.id});
                r.transport_id =
                    impl_->path.filename().string() + ":" + std::to_string(impl_->ids.size());
            }
        }
        if (!impl_->flush(mine, mine_epoch, r.error)) {
            r.accepted = false;
            r.transport_id.clear();
        } else if (r.transport_id.empty()) {
            r.transport_id = "already written";
        }
        return r;
    } catch (const std::exception& e) {
        r.accepted = false;
        r.error = std::string("file: ") + e.what();
        return r;
    }
}

} // namespace nudge
