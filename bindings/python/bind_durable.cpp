// nudge.DurableEngine: an Engine whose every step is committed to an SQLite database before the
// call returns, with an outbox for its messages (include/nudge/store.hpp). Closing it and
// opening the same file again resumes exactly where it was.
#include "advance.hpp"
#include "convert.hpp"
#include "senders.hpp"

#include <nudge/store.hpp>

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <filesystem>
#include <memory>
#include <optional>

namespace nudge::python {

namespace {

struct PyDurable {
    PyDurable(const std::filesystem::path& p, Clock& c, Transport& t, DurableOptions options)
        : path(p), clock(&c), engine(std::make_unique<DurableEngine>(p, c, t, options)) {}

    std::filesystem::path path;
    Clock* clock;
    std::unique_ptr<DurableEngine> engine; // null once closed
    bindings::SenderNumbers senders;

    DurableEngine& get() {
        if (!engine) throw error("the DurableEngine on " + path.string() + " is closed");
        return *engine;
    }
    const DurableEngine& get() const { return const_cast<PyDurable*>(this)->get(); }

    int advance_to(Instant target) {
        auto* fake = dynamic_cast<FakeClock*>(clock);
        if (!fake) throw error("only an engine on a FakeClock can advance");
        return bindings::advance_to(*fake, get(), target);
    }
};

py::object optional_datetime(const std::optional<Instant>& t) {
    return t ? to_datetime(*t) : py::none();
}

} // namespace

void bind_durable(py::module_& m) {
    py::class_<OutboxItem>(m, "OutboxItem",
                           "One message of a DurableEngine's outbox; `message.id` is its "
                           "idempotency key.")
        .def_readonly("message", &OutboxItem::message)
        .def_readonly("step", &OutboxItem::step, "The step that wrote it.")
        .def_readonly("attempts", &OutboxItem::attempts)
        .def_property_readonly("next_attempt",
                               [](const OutboxItem& o) { return to_datetime(o.next_attempt); })
        .def_property_readonly("done_at",
                               [](const OutboxItem& o) { return optional_datetime(o.done_at); })
        .def_property_readonly("failed_at",
                               [](const OutboxItem& o) { return optional_datetime(o.failed_at); })
        .def_readonly("last_error", &OutboxItem::last_error)
        .def_property_readonly("unfinished", &OutboxItem::unfinished,
                               "Neither done nor failed for good: it will be handed over (again).")
        .def("__repr__", [](const OutboxItem& o) {
            return "<OutboxItem " + o.message.id + " " +
                   (o.done_at     ? "done"
                    : o.failed_at ? "failed"
                                  : "unfinished") +
                   ", " + std::to_string(o.attempts) + " attempt(s)>";
        });

    py::class_<PyDurable>(
        m, "DurableEngine",
        "An Engine whose every step (one input and everything it causes) is committed to an "
        "SQLite database before the call returns. Messages go through an outbox: handed to the "
        "transport after the commit, retried with backoff while it refuses, marked done once it "
        "accepts. Opening the same file again (after close(), or after a crash) resumes: "
        "instances, timers with their deadlines, the inbox, and unsent messages, which deliver() "
        "hands over with the same idempotency key. Usable as a context manager (closes on exit).")
        .def(py::init([](const std::filesystem::path& path, Clock& clock, Transport& transport,
                         bool deliver_after_step, py::object retry_first, py::object retry_max) {
                 DurableOptions options;
                 options.deliver_after_step = deliver_after_step;
                 options.retry_first = to_seconds(retry_first);
                 options.retry_max = to_seconds(retry_max);
                 return std::make_unique<PyDurable>(path, clock, transport, options);
             }),
             py::arg("path"), py::arg("clock"), py::arg("transport"),
             py::arg("deliver_after_step") = true, py::arg("retry_first") = 30,
             py::arg("retry_max") = 3600, py::keep_alive<1, 3>(), py::keep_alive<1, 4>(),
             "Opens the database at `path` (created when absent) and resumes from it; "
             "nudge.StoreError for a file that is not a nudge database, is corrupt or comes from "
             "a newer schema. With deliver_after_step=False messages wait until deliver().")
        .def_property_readonly(
            "path", [](const PyDurable& d) { return d.path; }, "The database file.")
        .def(
            "close", [](PyDurable& d) { d.engine.reset(); },
            "Closes the database (everything committed stays); later calls raise nudge.Error. "
            "Closing twice is allowed.")
        .def_property_readonly("closed", [](const PyDurable& d) { return !d.engine; })
        .def("__enter__", [](py::object self) { return self; })
        .def("__exit__",
             [](PyDurable& d, py::object, py::object, py::object) {
                 d.engine.reset();
                 return false;
             })
        .def(
            "load",
            [](PyDurable& d, py::object flow) {
                auto f = flow_of(flow);
                int version = d.get().load(f);
                d.senders.add(f->flow());
                return version;
            },
            py::arg("flow"),
            "Adds a compiled flow and returns its version: the same text again is the same "
            "version (nothing is written), a changed text a new one beside the older. The flows "
            "in the database run again at once on opening; load them anyway so that reply() can "
            "leave out `to`.")
        .def_property_readonly("flows", [](const PyDurable& d) { return d.get().flows(); })
        .def(
            "migrate",
            [](PyDurable& d, std::string_view flow, bool dry_run) {
                return d.get().migrate(flow, dry_run);
            },
            py::arg("flow"), py::arg("dry_run") = false,
            "Moves live instances on older versions to the newest, as one step.")
        .def(
            "trigger",
            [](PyDurable& d, std::string_view event, py::object data, std::string_view tag,
               std::string_view business) {
                return d.get().trigger_for(business, event, to_data(data), tag);
            },
            py::arg("event"), py::arg("data") = py::none(), py::arg("tag") = "",
            py::arg("business") = "",
            "A host event that may start instances; returns the ids of those started. `tag` is "
            "kept with the step (read back by last_tag); with `business`, only the flows that "
            "run for it start.")
        .def(
            "signal",
            [](PyDurable& d, std::string_view event, std::string_view key, py::object data,
               std::string_view flow, std::string_view tag) {
                return d.get().signal(flow, key, event, to_data(data), tag);
            },
            py::arg("event"), py::arg("key"), py::arg("data") = py::none(), py::arg("flow") = "",
            py::arg("tag") = "",
            "A host event for the running instances with `key`; returns how many moved.")
        .def(
            "reply",
            [](PyDurable& d, std::string from, std::string text, std::string to,
               std::string_view tag) {
                d.get().reply({std::move(from), d.senders.fill(std::move(to)), std::move(text)},
                              tag);
            },
            py::arg("from_"), py::arg("text"), py::arg("to") = "", py::arg("tag") = "",
            "An inbound message from the customer `from_` to our number `to` (may be left out "
            "when the loaded flows have one sender number).")
        .def(
            "run_due", [](PyDurable& d) { return d.get().run_due(); },
            "Fires every timer due now, in deadline order (one step); returns how many fired.")
        .def_property_readonly(
            "next_due", [](const PyDurable& d) { return optional_datetime(d.get().next_due()); })
        .def(
            "advance",
            [](PyDurable& d, py::object by) {
                return d.advance_to(d.clock->now() + to_seconds(by));
            },
            py::arg("by"),
            "FakeClock only: moves the clock forward (timedelta, seconds or '30s'), firing every "
            "deadline on the way at its own time; returns how many timers fired.")
        .def(
            "advance_to", [](PyDurable& d, py::object at) { return d.advance_to(to_instant(at)); },
            py::arg("at"), "The same, to an instant (an aware datetime or ISO text).")
        .def(
            "deliver", [](PyDurable& d) { return d.get().deliver(); },
            "Hands every unfinished message whose attempt time has come to the transport, then "
            "commits the outcomes together; returns how many were accepted.")
        .def_property_readonly(
            "next_delivery",
            [](const PyDurable& d) { return optional_datetime(d.get().next_delivery()); },
            "When an unfinished message may be tried again, or None.")
        .def(
            "outbox",
            [](const PyDurable& d, bool unfinished_only) {
                return d.get().outbox(unfinished_only);
            },
            py::arg("unfinished_only") = true, "The outbox in the order written.")
        .def_property_readonly("unfinished_count",
                               [](const PyDurable& d) { return d.get().unfinished_count(); })
        .def(
            "instance",
            [](const PyDurable& d, std::uint64_t id, bool with_history) {
                return d.get().instance(id, with_history);
            },
            py::arg("id"), py::arg("with_history") = true,
            "The instance (from the database when retired from memory), or None.")
        .def(
            "instances",
            [](const PyDurable& d, std::string_view flow, std::string_view state) {
                return d.get().instances(flow, state);
            },
            py::arg("flow"), py::arg("state") = "",
            "The instances of a flow (in `state` when given) as the database has them, in id "
            "order, without history.")
        .def(
            "instances_by_key",
            [](const PyDurable& d, std::string_view key) {
                return d.get().engine().instances_by_key(key);
            },
            py::arg("key"))
        .def(
            "history", [](const PyDurable& d, std::uint64_t id) { return d.get().history(id); },
            py::arg("instance"), "The committed records of one instance, oldest first.")
        .def(
            "timers",
            [](const PyDurable& d, std::uint64_t id) { return d.get().engine().timers(id); },
            py::arg("instance"), "An instance's pending timers, in the order they fire.")
        .def_property_readonly("inbox", [](const PyDurable& d) { return d.get().engine().inbox(); })
        .def(
            "steps", [](const PyDurable& d) { return d.get().steps(); },
            "How many steps the database has committed, over every run.")
        .def_property_readonly(
            "last_tag", [](const PyDurable& d) { return d.get().last_tag(); },
            "The tag of the last committed step that had one ('' when none did).")
        .def(
            "assign",
            [](PyDurable& d, std::uint64_t item, std::uint64_t instance, std::string_view by) {
                d.get().assign(item, instance, by);
            },
            py::arg("inbox_id"), py::arg("instance"), py::arg("by") = "")
        .def(
            "move",
            [](PyDurable& d, std::uint64_t instance, std::string_view state, std::string_view by) {
                d.get().move(instance, state, by);
            },
            py::arg("instance"), py::arg("state"), py::arg("by") = "")
        .def(
            "cancel",
            [](PyDurable& d, std::uint64_t instance, std::string_view reason, std::string_view by) {
                d.get().cancel(instance, reason, by);
            },
            py::arg("instance"), py::arg("reason") = "host", py::arg("by") = "")
        .def(
            "suppress",
            [](PyDurable& d, std::string_view address, std::string_view source,
               std::string_view by) { d.get().suppress(address, source, by); },
            py::arg("address"), py::arg("source") = "host", py::arg("by") = "")
        .def(
            "on_record",
            [](PyDurable& d, py::function f) { d.get().on_record([f](const Record& r) { f(r); }); },
            py::arg("callback"),
            "Called with every Record as it first happens (never again during a replay).")
        .def(
            "on_emit",
            [](PyDurable& d, py::function f) { d.get().on_emit([f](const Emitted& x) { f(x); }); },
            py::arg("callback"))
        .def(
            "on_action",
            [](PyDurable& d, py::function f) {
                d.get().on_action([f](const ActionCall& call) -> std::optional<Data> {
                    py::object answer = f(call);
                    if (answer.is_none()) return std::nullopt;
                    return to_data(answer);
                });
            },
            py::arg("callback"),
            "`do \"name\"`: the callback may return a dict of field values to merge. The answer "
            "is kept in the journal, so a replay never asks again.")
        .def(
            "on_fact",
            [](PyDurable& d, py::function f) {
                d.get().on_fact([f](const FactQuery& q) -> std::optional<std::string> {
                    py::object answer = f(q.fact, q.key);
                    if (answer.is_none()) return std::nullopt;
                    return to_text(answer);
                });
            },
            py::arg("callback"), "Called as callback(fact, key); None means unknown.")
        .def("__repr__", [](const PyDurable& d) {
            return "<DurableEngine " + d.path.string() + (d.engine ? "" : " (closed)") + ">";
        });
}

} // namespace nudge::python
