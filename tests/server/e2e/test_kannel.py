"""The missed-call example through nudge serve and a real Kannel (bearerbox, smsbox, fakesmsc
as the SMSC): the webhook, the SMS at fakesmsc 30 s later (fake clock), the customer's reply
typed at fakesmsc arriving through smsbox's post-url, the confirmation, delivery reports, STOP."""

import shutil
import sys

import pytest

from nudge_server import KANNEL_TOKEN, SOURCE_DIR, Server, free_port, wait_for

sys.path.insert(0, str(SOURCE_DIR / "tests" / "fixtures"))
import services  # noqa: E402

pytestmark = pytest.mark.skipif(not services.kannel_available(),
                                reason="Kannel is not installed (scripts/bootstrap installs it)")

CUSTOMER = "+4520123456"
SHOP = "4532100000"


def history_kinds(server, instance):
    return [h["kind"] for h in server.instance(instance)["history"]]


def test_missed_call_through_kannel(tmp_path, flows_dir):
    port = free_port()
    post_url = (f"http://127.0.0.1:{port}/v1/inbound/kannel/{KANNEL_TOKEN}"
                "?from=%p&to=%P&id=%I")
    with services.kannel(str(tmp_path / "kannel"), post_url=post_url) as k:
        sendsms = k.sendsms_url.replace("http://", f"http://{k.username}:{k.password}@")
        s = Server(tmp_path, flows_dir, {"sms": f"kannel:{sendsms}"},
                   fake_clock="2026-06-05T18:00:00+02:00", port=port,
                   extra=["--public-url", f"http://127.0.0.1:{port}"])
        s.start()
        try:
            r = s.event("call.missed", {"phone": CUSTOMER, "restaurant": "Café Roma ☕"})
            assert r.status_code == 202, r.text
            instance = r.json()["started"][0]
            s.advance("29s")
            assert k.mt.snapshot() == []
            s.advance("1s")
            first = k.wait_mt(1, timeout=30)
            assert len(first) == 1, k.logs()
            sms = first[0]
            assert sms["to"] == CUSTOMER and sms["from"] == SHOP
            # Not GSM-7 (the cup): sent as UCS-2, and it arrives intact.
            assert sms["type"] in ("ucs-2", "ucs2")
            # Over 70 UTF-16 units: Kannel sent it in two parts, joined again at the phone.
            assert sms.get("parts") == 2
            assert "Hej fra Café Roma ☕!" in sms["text"]

            # Kannel's delivery report comes back through the dlr-url nudge set.
            wait_for(lambda: "delivered" in history_kinds(s, instance), timeout=30,
                     what="the delivery report")

            # The customer answers at the phone: fakesmsc → bearerbox → smsbox → post-url.
            k.inject_mo(CUSTOMER, SHOP, "2 margherita og en cola")
            wait_for(lambda: s.instance(instance)["state"] == "parsing", timeout=20,
                     what="the reply to reach the instance")
            received = [h for h in s.instance(instance)["history"] if h["kind"] == "received"]
            assert received[0]["text"] == "2 margherita og en cola"

            r = s.event("order.parsed", {"phone": CUSTOMER, "order_summary": "2 margherita, 1 cola",
                                         "order_total": "189.00"})
            assert r.json()["signalled"] == 1
            second = k.wait_mt(2, timeout=30)
            assert len(second) == 2
            assert second[1]["type"] == "text"  # GSM-7 as it is
            assert "Vi har modtaget: 2 margherita, 1 cola" in second[1]["text"]

            # STOP opts the number out: the next missed call starts nothing.
            k.inject_mo(CUSTOMER, SHOP, "STOP")
            wait_for(lambda: s.metric("nudge_replies_total", result="taken") >= 2, timeout=20,
                     what="the STOP reply")
            s.advance("1h")
            r = s.event("call.missed", {"phone": CUSTOMER, "restaurant": "Café Roma ☕"})
            assert r.json()["started"] == []
            assert r.json()["suppressed"] == [{"flow": "missed_call", "reason": "opted_out"}]
            assert s.metric("nudge_delivery_reports_total", status="1") >= 1
            assert s.stop() == 0
        finally:
            s.stop()
