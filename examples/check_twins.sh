#!/usr/bin/env bash
# Usage: check_twins.sh NUDGE DIR — every DIR/X.flow has a DIR/X.flow.yaml twin; `nudge convert`
# turns X.flow into the twin byte for byte, and the twin back into X.flow's canonical form
# (X.flow may carry comments, which YAML does not keep).
set -u
nudge="$1"
dir="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
for flow in "$dir"/*.flow; do
    twin="$flow.yaml"
    if [ ! -f "$twin" ]; then
        echo "FAIL: $flow has no twin $twin"
        failures=$((failures + 1))
        continue
    fi
    if ! "$nudge" convert "$flow" -o - --to yaml >"$tmp/yaml" 2>"$tmp/err" ||
        ! cmp -s "$tmp/yaml" "$twin"; then
        echo "FAIL: nudge convert $flow --to yaml differs from $twin:"
        cat "$tmp/err"
        diff "$twin" "$tmp/yaml" | head -20
        failures=$((failures + 1))
    fi
    "$nudge" convert "$flow" -o - --to flow >"$tmp/canonical" 2>/dev/null
    if ! "$nudge" convert "$twin" -o - --to flow >"$tmp/flow" 2>"$tmp/err" ||
        ! cmp -s "$tmp/flow" "$tmp/canonical"; then
        echo "FAIL: nudge convert $twin --to flow differs from $flow's canonical form:"
        cat "$tmp/err"
        diff "$tmp/canonical" "$tmp/flow" | head -20
        failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ] && echo ok
