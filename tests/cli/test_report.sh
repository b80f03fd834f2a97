# nudge report: the funnel and the money of a simulated run, as a table, CSV and JSON.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
M=examples/missed-call
Q=examples/queue-callback

# The Friday evening of the missed-call example: 4 calls, 2 started, 1 order of 218 kr.
expect_status 0 "$NUDGE" report --scenario $M/scenarios/evening.scenario.yaml --sms-price 0.35 --order-value 180
contains "$TMP/out" "flow missed_call"
contains "$TMP/out" "  triggers                4           call.missed 4"
contains "$TMP/out" "  not started             2           cooldown 1, unless 1"
contains "$TMP/out" "    texted                2"
contains "$TMP/out" "    ordered               1"
contains "$TMP/out" "    SMS sent              3"
contains "$TMP/out" "    conversions           1"
contains "$TMP/out" "    conversion rate       25.0 %"
contains "$TMP/out" "    revenue saved         218.00"
contains "$TMP/out" "    ROI                   178.95      1 × 180.00 − 1.05"

# Without --order-value the conversions' own mean value is used.
expect_status 0 "$NUDGE" report --scenario $M/scenarios/evening.scenario.yaml --sms-price 0.35
contains "$TMP/out" "    ROI                   216.95"

# CSV: one metric a line.
expect_status 0 "$NUDGE" report --scenario $M/scenarios/evening.scenario.yaml --sms-price 0.35 --order-value 180 --format csv
head -1 "$TMP/out" | grep -qxF "flow,metric,name,value" || fail "csv header: $(head -1 "$TMP/out")"
contains "$TMP/out" "missed_call,entries,parsing,1"
contains "$TMP/out" "missed_call,not_started,cooldown,1"
contains "$TMP/out" "missed_call,conversion_rate,,0.2500"
contains "$TMP/out" "missed_call,roi,,178.95"

# JSON: valid, and the same numbers.
expect_status 0 "$NUDGE" report --scenario $M/scenarios/evening.scenario.yaml --sms-price 0.35 --order-value 180 --format json
python3 - "$TMP/out" <<'PY' || fail "json report: $(head -c 600 "$TMP/out")"
import json, sys
r = json.load(open(sys.argv[1]))
f = r["flows"][0]
assert f["flow"] == "missed_call", f
assert f["triggers"] == 4 and f["started"] == 2, f
assert f["entries"] == {"texted": 2, "parsing": 1, "ordered": 1, "waiting": 1, "no_answer": 1}, f
assert f["sms_sent"] == 3 and f["conversions"] == 1, f
assert abs(f["revenue_saved"] - 218) < 1e-9 and abs(f["roi"] - 178.95) < 1e-9, f
assert f["outcomes"]["converted"] == {"count": 1, "value": 218.0}, f
PY

# The busy evening of at least 100 calls the example's README shows; twice the same.
expect_status 0 "$NUDGE" report --scenario $M/report/busy-evening.scenario.yaml --sms-price 0.35 --order-value 180
contains "$TMP/out" "call.missed 120"
cp "$TMP/out" "$TMP/first"
expect_status 0 "$NUDGE" report --scenario $M/report/busy-evening.scenario.yaml --sms-price 0.35 --order-value 180
cmp -s "$TMP/out" "$TMP/first" || fail "two reports of the busy evening differ"

# The report agrees with the timeline `nudge simulate` prints for the same run.
expect_status 0 "$NUDGE" simulate --scenario $M/report/busy-evening.scenario.yaml
cp "$TMP/out" "$TMP/timeline.jsonl"
expect_status 0 "$NUDGE" report --scenario $M/report/busy-evening.scenario.yaml --sms-price 0.35 --order-value 180 --format json
python3 - "$TMP/timeline.jsonl" "$TMP/out" <<'PY' || fail "report and timeline disagree"
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
report = json.load(open(sys.argv[2]))["flows"][0]
started = sum(r["kind"] == "started" for r in records)
held = sum(r["kind"] == "suppressed" and r["instance"] == 0 for r in records)
sms = sum(r["kind"] == "sent" and r["channel"] == "sms" for r in records)
won = [float(r["value"]) for r in records if r["kind"] == "outcome" and r["outcome"] == "converted"]
assert report["triggers"] == started + held >= 100, report
assert report["started"] == started and report["sms_sent"] == sms, report
assert report["conversions"] == len(won) and abs(report["revenue_saved"] - sum(won)) < 0.005
assert abs(report["roi"] - round(len(won) * 180 - sms * 0.35, 2)) < 0.005, report
assert abs(report["conversion_rate"] - round(len(won) / report["triggers"], 4)) < 1e-9
PY

