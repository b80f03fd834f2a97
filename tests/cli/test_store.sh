# nudge run --db, nudge inspect, nudge inbox: a scenario run durably, then read back.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."
S=tests/scenarios
DB="$TMP/nudge.db"

# A durable run prints the same timeline as simulate (the transport's ids aside: messages go
# through the outbox) and passes the same expectations.
expect_status 0 "$NUDGE" run --db "$DB" --scenario $S/sale_confirmation.scenario.yaml
cp "$TMP/out" "$TMP/durable.jsonl"
expect_status 0 "$NUDGE" simulate --scenario $S/sale_confirmation.scenario.yaml
sed 's/,"transport_id":"[^"]*"//' "$TMP/out" >"$TMP/memory.jsonl"
cmp -s "$TMP/durable.jsonl" "$TMP/memory.jsonl" || fail "durable timeline differs: $(diff "$TMP/memory.jsonl" "$TMP/durable.jsonl" | head -5)"

# inspect: every instance, filtered by state and key; JSON lines with the fields.
expect_status 0 "$NUDGE" inspect --db "$DB"
contains "$TMP/out" "id  flow"
contains "$TMP/out" "+4791234567"
contains "$TMP/out" "step(s) committed"
expect_status 0 "$NUDGE" inspect --db "$DB" --key "+4791234567" --format json
contains "$TMP/out" '"key":"+4791234567"'
contains "$TMP/out" '"field.first_name":"Kari"'
expect_status 0 "$NUDGE" inspect --db "$DB" --state no_such_state --format json
[ -s "$TMP/out" ] && fail "a state nobody is in listed instances: $(cat "$TMP/out")"

# inbox: the reply a route sent there is listed, with its reason.
expect_status 0 "$NUDGE" inbox --db "$DB"
contains "$TMP/out" "routed"
contains "$TMP/out" "Okei"
expect_status 0 "$NUDGE" inbox --db "$DB" --format json
contains "$TMP/out" '"reason":"routed"'

# Running again resumes the database: its instances are still there.
before=$("$NUDGE" inspect --db "$DB" --format json | wc -l)
expect_status 0 "$NUDGE" run --db "$DB" --scenario $S/booking.scenario.yaml
after=$("$NUDGE" inspect --db "$DB" --format json | wc -l)
[ "$after" -gt "$before" ] || fail "the second run did not add to the database ($before → $after)"

# Files that are not nudge databases: a clear error, exit 1, the file untouched.
cp README.md "$TMP/readme.db"
expect_status 1 "$NUDGE" inspect --db "$TMP/readme.db"
contains "$TMP/err" "not a nudge database"
cmp -s README.md "$TMP/readme.db" || fail "inspect changed a foreign file"
expect_status 1 "$NUDGE" run --db "$TMP/readme.db" --scenario $S/booking.scenario.yaml
cmp -s README.md "$TMP/readme.db" || fail "run changed a foreign file"
expect_status 2 "$NUDGE" inspect --db "$TMP/absent.db"
contains "$TMP/err" "no such database"
[ -e "$TMP/absent.db" ] && fail "inspect created a database"
expect_status 2 "$NUDGE" inspect
finish
