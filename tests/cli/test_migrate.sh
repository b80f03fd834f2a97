# nudge migrate: a changed flow loaded into a durable database as a new version, the running
# instances moved onto it by state name, or a refusal (with the states) that changes nothing.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
DB="$TMP/nudge.db"
cp tests/scenarios/sale_confirmation.flow "$TMP/"
cat >"$TMP/two.scenario.yaml" <<'YAML'
flows: [sale_confirmation.flow]
start: 2026-03-28T20:55:00+01:00
steps:
  - trigger: sale.saved
    data: {phone: "+4791234567", first_name: Kari, product: sykkelservice}
  - trigger: sale.saved
    data: {phone: "+4791234568", first_name: Ola, product: dekkskift}
  - advance: 1m
YAML
expect_status 0 "$NUDGE" run --db "$DB" --scenario "$TMP/two.scenario.yaml"
expect_status 0 "$NUDGE" inspect --db "$DB" --timers
contains "$TMP/out" "after 3d -> lapsed"

# Version 2 lapses after four days instead of three.
sed 's/after 3d/after 4d/' "$TMP/sale_confirmation.flow" >"$TMP/v2.flow"
AT=(--at 2026-03-28T21:00:00+01:00)

# A dry run says what would move and changes nothing.
"$NUDGE" inspect --db "$DB" --format json >"$TMP/before.jsonl"
expect_status 0 "$NUDGE" migrate --db "$DB" "$TMP/v2.flow" --dry-run "${AT[@]}"
contains "$TMP/out" "would move 2 instance(s) of sale_confirmation to version 2"
contains "$TMP/out" "dry run: nothing was changed"
"$NUDGE" inspect --db "$DB" --format json >"$TMP/after.jsonl"
cmp -s "$TMP/before.jsonl" "$TMP/after.jsonl" || fail "a dry run changed the database"

# The migration: both instances move, keep their state, and wait for version 2's timers.
expect_status 0 "$NUDGE" migrate --db "$DB" "$TMP/v2.flow" "${AT[@]}"
contains "$TMP/out" "version 2 loaded (was 1)"
contains "$TMP/out" "moved 2 instance(s) of sale_confirmation to version 2"
contains "$TMP/out" "sale  from version 1"
expect_status 0 "$NUDGE" inspect --db "$DB" --format json
contains "$TMP/out" '"version":"2"'
grep -q '"version":"1"' "$TMP/out" && fail "an instance stayed on version 1: $(cat "$TMP/out")"
expect_status 0 "$NUDGE" inspect --db "$DB" --timers --zone Europe/Oslo
grep -q "2026-04-01T20:55:30+02:00 *after *after 4d -> lapsed" "$TMP/out" ||
    fail "no version 2 timer counting from the state's entry: $(cat "$TMP/out")"
grep -q "after 3d" "$TMP/out" && fail "version 1's timer is still there: $(cat "$TMP/out")"
# Again: the text is the newest version already and nothing is left to move.
expect_status 0 "$NUDGE" migrate --db "$DB" "$TMP/v2.flow" "${AT[@]}"
contains "$TMP/out" "the newest already"
contains "$TMP/out" "moved 0 instance(s)"

# Version 3 has no state `sale`: refused with the list, exit 1, nothing changed.
sed -e 's/^state sale {/state offer {/' -e 's/start sale/start offer/' "$TMP/v2.flow" >"$TMP/v3.flow"
"$NUDGE" inspect --db "$DB" --format json >"$TMP/before.jsonl"
"$NUDGE" inspect --db "$DB" | tail -1 >"$TMP/steps.before"
expect_status 1 "$NUDGE" migrate --db "$DB" "$TMP/v3.flow" "${AT[@]}"
contains "$TMP/err" "lacks states instances are in; nothing was changed"
contains "$TMP/err" "sale (version 2): 2 instance(s)"
"$NUDGE" inspect --db "$DB" --format json >"$TMP/after.jsonl"
cmp -s "$TMP/before.jsonl" "$TMP/after.jsonl" || fail "a refused migration changed instances"
"$NUDGE" inspect --db "$DB" | tail -1 >"$TMP/steps.after"
cmp -s "$TMP/steps.before" "$TMP/steps.after" || fail "a refused migration wrote steps"
expect_status 1 "$NUDGE" migrate --db "$DB" "$TMP/v3.flow" --dry-run "${AT[@]}"
contains "$TMP/err" "sale (version 2): 2 instance(s)"

# Mistakes: a flow the database does not have, a missing database, a flow with errors.
expect_status 1 "$NUDGE" migrate --db "$DB" tests/scenarios/booking.flow "${AT[@]}"
contains "$TMP/err" "has no flow named"
expect_status 2 "$NUDGE" migrate --db "$TMP/absent.db" "$TMP/v2.flow"
contains "$TMP/err" "no such database"
[ -e "$TMP/absent.db" ] && fail "migrate created a database"
printf 'flow broken\nstate {\n' >"$TMP/broken.flow"
expect_status 1 "$NUDGE" migrate --db "$DB" "$TMP/broken.flow"
expect_status 2 "$NUDGE" migrate --db "$DB"
finish
