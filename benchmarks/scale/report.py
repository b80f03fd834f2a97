#!/usr/bin/env python3
"""Writes benchmarks/RESULTS.md and benchmarks/results.json from bench_scale's JSON and the
XState peer's JSON lines (called by benchmarks/run-comparison.sh)."""
import datetime
import json
import os
import platform
import sys

scale_json, xstate_jsonl, results_md, results_json, findings_md, command = sys.argv[1:7]
callgrind_txt = sys.argv[7] if len(sys.argv) > 7 else ""
callgrind_top = sys.argv[8] if len(sys.argv) > 8 else ""
engine_json = sys.argv[9] if len(sys.argv) > 9 else ""
nostop_json = sys.argv[10] if len(sys.argv) > 10 else ""
count_txt = sys.argv[11] if len(sys.argv) > 11 else ""
counts = []
if count_txt and os.path.exists(count_txt):
    with open(count_txt) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                counts.append({"op": parts[0], "k": int(parts[1]), "ir": int(parts[2]),
                               "ir_per_op": int(parts[2]) / max(int(parts[1]), 1)})
nostop = None
if nostop_json and os.path.exists(nostop_json):
    with open(nostop_json) as f:
        nostop = json.load(f)
micro = []
if engine_json and os.path.exists(engine_json):
    with open(engine_json) as f:
        micro = json.load(f).get("benchmarks", [])
callgrind = {}
if callgrind_txt and os.path.exists(callgrind_txt):
    with open(callgrind_txt) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and parts[2].isdigit() and parts[3].isdigit():
                callgrind[parts[0]] = {"n": int(parts[1]), "ir": int(parts[2]),
                                       "events": int(parts[3]),
                                       "ir_per_event": int(parts[2]) / max(int(parts[3]), 1)}

with open(scale_json) as f:
    scale = json.load(f)
rows = scale["rows"]
xrows = []
if os.path.exists(xstate_jsonl):
    with open(xstate_jsonl) as f:
        xrows = [json.loads(line) for line in f if line.strip()]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    return "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    return "unknown"


by = {}
for r in rows + xrows:
    by.setdefault(r["engine"], {})[r["n"]] = r
nudge = by.get("nudge", {})
msm = by.get("msm", {})
xstate = by.get("xstate", {})
n_max = max(nudge) if nudge else 0
top = nudge.get(n_max, {})
common_x = sorted(set(nudge) & set(xstate))
speedup = (nudge[common_x[-1]]["events_per_s"] / xstate[common_x[-1]]["events_per_s"]
           if common_x else None)
slope = (nudge[n_max]["ns_per_event"] / nudge[min(nudge)]["ns_per_event"] if nudge else None)
slope_msm = (msm[max(msm)]["ns_per_event"] / msm[min(msm)]["ns_per_event"] if msm else None)

results = {
    "reply_events_per_s": top.get("reply_events_per_s"),
    "bytes_per_waiting_instance": top.get("bytes_per_instance"),
    "speedup_vs_xstate": speedup,
    "dispatch_ns_nudge": scale.get("dispatch_ns_nudge"),
    "dispatch_ns_msm": scale.get("dispatch_ns_msm"),
    "scale_slope": slope,
    "n_max": n_max,
    "n_max_peers": max(msm) if msm else 0,
    "scale_slope_msm": slope_msm,
    "speedup_vs_xstate_at_n": common_x[-1] if common_x else None,
    "machine": {"cpu": cpu_model(), "nproc": os.cpu_count(), "memory": mem_total()},
    "command": command,
    "callgrind": callgrind,
    "callgrind_ops": counts,
    "no_stop": nostop,
    "engine_micro": [{"name": b["name"], "cpu_time": b["cpu_time"], "real_time": b["real_time"],
                      "time_unit": b["time_unit"], "items_per_second": b.get("items_per_second")}
                     for b in micro],
    "rows": rows + xrows,
}
# Keys other harnesses write (benchmarks/serve/run.sh's serve_*, soak/run.sh's soak_*) are kept.
if os.path.exists(results_json):
    with open(results_json) as f:
        kept = {k: v for k, v in json.load(f).items() if k not in results}
    results.update(kept)
with open(results_json, "w") as f:
    json.dump(results, f, indent=2)
    f.write("\n")


def fmt(v, spec="%.0f"):
    return "—" if v is None else spec % v


lines = []


