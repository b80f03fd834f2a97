import shutil

import pytest

from nudge_server import SOURCE_DIR, Server

MISSED_CALL = SOURCE_DIR / "examples" / "missed-call" / "missed_call.flow"


@pytest.fixture
def flows_dir(tmp_path):
    d = tmp_path / "flows"
    d.mkdir()
    shutil.copy(MISSED_CALL, d)
    return d


@pytest.fixture
def server(tmp_path, flows_dir):
    """The missed-call flow on a fake clock, its SMS written to a file."""
    out = tmp_path / "sms.jsonl"
    s = Server(tmp_path, flows_dir, {"sms": f"file:{out}"},
               fake_clock="2026-06-05T18:00:00+02:00")
    s.outbox_file = out
    s.start()
    yield s
    s.stop()
