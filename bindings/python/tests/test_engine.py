from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

import nudge

OSLO = ZoneInfo("Europe/Oslo")
STOCKHOLM = ZoneInfo("Europe/Stockholm")
KARI = "+4791234567"


@pytest.fixture
def sale(scenarios):
    """tests/scenarios/sale_confirmation.flow on a fake clock at Saturday 20:55 in Oslo."""
    clock = nudge.FakeClock(datetime(2026, 3, 28, 20, 55, tzinfo=OSLO))
    out = nudge.RecordingTransport()
    engine = nudge.Engine(clock, out)
    engine.load(nudge.compile_file(str(scenarios / "sale_confirmation.flow")))
    return clock, out, engine


def test_sale_confirmation_end_to_end(sale):
    # The steps of tests/scenarios/sale_confirmation.scenario.yaml, through the Python API.
    clock, out, engine = sale
    [kari] = engine.trigger(
        "sale.saved", {"phone": KARI, "first_name": "Kari", "product": "sykkelservice"}
    )
    assert engine.next_due == datetime(2026, 3, 28, 20, 55, 30, tzinfo=OSLO)
    assert engine.instance(kari).status == "pending"

    assert engine.advance(timedelta(seconds=30)) == 1
    [first] = out.sent
    assert first.channel == "sms"
    assert first.to == KARI
    assert first.from_ == "4790000000"
    assert first.at == datetime(2026, 3, 28, 20, 55, 30, tzinfo=OSLO)
    assert first.at.tzinfo is not None
    assert first.text == (
        "Hei Kari! Takk for at du valgte sykkelservice. Svar JA for å bekrefte bestillingen."
    )
    assert not first.reminder
    view = engine.instance(kari)
    assert (view.state, view.status) == ("sale", "waiting")

    # The reminder due at 22:55 waits for 09:00 on Sunday, after the switch to summer time.
    engine.advance_to(datetime(2026, 3, 29, 12, 0, tzinfo=OSLO))
    assert clock.now == datetime(2026, 3, 29, 10, 0, tzinfo=timezone.utc)
    reminder = out.sent[1]
    assert reminder.reminder
    assert reminder.at == datetime(2026, 3, 29, 9, 0, tzinfo=OSLO)
    assert reminder.at.utcoffset() == timedelta(0)  # given in UTC, equal as instants
    assert reminder.text.startswith("Påminnelse: Hei Kari!")
    assert len(out.sent) == 2

    engine.reply(KARI, "Okei")  # not an approved word: to the inbox
    [item] = engine.inbox
    assert (item.from_, item.to, item.text, item.reason) == (KARI, "4790000000", "Okei", "routed")
    assert engine.instance(kari).state == "sale"

    engine.reply(KARI, "OK!", to="4790000000")
    view = engine.instance(kari)
    assert (view.state, view.status, view.outcome) == ("confirmed", "finished", "confirmed_sale")
    assert view.fields["first_name"] == "Kari"
    receipt = out.sent[2]
    assert receipt.at == datetime(2026, 3, 29, 12, 0, tzinfo=OSLO)
    assert receipt.text == "Takk, Kari! Bestillingen av sykkelservice er bekreftet."
    assert len(out.sent) == 3

    kinds = [r.kind for r in view.history]
    assert kinds[0] == "started" and kinds[-1] == "finished"
    deferred = next(r for r in view.history if r.kind == "deferred")
    assert deferred.fields["why"] == "outside daytime"
    assert deferred.get("to") == "2026-03-29T09:00:00+02:00"
    assert '"kind":"deferred"' in deferred.to_json("Europe/Oslo")


def test_stats_count_instances_and_timers(sale):
    _, _, engine = sale
    assert engine.stats["instances"] == 0
    [kari] = engine.trigger(
        "sale.saved", {"phone": KARI, "first_name": "Kari", "product": "sykkelservice"}
    )
    stats = engine.stats
    assert (stats["instances"], stats["live"], stats["timers"]) == (1, 1, 1)  # the 30 s delay
    engine.advance(timedelta(seconds=30))
    stats = engine.stats
    assert stats["live"] == 1
    assert stats["timers"] == len(engine.timers(kari)) > 0
    engine.reply(KARI, "Ja")
    stats = engine.stats
    assert (stats["instances"], stats["live"], stats["timers"]) == (1, 0, 0)
    assert stats["queued_timers"] >= stats["timers"]
    assert (stats["inbox"], stats["suppressions"], stats["queue_compactions"]) == (0, 0, 0)


