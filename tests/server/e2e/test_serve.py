"""nudge serve through its HTTP interface: the missed-call flow run on a fake clock, with its
SMS going to the file transport."""

import signal

from nudge_server import Server, read_jsonl, wait_for

CUSTOMER = "+4520123456"
SHOP = "4532100000"


def sent(server):
    return read_jsonl(server.outbox_file)


def test_missed_call_evening(server):
    r = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Pizza Roma"})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["event"] == "call.missed"
    assert len(body["started"]) == 1 and body["suppressed"] == []
    instance = body["started"][0]

    # The SMS waits 30 s, so that staff can call back first.
    server.advance("29s")
    assert sent(server) == []
    server.advance("1s")
    messages = wait_for(lambda: sent(server), what="the first SMS")
    assert len(messages) == 1
    assert messages[0]["to"] == CUSTOMER
    assert messages[0]["from"] == SHOP
    assert "Pizza Roma" in messages[0]["text"]
    assert messages[0]["at"] == "2026-06-05T16:00:30+00:00"

    r = server.inbound(CUSTOMER, SHOP, "2 margherita og en cola")
    assert r.status_code == 202, r.text
    assert r.json()["result"] == "taken"
    assert server.instance(instance)["state"] == "parsing"

    r = server.event("order.parsed", {"phone": CUSTOMER, "order_summary": "2 margherita, 1 cola",
                                      "order_total": "189.00"})
    assert r.status_code == 202, r.text
    assert r.json()["signalled"] == 1
    view = server.instance(instance)
    assert view["state"] == "ordered" and view["status"] == "finished"
    assert view["outcome"] == "converted"
    confirmation = wait_for(lambda: len(sent(server)) == 2 and sent(server)[1], what="the confirmation")
    assert "2 margherita, 1 cola" in confirmation["text"]
    kinds = [h["kind"] for h in view["history"]]
    assert kinds[:2] == ["started", "entered"] and "received" in kinds

    report = server.get("/v1/report/missed_call").json()
    assert report["starts"] == 1 and report["outcomes"]["converted"]["count"] == 1
    assert server.metric("nudge_instances_started_total", flow="missed_call") == 1
    # The send was seen at the transport; its settling (the count) follows on the loop.
    wait_for(lambda: server.metric("nudge_sends_total", channel="sms", result="accepted") == 2,
             what="both sends counted as accepted")


def test_cooldown_and_window_are_reported(server):
    assert server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Roma"}).status_code == 202
    r = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Roma"})
    assert r.status_code == 202
    assert r.json()["started"] == []
    assert [s["reason"] for s in r.json()["suppressed"]] in (["cooldown"], ["active"])
    server.advance("5h")  # 23:00, after closing
    r = server.event("call.missed", {"phone": "+4521212121", "restaurant": "Roma"})
    assert r.json()["started"] == []
    assert r.json()["suppressed"] == [{"flow": "missed_call", "reason": "outside_window"}]


def test_a_replayed_webhook_id_answers_as_the_first_time(server):
    first = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Roma"}, msg_id="msg_1")
    again = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Roma"}, msg_id="msg_1")
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert again.headers.get("x-nudge-replayed") == "true"
    assert len(server.instances(flow="missed_call")) == 1


def test_the_old_secret_is_accepted_during_rotation(server):
    from nudge_server import OLD_SECRET_KEY
    r = server.post_signed("/v1/events/call.missed", {"phone": CUSTOMER, "restaurant": "Roma"},
                           key=OLD_SECRET_KEY)
    assert r.status_code == 202, r.text


def test_restart_keeps_deadlines_and_sends_once(tmp_path, flows_dir):
    out = tmp_path / "sms.jsonl"
    s = Server(tmp_path, flows_dir, {"sms": f"file:{out}"}, fake_clock="2026-06-05T18:00:00+02:00")
    s.start()
    assert s.event("call.missed", {"phone": CUSTOMER, "restaurant": "Roma"}).status_code == 202
    s.advance("10s")
    assert s.stop(signal.SIGKILL) == -signal.SIGKILL
    # The fake clock starts where the flag says; the deadline (18:00:30) is in the database.
    s2 = Server(tmp_path, flows_dir, {"sms": f"file:{out}"},
                fake_clock="2026-06-05T18:00:10+02:00", port=s.port)
    s2.start()
    try:
        s2.advance("19s")
        assert read_jsonl(out) == []
        s2.advance("1s")
        wait_for(lambda: read_jsonl(out), what="the SMS after the restart")
        assert len(read_jsonl(out)) == 1
        assert s2.stop(signal.SIGTERM) == 0
    finally:
        s2.stop()


