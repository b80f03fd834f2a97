// Clocks, transports and what the engine reports: messages, records, instances, inbox entries.
#include "convert.hpp"

#include <pybind11/functional.h>
#include <pybind11/stl.h>

namespace nudge::python {

namespace {

// Lets a Python class derive from nudge.Transport and implement send(message). Its answer:
// True or None takes the message, False refuses it, a str refuses it with that reason; an
// exception is a refusal with the exception's text (the engine records it).
class PyTransport : public Transport {
public:
    SendResult send(const Message& message) override {
        py::gil_scoped_acquire gil;
        py::function override = py::get_override(static_cast<const Transport*>(this), "send");
        if (!override) throw error("nudge.Transport subclasses must implement send(message)");
        py::object answer = override(message);
        if (answer.is_none()) return {};
        if (py::isinstance<py::str>(answer))
            return {.accepted = false, .transport_id = {}, .error = answer.cast<std::string>()};
        if (answer.cast<bool>()) return {};
        return {.accepted = false, .transport_id = {}, .error = "refused by the transport"};
    }
};

py::dict record_fields(const Record& r) {
    py::dict d;
    for (const auto& [name, value] : r.fields)
        d[py::str(name)] = value;
    return d;
}

} // namespace

void bind_runtime(py::module_& m) {
    py::class_<Clock>(m, "Clock", "Where an engine reads the time.")
        .def_property_readonly("now", [](const Clock& c) { return to_datetime(c.now()); });

    py::class_<FakeClock, Clock>(m, "FakeClock",
                                 "A clock that moves only when told to: advance() or set(), or "
                                 "Engine.advance() which also fires what is due on the way.")
        .def(py::init(
                 [](py::object start) { return std::make_unique<FakeClock>(to_instant(start)); }),
             py::arg("start"))
        .def(
            "advance", [](FakeClock& c, py::object by) { c.advance(to_seconds(by)); },
            py::arg("by"))
        .def(
            "set", [](FakeClock& c, py::object at) { c.set(to_instant(at)); }, py::arg("at"))
        .def("__repr__",
             [](const FakeClock& c) { return "<FakeClock " + format_instant(c.now()) + ">"; });

    py::class_<SystemClock, Clock>(m, "SystemClock", "The real time, in whole seconds.")
        .def(py::init<>());

    py::class_<Message>(m, "Message", "One outbound message.")
        .def_readonly("id", &Message::id)
        .def_readonly("flow", &Message::flow)
        .def_readonly("instance", &Message::instance)
        .def_readonly("key", &Message::key)
        .def_readonly("channel", &Message::channel)
        .def_readonly("to", &Message::to)
        .def_readonly("from_", &Message::from)
        .def_readonly("subject", &Message::subject)
        .def_readonly("text", &Message::text)
        .def_property_readonly("at", [](const Message& msg) { return to_datetime(msg.at); })
        .def_readonly("reminder", &Message::reminder)
        .def("__repr__", [](const Message& msg) {
            return "<Message " + format_instant(msg.at) + " " + msg.channel + " to " + msg.to +
                   ": " + msg.text + ">";
        });

    py::class_<Transport, PyTransport>(
        m, "Transport",
        "Where messages go. Subclass it and implement send(message): True or None takes the "
        "message, False (or a str with the reason) refuses it.")
        .def(py::init<>())
        .def("send", &Transport::send, py::arg("message"));

    py::class_<RecordingTransport, Transport>(m, "RecordingTransport",
                                              "Keeps every message, in order, in `sent`.")
        .def(py::init<>())
        .def_property_readonly("sent", &RecordingTransport::sent, "A copy of the messages so far.")
        .def("clear", &RecordingTransport::clear)
        .def("refuse_next", &RecordingTransport::refuse_next, py::arg("n"),
             "Makes the next n sends fail (for tests of transport failures).");

    py::class_<SendResult>(m, "SendResult")
        .def_readonly("accepted", &SendResult::accepted)
        .def_readonly("transport_id", &SendResult::transport_id)
        .def_readonly("error", &SendResult::error);

    py::class_<Record>(m, "Record",
                       "One thing that happened: an entry of an instance's history or of the "
                       "timeline. `fields` depend on `kind` (sent, entered, received, …).")
        .def_property_readonly("at", [](const Record& r) { return to_datetime(r.at); })
        .def_readonly("instance", &Record::instance)
        .def_readonly("flow", &Record::flow)
        .def_readonly("kind", &Record::kind)
        .def_property_readonly("fields", &record_fields)
        .def(
            "get", [](const Record& r, std::string_view name) { return std::string(r.get(name)); },
            py::arg("name"), "The value of a field, or '' when absent.")
        .def(
            "to_json", [](const Record& r, std::string_view zone) { return to_json(r, zone); },
            py::arg("zone") = "UTC", "The JSON line `nudge simulate` prints.")
        .def("__repr__", [](const Record& r) { return "<Record " + to_json(r) + ">"; });

    py::class_<InstanceView>(m, "Instance", "A snapshot of one instance of a flow.")
        .def_readonly("id", &InstanceView::id)
        .def_readonly("flow", &InstanceView::flow)
        .def_readonly("version", &InstanceView::version)
        .def_readonly("key", &InstanceView::key)
        .def_readonly("state", &InstanceView::state)
        .def_property_readonly(
            "status", [](const InstanceView& v) { return std::string(to_string(v.status)); })
        .def_property_readonly("started",
                               [](const InstanceView& v) { return to_datetime(v.started); })
        .def_property_readonly("entered",
                               [](const InstanceView& v) { return to_datetime(v.entered); })
        .def_property_readonly("fields", [](const InstanceView& v) { return from_data(v.fields); })
        .def_readonly("outcome", &InstanceView::outcome)
        .def_readonly("outcome_value", &InstanceView::outcome_value)
        .def_readonly("history", &InstanceView::history)
        .def("__repr__", [](const InstanceView& v) {
            return "<Instance #" + std::to_string(v.id) + " " + v.flow + " " + v.key + " " +
                   v.state + " " + std::string(to_string(v.status)) + ">";
        });

    py::class_<PendingTimer>(m, "PendingTimer", "A timer an instance waits for.")
        .def_readonly("instance", &PendingTimer::instance)
        .def_property_readonly("due", [](const PendingTimer& t) { return to_datetime(t.due); })
        .def_readonly("kind", &PendingTimer::kind)
        .def_readonly("what", &PendingTimer::what)
        .def("__repr__", [](const PendingTimer& t) {
            return "<PendingTimer #" + std::to_string(t.instance) + " " + t.kind + " " + t.what +
                   ">";
        });

    py::class_<Migration::Moved>(m, "MigrationMove", "One instance a migration moved.")
        .def_readonly("instance", &Migration::Moved::instance)
        .def_readonly("from_version", &Migration::Moved::from_version)
        .def_readonly("state", &Migration::Moved::state);
    py::class_<Migration::Missing>(m, "MigrationMissing",
                                   "A state in use that the newest version lacks.")
        .def_readonly("state", &Migration::Missing::state)
        .def_readonly("version", &Migration::Missing::version)
        .def_readonly("instances", &Migration::Missing::instances);
    py::class_<Migration>(m, "Migration",
                          "What Engine.migrate did or would do; nothing moved unless ok.")
        .def_readonly("flow", &Migration::flow)
        .def_readonly("version", &Migration::version)
        .def_readonly("moved", &Migration::moved)
        .def_readonly("missing", &Migration::missing)
        .def_property_readonly("ok", &Migration::ok);

    py::class_<InboxItem>(m, "InboxItem", "A reply nobody's route took.")
        .def_readonly("id", &InboxItem::id)
        .def_property_readonly("at", [](const InboxItem& i) { return to_datetime(i.at); })
        .def_property_readonly("from_", [](const InboxItem& i) { return i.message.from; })
        .def_property_readonly("to", [](const InboxItem& i) { return i.message.to; })
        .def_property_readonly("text", [](const InboxItem& i) { return i.message.text; })
        .def_readonly("reason", &InboxItem::reason)
        .def_readonly("candidates", &InboxItem::candidates)
        .def_readonly("assigned_to", &InboxItem::assigned_to);

    py::class_<Emitted>(m, "Emitted", "An event a flow emitted to the host (`emit slot.freed`).")
        .def_readonly("event", &Emitted::event)
        .def_readonly("flow", &Emitted::flow)
        .def_readonly("instance", &Emitted::instance)
        .def_readonly("key", &Emitted::key)
        .def_property_readonly("fields", [](const Emitted& e) { return from_data(e.fields); })
        .def_property_readonly("at", [](const Emitted& e) { return to_datetime(e.at); });

    py::class_<ActionCall>(m, "ActionCall", "A `do \"name\"` the flow asks of the host.")
        .def_readonly("action", &ActionCall::action)
        .def_readonly("flow", &ActionCall::flow)
        .def_readonly("instance", &ActionCall::instance)
        .def_readonly("key", &ActionCall::key)
        .def_property_readonly("fields", [](const ActionCall& a) { return from_data(a.fields); })
        .def_readonly("last_reply", &ActionCall::last_reply);
}

} // namespace nudge::python
