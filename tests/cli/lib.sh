# Shared by the CLI tests (sourced, not run): $NUDGE is the binary, $TMP a scratch folder.
set -u
NUDGE="$1"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect_status WANT CMD… : runs CMD, stdout → $TMP/out, stderr → $TMP/err
expect_status() {
    local want=$1; shift
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    [ "$got" -eq "$want" ] || fail "'$*' exited $got, wanted $want; stderr: $(head -c 600 "$TMP/err")"
}
contains() { grep -qF -- "$2" "$1" || fail "$1 lacks '$2': $(head -c 600 "$1")"; }
finish() { [ "$failures" -eq 0 ] && echo "ok" || exit 1; }
