"""Every refusal of nudge serve: the status, the JSON error, and that nothing changed."""

import json
import socket
import time

import requests

from nudge_server import KANNEL_TOKEN, READ_TOKEN, SECRET_KEY

CALL = {"phone": "+4520123456", "restaurant": "Roma"}


def error_of(r):
    assert r.headers["content-type"].startswith("application/json")
    return r.json()["error"]


def assert_nothing_changed(server):
    assert server.instances() == []
    assert server.get("/v1/report/missed_call").json()["triggers"] == 0


def test_signature_refusals(server):
    body = json.dumps(CALL).encode()
    url = server.base + "/v1/events/call.missed"
    # No headers at all.
    r = requests.post(url, data=body, timeout=5)
    assert r.status_code == 401 and "webhook-id" in error_of(r)
    # A signature made with another key.
    h = server.signed_headers(body, key=b"not-our-secret")
    r = requests.post(url, data=body, headers=h, timeout=5)
    assert r.status_code == 401 and "does not match" in error_of(r)
    # The body changed after signing.
    h = server.signed_headers(body)
    r = requests.post(url, data=body.replace(b"Roma", b"Rome"), headers=h, timeout=5)
    assert r.status_code == 401
    # A timestamp six minutes old (a replay) and one in the future.
    for ts in (int(time.time()) - 360, int(time.time()) + 360):
        h = server.signed_headers(body, timestamp=ts)
        r = requests.post(url, data=body, headers=h, timeout=5)
        assert r.status_code == 401 and "webhook-timestamp" in error_of(r)
    assert_nothing_changed(server)


def test_bad_bodies(server):
    r = server.post_signed("/v1/events/call.missed", b'{"phone": "+4520123456",\n "restaurant": }')
    assert r.status_code == 400
    assert r.json()["line"] == 2 and "malformed JSON at line 2" in error_of(r)
    r = server.post_signed("/v1/events/call.missed", b'[1, 2]')
    assert r.status_code == 400 and "object" in error_of(r)
    r = server.event("call.missed", {"phone": "not a number", "restaurant": "Roma"})
    assert r.status_code == 422 and r.json()["field"] == "phone"
    assert "phone" in error_of(r)
    r = server.event("call.missed", {"phone": {"nested": 1}, "restaurant": "Roma"})
    assert r.status_code == 422 and r.json()["field"] == "phone"
    r = server.event("no.such.event", CALL)
    assert r.status_code == 404 and "no.such.event" in error_of(r)
    assert_nothing_changed(server)


def test_size_limits(server):
    big = {"phone": "+4520123456", "restaurant": "x" * (70 * 1024)}
    r = server.event("call.missed", big)
    assert r.status_code == 413 and "larger than" in error_of(r)
    r = requests.post(server.base + "/v1/events/call.missed", data=b"{}",
                      headers={"x-padding": "y" * 9000}, timeout=5)
    assert r.status_code == 431
    assert_nothing_changed(server)


def test_slow_client_times_out(server):
    # Half a request, then silence: the server answers 408 and closes (after its read deadline).
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"POST /v1/events/call.missed HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        started = time.time()
        data = s.recv(4096)
        assert b" 408 " in data.split(b"\r\n")[0]
        assert time.time() - started < 15
    assert_nothing_changed(server)


def test_read_api_needs_the_bearer_token(server):
    for token in (None, "wrong"):
        r = server.get("/v1/instances", token=token)
        assert r.status_code == 401 and "bearer" in error_of(r)
    r = server.post("/v1/instances/1/cancel", token="wrong")
    assert r.status_code == 401
    assert server.get("/v1/instances/12345").status_code == 404
    assert server.get("/v1/instances/abc").status_code == 404


def test_kannel_callbacks_need_the_token(server):
    r = requests.post(server.base + "/v1/inbound/kannel/wrongtoken?from=4520123456&to=4532100000",
                      data=b"hej", timeout=5)
    assert r.status_code == 404
    r = requests.post(server.base + f"/v1/inbound/kannel/{KANNEL_TOKEN}", data=b"hej", timeout=5)
    assert r.status_code == 400
    assert_nothing_changed(server)


def test_clock_advance_exists_only_in_test_mode(tmp_path, flows_dir):
    from nudge_server import Server
    s = Server(tmp_path, flows_dir, {"sms": f"file:{tmp_path / 'out.jsonl'}"})
    s.start()
    try:
        r = requests.post(s.base + "/v1/clock/advance", json={"by": "30s"}, timeout=5)
        assert r.status_code in (401, 404)
    finally:
        assert s.stop() == 0


def test_metrics_count_refusals(server):
    server.event("no.such.event", CALL)
    text = requests.get(server.base + "/metrics", timeout=5).text
    assert text.endswith("\n")
    assert "# TYPE nudge_http_requests_total counter" in text
    assert 'nudge_http_requests_total{route="events",status="404"} 1' in text
    assert "+45" not in text  # no phone numbers in labels
