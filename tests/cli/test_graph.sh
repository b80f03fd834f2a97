# nudge graph: DOT and Mermaid equal to the compiler's goldens, SVG through Graphviz, errors;
# and nudge check --stats.
source "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.."

golden=tests/compile/golden
for name in order_confirmation booking_confirmation; do
    expect_status 0 "$NUDGE" graph "$golden/$name.flow"
    cmp -s "$TMP/out" "$golden/$name.dot" || fail "$name: dot differs: $(diff "$TMP/out" "$golden/$name.dot" | head -10)"
    expect_status 0 "$NUDGE" graph --format mermaid "$golden/$name.flow"
    cmp -s "$TMP/out" "$golden/$name.mmd" || fail "$name: mermaid differs: $(diff "$TMP/out" "$golden/$name.mmd" | head -10)"
done

# -o writes the file (and nothing to stdout); a YAML flow draws the same as its text twin.
expect_status 0 "$NUDGE" graph --format dot "$golden/order_confirmation.flow" -o "$TMP/o.dot"
[ ! -s "$TMP/out" ] || fail "graph -o also printed to stdout"
cmp -s "$TMP/o.dot" "$golden/order_confirmation.dot" || fail "graph -o wrote something else"
expect_status 0 "$NUDGE" convert "$golden/order_confirmation.flow" -o "$TMP/o.flow.yaml"
expect_status 0 "$NUDGE" graph "$TMP/o.flow.yaml"
cmp -s "$TMP/out" "$golden/order_confirmation.dot" || fail "the YAML twin draws differently"

if command -v dot >/dev/null 2>&1; then
    expect_status 0 "$NUDGE" graph --format svg "$golden/booking_confirmation.flow"
    { head -c 200 "$TMP/out" | grep -q '<?xml' || grep -q '<svg' "$TMP/out"; } || fail "no SVG: $(head -c 200 "$TMP/out")"
    contains "$TMP/out" "booking.rescheduled (restart)"
    expect_status 0 "$NUDGE" graph --format svg "$golden/order_confirmation.flow" -o "$TMP/o.svg"
    contains "$TMP/o.svg" "<svg"
else
    echo "dot not installed: SVG part skipped"
fi
# Without Graphviz on PATH: a clear error, exit 2, no output file.
PATH=/nonexistent expect_status 2 "$NUDGE" graph --format svg "$golden/order_confirmation.flow" -o "$TMP/none.svg"
contains "$TMP/err" "Graphviz 'dot' was not found"
[ ! -e "$TMP/none.svg" ] || fail "graph wrote a file without dot"

# A flow with analysis errors is still drawn (the picture shows the mistake), exit 1.
expect_status 1 "$NUDGE" graph tests/compile/invalid/compile-unreachable.flow
contains "$TMP/err" "[unreachable-state]"
contains "$TMP/out" '"forgotten"'
# A flow that cannot be read has nothing to draw.
printf 'flow bad\nstate s {\n  after 1d -> nowhere\n}\n' >"$TMP/bad.flow"
expect_status 1 "$NUDGE" graph "$TMP/bad.flow"
[ ! -s "$TMP/out" ] || fail "graph drew a flow that does not check"

expect_status 2 "$NUDGE" graph --format png "$golden/order_confirmation.flow"
expect_status 2 "$NUDGE" graph "$TMP/missing.flow"
contains "$TMP/err" "cannot read file"
expect_status 2 "$NUDGE" graph

# check --stats: the golden stats, indented under each file's name, on stdout.
expect_status 0 "$NUDGE" check --stats "$golden/order_confirmation.flow" "$golden/booking_confirmation.flow"
contains "$TMP/out" "$golden/order_confirmation.flow:"
contains "$TMP/out" "  max messages on sms: 5"
contains "$TMP/out" "  longest waiting path: 1 wait"
contains "$TMP/out" "$golden/booking_confirmation.flow:"
contains "$TMP/out" "  longest waiting path: 3 waits per run (the flow restarts; each run counts anew)"
# Each SMS text's parts: the order confirmation's texts fit one part each.
contains "$TMP/out" "  sms parts of template confirm: at least 1 (GSM-7, limit 2; {first_name} not counted)"
contains "$TMP/out" "  sms parts of state confirmed: send sms \"Thanks, we have your ord…\": 1 (GSM-7, limit 2)"
sed -n '2,/^[^ ]/p' "$TMP/out" | grep '^  ' | grep -v '^  sms parts of ' | sed 's/^  //' >"$TMP/stats"
cmp -s "$TMP/stats" "$golden/order_confirmation.stats" || fail "stats differ: $(diff "$TMP/stats" "$golden/order_confirmation.stats")"
expect_status 2 "$NUDGE" check --stats --format json "$golden/order_confirmation.flow"
finish
