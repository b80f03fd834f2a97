# nudge test and nudge simulate: exit codes, failure messages, golden timelines, determinism.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
S=tests/scenarios

# Every fixture passes.
expect_status 0 "$NUDGE" test $S/*.scenario.yaml
contains "$TMP/out" "ok   $S/sale_confirmation.scenario.yaml (14 steps)"
contains "$TMP/out" "ok   $S/booking.scenario.yaml ("
contains "$TMP/out" "4 passed, 0 failed"

# A folder stands for its scenarios, in name order.
expect_status 0 "$NUDGE" test $S
contains "$TMP/out" "ok   $S/booking.scenario.yaml ("
contains "$TMP/out" "4 passed, 0 failed"
head -1 "$TMP/out" | grep -qF "booking" || fail "folder not expanded in name order: $(head -1 "$TMP/out")"

# A wrong time: the failure names the step, the line, what was expected and what was sent.
sed 's/      at: 2026-03-28T20:55:30+01:00/      at: 2026-03-28T20:56:00+01:00/;
     s#flows: \[sale_confirmation.flow\]#flows: ['"$PWD/$S"'/sale_confirmation.flow]#' \
    $S/sale_confirmation.scenario.yaml >"$TMP/late.scenario.yaml"
expect_status 1 "$NUDGE" test "$TMP/late.scenario.yaml"
contains "$TMP/out" "FAIL $TMP/late.scenario.yaml"
contains "$TMP/out" "  step 3 (expect_sent, line 10): expected a message with channel sms, to +4791234567, at 2026-03-28T20:56:00+01:00"
contains "$TMP/out" "(differs in at)"
contains "$TMP/out" "0 passed, 1 failed"

# One passing and one failing: exit 1, both reported.
expect_status 1 "$NUDGE" test $S/booking.scenario.yaml "$TMP/late.scenario.yaml"
contains "$TMP/out" "ok   $S/booking.scenario.yaml"
contains "$TMP/out" "1 passed, 1 failed"

# A mistake in the file: a diagnostic with file:line:col and a caret, exit 1.
sed 's/  - advance: 30s/  - advance: 30 seconds/' "$TMP/late.scenario.yaml" >"$TMP/bad.scenario.yaml"
expect_status 1 "$NUDGE" test "$TMP/bad.scenario.yaml"
contains "$TMP/out" "FAIL $TMP/bad.scenario.yaml"
contains "$TMP/err" "$TMP/bad.scenario.yaml:9:14: error: expected a duration like 30s, 2h or 3d"
contains "$TMP/err" "[bad-duration]"
contains "$TMP/err" "^~~~~~~~~~"

# A misspelt key gets a suggestion.
sed 's/  - expect_no_sent: true/  - expect_no_sends: true/' $S/booking.scenario.yaml \
    | sed 's#flows: \[booking.flow\]#flows: ['"$PWD/$S"'/booking.flow]#' >"$TMP/typo.scenario.yaml"
expect_status 1 "$NUDGE" test "$TMP/typo.scenario.yaml"
contains "$TMP/err" "did you mean 'expect_no_sent'?"

# Usage and unreadable files.
expect_status 2 "$NUDGE" test
expect_status 2 "$NUDGE" test "$TMP/nowhere.scenario.yaml"
contains "$TMP/err" "cannot read file $TMP/nowhere.scenario.yaml"

# A folder without scenarios, and a flow where a scenario belongs, say what they are.
mkdir -p "$TMP/empty"
expect_status 2 "$NUDGE" test "$TMP/empty"
contains "$TMP/err" "the folder $TMP/empty has no scenarios in it (files named *.scenario.yaml)"
expect_status 2 "$NUDGE" test $S/booking.flow
contains "$TMP/err" "$S/booking.flow is a flow, not a scenario"
expect_status 2 "$NUDGE" test $S/booking.scenario.yaml $S/booking.flow
contains "$TMP/out" "ok   $S/booking.scenario.yaml"

# --verbose prints the timeline under each scenario.
expect_status 0 "$NUDGE" test --verbose $S/sale_confirmation.scenario.yaml
contains "$TMP/out" "    2026-03-28T20:55:30+01:00  #1 sale_confirmation  sent  "

# simulate: the golden timelines, byte for byte, and twice the same.
for name in sale_confirmation booking; do
    flow=$S/$name.flow
    expect_status 0 "$NUDGE" simulate $flow --scenario $S/$name.scenario.yaml
    cmp -s "$TMP/out" $S/$name.timeline.jsonl || fail "simulate $name differs from $S/$name.timeline.jsonl: $(diff "$TMP/out" $S/$name.timeline.jsonl | head -20)"
    cp "$TMP/out" "$TMP/first.jsonl"
    expect_status 0 "$NUDGE" simulate $flow --scenario $S/$name.scenario.yaml
    cmp -s "$TMP/out" "$TMP/first.jsonl" || fail "two runs of simulate $name differ"
    python3 -c 'import json,sys
for line in open(sys.argv[1]): json.loads(line)' "$TMP/out" || fail "simulate $name: not JSON lines"
done

# Without FLOW the scenario's own flows run; --zone changes how times print.
expect_status 0 "$NUDGE" simulate --scenario $S/booking.scenario.yaml
cmp -s "$TMP/out" $S/booking.timeline.jsonl || fail "simulate without FLOW differs"
expect_status 0 "$NUDGE" simulate --scenario $S/booking.scenario.yaml --zone UTC
contains "$TMP/out" '"at":"2026-04-01T07:00:00+00:00"'
expect_status 2 "$NUDGE" simulate --scenario $S/booking.scenario.yaml --zone Mars/Olympus

# Failing expectations: the timeline still prints, the failures go to stderr, exit 1.
expect_status 1 "$NUDGE" simulate --scenario "$TMP/late.scenario.yaml"
contains "$TMP/out" '"kind":"sent"'
contains "$TMP/err" "step 3 (expect_sent, line 10)"

# From the command line: one trigger, then the clock runs and fires everything due.
expect_status 0 "$NUDGE" simulate $S/booking.flow --trigger booking.created \
    --data booking_id=B-20 --data phone=+46703334455 --data customer=Ingrid \
    --data visit_at=2026-04-22T09:30:00+02:00 --start 2026-04-01T09:00:00 --for 30d
contains "$TMP/out" '"kind":"emitted"'
contains "$TMP/out" '"event":"slot.freed"'
cp "$TMP/out" "$TMP/cmdline.jsonl"
expect_status 0 "$NUDGE" simulate $S/booking.flow --trigger booking.created \
    --data booking_id=B-20 --data phone=+46703334455 --data customer=Ingrid \
    --data visit_at=2026-04-22T09:30:00+02:00 --start 2026-04-01T09:00:00 --for 30d
cmp -s "$TMP/out" "$TMP/cmdline.jsonl" || fail "two command-line simulations differ"
expect_status 0 "$NUDGE" simulate $S/booking.flow --trigger booking.created \
    --data booking_id=B-21 --data phone=+46703334455 --data customer=Ingrid \
    --data visit_at=2026-04-22T09:30:00+02:00 --start 2026-04-01T09:00:00 \
    --until 2026-04-05T00:00:00
contains "$TMP/out" '"kind":"sent"'
expect_status 1 "$NUDGE" simulate $S/booking.flow --trigger booking.created \
    --start 2026-04-01T09:00:00 --for "3 days"
contains "$TMP/err" "expected a duration like 30s, 2h or 3d"
expect_status 2 "$NUDGE" simulate $S/booking.flow --trigger booking.created --data oops
expect_status 2 "$NUDGE" simulate $S/booking.flow --trigger booking.created
contains "$TMP/err" "--start"
expect_status 2 "$NUDGE" simulate $S/booking.flow
expect_status 2 "$NUDGE" simulate --scenario "$TMP/nowhere.scenario.yaml"
expect_status 2 "$NUDGE" simulate $S/booking.flow --scenario $S/booking.scenario.yaml --trigger x.y
expect_status 0 "$NUDGE" simulate --help
contains "$TMP/out" "--trigger"
# A signal for a key no instance has is a failure that names the key.
cat >"$TMP/typo.scenario.yaml" <<YAML
flows: [$PWD/$S/booking.flow]
start: 2026-04-01T09:00:00+02:00
steps:
  - signal: {event: booking.confirmed, key: B-99999}
YAML
expect_status 1 "$NUDGE" test "$TMP/typo.scenario.yaml"
contains "$TMP/out" "signal booking.confirmed reached nobody: no instance has key B-99999"

# A warning (an event no flow takes) lets the scenario pass; --strict fails it.
cat >"$TMP/warns.scenario.yaml" <<YAML
flows: [$PWD/$S/booking.flow]
start: 2026-04-01T09:00:00+02:00
steps:
  - trigger: booking.cancelled
    data: {booking_id: B-1}
  - expect_no_sent: true
YAML
expect_status 0 "$NUDGE" test "$TMP/warns.scenario.yaml"
contains "$TMP/err" "warning"
expect_status 1 "$NUDGE" test --strict "$TMP/warns.scenario.yaml"
contains "$TMP/out" "--strict: 1 warning(s), below"

finish
