// Golden pictures (DOT and Mermaid) for the flows in tests/compile/golden/, golden compile
// diagnostics for tests/compile/invalid/compile-*.flow, and determinism.
// NUDGE_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing (review the diff).
#include "compile_support.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;
using namespace nudge;
using namespace nudge::test;

namespace {

std::vector<fs::path> files_with(const fs::path& dir, const std::string& prefix,
                                 const std::string& ext) {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto name = entry.path().filename().string();
        if (name.rfind(prefix, 0) == 0 && entry.path().extension() == ext) {
            out.push_back(entry.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

fs::path golden_dir() { return test_dir() / "compile" / "golden"; }

void compare_golden(const fs::path& path, const std::string& actual) {
    if (updating_golden()) {
        write_text(path, actual);
        return;
    }
    INFO("golden file: " << path.string());
    REQUIRE(fs::exists(path));
    CHECK(read_text(path) == actual);
}

} // namespace

TEST_CASE("golden DOT and Mermaid pictures") {
    auto flows = files_with(test_dir() / "compile" / "golden", "", ".flow");
    REQUIRE(flows.size() >= 2);
    for (const auto& path : flows) {
        auto text = read_text(path);
        auto result = compile(parse_ok(text, "golden/" + path.filename().string()));
        INFO(render(result.diagnostics, text));
        CHECK(result.diagnostics.empty());
        REQUIRE(result.flow);
        auto stem = path;
        compare_golden(stem.replace_extension(".dot"), to_dot(*result.flow));
        compare_golden(stem.replace_extension(".mmd"), to_mermaid(*result.flow));
        compare_golden(stem.replace_extension(".stats"), to_text(result.flow->stats()));
    }
}

// Same format as the main harness's tests/dsl/invalid goldens: render() after sort(), with the
// file named `invalid/<name>.flow`; here the pipeline is parse + compile.
TEST_CASE("golden compile diagnostics") {
    auto dir = test_dir() / "compile" / "invalid";
    auto flows = files_with(dir, "compile-", ".flow");
    REQUIRE(flows.size() >= 5);
    for (const auto& path : flows) {
        auto text = read_text(path);
        auto parsed = parse_flow_text(text, "invalid/" + path.filename().string());
        INFO(path.string());
        INFO(render(parsed.diagnostics, text));
        REQUIRE(parsed.ok());
        auto result = compile(*parsed.flow);
        result.diagnostics.sort();
        CHECK_FALSE(result.diagnostics.empty());
        auto expected = path;
        compare_golden(expected.replace_extension(".expected"), render(result.diagnostics, text));
    }
}

// Each flow in tests/compile/valid/ is a near-copy of a failing one with its problem fixed: the
// failing twin is tests/compile/invalid/compile-NAME.flow, or for the checker's reply rules
// tests/dsl/invalid/check-NAME.flow. The whole pipeline (parse, check, compile) is quiet on it.
TEST_CASE("valid twins of the failing flows compile without diagnostics") {
    auto flows = files_with(test_dir() / "compile" / "valid", "", ".flow");
    REQUIRE(flows.size() >= 10);
    for (const auto& path : flows) {
        auto name = path.stem().string();
        INFO(path.string());
        CHECK((fs::exists(test_dir() / "compile" / "invalid" / ("compile-" + name + ".flow")) ||
               fs::exists(test_dir() / "dsl" / "invalid" / ("check-" + name + ".flow"))));
        auto text = read_text(path);
        auto result = compile_source(text, "valid/" + path.filename().string());
        INFO(render(result.diagnostics, text));
        CHECK(result.diagnostics.empty());
        CHECK(result.ok());
    }
}

TEST_CASE("compiling twice gives identical results") {
    auto path = test_dir() / "compile" / "golden" / "booking_confirmation.flow";
    auto flow = parse_ok(read_text(path));
    auto a = compile(flow);
    auto b = compile(flow);
    REQUIRE(a.flow);
    REQUIRE(b.flow);
    CHECK(a.diagnostics.items() == b.diagnostics.items());
    CHECK(to_dot(*a.flow) == to_dot(*b.flow));
    CHECK(to_mermaid(*a.flow) == to_mermaid(*b.flow));
    CHECK(to_text(a.flow->stats()) == to_text(b.flow->stats()));
    CHECK(a.flow->flow() == flow);
    REQUIRE(a.flow->edges().size() == b.flow->edges().size());
    for (std::size_t i = 0; i < a.flow->edges().size(); ++i) {
        CHECK(a.flow->edges()[i].label == b.flow->edges()[i].label);
        CHECK(a.flow->edges()[i].target == b.flow->edges()[i].target);
    }
}

TEST_CASE("dispatch tables") {
    auto flow = parse_ok(read_text(golden_dir() / "booking_confirmation.flow"));
    auto result = compile(flow);
    REQUIRE(result.flow);
    const auto& f = *result.flow;
    CHECK(f.state_index("notified") == 2u);
    CHECK_FALSE(f.state_index("nope"));
    REQUIRE(f.starts() == std::vector<std::size_t>{0});
    CHECK(f.states()[0].is_start);
    // notified: two own events, the restart (one start state), the `at`, then from any.
    const auto& n = f.states()[2];
    REQUIRE(n.edges.size() == 4);
    const auto& restart = f.edges()[n.edges[1]];
    CHECK(restart.kind == nudge::EdgeKind::event);
    CHECK(restart.target_kind == nudge::Target::Kind::restart);
    CHECK(restart.target == 0u);
    CHECK(restart.label == "booking.rescheduled (restart)");
    CHECK(f.edges()[n.edges[2]].label == "at visit_at - 10d within daytime");
    CHECK(f.edges()[n.edges[3]].from_any);
    // Finals get no `from any` edges.
    CHECK(f.states()[*f.state_index("confirmed")].edges.empty());
    CHECK(f.edges()[f.states()[0].edges[0]].immediate());
    CHECK(f.edges()[f.states()[0].edges[1]].label == "else");
}

TEST_CASE("stats on a small flow") {
    auto result =
        compile_text(read_text(test_dir() / "compile" / "golden" / "order_confirmation.flow"));
    REQUIRE(result.flow);
    const auto& st = result.flow->stats();
    CHECK(st.states == 4);
    CHECK(st.reachable_states == 4);
    CHECK(st.edges == 4); // yes, no, other (inbox), after
    CHECK(st.longest_waiting_path == 1u);
    REQUIRE(st.max_messages);
    // sale: send + 1 + 2 reminders; confirmed: 1.
    CHECK(*st.max_messages == std::vector<nudge::ChannelCount>{{"sms", 5}});

    // A restart begins a new run: the bounds count one run.
    auto restarting = compile(
        parse_ok(read_text(test_dir() / "compile" / "golden" / "booking_confirmation.flow")));
    const auto& rs = restarting.flow->stats();
    CHECK(rs.restarts);
    CHECK(rs.longest_waiting_path == 3u);
    REQUIRE(rs.max_messages);
    CHECK(*rs.max_messages == std::vector<nudge::ChannelCount>{{"letter", 1}, {"sms", 1}});
    CHECK(to_text(rs).find("max messages on sms: 1 per run") != std::string::npos);
    CHECK_FALSE(st.restarts);

    // A cycle of states (not a restart) has no bound.
    auto cyclic = compile_text(R"(flow c
field phone: phone
channel sms to phone from "4790000000"
trigger a.b as phone { start s }
state s {
  send sms "ping"
  after 1h -> t
}
state t {
  after 1h -> s
}
)");
    CHECK_FALSE(cyclic.flow->stats().max_messages);
    CHECK_FALSE(cyclic.flow->stats().longest_waiting_path);

    // An `every` without `max` that sends is unbounded even without a cycle.
    auto every = compile_text(R"(flow e
field phone: phone
channel sms to phone from "4790000000"
channel email to "a@example.test"
trigger a.b as phone { start s }
state s {
  every 1h { send sms "ping" }
  on x.y -> done
}
final done { send email "bye" fallback sms }
)");
    CHECK(every.flow->stats().longest_waiting_path == 1u);
    CHECK_FALSE(every.flow->stats().max_messages);
}

// Graphviz accepts the DOT output: an SVG comes out (skipped where `dot` is not installed).
TEST_CASE("DOT renders to SVG with Graphviz") {
    if (std::system("command -v dot >/dev/null 2>&1") != 0) {
        MESSAGE("dot not installed; skipped");
        return;
    }
    auto flow = parse_ok(read_text(golden_dir() / "booking_confirmation.flow"));
    auto result = compile(flow);
    REQUIRE(result.flow);
    auto dir = fs::temp_directory_path() / "nudge-compile-svg-test";
    fs::create_directories(dir);
    write_text(dir / "flow.dot", to_dot(*result.flow));
    auto command =
        "dot -Tsvg '" + (dir / "flow.dot").string() + "' -o '" + (dir / "flow.svg").string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    auto svg = read_text(dir / "flow.svg");
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("booking.rescheduled (restart)") != std::string::npos);
    fs::remove_all(dir);
}
