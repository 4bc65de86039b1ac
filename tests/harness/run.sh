#!/bin/sh
# The random-scenario harness (issue 10 point 4): N scenarios from the
# schema-driven generator (tests/harness/gen_scenario.c), one in four
# near-valid and one in four with values from the far ends of the ranges. Each must either validate (exit 0) and run clean, or be
# rejected (exit 2) with a located error (FILE:LINE:COLUMN: error:) or the
# work-limit refusal. A failure is a crash (exit >= 128), any other exit
# code, a sanitizer report, a run past the time limit derived from its work
# estimate, or a run that exits 0 with NaN or infinity in summary.json or
# timeline.csv. Each failure is kept in $FAILDIR/SEED/ with the scenario,
# what happened and the command that reproduces it.
#
#   ECSIM_BIN=build/ecsim GEN=build/tests/harness/gen_scenario sh tests/harness/run.sh N [FIRST_SEED]
#
# The runs are capped at --max-work $MAX_WORK (about a second of work each in
# a -O2 build), so the 200 of `make check` stay within a minute.
N=${1:-200}
FIRST=${2:-1}
BIN=${ECSIM_BIN:-build/ecsim}
GEN=${GEN:-build/tests/harness/gen_scenario}
FAILDIR=${FAILDIR:-build/harness-failures}
MAX_WORK=${MAX_WORK-2000000} # empty: no --max-work (a binary without it)
if [ -n "$MAX_WORK" ]; then WORKFLAG="--max-work $MAX_WORK"; else WORKFLAG=; fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecsim-harness.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$FAILDIR"

valid=0 rejected=0 refused=0 failures=0
fail() { # seed reason
    failures=$((failures + 1))
    d="$FAILDIR/$1"
    mkdir -p "$d"
    cp "$TMP/s.yaml" "$d/scenario.yaml"
    printf '%s\n' "$2" >"$d/reason"
    cp "$TMP/err" "$d/stderr" 2>/dev/null
    printf '%s validate %s %s && %s run %s %s --no-plots -q --out %s/out\n' \
        "$BIN" "$d/scenario.yaml" "$WORKFLAG" "$BIN" "$d/scenario.yaml" "$WORKFLAG" "$d" >"$d/command"
    echo "harness: seed $1: $2 (kept in $d)"
}
sanitizer() { grep -qE 'runtime error:|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer' "$1"; }

i=0
while [ "$i" -lt "$N" ]; do
    seed=$((FIRST + i))
    i=$((i + 1))
    case $((seed % 4)) in 0) near=near ;; 1) near=extreme ;; *) near= ;; esac
    "$GEN" "$seed" $near >"$TMP/s.yaml" 2>"$TMP/gen-err" || { cp "$TMP/gen-err" "$TMP/err"; fail "$seed" "generator failed"; continue; }
    "$BIN" validate "$TMP/s.yaml" $WORKFLAG >"$TMP/out" 2>"$TMP/err" </dev/null
    code=$?
    if sanitizer "$TMP/err"; then fail "$seed" "sanitizer report in validate"; continue; fi
    if [ "$code" -eq 2 ]; then
        if grep -q ': error: the run is too long' "$TMP/err"; then
            refused=$((refused + 1))
        elif grep -q "^$TMP/s.yaml:[0-9][0-9]*:[0-9][0-9]*: error: " "$TMP/err" &&
            ! grep -q "^$TMP/s.yaml: error: " "$TMP/err"; then
            rejected=$((rejected + 1))
        else
            fail "$seed" "rejected without a located error"
        fi
        continue
    fi
    if [ "$code" -ne 0 ]; then fail "$seed" "validate exited $code"; continue; fi
    work=$(sed -n '1s/^# work: \([0-9]*\)$/\1/p' "$TMP/s.yaml")
    # 20 s, plus 20 microseconds per work unit (50x the -O2 cost, for sanitizers)
    limit=$((20 + ${work:-0} / 50000))
    rm -rf "$TMP/out-run"
    timeout -k 5 "$limit" "$BIN" run "$TMP/s.yaml" $WORKFLAG --no-plots -q \
        --out "$TMP/out-run" >"$TMP/out" 2>"$TMP/err" </dev/null
    code=$?
    if sanitizer "$TMP/err"; then fail "$seed" "sanitizer report in run"; continue; fi
    if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then fail "$seed" "run past its time limit (${limit} s for ${work} work units)"; continue; fi
    if [ "$code" -ne 0 ]; then fail "$seed" "run exited $code"; continue; fi
    if find "$TMP/out-run" \( -name summary.json -o -name timeline.csv \) -exec grep -qiE '(^|[^a-z_])(nan|inf|infinity)([^a-z_]|$)' {} \; -print | grep -q .; then
        fail "$seed" "NaN or infinity in summary.json or timeline.csv"
        continue
    fi
    valid=$((valid + 1))
done
echo "harness: $N scenarios from seed $FIRST: $valid valid and run clean, $rejected rejected with a located error, $refused refused by the work limit, $failures failures"
[ "$failures" -eq 0 ]
