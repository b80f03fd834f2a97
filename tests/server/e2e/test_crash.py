"""nudge serve killed with SIGKILL 20 times during a burst of 2,000 signed triggers from clients
that retry unanswered requests with the same webhook-id; and stopped with SIGTERM under load.
Afterwards every trigger answered 2xx exists exactly once, and the file transport holds each
message key at most once (and, once the outbox is drained, every message)."""

import collections
import json
import signal
import threading
import time

import requests

from nudge_server import Server, read_jsonl, wait_for

PROBE = """\
flow crash_probe
timezone "Europe/Copenhagen"

field phone: phone
field n: number

channel sms to phone from "4532100000"

trigger probe.fired as phone {
  start greeted
}

state greeted {
  send sms "Hello number {n}"
  after 1d -> done
}

final done
"""


def phone(i):
    return f"+4520{i:06d}"


def probe_server(tmp_path, port=None):
    flows = tmp_path / "flows"
    flows.mkdir(exist_ok=True)
    (flows / "crash_probe.flow").write_text(PROBE)
    out = tmp_path / "sms.jsonl"
    s = Server(tmp_path, flows, {"sms": f"file:{out}"}, port=port)
    s.outbox_file = out
    return s


class Client:
    """Sends triggers 0..n-1 from several threads, each retried with its own webhook-id until a
    2xx answer (connection errors, 503 and timeouts are retried)."""

    def __init__(self, server, n, threads=4, deadline=240):
        self.server, self.n, self.threads = server, n, threads
        self.answers = {}
        self.lock = threading.Lock()
        self.deadline = time.time() + deadline

    def send(self, i):
        body = json.dumps({"phone": phone(i), "n": i}).encode()
        while time.time() < self.deadline:
            headers = self.server.signed_headers(body, msg_id=f"trigger-{i}")
            try:
                r = requests.post(self.server.base + "/v1/events/probe.fired", data=body,
                                  headers=headers, timeout=5)
            except requests.RequestException:
                time.sleep(0.02)
                continue
            if 200 <= r.status_code < 300:
                with self.lock:
                    self.answers[i] = r.json()
                return
            assert r.status_code == 503, r.text
            time.sleep(0.02)
        raise AssertionError(f"trigger {i} was never answered")

    def run(self):
        def worker(k):
            for i in range(k, self.n, self.threads):
                self.send(i)
        ts = [threading.Thread(target=worker, args=(k,)) for k in range(self.threads)]
        for t in ts:
            t.start()
        return ts

    def acknowledged(self):
        with self.lock:
            return len(self.answers)


def check_exactly_once(server, client, n):
    instances = server.instances(flow="crash_probe")
    keys = collections.Counter(v["key"] for v in instances)
    assert len(client.answers) == n
    assert all(count == 1 for count in keys.values()), [k for k, c in keys.items() if c > 1][:5]
    assert set(keys) == {phone(i) for i in range(n)}
    ids = {v["id"] for v in instances}
    for i, answer in client.answers.items():
        assert len(answer["started"]) == 1, (i, answer)
        assert answer["started"][0] in ids


def test_sigkill_twenty_times_during_a_burst(tmp_path):
    n, kills = 2000, 20
    s = probe_server(tmp_path)
    s.start()
    client = Client(s, n)
    threads = client.run()
    for k in range(1, kills + 1):
        # Kill after every 90 acknowledged triggers, so the kills fall inside the burst.
        wait_for(lambda: client.acknowledged() >= k * 90 or client.acknowledged() == n,
                 timeout=120, what=f"{k * 90} acknowledged triggers")
        s.kill()
        s.start()
    for t in threads:
        t.join()
    assert s.stop(signal.SIGKILL) == -signal.SIGKILL  # a 21st kill, after the burst
    s.start()
    try:
        check_exactly_once(s, client, n)
        # Every message reaches the file once the outbox is drained; none twice.
        wait_for(lambda: len(read_jsonl(s.outbox_file)) >= n, timeout=60,
                 what="every message in the file")
        keys = collections.Counter(m["id"] for m in read_jsonl(s.outbox_file))
        assert len(keys) == n and max(keys.values()) == 1
        assert s.stop() == 0
    finally:
        s.stop()


def test_sigterm_under_load_loses_nothing_acknowledged(tmp_path):
    n = 600
    s = probe_server(tmp_path)
    s.start()
    client = Client(s, n)
    threads = client.run()
    wait_for(lambda: client.acknowledged() >= 200, timeout=60, what="200 acknowledged triggers")
    assert s.stop(signal.SIGTERM) == 0
    acknowledged_before_stop = dict(client.answers)
    s.start()
    for t in threads:
        t.join()
    try:
        instances = {v["key"]: v for v in s.instances(flow="crash_probe")}
        for i, answer in acknowledged_before_stop.items():
            assert phone(i) in instances
        check_exactly_once(s, client, n)
        assert s.stop() == 0
    finally:
        s.stop()
