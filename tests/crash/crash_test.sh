#!/usr/bin/env bash
# Crash test of the durable store: the same workload run once without interruption and once
# killed with SIGKILL at random points (KILLS times, restarting each time) must commit the same
# journal, end every instance in the same state and hand the same keys to the transport, with
# no key handed over again after its done-mark was committed.
# Usage: crash_test.sh WORKER [INSTANCES] [KILLS]
set -u
worker="$1"
n="${2:-10000}"
kills="${3:-50}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s%N)
"$worker" run "$tmp/a.db" "$tmp/a.log" "$n" || { echo "FAIL: the uninterrupted run failed"; exit 1; }
full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "uninterrupted run: ${full_ms} ms"

# Kill points spread over the run: each attempt lives a random 5–100 % of a 1/25th of the whole
# run plus what a restart costs, so the killed run makes progress and dies everywhere.
slice=$(( full_ms / 25 + 200 ))
RANDOM=7
killed=0
early=0
i=0
# A kill that lands before the worker wrote "start" (process start-up under ASan on a busy
# machine can take longer than the shortest kill point) tested nothing: it is tried again and
# not counted.
while [ "$killed" -lt "$kills" ] && [ "$i" -lt $((kills * 3)) ]; do
    i=$((i + 1))
    before=$(grep -c '^start$' "$tmp/b.log" 2>/dev/null || true)
    ms=$(( slice * (5 + RANDOM % 96) / 100 ))
    # In a subshell that outlives the kill, so that bash's "Killed" notice goes nowhere.
    ( timeout -s KILL "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))" \
        "$worker" run "$tmp/b.db" "$tmp/b.log" "$n" >/dev/null 2>"$tmp/err"
      echo $? >"$tmp/status" ) 2>/dev/null
    status=$(cat "$tmp/status")
    if [ "$status" -eq 137 ]; then
        after=$(grep -c '^start$' "$tmp/b.log" 2>/dev/null || true)
        if [ "${after:-0}" -gt "${before:-0}" ]; then
            killed=$((killed + 1))
        else
            early=$((early + 1))
        fi
    elif [ "$status" -ne 0 ]; then
        echo "FAIL: attempt $i exited $status: $(head -c 400 "$tmp/err")"
        exit 1
    fi
done
echo "killed $killed times (and $early times before it started, not counted)"
"$worker" run "$tmp/b.db" "$tmp/b.log" "$n" || { echo "FAIL: the final run failed"; exit 1; }
"$worker" check "$tmp/a.db" "$tmp/a.log" "$tmp/b.db" "$tmp/b.log" "$killed" || exit 1
if [ "$killed" -lt "$kills" ]; then
    echo "FAIL: only $killed of $kills attempts were killed before finishing"
    exit 1
fi
echo ok
