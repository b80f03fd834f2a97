#!/usr/bin/env python3
"""Times `nudge check` on generated flows (issue 16): every shape of gen_flow.py at growing
sizes, and for each the same with `--stats`, on the YAML twin, and `nudge graph`.

    run.py [--nudge build/release/nudge] [--sizes 4000,8000,...] [--shapes a,b] [--json FILE]
           [--timeout 60] [--write]

Prints a Markdown table (seconds of wall time, best of --reps runs) and, with --json, writes
the rows and `check_100k_states_s` (plain `nudge check` on the largest shape that fits 100,000
states in a flow file: `unreachable`). A size whose file is over the 2 MiB limit of a flow
file (`too-large`) is left out and says so; `—` is a run that took longer than --timeout.
With --write it also puts `check_100k_states_s`, `check_slope` (log-log slope of `nudge check`
on `unreachable` from the smallest to the largest size: 1 is linear, 2 quadratic) and the
rows (key `check`) into benchmarks/results.json, and the table into the marked section
`<!-- check -->` of benchmarks/RESULTS.md. Not a test: nothing here is part of CTest.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import gen_flow  # noqa: E402

LIMIT = 2 * 1024 * 1024


def timed(cmd, timeout, reps):
    best = None
    for _ in range(reps):
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, None
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best, proc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nudge", default="build/dev/nudge")
    ap.add_argument("--sizes", default="4000,8000,16000,32000,64000,100000")
    ap.add_argument("--shapes", default=",".join(gen_flow.SHAPES))
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    table = ["| shape | N | bytes | check s | --stats s | YAML twin s | graph s | diagnostics |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]

    def say(line):
        table.append(line)
        print(line, flush=True)

    for line in table:
        print(line)
    with tempfile.TemporaryDirectory() as tmp:
        for shape in args.shapes.split(","):
            for n in sizes:
                text = gen_flow.SHAPES[shape](n)
                size = len(text.encode())
                if size > LIMIT:
                    say(f"| {shape} | {n} | {size} | over 2 MiB | | | | |")
                    continue
                path = os.path.join(tmp, f"{shape}{n}.flow")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                check, proc = timed([args.nudge, "check", path], args.timeout, args.reps)
                last = ""
                if proc is not None:
                    lines = proc.stderr.decode(errors="replace").strip().splitlines()
                    last = lines[-1] if lines else "clean"
                stats, _ = timed([args.nudge, "check", "--stats", path], args.timeout, args.reps)
                yaml_path = path + ".yaml"
                conv = subprocess.run([args.nudge, "convert", path, "-o", yaml_path, "--to",
                                       "yaml"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                yaml_s = None
                if conv.returncode == 0 and os.path.getsize(yaml_path) <= LIMIT:
                    yaml_s, _ = timed([args.nudge, "check", yaml_path], args.timeout, args.reps)
                graph, _ = timed([args.nudge, "graph", path, "-o", os.path.join(tmp, "g.dot")],
                                 args.timeout, args.reps)
                show = lambda v: "—" if v is None else f"{v:.3f}"
                yaml_cell = show(yaml_s) if os.path.exists(yaml_path) and os.path.getsize(
                    yaml_path) <= LIMIT else "over 2 MiB"
                say(f"| {shape} | {n} | {size} | {show(check)} | {show(stats)} | {yaml_cell} "
                    f"| {show(graph)} | {last} |")
                rows.append({"shape": shape, "n": n, "bytes": size, "check_s": check,
                             "stats_s": stats, "yaml_s": yaml_s, "graph_s": graph,
                             "summary": last})
    at_100k = [r for r in rows if r["n"] == 100000 and r["shape"] == "unreachable"]
    timed_rows = [r for r in rows if r["shape"] == "unreachable" and r["check_s"]]
    slope = None
    if len(timed_rows) >= 2:
        lo, hi = timed_rows[0], timed_rows[-1]
        slope = math.log(hi["check_s"] / lo["check_s"]) / math.log(hi["n"] / lo["n"])
    out = {"check_100k_states_s": at_100k[0]["check_s"] if at_100k else None,
           "check_slope": slope, "command": "benchmarks/check/run.py " + " ".join(sys.argv[1:]),
           "nproc": os.cpu_count(), "machine": platform.processor() or platform.machine(),
           "rows": rows}
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
    if args.write:
        write_results(out, table)


def write_results(out, table):
    root = os.path.dirname(os.path.dirname(HERE))
    path = os.path.join(root, "benchmarks", "results.json")
    with open(path, encoding="utf-8") as f:
        results = json.load(f)
    results["check_100k_states_s"] = out["check_100k_states_s"]
    results["check_slope"] = out["check_slope"]
    results["check"] = {k: out[k] for k in ("command", "nproc", "machine", "rows")}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
    md = os.path.join(root, "benchmarks", "RESULTS.md")
    with open(md, encoding="utf-8") as f:
        old = f.read()
    slope = out["check_slope"]
    section = "\n".join([
        "<!-- check -->",
        "## nudge check on large flows (`benchmarks/check/run.py`, issue 16)",
        "",
        f"Generated by `{out['command']}` ({out['nproc']} cores). Seconds of wall time for the",
        "whole command on generated flows (`benchmarks/check/gen_flow.py`), one run each; the",
        "YAML twin is `nudge convert --to yaml` of the same flow. A flow file holds at most 2 MiB,",
        "so the larger sizes of most shapes cannot be written; `bench_check` times the checks on",
        "them in memory.",
        "",
    ] + table + [
        "",
        f"`check_100k_states_s` = {out['check_100k_states_s']}; `check_slope` = "
        f"{'—' if slope is None else f'{slope:.2f}'} (1 is linear).",
        "<!-- /check -->",
    ])
    s, e = old.find("<!-- check -->"), old.find("<!-- /check -->")
    new = (old[:s] + section + old[e + len("<!-- /check -->"):] if s >= 0 and e > s
           else old.rstrip("\n") + "\n\n" + section + "\n")
    with open(md, "w", encoding="utf-8") as f:
        f.write(new)


if __name__ == "__main__":
    main()
