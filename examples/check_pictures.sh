#!/usr/bin/env bash
# Usage: check_pictures.sh NUDGE DIR — every DIR/X.svg is what `nudge graph DIR/X.flow --format
# svg` draws today (so a README's picture never goes stale). Needs Graphviz's dot.
set -u
nudge="$1"
dir="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
for svg in "$dir"/*.svg; do
    flow="${svg%.svg}.flow"
    if ! "$nudge" graph "$flow" --format svg -o "$tmp/now.svg" 2>"$tmp/err"; then
        echo "FAIL: nudge graph $flow: $(cat "$tmp/err")"
        failures=$((failures + 1))
    elif ! cmp -s "$tmp/now.svg" "$svg"; then
        echo "FAIL: $svg is stale; run: nudge graph $flow --format svg -o $svg"
        failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ] && echo ok