def test_sigterm_drains_and_exits_zero(server):
    for i in range(20):
        assert server.event("call.missed", {"phone": f"+45201234{i:02d}",
                                            "restaurant": "Roma"}).status_code == 202
    assert server.stop(signal.SIGTERM) == 0
    events = [line["event"] for line in server.log_lines()]
    assert "draining" in events and events[-1] == "stopped"


def test_flow_picture_as_svg(server):
    r = server.get("/v1/flows/missed_call.svg")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/svg+xml"
    assert "<svg" in r.text and "</svg>" in r.text
    # The states are in the picture.
    for state in ("texted", "parsing", "ordered"):
        assert state in r.text
    r = server.get("/v1/flows/no_such_flow.svg")
    assert r.status_code == 404 and r.json()["error"] == "no flow no_such_flow"
    assert server.get("/v1/flows/missed_call.svg", token="wrong").status_code == 401


QUICK_FLOW = """flow quick
timezone "Europe/Copenhagen"

field phone: phone

channel sms to phone from "4532100000"

trigger quick.fired as phone {
  start asked
}

state asked {
  send sms "Hello, reply if you like."
  on reply any -> done
  after 1m -> done
}

final done
"""


def test_finished_instances_leave_memory_and_stay_readable(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "quick.flow").write_text(QUICK_FLOW)
    s = Server(tmp_path, flows, {"sms": f"file:{tmp_path / 'sms.jsonl'}"},
               fake_clock="2026-06-05T18:00:00+02:00", extra=["--limit", "keep_finished=1"])
    s.start()
    try:
        ids = [s.event("quick.fired", {"phone": f"+452012345{i}"}).json()["started"][0]
               for i in range(3)]
        s.advance("2m")  # all three end in `done`
        s.event("quick.fired", {"phone": "+4520123459"})  # retires the two oldest finished ones

        # A retired instance is read from the database, with its history.
        view = s.instance(ids[0])
        assert view["state"] == "done" and view["status"] == "finished"
        kinds = [h["kind"] for h in view["history"]]
        assert kinds[:3] == ["started", "entered", "sent"] and kinds.count("entered") == 2
        assert [v["id"] for v in s.instances(flow="quick", state="done")] == ids

        # It cannot be moved back; one still held can.
        r = s.post(f"/v1/instances/{ids[0]}/move", {"state": "asked"})
        assert r.status_code == 409, r.text
        assert "has ended" in r.json()["error"]
        r = s.post(f"/v1/instances/{ids[2]}/move", {"state": "asked"})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "asked"
        assert s.get("/healthz").status_code == 200
    finally:
        s.stop()


def test_a_bad_limit_flag_is_refused(tmp_path, flows_dir):
    s = Server(tmp_path, flows_dir, {"sms": f"file:{tmp_path / 'sms.jsonl'}"},
               extra=["--limit", "keep_finished=none"])
    s.start(wait=False)
    assert s.proc.wait(timeout=20) == 2
    err = s.log()
    assert "keep_finished" in err and "whole number" in err


def test_a_caller_who_rings_again_gets_another_sms_after_half_an_hour(server):
    # One POST both tries to start (suppressed: her conversation is running) and signals the
    # running conversation, which texts again: one SMS per half hour per number.
    r = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Pizza Roma"})
    assert r.json()["signalled"] == 0  # the event that started it is not delivered to it too
    server.advance("1m")
    wait_for(lambda: len(sent(server)) == 1, what="the first SMS")
    server.advance("44m")
    r = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Pizza Roma"})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["started"] == [] and body["signalled"] == 1
    assert body["suppressed"] == [{"flow": "missed_call", "reason": "active"}]
    server.advance("30s")
    messages = wait_for(lambda: len(sent(server)) == 2 and sent(server), what="the second SMS")
    assert messages[1]["to"] == CUSTOMER and messages[1]["at"] == "2026-06-05T16:45:30+00:00"


