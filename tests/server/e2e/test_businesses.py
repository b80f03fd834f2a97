"""One missed_call.flow serving three restaurants through `nudge serve`: each business's
settings (name, sender, number policy, hours), triggers addressed to a business, opt-outs that
hold for one business, the flows listed per business, and settings that do not fit refused at
start."""

import json
import time

import yaml

from conftest import MISSED_CALL
from nudge_server import Server, read_jsonl, wait_for

CUSTOMER = "+4520123456"
SWEDE = "+46701234567"

SETTINGS = [
    "vesterbro/missed_call/restaurant=Pizzabaren Vesterbro",
    "vesterbro/missed_call/sms=on, from 4532100001",
    "malmo/missed_call/restaurant=Pizzeria Öresund",
    "malmo/missed_call/numbers=nordic",
    "malmo/missed_call/active_hours=mon-sun 11:00-23:30",
    "malmo/missed_call/sms=on, from 4532100002",
    "lufthavn/missed_call/restaurant=Lufthavnens Pizza",
    "lufthavn/missed_call/sms=off",
]


def start(tmp_path, flows_dir, settings=SETTINGS, clock="2026-06-05T18:00:00+02:00"):
    out = tmp_path / "sms.jsonl"
    extra = []
    for s in settings:
        extra += ["--setting", s]
    server = Server(tmp_path, flows_dir,
                    {"sms": f"file:{out}", "staff": f"file:{tmp_path / 'staff.jsonl'}"},
                    fake_clock=clock, extra=extra)
    server.outbox_file = out
    return server


def sent(server):
    return read_jsonl(server.outbox_file)


def call(server, business, phone):
    return server.event(f"call.missed?business={business}", {"phone": phone})


def test_three_restaurants_on_one_flow(tmp_path, flows_dir):
    s = start(tmp_path, flows_dir).start()
    try:
        flows = {f["name"] for f in s.get("/v1/flows").json()["flows"]}
        assert flows == {"missed_call@vesterbro", "missed_call@malmo", "missed_call@lufthavn"}

        # An event that only business flows start must name the business.
        r = s.event("call.missed", {"phone": CUSTOMER})
        assert r.status_code == 404, r.text
        assert "name one with ?business=" in r.json()["error"]
        assert "lufthavn, malmo, vesterbro" in r.json()["error"]
        r = call(s, "roskilde", CUSTOMER)
        assert r.status_code == 404 and r.json()["business"] == "roskilde"

        r = call(s, "vesterbro", CUSTOMER)
        assert r.status_code == 202, r.text
        assert len(r.json()["started"]) == 1
        assert call(s, "malmo", SWEDE).status_code == 202
        r = call(s, "vesterbro", SWEDE)  # Danish numbers only at Vesterbro
        assert r.status_code == 202
        assert call(s, "lufthavn", CUSTOMER).status_code == 202
        s.advance("30s")
        messages = wait_for(lambda: len(sent(s)) == 2 and sent(s), what="two SMS")
        by_sender = {m["from"]: m for m in messages}
        assert by_sender["4532100001"]["to"] == CUSTOMER
        assert "Pizzabaren Vesterbro" in by_sender["4532100001"]["text"]
        assert by_sender["4532100002"]["to"] == SWEDE
        assert "Pizzeria Öresund" in by_sender["4532100002"]["text"]
        assert by_sender["4532100001"]["flow"] == "missed_call@vesterbro"

        # Held back: the Swedish caller at Vesterbro (number policy), and everything at the
        # airport, whose SMS is switched off.
        vesterbro = s.get("/v1/report/missed_call@vesterbro").json()
        assert vesterbro["starts"] == 2
        lufthavn = s.instances(flow="missed_call@lufthavn")
        assert len(lufthavn) == 1
        history = s.instance(lufthavn[0]["id"])["history"]
        held = [h for h in history if h["kind"] == "suppressed"]
        assert held and held[0]["reason"] == "channel_off"

        # STOP to Vesterbro's number: Vesterbro never texts this customer again; Öresund does.
        r = s.inbound(CUSTOMER, "4532100001", "STOP")
        assert r.status_code == 202 and r.json()["result"] == "opted_out"
        s.advance("3h")
        r = call(s, "vesterbro", CUSTOMER)
        assert r.json()["started"] == []
        assert r.json()["suppressed"] == [{"flow": "missed_call@vesterbro", "reason": "opted_out"}]
        r = call(s, "malmo", CUSTOMER)
        assert len(r.json()["started"]) == 1
        s.advance("30s")
        last = wait_for(lambda: len(sent(s)) == 3 and sent(s)[2], what="Öresund's SMS")
        assert last["from"] == "4532100002" and last["to"] == CUSTOMER
    finally:
        assert s.stop() == 0

    # A restart runs the same businesses on from the database.
    again = start(tmp_path, flows_dir, clock="2026-06-06T12:00:00+02:00").start()
    try:
        r = call(again, "vesterbro", CUSTOMER)
        assert r.json()["suppressed"] == [{"flow": "missed_call@vesterbro", "reason": "opted_out"}]
        assert len(again.instances(flow="missed_call@malmo")) == 2
    finally:
        assert again.stop() == 0


def test_settings_that_do_not_fit_are_refused_at_start(tmp_path, flows_dir):
    for bad, words in [
        ("malmo/missed_call/active_hours=weekdays 9-5", "malmo's settings, active_hours"),
        ("malmo/missed_call/opening=mon 10:00-12:00", "has no setting 'opening'"),
        ("malmo/missed_call/missed=Hej {first_name}", "unknown merge field '{first_name}'"),
        ("malmo/lunch/restaurant=X", "business malmo names flow lunch"),
    ]:
        s = start(tmp_path, flows_dir, [bad])
        s.start(wait=False)
        deadline = time.time() + 20
        while s.proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        running = s.proc.poll() is None
        s.stop()  # before any assertion: a server that did start must not outlive the test
        assert not running and s.proc.returncode != 0, bad
        assert words in s.log(), s.log()


def test_the_example_config_names_three_businesses(tmp_path, flows_dir):
    # The example's serve config parses and its businesses' settings fit the flow.
    config = yaml.safe_load((MISSED_CALL.parent / "serve" / "nudge.yaml").read_text())
    local = tmp_path / "nudge.yaml"
    # Its businesses, without its Kannel and secrets (the flags give this test's own).
    local.write_text(json.dumps({"businesses": config["businesses"]}))
    s = Server(tmp_path, flows_dir, {"sms": f"file:{tmp_path / 'x.jsonl'}",
                                     "staff": f"file:{tmp_path / 'y.jsonl'}"},
               fake_clock="2026-06-05T18:00:00+02:00", extra=["--config", str(local)])
    s.start()
    try:
        names = sorted(f["name"] for f in s.get("/v1/flows").json()["flows"])
        assert names == ["missed_call@lufthavn", "missed_call@malmo", "missed_call@vesterbro"]
        r = s.event("call.missed?business=lufthavn", {"phone": "+4590123456"})
        assert r.status_code == 202 and len(r.json()["started"]) == 1, r.text
        s.advance("30s")
        m = wait_for(lambda: read_jsonl(tmp_path / "x.jsonl"), what="the airport's SMS")
        assert m[0]["from"] == "4532100003"
        assert "i lufthavnen" in m[0]["text"]
    finally:
        assert s.stop() == 0
