# nudge check: exit codes, the text and JSON forms of diagnostics, usage errors.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

expect_status 0 "$NUDGE" check examples/missed-call/missed_call.flow

cat >"$TMP/bad.flow" <<'FLOW'
flow bad

field phone: phone
channel sms to phone from "4570000000"

trigger call.missed as phone {
  start texted
}

state texted {
  send sms "Hi {nmae}"
  after 1d -> gone
}

final done
FLOW
expect_status 1 "$NUDGE" check "$TMP/bad.flow"
contains "$TMP/err" "$TMP/bad.flow:11:"
contains "$TMP/err" "error:"
contains "$TMP/err" "[unknown-state]"
contains "$TMP/err" "^"

expect_status 1 "$NUDGE" check --format json "$TMP/bad.flow"
contains "$TMP/out" '"severity": "error"'
contains "$TMP/out" '"code": "unknown-state"'
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/out" || fail "invalid JSON"

# The compiler's whole-flow analyses run too: errors fail, warnings alone do not.
expect_status 1 "$NUDGE" check tests/compile/invalid/compile-livelock.flow
contains "$TMP/err" "[livelock]"
expect_status 1 "$NUDGE" check tests/compile/invalid/compile-cap-blocks-send.flow
contains "$TMP/err" "[cap-blocks-send]"
expect_status 0 "$NUDGE" check tests/compile/invalid/compile-reminder-never-fires.flow
contains "$TMP/err" "warning:"
contains "$TMP/err" "[reminder-never-fires]"
expect_status 0 "$NUDGE" check tests/compile/valid/cap-blocks-send.flow

# Reply tests (issue 16): captures into a wrong field, an empty range and a pattern RE2
# refuses are errors at their line:column in both front ends; overlapping ranges warn.
expect_status 0 "$NUDGE" check examples/nps-survey/nps_survey.flow examples/nps-survey/nps_survey.flow.yaml
expect_status 1 "$NUDGE" check tests/dsl/invalid/check-reply-capture.flow
contains "$TMP/err" "check-reply-capture.flow:22:24: error: 'on reply promoter as note' keeps the number"
contains "$TMP/err" "[bad-range]"
expect_status 1 "$NUDGE" check tests/dsl/invalid/check-reply-capture-yaml.flow.yaml
contains "$TMP/err" "check-reply-capture-yaml.flow.yaml:28:31: error: unknown field 'scor'"
expect_status 1 "$NUDGE" check tests/dsl/invalid/check-bad-pattern.flow tests/dsl/invalid/check-bad-pattern-yaml.flow.yaml
contains "$TMP/err" "check-bad-pattern.flow:8:25: error: keywords 'open' has a pattern RE2 cannot read: missing ):"
contains "$TMP/err" "check-bad-pattern-yaml.flow.yaml:12:35: error: keywords 'open'"
expect_status 0 "$NUDGE" check tests/compile/invalid/compile-number-overlap.flow
contains "$TMP/err" "[overlapping-numbers]"

expect_status 2 "$NUDGE" check "$TMP/missing.flow"
contains "$TMP/err" "cannot read file"
# One unreadable file among good ones: still 2 (the rule of every command), the rest checked.
expect_status 2 "$NUDGE" check examples/missed-call/missed_call.flow "$TMP/missing.flow"
contains "$TMP/err" "1 error(s)"

expect_status 2 "$NUDGE" check
expect_status 2 "$NUDGE" frobnicate
expect_status 2 "$NUDGE" check --format xml examples/missed-call/missed_call.flow
expect_status 0 "$NUDGE" --help
expect_status 0 "$NUDGE" --version
finish
