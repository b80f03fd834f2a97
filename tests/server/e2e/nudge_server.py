"""Starts a real `nudge serve` for the end-to-end tests and talks to it as a client would:
Standard Webhooks signatures, the bearer token, the fake clock."""

import base64
import hashlib
import hmac
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import uuid

import requests

NUDGE = os.environ.get("NUDGE_BIN", "nudge")
SOURCE_DIR = pathlib.Path(os.environ.get("NUDGE_SOURCE_DIR", pathlib.Path(__file__).parents[3]))

SECRET_KEY = b"nudge-test-secret-0123456789abcdef"
SECRET = "whsec_" + base64.b64encode(SECRET_KEY).decode()
OLD_SECRET_KEY = b"the-previous-secret-still-accepted"
OLD_SECRET = "whsec_" + base64.b64encode(OLD_SECRET_KEY).decode()
READ_TOKEN = "read-token-for-the-tests"
KANNEL_TOKEN = "kanneltoken0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signature(key, msg_id, timestamp, body):
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


class Server:
    """One `nudge serve` process on a loopback port, with its database in `workdir`."""

    def __init__(self, workdir, flows, channels, fake_clock=None, extra=(), port=None):
        self.workdir = pathlib.Path(workdir)
        self.flows = flows
        self.channels = channels
        self.fake_clock = fake_clock
        self.extra = list(extra)
        self.port = port or free_port()
        self.db = self.workdir / "nudge.db"
        self.log_path = self.workdir / f"serve-{self.port}.log"
        self.proc = None
        self.base = f"http://127.0.0.1:{self.port}"
        self.session = requests.Session()

    def args(self):
        a = [NUDGE, "serve", "--flows", str(self.flows), "--db", str(self.db),
             "--listen", f"127.0.0.1:{self.port}",
             "--webhook-secret-env", "NUDGE_TEST_SECRET",
             "--webhook-secret-env", "NUDGE_TEST_OLD_SECRET",
             "--read-token-env", "NUDGE_TEST_READ_TOKEN",
             "--kannel-token-env", "NUDGE_TEST_KANNEL_TOKEN", "--synchronous", "normal"]
        for name, spec in self.channels.items():
            a += ["--channel", f"{name}={spec}"]
        if self.fake_clock:
            a += ["--fake-clock", self.fake_clock]
        return a + self.extra

    def start(self, wait=True):
        env = dict(os.environ, NUDGE_TEST_SECRET=SECRET, NUDGE_TEST_OLD_SECRET=OLD_SECRET,
                   NUDGE_TEST_READ_TOKEN=READ_TOKEN, NUDGE_TEST_KANNEL_TOKEN=KANNEL_TOKEN)
        self.log_file = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args(), stdout=self.log_file, stderr=self.log_file,
                                     env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nudge serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(self.base + "/readyz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("nudge serve did not become ready:\n" + self.log())

    def log(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_lines(self):
        return [json.loads(l) for l in self.log().splitlines() if l.startswith("{")]

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log_file.close()
        return self.proc.returncode if self.proc else None

    def kill(self):
        return self.stop(signal.SIGKILL)

    # ---- requests --------------------------------------------------------------------------

    def signed_headers(self, body, msg_id=None, timestamp=None, key=SECRET_KEY):
        msg_id = msg_id or "msg_" + uuid.uuid4().hex
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        return {"webhook-id": msg_id, "webhook-timestamp": timestamp,
                "webhook-signature": signature(key, msg_id, timestamp, body),
                "content-type": "application/json"}

    def post_signed(self, path, data, msg_id=None, **kw):
        body = data if isinstance(data, bytes) else json.dumps(data).encode()
        headers = self.signed_headers(body, msg_id, **kw)
        return self.session.post(self.base + path, data=body, headers=headers, timeout=10)

    def event(self, name, data, msg_id=None):
        return self.post_signed(f"/v1/events/{name}", data, msg_id)

    def inbound(self, sender, to, text, msg_id=None):
        return self.post_signed("/v1/inbound/sms", {"from": sender, "to": to, "text": text}, msg_id)

    def get(self, path, token=READ_TOKEN):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return self.session.get(self.base + path, headers=headers, timeout=10)

    def post(self, path, data=None, token=READ_TOKEN):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return self.session.post(self.base + path, json=data, headers=headers, timeout=10)

    def advance(self, by):
        r = self.session.post(self.base + "/v1/clock/advance", json={"by": by}, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    def instance(self, instance_id):
        r = self.get(f"/v1/instances/{instance_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def instances(self, **query):
        r = self.get("/v1/instances", token=READ_TOKEN) if not query else \
            self.session.get(self.base + "/v1/instances", params=query,
                             headers={"authorization": f"Bearer {READ_TOKEN}"}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["instances"]

    def metric(self, name, **labels):
        text = self.session.get(self.base + "/metrics", timeout=10).text
        want = ",".join(f'{k}="{v}"' for k, v in labels.items())
        series = f"{name}{{{want}}}" if want else name
        for line in text.splitlines():
            if line.startswith(series + " "):
                return float(line.split()[-1])
        return 0.0


def read_jsonl(path):
    p = pathlib.Path(path)
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()]


def wait_for(predicate, timeout=10, what="a condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