def test_booking_with_signals(scenarios):
    # tests/scenarios/booking.scenario.yaml: reminders wait for Monday 08:00, a confirmation
    # arrives as a host signal, an unconfirmed booking is cancelled and its slot freed.
    clock = nudge.FakeClock("2026-04-01T09:00:00+02:00")
    out = nudge.RecordingTransport()
    engine = nudge.Engine(clock, out)
    engine.load(nudge.compile_file(str(scenarios / "booking.flow")))
    freed = []
    engine.on_emit(lambda e: freed.append((e.event, e.key, e.at)))

    visit = datetime(2026, 4, 22, 9, 30, tzinfo=STOCKHOLM)
    [astrid] = engine.trigger(
        "booking.created",
        {"booking_id": "B-17", "phone": "+46701112233", "customer": "Astrid", "visit_at": visit},
    )
    [nils] = engine.trigger(
        "booking.created",
        {
            "booking_id": "B-18",
            "phone": "+46702223344",
            "customer": "Nils",
            "visit_at": "2026-04-22T13:00:00+02:00",
        },
    )
    assert [(m.channel, m.to) for m in out.sent] == [("letter", "B-17"), ("letter", "B-18")]
    assert out.sent[0].text.startswith("Hej Astrid!")

    engine.advance_to(datetime(2026, 4, 13, 12, 0, tzinfo=STOCKHOLM))
    sms = out.sent[2:]
    assert [(m.channel, m.to, m.at) for m in sms] == [
        ("sms", "+46701112233", datetime(2026, 4, 13, 8, 0, tzinfo=STOCKHOLM)),
        ("sms", "+46702223344", datetime(2026, 4, 13, 8, 0, tzinfo=STOCKHOLM)),
    ]
    assert sms[0].text == "Hej Astrid, bekräfta ditt besök: https://portal.example/b/B-17"

    assert engine.signal("booking.confirmed", "B-18") == 1
    assert engine.instance(nils).outcome == "confirmed"

    engine.advance(timedelta(days=2))
    view = engine.instance(astrid)
    assert (view.state, view.status, view.outcome) == ("cancelled", "finished", "cancelled")
    assert freed == [("slot.freed", "B-17", datetime(2026, 4, 15, 9, 30, tzinfo=STOCKHOLM))]
    assert [v.id for v in engine.instances("booking_confirmation", "cancelled")] == [astrid]
    assert len(out.sent) == 4


class Outbox(nudge.Transport):
    def __init__(self, answer):
        super().__init__()
        self.answer = answer
        self.messages = []

    def send(self, message):
        self.messages.append(message)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize("answer", [True, None])
def test_python_transport_takes_messages(scenarios, answer):
    outbox = Outbox(answer)
    engine = nudge.Engine(nudge.FakeClock("2026-03-28T12:00:00Z"), outbox)
    engine.load(nudge.compile_file(str(scenarios / "sale_confirmation.flow")))
    [kari] = engine.trigger("sale.saved", {"phone": KARI, "first_name": "Kari", "product": "x"})
    engine.advance(30)
    assert [m.text.split("!")[0] for m in outbox.messages] == ["Hei Kari"]
    assert [r.kind for r in engine.instance(kari).history].count("sent") == 1


