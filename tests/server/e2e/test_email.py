"""E-mail through nudge serve and a real SMTP server on loopback (aiosmtpd): the workshop
recall's invitation arrives with the right headers, subject and UTF-8 body."""

import shutil
import sys

import pytest

from nudge_server import SOURCE_DIR, Server, wait_for

sys.path.insert(0, str(SOURCE_DIR / "tests" / "fixtures"))
import services  # noqa: E402

pytestmark = pytest.mark.skipif(not services.aiosmtpd_available(),
                                reason="aiosmtpd is not installed (scripts/bootstrap installs it)")


def test_workshop_recall_email(tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    shutil.copy(SOURCE_DIR / "examples" / "workshop-recall" / "workshop_recall.flow", flows)
    with services.smtp_sink(str(tmp_path / "smtp")) as sink:
        s = Server(tmp_path, flows, {"email": f"smtp:{sink.url}", "*": f"file:{tmp_path / 'other.jsonl'}"},
                   fake_clock="2026-06-05T09:00:00+02:00")
        s.start()
        try:
            r = s.event("recall.planned", {"recall_id": "R-1001", "customer": "Søren Ærø",
                                           "plate": "AB 12 345", "email": "soren@example.dk",
                                           "kind": "service", "next_service": "2026-07-10"})
            assert r.status_code == 202, r.text
            assert len(r.json()["started"]) == 1
            # 30 days before the service is Wednesday 10 June; sending hours start at 08:00.
            s.advance("4d22h59m")
            assert sink.wait_messages(1, timeout=0.5) == []
            s.advance("1m")
            mails = sink.wait_messages(1, timeout=20)
            assert len(mails) == 1
            m = mails[0]
            assert m["to"] == "soren@example.dk"
            assert m["from"] == "vaerksted@autohuset-vest.example"
            assert m["subject"] == "AB 12 345: tid til service"
            assert "Kære Søren Ærø" in m["body"]
            assert "nærmer sig sin næste service" in m["body"]
            assert m["headers"]["message-id"].startswith("<")
            wait_for(lambda: s.metric("nudge_sends_total", channel="email", result="accepted") == 1,
                     what="the e-mail counted as accepted")
        finally:
            s.stop()
