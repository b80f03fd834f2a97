"""nudge.DurableEngine: a flow runs on an SQLite database, the engine is closed, the database is
opened again, and the run goes on: timers keep their deadlines, the inbox survives, a message
the transport refused goes out after the reopen, and timers that came due while nothing ran
fire once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import nudge

OSLO = ZoneInfo("Europe/Oslo")
KARI = "+4791234567"
OLA = "+4798765432"
START = datetime(2026, 3, 28, 20, 55, tzinfo=OSLO)


class Phone(nudge.Transport):
    """A transport written in Python: keeps what it took, refuses while `refusing`."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.taken = []
        self.refusing = False

    def send(self, message):
        self.calls.append((message.id, message.to, message.text))
        if self.refusing:
            return "the gateway is down"
        self.taken.append((message.id, message.to, message.text))
        return True


@pytest.fixture
def flow(scenarios):
    return nudge.compile_file(str(scenarios / "sale_confirmation.flow"))


def sale(name, phone, product):
    return {"phone": phone, "first_name": name, "product": product}


def open_engine(path, clock, transport, flow, **options):
    engine = nudge.DurableEngine(path, clock, transport, **options)
    assert engine.load(flow) == 1  # the same text again is the same version
    return engine


def test_restart_from_the_database(tmp_path, flow):
    db = tmp_path / "sale.db"
    clock = nudge.FakeClock(START)
    phone = Phone()

    # ---- the first run
    engine = open_engine(db, clock, phone, flow)
    assert engine.flows == ["sale_confirmation"]
    assert engine.path == db
    records: list[nudge.Record] = []
    engine.on_record(records.append)
    [kari] = engine.trigger("sale.saved", sale("Kari", KARI, "sykkelservice"), tag="crm-1")
    assert engine.last_tag == "crm-1"
    assert engine.next_due == START + timedelta(seconds=30)
    assert engine.advance(timedelta(seconds=30)) == 1
    [(kari_key, to, text)] = phone.taken  # delivered right after the step's commit
    assert to == KARI and text.startswith("Hei Kari!")
    assert engine.instance(kari).state == "sale"

    [ola] = engine.trigger("sale.saved", sale("Ola", OLA, "dekkskift"))
    phone.refusing = True
    assert engine.advance("30s") == 1
    assert len(phone.calls) == 2 and len(phone.taken) == 1
    [waiting] = engine.outbox()
    assert waiting.unfinished and waiting.attempts == 1 and waiting.done_at is None
    assert waiting.last_error == "the gateway is down"
    assert waiting.message.text.startswith("Hei Ola!")
    assert engine.unfinished_count == 1
    assert engine.next_delivery == START + timedelta(seconds=90)  # 30 s after the refusal

    engine.reply(KARI, "Okei")  # no route takes it: the inbox
    [item] = engine.inbox
    assert (item.from_, item.to, item.text) == (KARI, "4790000000", "Okei")
    assert {r.kind for r in records} >= {"started", "sent", "received"}

    steps = engine.steps()
    next_due = engine.next_due
    timers = [(t.due, t.kind, t.what) for t in engine.timers(kari)]
    assert {"after", "reminder"} <= {kind for _, kind, _ in timers}
    engine.close()
    assert engine.closed
    with pytest.raises(nudge.Error, match="closed"):
        engine.run_due()
    engine.close()  # twice is fine

    # ---- the second run: the same file, opened again
    with open_engine(db, clock, phone, flow) as engine:
        assert engine.steps() == steps  # loading the same text wrote nothing
        assert engine.next_due == next_due
        assert [(t.due, t.kind, t.what) for t in engine.timers(kari)] == timers
        [item] = engine.inbox
        assert item.text == "Okei"
        view = engine.instance(kari)
        assert view.state == "sale"
        assert "sent" in [r.kind for r in view.history]
        assert [r.kind for r in engine.history(ola)][:2] == ["started", "entered"]
        assert len(phone.calls) == 2  # opening hands nothing over by itself

        # The refused message goes out after the reopen, with the same idempotency key.
        phone.refusing = False
        assert engine.deliver() == 0  # its retry time has not come
        clock.advance(timedelta(seconds=30))
        assert engine.deliver() == 1
        assert phone.taken[-1] == (waiting.message.id, OLA, waiting.message.text)
        assert engine.outbox() == []
        [_, sent] = engine.outbox(unfinished_only=False)
        assert sent.done_at is not None and sent.attempts == 2 and not sent.unfinished

        engine.reply(KARI, "ja")
        assert phone.taken[-1][2].startswith("Takk, Kari!")
        assert engine.instance(kari).state == "confirmed"
    assert engine.closed

    # ---- the third run, four days later: what came due while nothing ran fires once
    clock.set(START + timedelta(days=4))
    with open_engine(db, clock, phone, flow) as engine:
        calls = len(phone.calls)
        assert engine.run_due() >= 2  # Ola's reminder, then the end of the three days
        assert len(phone.calls) == calls + 1
        assert phone.taken[-1][2].startswith("Påminnelse: Hei Ola!")
        assert [v.id for v in engine.instances("sale_confirmation", "lapsed")] == [ola]
        assert [v.state for v in engine.instances_by_key(KARI)] == ["confirmed"]
        assert engine.run_due() == 0
        assert engine.next_due is None
        assert kari_key.startswith("sale_confirmation/")


def test_manual_delivery_after_a_restart(tmp_path):
    flow = nudge.compile(
        """flow missed
field phone: phone
channel sms to phone from "4790000000"
trigger call.missed as phone {
  start sorry
}
state sorry {
  send sms "Sorry we missed your call!"
  after 1h -> done
}
final done
"""
    )
    db = str(tmp_path / "missed.db")
    clock = nudge.FakeClock("2026-03-28T12:00:00Z")
    out = nudge.RecordingTransport()
    with nudge.DurableEngine(db, clock, out, deliver_after_step=False) as engine:
        engine.load(flow)
        [id] = engine.trigger("call.missed", {"phone": KARI})
        assert out.sent == []
        [item] = engine.outbox()
        assert item.message.to == KARI
    # Closed before the message went out: the next process sends it.
    with nudge.DurableEngine(db, clock, out, deliver_after_step=False) as engine:
        assert engine.deliver() == 1
        [message] = out.sent
        assert message.text == "Sorry we missed your call!"
        assert message.id == item.message.id
        assert engine.deliver() == 0  # never twice
        assert engine.advance(timedelta(hours=1)) == 1
        assert engine.instance(id).status == "finished"


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n")
    with pytest.raises(nudge.StoreError):
        nudge.DurableEngine(path, nudge.SystemClock(), nudge.RecordingTransport())
    assert path.read_text() == "not a database\n"  # left as it was
    assert issubclass(nudge.StoreError, nudge.Error)


def test_advance_needs_a_fake_clock(tmp_path):
    with nudge.DurableEngine(
        tmp_path / "x.db", nudge.SystemClock(), nudge.RecordingTransport()
    ) as engine:
        with pytest.raises(nudge.Error, match="FakeClock"):
            engine.advance(10)
        assert engine.next_due is None
        assert engine.next_delivery is None
        assert engine.instance(1) is None
        assert "x.db" in repr(engine)
        assert engine.steps() == 0