@pytest.mark.parametrize(
    "answer, why", [(False, "refused by the transport"), ("no credit", "no credit"),
                    (RuntimeError("gateway down"), "gateway down")]
)
def test_python_transport_refusals_are_recorded(scenarios, answer, why):
    outbox = Outbox(answer)
    engine = nudge.Engine(nudge.FakeClock("2026-03-28T12:00:00Z"), outbox)
    engine.load(nudge.compile_file(str(scenarios / "sale_confirmation.flow")))
    [kari] = engine.trigger("sale.saved", {"phone": KARI, "first_name": "Kari", "product": "x"})
    engine.advance("30s")
    assert len(outbox.messages) == 1
    [failed] = [r for r in engine.instance(kari).history if r.kind == "failed"]
    assert why in failed.get("error")


def test_on_record_sees_the_timeline(sale):
    clock, out, engine = sale
    kinds = []
    engine.on_record(lambda r: kinds.append(r.kind))
    engine.trigger("sale.saved", {"phone": KARI, "first_name": "Kari", "product": "x"})
    engine.advance(timedelta(seconds=30))
    assert kinds[:3] == ["started", "entered", "sent"]


def test_recording_transport_refuse_next_and_clear(sale):
    clock, out, engine = sale
    out.refuse_next(1)
    [kari] = engine.trigger("sale.saved", {"phone": KARI, "first_name": "Kari", "product": "x"})
    engine.advance(30)
    assert out.sent == []
    assert "failed" in [r.kind for r in engine.instance(kari).history]
    engine.cancel(kari, "test")
    assert engine.instance(kari).status == "cancelled"
    out.clear()
    assert out.sent == []


def test_times_must_be_aware(sale):
    clock, out, engine = sale
    with pytest.raises(ValueError):
        nudge.FakeClock(datetime(2026, 3, 28, 20, 55))
    with pytest.raises(ValueError):
        engine.advance_to(datetime(2026, 3, 29, 12, 0))
    with pytest.raises(nudge.Error):
        nudge.FakeClock("yesterday")
    with pytest.raises(nudge.Error):
        engine.advance_to(datetime(2020, 1, 1, tzinfo=timezone.utc))  # backwards
    with pytest.raises(ValueError):
        engine.advance("3d")  # calendar steps need a zone; give an instant instead
    assert isinstance(clock.now, datetime) and clock.now.tzinfo is not None


def test_misuse_raises_nudge_error(sale, scenarios):
    clock, out, engine = sale
    with pytest.raises(nudge.Error, match="already loaded"):
        engine.load(nudge.compile_file(str(scenarios / "sale_confirmation.flow")))
    [kari] = engine.trigger("sale.saved", {"phone": KARI, "first_name": "Kari", "product": "x"})
    with pytest.raises(nudge.Error):
        engine.move(kari, "nowhere")
    assert engine.instance(12345) is None
    system = nudge.Engine(nudge.SystemClock(), nudge.RecordingTransport())
    with pytest.raises(nudge.Error, match="FakeClock"):
        system.advance(1)
    with pytest.raises(nudge.Error, match="needs 'to'"):
        system.reply(KARI, "hei")  # no flow loaded, so no sender number to default to
    assert system.next_due is None


def test_host_actions_answer_with_fields(scenarios):
    # examples/missed-call: the host parses the reply (on_action) and says the order is parsed.
    flow = nudge.compile_file(scenarios.parent.parent / "examples/missed-call/missed_call.flow")
    copenhagen = ZoneInfo("Europe/Copenhagen")
    clock = nudge.FakeClock(datetime(2026, 3, 27, 18, 0, tzinfo=copenhagen))
    out = nudge.RecordingTransport()
    engine = nudge.Engine(clock, out)
    engine.load(flow)
    calls = []

    def parse(call):
        calls.append((call.action, call.key, call.last_reply))
        return {"order_summary": "2 margherita", "order_total": 249}

    engine.on_action(parse)
    caller = "+4520304050"
    [order] = engine.trigger("call.missed", {"phone": caller, "restaurant": "Napoli"})
    engine.advance(timedelta(seconds=30))
    assert out.sent[0].at == datetime(2026, 3, 27, 18, 0, 30, tzinfo=copenhagen)
    assert out.sent[0].text.startswith("Hej fra Napoli!")

    engine.reply(caller, "2 margherita tak")
    assert calls == [("order.parse", caller, "2 margherita tak")]
    assert engine.instance(order).state == "parsing"
    assert engine.signal("order.parsed", caller) == 1
    view = engine.instance(order)
    assert (view.state, view.outcome, view.outcome_value) == ("ordered", "converted", 249.0)
    assert "2 margherita" in out.sent[-1].text


