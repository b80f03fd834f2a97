# nudge convert: .flow → .flow.yaml → .flow keeps the meaning; bad input writes nothing.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

flow=examples/missed-call/missed_call.flow
expect_status 0 "$NUDGE" convert "$flow" -o "$TMP/m.flow.yaml"
contains "$TMP/m.flow.yaml" "flow: missed_call"
expect_status 0 "$NUDGE" check "$TMP/m.flow.yaml"
expect_status 0 "$NUDGE" convert "$TMP/m.flow.yaml" -o "$TMP/back.flow"
grep -v '^ *#' "$flow" | sed 's/ # .*//' >"$TMP/nocomments.flow"
expect_status 0 "$NUDGE" fmt "$TMP/nocomments.flow"
cmp -s "$TMP/out" "$TMP/back.flow" || fail "text → yaml → text differs from fmt: $(diff "$TMP/out" "$TMP/back.flow" | head -20)"

expect_status 0 "$NUDGE" convert "$flow" -o - --to yaml
contains "$TMP/out" "timezone: Europe/Copenhagen"

printf 'flow bad\nstate s {\n  after 1d -> nowhere\n}\n' >"$TMP/bad.flow"
expect_status 1 "$NUDGE" convert "$TMP/bad.flow" -o "$TMP/bad.flow.yaml"
[ ! -e "$TMP/bad.flow.yaml" ] || fail "convert wrote output for a flow with errors"
expect_status 2 "$NUDGE" convert "$TMP/none.flow" -o "$TMP/x.flow.yaml"
finish