# Another flow, another outcome as the conversion: completed callbacks in the queue example.
expect_status 0 "$NUDGE" report --scenario $Q/scenarios/keeps-place.scenario.yaml --conversion called_back --format csv
contains "$TMP/out" "queue_callback,entries,callback_requested,1"
contains "$TMP/out" "queue_callback,outcome,answered,1"
contains "$TMP/out" "queue_callback,conversions,,1"

# A flow given on the command line replaces the scenario's own.
expect_status 0 "$NUDGE" report --scenario $M/scenarios/policy-denmark.scenario.yaml $M/missed_call.flow --format csv
contains "$TMP/out" "missed_call,held_back,number_policy,3"

# A failing expectation still reports, with exit 1 and the failure on stderr.
sed 's/at: 2026-06-05T18:00:30+02:00/at: 2026-06-05T18:00:31+02:00/;
     s#flows: \[../missed_call.flow\]#flows: ['"$PWD/$M"'/missed_call.flow]#' \
    $M/scenarios/evening.scenario.yaml >"$TMP/late.scenario.yaml"
expect_status 1 "$NUDGE" report --scenario "$TMP/late.scenario.yaml"
contains "$TMP/out" "flow missed_call"
contains "$TMP/err" "expect_sent"

# A mistake in the scenario: diagnostics, no report, exit 1.
printf 'flows: [nowhere.flow]\nsteps: []\n' >"$TMP/bad.scenario.yaml"
expect_status 1 "$NUDGE" report --scenario "$TMP/bad.scenario.yaml"
contains "$TMP/err" "[missing-flow]"
[ -s "$TMP/out" ] && fail "a report was printed for a broken scenario: $(head -c 300 "$TMP/out")"

# Usage: no scenario, an unreadable one, an unknown format, a negative price.
expect_status 2 "$NUDGE" report
expect_status 2 "$NUDGE" report --scenario "$TMP/nowhere.scenario.yaml"
contains "$TMP/err" "cannot read file"
expect_status 2 "$NUDGE" report --scenario $M/scenarios/evening.scenario.yaml --format xml
expect_status 2 "$NUDGE" report --scenario $M/scenarios/evening.scenario.yaml --sms-price -1

# From a database over a period: the same evening run durably gives the same figures for that
# day, and none for the day before.
DB="$TMP/evening.db"
expect_status 0 "$NUDGE" run --db "$DB" --scenario $M/scenarios/evening.scenario.yaml
expect_status 0 "$NUDGE" report --db "$DB" --period 2026-06-05..2026-06-05 --sms-price 0.35 --order-value 180
contains "$TMP/out" "period 2026-06-05 .. 2026-06-05 (Europe/Copenhagen)"
contains "$TMP/out" "  triggers                4           call.missed 4"
contains "$TMP/out" "  not started             2           cooldown 1, unless 1"
contains "$TMP/out" "    ROI                   178.95      1 × 180.00 − 1.05"
expect_status 0 "$NUDGE" report --db "$DB" --period 2026-06-04..2026-06-04
[ "$(grep -c "flow " "$TMP/out")" -eq 0 ] || fail "a day without records reports a flow: $(cat "$TMP/out")"
# The days are the zone's: the 5th in Kiribati (UTC+14) ended at 10:00 UTC, before the evening.
expect_status 0 "$NUDGE" report --db "$DB" --period 2026-06-05..2026-06-05 --zone Pacific/Kiritimati --format json
python3 - "$TMP/out" <<'PY' || fail "json db report: $(head -c 600 "$TMP/out")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["flows"] == [], r
PY
expect_status 2 "$NUDGE" report --db "$DB" --period yesterdayish
contains "$TMP/err" "unknown period 'yesterdayish'"
expect_status 2 "$NUDGE" report --db "$DB" --period 2026-06-09..2026-06-01
contains "$TMP/err" "ends before it begins"
expect_status 2 "$NUDGE" report --db "$TMP/none.db" --period today
contains "$TMP/err" "no such database"
expect_status 2 "$NUDGE" report
contains "$TMP/err" "give --scenario FILE or --db FILE"
finish
