#!/usr/bin/python3
"""Writes N signed requests for wrk (requests.lua reads them): each has its own webhook-id, a
fresh timestamp and a Standard Webhooks signature. KIND trigger: a probe.fired event for phone
i; KIND reply: customer i's SMS "ok". Usage: make_requests.py SECRET_BASE64 KIND N OUT"""

import base64
import hashlib
import hmac
import json
import sys
import time

key = base64.b64decode(sys.argv[1])
kind = sys.argv[2]
n = int(sys.argv[3])
now = str(int(time.time()))
with open(sys.argv[4], "w") as out:
    for i in range(n):
        phone = f"+4520{i % 1000000:06d}"
        if kind == "trigger":
            body = json.dumps({"phone": phone, "n": i}, separators=(",", ":"))
        else:
            body = json.dumps({"from": phone, "to": "4532100000", "text": "ok"},
                              separators=(",", ":"))
        msg_id = f"bench-{kind}-{now}-{i}"
        mac = hmac.new(key, f"{msg_id}.{now}.{body}".encode(), hashlib.sha256).digest()
        sig = "v1," + base64.b64encode(mac).decode()
        out.write(f"{msg_id}\t{now}\t{sig}\t{body}\n")