def test_the_inbox_by_hand_assign_and_close(server):
    started = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Pizza Roma"})
    instance = started.json()["started"][0]
    server.advance("30s")
    assert server.inbound(CUSTOMER, SHOP, "2 margherita").json()["result"] == "taken"
    # A second message while the order is being read goes to the inbox, on this instance.
    assert server.inbound(CUSTOMER, SHOP, "og en cola").json()["result"] == "routed"
    assert server.inbound("+4599999999", SHOP, "hvem er I?").json()["result"] == "unknown"
    inbox = server.get("/v1/inbox").json()["inbox"]
    assert [(i["text"], i["reason"], i["candidates"]) for i in inbox] == [
        ("hvem er I?", "unknown", []), ("og en cola", "routed", [instance])]
    cola, stranger = inbox[1]["id"], inbox[0]["id"]

    # The one candidate is the instance when none is named.
    r = server.post(f"/v1/inbox/{cola}/assign", {})
    assert r.status_code == 200 and r.json() == {"assigned_to": instance}
    # An unknown sender has no candidate: name one, or close it with a note.
    r = server.post(f"/v1/inbox/{stranger}/assign", {})
    assert r.status_code == 422 and r.json()["field"] == "instance"
    r = server.post(f"/v1/inbox/{stranger}/close", {})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = server.post(f"/v1/inbox/{stranger}/close", {"note": "a wrong number"})
    assert r.status_code == 200
    assert server.get("/v1/inbox").json()["inbox"] == []
    handled = server.get("/v1/inbox?all=true").json()["inbox"]
    assert handled[0]["note"] == "a wrong number" and "handled_at" in handled[0]
    assert handled[1]["assigned_to"] == instance
    assert "assigned" in [h["kind"] for h in server.instance(instance)["history"]]


def test_the_report_over_a_period(server):
    for phone in ("+4520123401", "+4520123402"):
        assert server.event("call.missed", {"phone": phone, "restaurant": "Pizza Roma"}).status_code == 202
    server.advance("30s")
    today = server.get("/v1/report/missed_call?period=today&sms_price=0.5").json()
    assert today["period"]["first_day"] == "2026-06-05" and today["period"]["zone"] == "Europe/Copenhagen"
    assert today["triggers"] == 2 and today["starts"] == 2
    assert today["entries"] == {"texted": 2} and today["sent"] == {"sms": 2}
    assert today["sms"] == 2 and today["sms_cost"] == 1.0 and today["roi"] == -1.0
    assert server.get("/v1/report/missed_call?period=yesterday").json()["triggers"] == 0
    month = server.get("/v1/report/missed_call?period=2026-06-01..2026-06-30").json()
    assert month["triggers"] == 2 and month["period"]["last_day"] == "2026-06-30"
    r = server.get("/v1/report/missed_call?period=fortnight")
    assert r.status_code == 422 and r.json()["field"] == "period"
    assert server.get("/v1/report/missed_call?period=today&sms_price=cheap").status_code == 422


def test_a_required_field_missing_is_refused_with_its_name(server):
    r = server.event("call.missed", {"phone": CUSTOMER})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "restaurant" and body["flow"] == "missed_call"
    assert "needs field restaurant" in body["error"]
    assert server.instances(flow="missed_call") == []
    # The same webhook id answers the same again, and still nothing started.
    r = server.event("call.missed", {"phone": CUSTOMER}, msg_id="msg_required_1")
    again = server.event("call.missed", {"phone": CUSTOMER}, msg_id="msg_required_1")
    assert again.status_code == 422 and again.headers.get("x-nudge-replayed") == "true"


def test_a_message_sent_by_hand(server):
    r = server.event("call.missed", {"phone": CUSTOMER, "restaurant": "Pizza Roma"})
    instance = r.json()["started"][0]
    server.advance("31s")
    wait_for(lambda: len(sent(server)) == 1, what="the first SMS")
    # Refused before anything happens: a channel the flow lacks, no text; refused by the
    # engine: a merge field the customer has no value for. Nothing is sent.
    r = server.post(f"/v1/instances/{instance}/send", {"channel": "fax", "text": "Hej"})
    assert r.status_code == 422 and r.json()["field"] == "channel"
    r = server.post(f"/v1/instances/{instance}/send", {"channel": "sms"})
    assert r.status_code == 422 and r.json()["field"] == "text"
    r = server.post(f"/v1/instances/{instance}/send",
                    {"channel": "sms", "text": "Din ordre: {order_summary}", "by": "anna"})
    assert r.status_code == 409 and "{order_summary}" in r.json()["error"]
    assert server.post(f"/v1/instances/{instance}/send", {"text": "x"}, token="wrong").status_code == 401
    r = server.post(f"/v1/instances/{instance}/send",
                    {"channel": "sms", "text": "Hej fra {restaurant}: vi ringer dig op.", "by": "anna"})
    assert r.status_code == 200, r.text
    assert r.json()["sent"] is True
    assert r.json()["instance"]["state"] == "texted"
    by_hand = [h for h in r.json()["instance"]["history"] if h["kind"] == "sent" and "by" in h]
    assert by_hand and by_hand[0]["by"] == "anna"
    messages = wait_for(lambda: len(sent(server)) == 2 and sent(server), what="the SMS by hand")
    assert messages[1]["text"] == "Hej fra Pizza Roma: vi ringer dig op."
