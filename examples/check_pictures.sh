#!/usr/bin/env bash
# Usage: check_pictures.sh NUDGE DIR — every DIR/X.svg shows what `nudge graph DIR/X.flow
# --format svg` draws today (so a README's picture never goes stale). Needs Graphviz's dot.
#
# Graphviz lays pictures out differently from one version to the next (coordinates, paths, the
# version comment), so the pictures are not compared byte for byte: what must match is what
# they say, the sorted list of every node's and edge's title (the state names, "a->b") and of
# every text drawn (labels), with the character references Graphviz may or may not use
# (&#45; for '-', …) read back, which any Graphviz writes the same.
set -u
nudge="$1"
dir="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The titles and texts of an SVG, one a line, sorted.
content() {
    grep -o '<title>[^<]*</title>\|<text[^>]*>[^<]*</text>' "$1" |
        sed -e 's/^<title>/title /' -e 's/^<text[^>]*>/text /' -e 's/<\/[a-z]*>$//' \
            -e 's/&#45;/-/g' -e 's/&#160;/ /g' -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g' |
        LC_ALL=C sort
}

failures=0
for svg in "$dir"/*.svg; do
    flow="${svg%.svg}.flow"
    if ! "$nudge" graph "$flow" --format svg -o "$tmp/now.svg" 2>"$tmp/err"; then
        echo "FAIL: nudge graph $flow: $(cat "$tmp/err")"
        failures=$((failures + 1))
    elif ! diff <(content "$svg") <(content "$tmp/now.svg") >"$tmp/diff"; then
        echo "FAIL: $svg is stale (< in it, > drawn now); run: nudge graph $flow --format svg -o $svg"
        cat "$tmp/diff"
        failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ] && echo ok
