// nudge.Engine: runs flows against a clock and a transport (both kept alive by the engine).
#include "advance.hpp"
#include "convert.hpp"
#include "senders.hpp"

#include <pybind11/stl.h>

namespace nudge::python {

namespace {

// The engine with the clock it reads, so that advance() can move a fake clock.
struct PyEngine {
    PyEngine(Clock& c, Transport& t) : clock(&c), engine(c, t) {}
    Clock* clock;
    Engine engine;
    bindings::SenderNumbers senders;

    FakeClock& fake() {
        auto* f = dynamic_cast<FakeClock*>(clock);
        if (!f) throw error("only an engine on a FakeClock can advance");
        return *f;
    }

    // Moves the fake clock to `target`, firing every deadline on the way; how many fired.
    int advance_to(Instant target) { return bindings::advance_to(fake(), engine, target); }
};

} // namespace

void bind_engine(py::module_& m) {
    py::class_<PyEngine>(m, "Engine",
                         "Runs compiled flows against a clock and a transport. It owns no "
                         "threads: feed it trigger(), signal() and reply(), and call run_due() "
                         "when next_due comes (or advance() on a FakeClock).")
        .def(py::init<Clock&, Transport&>(), py::arg("clock"), py::arg("transport"),
             py::keep_alive<1, 2>(), py::keep_alive<1, 3>())
        .def(
            "load",
            [](PyEngine& e, py::object flow) {
                auto f = flow_of(flow);
                e.engine.load(f);
                e.senders.add(f->flow());
            },
            py::arg("flow"), "Adds a compiled flow; nudge.Error when one of that name is loaded.")
        .def(
            "load_version",
            [](PyEngine& e, py::object flow, int version) {
                auto f = flow_of(flow);
                int given = e.engine.load_version(f, version);
                e.senders.add(f->flow());
                return given;
            },
            py::arg("flow"), py::arg("version") = 0,
            "Adds a compiled flow as a new version of its name (the next number unless given) "
            "and returns the version; triggers start only the newest.")
        .def(
            "migrate",
            [](PyEngine& e, std::string_view flow, bool dry_run) {
                return e.engine.migrate(flow, dry_run);
            },
            py::arg("flow"), py::arg("dry_run") = false,
            "Moves live instances on older versions to the newest, state by state by name; a "
            "Migration that is not ok moved nothing.")
        .def(
            "version",
            [](const PyEngine& e, std::string_view flow) { return e.engine.version(flow); },
            py::arg("flow"), "The newest version of a flow; 0 when none is loaded.")
        .def(
            "timers", [](const PyEngine& e, std::uint64_t id) { return e.engine.timers(id); },
            py::arg("instance"), "An instance's pending timers, in the order they fire.")
        .def_property_readonly("flows", [](const PyEngine& e) { return e.engine.flows(); })
        .def(
            "trigger",
            [](PyEngine& e, std::string_view event, py::object data, std::string_view business) {
                return e.engine.trigger_for(business, event, to_data(data));
            },
            py::arg("event"), py::arg("data") = py::none(), py::arg("business") = "",
            "A host event that may start instances; returns the ids of those started. With "
            "`business`, only the flows that run for it (apply_settings) start.")
        .def(
            "signal",
            [](PyEngine& e, std::string_view event, std::string_view key, py::object data,
               std::string_view flow) { return e.engine.signal(flow, key, event, to_data(data)); },
            py::arg("event"), py::arg("key"), py::arg("data") = py::none(), py::arg("flow") = "",
            "A host event for the running instances with `key`; returns how many moved.")
        .def(
            "reply",
            [](PyEngine& e, std::string from, std::string text, std::string to) {
                e.engine.reply({std::move(from), e.senders.fill(std::move(to)), std::move(text)});
            },
            py::arg("from_"), py::arg("text"), py::arg("to") = "",
            "An inbound message from the customer `from_` to our number `to`, which may be left "
            "out when the loaded flows have one sender number.")
        .def(
            "run_due", [](PyEngine& e) { return e.engine.run_due(); },
            "Fires every timer due now, in deadline order; returns how many fired.")
        .def_property_readonly("next_due",
                               [](const PyEngine& e) -> py::object {
                                   auto due = e.engine.next_due();
                                   return due ? to_datetime(*due) : py::none();
                               })
        .def(
            "advance",
            [](PyEngine& e, py::object by) {
                return e.advance_to(e.fake().now() + to_seconds(by));
            },
            py::arg("by"),
            "FakeClock only: moves the clock forward (timedelta, seconds or '30s'), firing every "
            "deadline on the way at its own time; returns how many timers fired.")
        .def(
            "advance_to", [](PyEngine& e, py::object at) { return e.advance_to(to_instant(at)); },
            py::arg("at"), "The same, to an instant (an aware datetime or ISO text).")
        .def(
            "instance", [](const PyEngine& e, std::uint64_t id) { return e.engine.instance(id); },
            py::arg("id"), "The instance, or None.")
        .def(
            "instances",
            [](const PyEngine& e, std::string_view flow, std::string_view state) {
                return e.engine.instances(flow, state);
            },
            py::arg("flow"), py::arg("state") = "")
        .def(
            "instances_by_key",
            [](const PyEngine& e, std::string_view key) { return e.engine.instances_by_key(key); },
            py::arg("key"))
        .def_property_readonly("inbox", [](const PyEngine& e) { return e.engine.inbox(); })
        .def_property_readonly(
            "stats",
            [](const PyEngine& e) {
                py::dict d;
                e.engine.stats().each([&](const char* name, auto value) { d[name] = value; });
                return d;
            },
            "Counts for monitoring, as a dict: instances, live, timers, queued_timers, "
            "queue_compactions, inbox, suppressions.")
        .def(
            "assign",
            [](PyEngine& e, std::uint64_t item, std::uint64_t instance) {
                e.engine.assign(item, instance);
            },
            py::arg("inbox_id"), py::arg("instance"))
        .def(
            "move",
            [](PyEngine& e, std::uint64_t instance, std::string_view state) {
                e.engine.move(instance, state);
            },
            py::arg("instance"), py::arg("state"))
        .def(
            "cancel",
            [](PyEngine& e, std::uint64_t instance, std::string_view reason) {
                e.engine.cancel(instance, reason);
            },
            py::arg("instance"), py::arg("reason") = "host")
        .def(
            "suppress",
            [](PyEngine& e, std::string_view address, std::string_view source) {
                e.engine.suppress(address, source);
            },
            py::arg("address"), py::arg("source") = "host")
        .def(
            "on_record",
            [](PyEngine& e, py::function f) { e.engine.on_record([f](const Record& r) { f(r); }); },
            py::arg("callback"), "Called with every Record as it happens (the timeline).")
        .def(
            "on_emit",
            [](PyEngine& e, py::function f) { e.engine.on_emit([f](const Emitted& x) { f(x); }); },
            py::arg("callback"))
        .def(
            "on_action",
            [](PyEngine& e, py::function f) {
                e.engine.on_action([f](const ActionCall& call) -> std::optional<Data> {
                    py::object answer = f(call);
                    if (answer.is_none()) return std::nullopt;
                    return to_data(answer);
                });
            },
            py::arg("callback"),
            "`do \"name\"`: the callback may return a dict of field values to merge.")
        .def(
            "on_fact",
            [](PyEngine& e, py::function f) {
                e.engine.on_fact([f](const FactQuery& q) -> std::optional<std::string> {
                    py::object answer = f(q.fact, q.key);
                    if (answer.is_none()) return std::nullopt;
                    return to_text(answer);
                });
            },
            py::arg("callback"), "Called as callback(fact, key); None means unknown.")
        .def(
            "on_error",
            [](PyEngine& e, py::function f) { e.engine.on_error([f](const Record& r) { f(r); }); },
            py::arg("callback"));
}

} // namespace nudge::python
