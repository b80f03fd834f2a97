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
# An output name that is neither .flow nor .flow.yaml is refused unless --to says the format.
expect_status 2 "$NUDGE" convert "$flow" -o "$TMP/x.json"
contains "$TMP/err" "cannot tell the output format from the name"
[ ! -e "$TMP/x.json" ] || fail "convert wrote $TMP/x.json"
expect_status 0 "$NUDGE" convert "$flow" -o "$TMP/x.txt" --to yaml
grep -q "^flow: " "$TMP/x.txt" || fail "--to yaml did not write YAML to x.txt"
finish
