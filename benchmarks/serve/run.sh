#!/usr/bin/env bash
# Load test of nudge serve (not part of CTest): signed triggers/s, then replies/s, through HTTP
# on loopback into the durable SQLite store with group commit, measured with wrk. Writes
# serve_triggers_per_s, serve_p99_ms, serve_replies_per_s (and the p50s) into results.json.
#   benchmarks/serve/run.sh            DURATION=10 CONNS=64 SYNC=full NUDGE=build/release/cli/nudge
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
nudge="${NUDGE:-$root/build/release/cli/nudge}"
duration="${DURATION:-10}"
conns="${CONNS:-64}"
threads="${THREADS:-2}"
sync="${SYNC:-full}"
n="${N:-300000}"
command -v wrk >/dev/null || { echo "serve benchmark: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$nudge" ] || { echo "serve benchmark: build nudge first ($nudge)" >&2; exit 2; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/flows"
cat > "$work/flows/probe.flow" <<'FLOW'
flow probe
timezone "Europe/Copenhagen"
field phone: phone
field n: number
channel sms to phone from "4532100000"
trigger probe.fired as phone {
  start greeted
}
state greeted {
  send sms "Hello number {n}"
  on reply any -> done
  after 1d -> done
}
final done
FLOW

secret="$(head -c 32 /dev/urandom | base64)"
port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
echo "serve benchmark: signing $n triggers and $n replies"
/usr/bin/python3 "$here/make_requests.py" "$secret" trigger "$n" "$work/triggers.tsv"
/usr/bin/python3 "$here/make_requests.py" "$secret" reply "$n" "$work/replies.tsv"

NUDGE_BENCH_SECRET="whsec_$secret" NUDGE_BENCH_READ=bench \
    "$nudge" serve --flows "$work/flows" --db "$work/nudge.db" --listen "127.0.0.1:$port" \
    --channel "sms=file:$work/sms.jsonl" --webhook-secret-env NUDGE_BENCH_SECRET \
    --read-token-env NUDGE_BENCH_READ --synchronous "$sync" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done

load() { # PATH TSV -> wrk's output
    wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -s "$here/requests.lua" \
        "http://127.0.0.1:$port$1" -- "$2" "$threads"
}
echo "serve benchmark: triggers, $duration s, $conns connections, synchronous=$sync"
load /v1/events/probe.fired "$work/triggers.tsv" | tee "$work/triggers.out"
echo "serve benchmark: replies"
load /v1/inbound/sms "$work/replies.tsv" | tee "$work/replies.out"

batches="$(curl -s "http://127.0.0.1:$port/metrics" | grep -E '^nudge_commit_batch_size_(sum|count)' | awk '{print $2}' | paste -sd' ')"
/usr/bin/python3 - "$work/triggers.out" "$work/replies.out" "$root/benchmarks/results.json" \
    "$sync" "$duration" "$conns" "$root/benchmarks/RESULTS.md" "$batches" <<'PY'
import json, re, sys, os
def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def pct(p):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, text)
        v, unit = float(m.group(1)), m.group(2)
        return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, pct(50), pct(99), int(bad.group(1)) if bad else 0
t, r = parse(sys.argv[1]), parse(sys.argv[2])
path = sys.argv[3]
results = json.load(open(path)) if os.path.exists(path) else {}
results["serve"] = {"synchronous": sys.argv[4], "duration_s": int(sys.argv[5]),
                    "connections": int(sys.argv[6]), "triggers_per_s": t[0], "trigger_p50_ms": t[1],
                    "trigger_p99_ms": t[2], "trigger_non_2xx": t[3], "replies_per_s": r[0],
                    "reply_p50_ms": r[1], "reply_p99_ms": r[2], "reply_non_2xx": r[3],
                    "command": "benchmarks/serve/run.sh", "nproc": os.cpu_count()}
results["serve_triggers_per_s"] = t[0]
results["serve_p99_ms"] = t[2]
results["serve_replies_per_s"] = r[0]
with open(path, "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")
print("triggers/s %.0f (p50 %.2f ms, p99 %.2f ms, non-2xx %d); replies/s %.0f (p99 %.2f ms)"
      % (t[0], t[1], t[2], t[3], r[0], r[2]))

# The serve section of RESULTS.md, between markers that benchmarks/scale/report.py keeps.
import platform, subprocess
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
sums = [float(x) for x in sys.argv[8].split()] if len(sys.argv) > 8 and sys.argv[8] else []
batch = "%.1f" % (sums[0] / sums[1]) if len(sums) == 2 and sums[1] else "?"
met = lambda ok: "yes" if ok else "**no**"
section = "\n".join([
    "<!-- serve -->",
    "## nudge serve (`benchmarks/serve/run.sh`)",
    "",
    "wrk, %d connections, %d s per route, on loopback into the SQLite store (synchronous=%s, "
    "group commit; %s inputs per commit on average); %s, %d cores; wrk and the server share them."
    % (int(sys.argv[6]), int(sys.argv[5]), sys.argv[4], batch, cpu, os.cpu_count()),
    "",
    "| route | requests/s | p50 | p99 | non-2xx |",
    "|---|---:|---:|---:|---:|",
    "| signed triggers `POST /v1/events/probe.fired` (each starts an instance) | %.0f | %.1f ms | %.1f ms | %d |" % (t[0], t[1], t[2], t[3]),
    "| signed replies `POST /v1/inbound/sms` | %.0f | %.1f ms | %.1f ms | %d |" % (r[0], r[1], r[2], r[3]),
    "",
    "| target | measured | met |",
    "|---|---|---|",
    "| ≥ 10,000 acknowledged durable triggers/s | %.0f/s | %s |" % (t[0], met(t[0] >= 10000)),
    "| trigger p99 ≤ 50 ms | %.1f ms | %s |" % (t[2], met(t[2] <= 50)),
    "<!-- /serve -->",
])
md = sys.argv[7]
old = open(md).read() if os.path.exists(md) else ""
a, b = old.find("<!-- serve -->"), old.find("<!-- /serve -->")
if a >= 0 and b > a:
    new = old[:a] + section + old[b + len("<!-- /serve -->"):]
else:
    new = old.rstrip("\n") + "\n\n" + section + "\n"
open(md, "w").write(new)
PY
