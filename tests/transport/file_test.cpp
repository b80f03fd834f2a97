// FileTransport: JSON lines on disk, each id once, also across reopening and after a torn write.
#include <nudge/error.hpp>
#include <nudge/transports.hpp>

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

using nudge::FileTransport;
using nudge::Message;
namespace fs = std::filesystem;

namespace {

// A scratch directory removed at the end of the test case.
struct Scratch {
    fs::path dir;
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "nudge-file-XXXXXX").string();
        dir = ::mkdtemp(pattern.data());
    }
    ~Scratch() { fs::remove_all(dir); }
};

Message message(std::string id, std::string text = "Hej") {
    Message m;
    m.id = std::move(id);
    m.flow = "recall";
    m.channel = "sms";
    m.to = "+4512345678";
    m.text = std::move(text);
    return m;
}

std::string contents(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<nlohmann::json> lines(const fs::path& p) {
    std::vector<nlohmann::json> out;
    std::istringstream in(contents(p));
    for (std::string l; std::getline(in, l);)
        out.push_back(nlohmann::json::parse(l));
    return out;
}

} // namespace

TEST_CASE("file: each message is one JSON line, and an id is written once") {
    Scratch s;
    fs::path path = s.dir / "out.jsonl";
    FileTransport t(path);
    CHECK(t.send(message("a/1/s/x", "first")).accepted);
    CHECK(t.send(message("a/2/s/x", "second\nline")).accepted);
    auto again = t.send(message("a/1/s/x", "first, again"));
    CHECK(again.accepted);
    auto l = lines(path);
    REQUIRE(l.size() == 2);
    CHECK(l[0]["id"] == "a/1/s/x");
    CHECK(l[0]["text"] == "first");
    CHECK(l[1]["text"] == "second\nline");
    CHECK(l[1]["kind"] == "sms");
}

TEST_CASE("file: ids written before are honoured after reopening") {
    Scratch s;
    fs::path path = s.dir / "out.jsonl";
    {
        FileTransport t(path);
        CHECK(t.send(message("a/1/s/x")).accepted);
    }
    FileTransport t(path);
    CHECK(t.send(message("a/1/s/x")).accepted);
    CHECK(t.send(message("a/3/s/x")).accepted);
    auto l = lines(path);
    REQUIRE(l.size() == 2);
    CHECK(l[0]["id"] == "a/1/s/x");
    CHECK(l[1]["id"] == "a/3/s/x");
}

TEST_CASE("file: a torn last line is cut off, and its message written again") {
    Scratch s;
    fs::path path = s.dir / "out.jsonl";
    std::string whole = nudge::message_json(message("a/1/s/x")) + "\n";
    std::string torn = nudge::message_json(message("a/2/s/x")).substr(0, 20);
    std::ofstream(path, std::ios::binary) << whole << torn;
    FileTransport t(path);
    CHECK(contents(path) == whole);
    CHECK(t.send(message("a/1/s/x")).accepted);
    CHECK(t.send(message("a/2/s/x")).accepted);
    auto l = lines(path);
    REQUIRE(l.size() == 2);
    CHECK(l[1]["id"] == "a/2/s/x");
}

TEST_CASE("file: sends from several threads each land once, whole") {
    Scratch s;
    fs::path path = s.dir / "out.jsonl";
    FileTransport t(path);
    std::vector<std::thread> threads;
    for (int k = 0; k < 4; ++k)
        threads.emplace_back([&t] {
            // Every thread sends the same 50 ids: each must be written exactly once.
            for (int i = 0; i < 50; ++i)
                t.send(message("a/" + std::to_string(i) + "/s/x"));
        });
    for (auto& th : threads)
        th.join();
    auto l = lines(path);
    CHECK(l.size() == 50);
    std::set<std::string> ids;
    for (const auto& j : l)
        ids.insert(j["id"].get<std::string>());
    CHECK(ids.size() == 50);
}

TEST_CASE("file: a file that cannot be opened, or that another transport holds, throws") {
    Scratch s;
    CHECK_THROWS_AS(FileTransport(s.dir / "missing" / "out.jsonl"), nudge::io_error);
    FileTransport first(s.dir / "out.jsonl");
    CHECK_THROWS_AS(FileTransport(s.dir / "out.jsonl"), nudge::io_error);
}
