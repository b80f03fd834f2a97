#!/usr/bin/env bash
# Soak run (issue 15, bounded memory; not part of CTest): bench_soak for 30 simulated days with a
# constant population, once with finished instances retired (EngineOptions::keep_finished) and
# once keeping them all, for contrast. Writes soak_rss_growth (the bounded run) into
# benchmarks/results.json and a marked section of benchmarks/RESULTS.md.
#   benchmarks/soak/run.sh            PER_DAY=20000 DAYS=30 KEEP=10000 BENCH=build/release/benchmarks/bench_soak
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bench="${BENCH:-$root/build/release/benchmarks/bench_soak}"
per_day="${PER_DAY:-20000}"
days="${DAYS:-30}"
keep="${KEEP:-10000}"
[ -x "$bench" ] || { echo "soak: build bench_soak first ($bench)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== bench_soak --keep-finished $keep"
"$bench" --per-day "$per_day" --days "$days" --keep-finished "$keep" --json "$work/bounded.json" \
    | tee "$work/bounded.txt"
echo "== bench_soak --keep-all"
"$bench" --per-day "$per_day" --days "$days" --keep-all --json "$work/all.json" | tee "$work/all.txt"

/usr/bin/python3 - "$work" "$root/benchmarks/results.json" "$root/benchmarks/RESULTS.md" <<'PY'
import json, os, sys, platform
work, results_json, results_md = sys.argv[1:4]
b = json.load(open(os.path.join(work, "bounded.json")))
a = json.load(open(os.path.join(work, "all.json")))
results = json.load(open(results_json)) if os.path.exists(results_json) else {}
results["soak"] = {"bounded": b, "keep_all": a, "command": "benchmarks/soak/run.sh"}
results["soak_rss_growth"] = b["rss_growth"]
with open(results_json, "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), platform.machine())
table = open(os.path.join(work, "bounded.txt")).read().rstrip()
section = "\n".join([
    "<!-- soak -->",
    "## Soak: 30 simulated days, constant population (`benchmarks/soak/run.sh`)",
    "",
    "The scale benchmark's reminder flow on the in-memory Engine with history kept: %d bookings a "
    "day, 60 %% confirm and 10 %% decline within two days, the rest lapse at 72 h. The first %d "
    "days fill the population up (w1…) and are not counted; %s."
    % (b["per_day"], b["warmup_days"], cpu),
    "",
    "| run | RSS day 2 | RSS day %d | growth | target ≤ 1.1 |" % b["days"],
    "|---|---:|---:|---:|---|",
    "| keep_finished = %s | %.1f MB | %.1f MB | ×%.3f | %s |" % (
        b["keep_finished"], b["rss_mb"][1], b["rss_mb"][-1], b["rss_growth"],
        "yes" if b["rss_growth"] <= 1.1 else "**no**"),
    "| every finished instance kept (the default) | %.1f MB | %.1f MB | ×%.3f | — |" % (
        a["rss_mb"][1], a["rss_mb"][-1], a["rss_growth"]),
    "",
    "```",
    table,
    "```",
    "<!-- /soak -->",
])
old = open(results_md).read() if os.path.exists(results_md) else ""
s, e = old.find("<!-- soak -->"), old.find("<!-- /soak -->")
new = old[:s] + section + old[e + len("<!-- /soak -->"):] if s >= 0 and e > s \
    else old.rstrip("\n") + "\n\n" + section + "\n"
open(results_md, "w").write(new)
print("soak_rss_growth = %.3f (keep all: %.3f)" % (b["rss_growth"], a["rss_growth"]))
PY
