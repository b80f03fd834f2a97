#!/usr/bin/env bash
# Issue 8: builds the release preset, runs bench_scale (nudge's Engine and the Boost.MSM peer on
# one seeded trace) and the XState peer on the same trace, and writes benchmarks/RESULTS.md and
# benchmarks/results.json. Not part of CTest. Run from anywhere:
#
#   benchmarks/run-comparison.sh
#
# Environment: MAX (largest N, default 1000000), NUDGE_MAX (largest N for nudge's Engine,
# default MAX), XSTATE_MAX (default 100000), JOBS (build parallelism, default 2), CALLGRIND (1:
# count instructions with valgrind's callgrind: per event of the trace at N = CALLGRIND_N,
# default 1000, and per operation of the micro-benchmarks with count_ops, COUNT_K operations
# each, default 2000; 0: skip), NOSTOP_MAX (largest N of a diagnostic run without STOP replies;
# default 0: skip).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
MAX=${MAX:-1000000}
NUDGE_MAX=${NUDGE_MAX:-$MAX}
XSTATE_MAX=${XSTATE_MAX:-100000}
JOBS=${JOBS:-2}
out=$root/build/release/benchmarks/comparison
mkdir -p "$out"

cd "$root"
cmake --preset release >/dev/null
cmake --build --preset release --target bench_scale count_ops -j"$JOBS"
bench=$root/build/release/benchmarks/bench_scale
# bench_engine exists only when Google Benchmark is installed.
cmake --build --preset release --target bench_engine -j"$JOBS" || true

echo "== bench_scale --max $MAX --nudge-max $NUDGE_MAX"
"$bench" --max "$MAX" --nudge-max "$NUDGE_MAX" --json "$out/scale.json" | tee "$out/scale.txt"

rm -f "$out/scale-nostop.json"
NOSTOP_MAX=${NOSTOP_MAX:-0}
if [ "$NOSTOP_MAX" -ge 10000 ]; then
    echo "== bench_scale --no-stop --max $NOSTOP_MAX --nudge-max $NOSTOP_MAX"
    "$bench" --no-stop --max "$NOSTOP_MAX" --nudge-max "$NOSTOP_MAX" \
        --json "$out/scale-nostop.json" | tee "$out/scale-nostop.txt"
fi

echo "== XState peer"
: >"$out/xstate.jsonl"
if command -v node >/dev/null && command -v npm >/dev/null; then
    (cd "$here/peers/xstate" && { [ -d node_modules/xstate ] || npm ci --no-audit --no-fund; })
    n=10000
    while [ "$n" -le "$XSTATE_MAX" ]; do
        "$bench" --write-trace "$n" "$out/trace-$n.bin"
        node --expose-gc --max-old-space-size=12000 "$here/peers/xstate/run.mjs" \
            "$out/trace-$n.bin" "$n" | tee -a "$out/xstate.jsonl"
        rm -f "$out/trace-$n.bin"
        n=$((n * 10))
    done
else
    echo "node/npm not found: XState peer skipped"
fi

rm -f "$out/engine.json"
if [ -x "$root/build/release/benchmarks/bench_engine" ]; then
    echo "== bench_engine"
    "$root/build/release/benchmarks/bench_engine" --benchmark_min_time=0.5 \
        --benchmark_out="$out/engine.json" --benchmark_out_format=json
fi

: >"$out/callgrind.txt"
if [ "${CALLGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
    cn=${CALLGRIND_N:-1000}
    echo "== callgrind, N = $cn"
    for what in "nudge:*nudge_run*" "msm:msm_peer::run*"; do
        name=${what%%:*}
        valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$name.out" \
            "--toggle-collect=${what#*:}" "$bench" --min "$cn" --max "$cn" --dispatch-reps 100 \
            >"$out/callgrind.$name.log" 2>&1
        ir=$(callgrind_annotate "$out/callgrind.$name.out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
        events=$(awk -v e="$name" '$1 == e {print $4}' "$out/callgrind.$name.log")
        echo "$name $cn $ir $events" | tee -a "$out/callgrind.txt"
    done
    # The micro-benchmarks' operations, counted one by one (count_ops: set-up not counted).
    k=${COUNT_K:-2000}
    : >"$out/count.txt"
    for op in parse_compile reply_dispatch schedule_cancel timer_fire next_opening; do
        valgrind --tool=callgrind --callgrind-out-file="$out/count.$op.out" \
            '--toggle-collect=*counted_*' "$root/build/release/benchmarks/count_ops" "$op" "$k" \
            >/dev/null 2>"$out/count.$op.log"
        ir=$(callgrind_annotate "$out/count.$op.out" | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
        echo "$op $k $ir" | tee -a "$out/count.txt"
    done
    # awk, not head: head would end the pipe early and pipefail would stop the script.
    callgrind_annotate "$out/callgrind.nudge.out" | grep -E '^ *[0-9,]+ +\(' \
        | awk 'NR <= 25' | sed 's/ \[[^]]*\]$//' | cut -c1-160 >"$out/callgrind.nudge.top.txt"
fi

python3 "$here/scale/report.py" "$out/scale.json" "$out/xstate.jsonl" "$here/RESULTS.md" \
    "$here/results.json" "$here/scale/findings.md" "bench_scale --max $MAX --nudge-max $NUDGE_MAX" \
    "$out/callgrind.txt" "$out/callgrind.nudge.top.txt" "$out/engine.json" \
    "$out/scale-nostop.json" "$out/count.txt"
echo "wrote $here/RESULTS.md and $here/results.json"