def scale_table(table_rows):
    """One row per engine and N, ordered by N then engine."""
    lines.append("| engine | N | setup ns/inst | events | events/s | ns/event | reply ns | "
                 "timers fired/s | bytes/inst | sends | checksum |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in sorted(table_rows, key=lambda r: (r["n"], r["engine"])):
        lines.append("| %s | %d | %s | %d | %s | %s | %s | %s | %s | %d | `%s` |" % (
            r["engine"], r["n"], fmt(r.get("setup_ns")), r["events"], fmt(r["events_per_s"]),
            fmt(r["ns_per_event"], "%.1f"), fmt(r.get("reply_ns"), "%.1f"),
            fmt(r.get("timers_per_s")), fmt(r.get("bytes_per_instance")), r["sends"],
            r["checksum"]))

lines.append("# Benchmark results (issue 8)")
lines.append("")
lines.append("Generated by `benchmarks/run-comparison.sh` on %s UTC." %
             datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"))
lines.append("")
lines.append("Machine: %s, %s cores (`nproc`), %s memory. Command: `%s`; XState peer: "
             "`node --expose-gc benchmarks/peers/xstate/run.mjs TRACE N` (%s)." %
             (cpu_model(), os.cpu_count(), mem_total(), command,
              ("xstate %s, node %s" % (xrows[0]["xstate"], xrows[0]["node"])) if xrows
              else "not run"))
lines.append("")
lines.append("One reminder flow (send, wait for yes / no / STOP, two reminders 24 h apart moved "
             "into 09:00–20:00, cancel at 72 h: `benchmarks/scale/reminder.hpp`) and one seeded "
             "trace (60 % reply before any reminder, 20 % after one, 10 % after two, 10 % never; "
             "`benchmarks/scale/trace.hpp`) over 30 simulated days on a fake clock, one core. "
             "events = triggers + replies + timers fired; events/s and ns/event are wall time "
             "over the whole month; reply ns is the time inside reply dispatch; bytes/inst is "
             "the RSS delta / N with every instance waiting (the only field value is an 11-byte "
             "phone number, inside std::string's small buffer). Equal checksums mean equal "
             "sends (customer, first or reminder, instant) and equal outcomes.")
lines.append("")
scale_table(rows + xrows)
lines.append("")
lines.append("Ratios nudge / peer at each N: an events/s ratio above 1 means nudge is faster; a "
             "reply ns or bytes ratio above 1 means nudge takes more:")
lines.append("")
lines.append("| N | events/s ÷ Boost.MSM | events/s ÷ XState | reply ns ÷ Boost.MSM | "
             "reply ns ÷ XState | bytes/inst ÷ Boost.MSM | bytes/inst ÷ XState |")
lines.append("|---:|---:|---:|---:|---:|---:|---:|")


def ratio(a, b, key, spec="%.3g"):
    if a is None or b is None or not a.get(key) or not b.get(key):
        return "—"
    return spec % (a[key] / b[key])


for n in sorted(nudge):
    a, m, x = nudge[n], msm.get(n), xstate.get(n)
    lines.append("| %d | %s | %s | %s | %s | %s | %s |" % (
        n, ratio(a, m, "events_per_s"), ratio(a, x, "events_per_s"), ratio(a, m, "reply_ns"),
        ratio(a, x, "reply_ns"), ratio(a, m, "bytes_per_instance"),
        ratio(a, x, "bytes_per_instance")))
lines.append("")
peers_max = max(msm) if msm else 0
if n_max < peers_max:
    lines.append("nudge's Engine ran up to N = %d only (`--nudge-max`): see the findings below "
                 "for why larger N does not finish in reasonable time." % n_max)
    lines.append("")
lines.append("Reply dispatch in isolation (100,000 waiting instances, one `JA` each: lookup, "
             "normalise, match, transition, cancel timers): nudge %s ns, Boost.MSM peer %s ns, "
             "ratio %s." % (fmt(scale.get("dispatch_ns_nudge"), "%.1f"),
                             fmt(scale.get("dispatch_ns_msm"), "%.1f"),
                             fmt(scale["dispatch_ns_nudge"] / scale["dispatch_ns_msm"], "%.0f×")
                             if scale.get("dispatch_ns_msm") else "—"))
lines.append("")
if callgrind:
    lines.append("Instructions (valgrind callgrind, `--toggle-collect` on the run of the trace "
                 "only, N = %d, %d events; the run includes the harness's own timing calls): "
                 % (next(iter(callgrind.values()))["n"], next(iter(callgrind.values()))["events"]) +
                 ", ".join("%s %.0f Ir/event" % (k, v["ir_per_event"])
                           for k, v in sorted(callgrind.items())) + ".")
    lines.append("")
    if callgrind_top and os.path.exists(callgrind_top):
        lines.append("Where nudge's instructions go (callgrind, self cost, top functions):")
        lines.append("")
        lines.append("```text")
        with open(callgrind_top) as f:
            lines.append(f.read().rstrip())
        lines.append("```")
        lines.append("")
if nostop:
    nrows = nostop["rows"]
    nn = {r["n"]: r for r in nrows if r["engine"] == "nudge"}
    ns_slope = nn[max(nn)]["ns_per_event"] / nn[min(nn)]["ns_per_event"] if nn else None
    results["no_stop"]["scale_slope"] = ns_slope
    lines.append("Diagnostic: the same trace with its STOP replies turned into `no` "
                 "(`bench_scale --no-stop`), which takes the Engine's O(live instances) opt-out "
                 "out of the picture:")
    lines.append("")
    scale_table(nrows)
    lines.append("")
    if nn:
        lines.append("Without STOP, nudge's ns/event grows ×%.2f from N = %d to N = %d." %
                     (ns_slope, min(nn), max(nn)))
        lines.append("")
    with open(results_json, "w") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
if counts:
    lines.append("Instructions per operation of the micro-benchmarks (valgrind callgrind on "
                 "`count_ops OP K`, K = %d operations each, set-up not counted; the engines keep "
                 "no history in memory, as in the table above):" % counts[0]["k"])
    lines.append("")
    lines.append("| operation | instructions per operation |")
    lines.append("|---|---:|")
    what = {"parse_compile": "parse + check + compile the reminder flow from its text",
            "reply_dispatch": "reply dispatch: look up, normalise, match, transition, cancel",
            "schedule_cancel": "trigger that sets one timer, then cancel the instance",
            "timer_fire": "one due timer fired (moves its instance to a final)",
            "next_opening": "trigger whose deadline `within` moves across the DST change, "
                            "next_due, cancel"}
    for c in counts:
        lines.append("| %s — %s | %s |" % (c["op"], what.get(c["op"], ""),
                                           "{:,.0f}".format(c["ir_per_op"])))
    lines.append("")
if micro:
    lines.append("Micro-benchmarks of the Engine (`bench_engine`, Google Benchmark, public API "
                 "only; CPU time per iteration, which a loaded machine inflates less than wall time):")
    lines.append("")
    lines.append("| benchmark | CPU time per iteration | items/s |")
    lines.append("|---|---:|---:|")
    for b in micro:
        lines.append("| %s | %.0f %s | %s |" % (b["name"], b["cpu_time"], b["time_unit"],
                                              fmt(b.get("items_per_second"))))
    lines.append("")
    lines.append("`BM_TimerFire` is one `run_due()` over 1,000 due timers per iteration; the "
                 "others are one call per iteration.")
    lines.append("")
lines.append("## Targets")
lines.append("")
lines.append("| target | measured | met |")
lines.append("|---|---|---|")


def row(name, value, ok):
    lines.append("| %s | %s | %s |" % (name, value, "yes" if ok else "**no**"))


rps = results["reply_events_per_s"]
row("≥ 2 million reply events/s per core, in memory", "%s replies/s (N = %d)" % (fmt(rps), n_max),
    rps is not None and rps >= 2e6)
b = results["bytes_per_waiting_instance"]
row("≤ 256 bytes per waiting instance beyond field values", "%s bytes (N = %d)" % (fmt(b), n_max),
    b is not None and b <= 256)
row("flat ns/event from 10^4 to 10^7",
    "×%s from N = %d to N = %d%s" % (fmt(slope, "%.2f"), min(nudge), n_max,
                                     "" if n_max >= 10**7 else " (10^7 not run for nudge)")
    if nudge else "—", slope is not None and slope <= 1.5 and n_max >= 10**7)

row("≥ 20× XState", "%s× (events/s, N = %s)" % (fmt(speedup, "%.2f"),
                                                results["speedup_vs_xstate_at_n"]),
    speedup is not None and speedup >= 20)
ratio = (scale["dispatch_ns_nudge"] / scale["dispatch_ns_msm"]) if scale.get("dispatch_ns_msm") \
    else None
row("reply dispatch within 10× of Boost.MSM", "%s×" % fmt(ratio, "%.0f"),
    ratio is not None and ratio <= 10)
lines.append("")
lines.append("For comparison, the Boost.MSM peer's ns/event grows ×%s from N = %s to N = %s." %
             (fmt(slope_msm, "%.2f"), min(msm) if msm else "—", max(msm) if msm else "—"))
lines.append("")
if os.path.exists(findings_md):
    with open(findings_md) as f:
        lines.append(f.read().rstrip())
    lines.append("")
# The sections other harnesses write between their markers (benchmarks/serve/run.sh's serve,
# benchmarks/soak/run.sh's soak) are kept.
if os.path.exists(results_md):
    with open(results_md) as f:
        old = f.read()
    for name in ("serve", "soak"):
        start, end = old.find("<!-- %s -->" % name), old.find("<!-- /%s -->" % name)
        if start >= 0 and end > start:
            lines.append(old[start:end + len("<!-- /%s -->" % name)])
            lines.append("")
with open(results_md, "w") as f:
    f.write("\n".join(lines) + "\n")