CALLBACK_V1 = """flow callback
timezone "Europe/Oslo"

field phone: phone

channel sms to phone from "4790000000"

trigger call.missed as phone {
  start sorry
}

state sorry {
  send sms "Sorry we missed your call."
  after 1h -> done
}

final done
"""


def test_versions_side_by_side_and_migration():
    clock = nudge.FakeClock(datetime(2026, 3, 28, 12, 0, tzinfo=OSLO))
    out = nudge.RecordingTransport()
    engine = nudge.Engine(clock, out)
    assert engine.load_version(nudge.compile(CALLBACK_V1)) == 1
    [old] = engine.trigger("call.missed", {"phone": KARI})
    v2 = CALLBACK_V1.replace("after 1h", "after 2h")
    assert engine.load_version(nudge.compile(v2)) == 2
    [new] = engine.trigger("call.missed", {"phone": "+4792222222"})
    assert (engine.instance(old).version, engine.instance(new).version) == (1, 2)
    [timer] = engine.timers(old)
    assert (timer.kind, timer.what) == ("after", "after 1h -> done")
    assert timer.due == datetime(2026, 3, 28, 13, 0, tzinfo=OSLO)

    m = engine.migrate("callback")
    assert m.ok and m.version == 2
    assert [(x.instance, x.from_version, x.state) for x in m.moved] == [(old, 1, "sorry")]
    [timer] = engine.timers(old)
    assert timer.due == datetime(2026, 3, 28, 14, 0, tzinfo=OSLO)  # 2 h from the entry

    engine.load_version(nudge.compile(v2.replace("sorry", "waiting")))
    refused = engine.migrate("callback")
    assert not refused.ok and refused.moved == []
    assert [(x.state, x.version, x.instances) for x in refused.missing] == [("sorry", 2, 2)]
    assert engine.instance(old).version == 2


SHOP = """flow shop
timezone "Europe/Copenhagen"
field phone: phone
field shop: text = "The shop"
channel sms to phone from "4532100000"
list blocked = "+4533445566"
settings shop, sms, blocked
trigger call.missed as phone {
  unless phone in blocked
  start sorry
}
final sorry {
  send sms "Sorry we missed your call at {shop}!"
}
"""


def test_one_flow_for_two_businesses():
    flow = nudge.compile(SHOP, filename="shop.flow")
    assert [s["name"] for s in flow.settings] == ["shop", "sms", "blocked"]
    assert flow.settings[1] == {"name": "sms", "kind": "channel", "value": "on, from 4532100000"}
    north = nudge.apply_settings(flow, "north", {"shop": "North", "sms": "on, from 4532100001",
                                                 "blocked": ["+4520000001", "+4520000002"]})
    south = nudge.apply_settings(flow, "south", {"shop": "South", "sms": "off"})
    assert (north.name, north.business) == ("shop@north", "north")
    assert north.settings[2]["value"] == "+4520000001\n+4520000002"
    with pytest.raises(nudge.FlowError) as caught:
        nudge.apply_settings(flow, "west", {"opening": "mon 10:00-12:00"})
    assert "has no setting 'opening'" in str(caught.value)

    out = nudge.RecordingTransport()
    engine = nudge.Engine(nudge.FakeClock("2026-06-05T18:00:00+02:00"), out)
    engine.load(north)
    engine.load(south)
    assert engine.trigger("call.missed", {"phone": "+4520123456"}) == []
    assert len(engine.trigger("call.missed", {"phone": "+4520123456"}, business="north")) == 1
    assert engine.trigger("call.missed", {"phone": "+4520000001"}, business="north") == []
    assert len(engine.trigger("call.missed", {"phone": "+4520123456"}, business="south")) == 1
    assert [(m.from_, m.text) for m in out.sent] == [
        ("4532100001", "Sorry we missed your call at North!")]
