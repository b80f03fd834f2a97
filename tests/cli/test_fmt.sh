# nudge fmt: canonical output, --check, -i (atomic, idempotent), syntax errors change nothing.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

cat >"$TMP/messy.flow" <<'FLOW'
flow   messy   # trailing comment
field phone:phone
trigger a.b as phone {start s}
channel sms to phone from "4570000000"
# before the state
state s { after 1d->done }
final done
FLOW
expect_status 0 "$NUDGE" fmt "$TMP/messy.flow"
cp "$TMP/out" "$TMP/canonical.flow"
contains "$TMP/canonical.flow" "flow messy # trailing comment"
contains "$TMP/canonical.flow" "# before the state"
contains "$TMP/canonical.flow" "  after 1d -> done"

expect_status 0 "$NUDGE" fmt "$TMP/canonical.flow"
cmp -s "$TMP/out" "$TMP/canonical.flow" || fail "fmt is not idempotent"

expect_status 1 "$NUDGE" fmt --check "$TMP/messy.flow"
contains "$TMP/out" "not in canonical form"
# A unified diff of what would change.
contains "$TMP/out" "--- $TMP/messy.flow"
contains "$TMP/out" "+++ $TMP/messy.flow (canonical)"
contains "$TMP/out" "-state s { after 1d->done }"
contains "$TMP/out" "+  after 1d -> done"
contains "$TMP/out" " # before the state"
grep -q '^@@ -[0-9]*,[0-9]* +[0-9]*,[0-9]* @@$' "$TMP/out" || fail "no hunk header"
# Only the missing final newline: said so.
printf '%s' "$(cat "$TMP/canonical.flow")" >"$TMP/nonl.flow"
expect_status 1 "$NUDGE" fmt --check "$TMP/nonl.flow"
contains "$TMP/out" "No newline at end of"

expect_status 0 "$NUDGE" fmt --check "$TMP/canonical.flow"

cp "$TMP/messy.flow" "$TMP/inplace.flow"
expect_status 0 "$NUDGE" fmt -i "$TMP/inplace.flow"
cmp -s "$TMP/inplace.flow" "$TMP/canonical.flow" || fail "fmt -i did not write the canonical form"

printf 'flow broken\nstate s {\n' >"$TMP/broken.flow"
cp "$TMP/broken.flow" "$TMP/broken.orig"
expect_status 1 "$NUDGE" fmt -i "$TMP/broken.flow"
contains "$TMP/err" "broken.flow:"
cmp -s "$TMP/broken.flow" "$TMP/broken.orig" || fail "fmt -i changed a file it could not parse"
[ -z "$(ls -A "$TMP" | grep '^\.')" ] || fail "temporary files left behind"

expect_status 0 "$NUDGE" fmt --check examples/missed-call/missed_call.flow
expect_status 2 "$NUDGE" fmt -i --check "$TMP/canonical.flow"
finish
