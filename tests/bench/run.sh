#!/bin/sh
# `make bench`: ecsim's speed against the anchors (DESIGN.md "Performance";
# ../shared/anchors/README.md), in one run, as ratios. Never a test: it
# reports, it does not gate (STYLE.md rule 16).
#
#   1. the tight hand-written C M/M/c loop (mmc_tight.c), 20 million requests;
#   2. the same model in SimPy (mmc_simpy.py), 200 thousand requests, if
#      Debian's python3 can import simpy;
#   3. ecsim in requests mode on tests/bench/mmc.yaml (the same model,
#      about 20 million requests), requests served per wall second, and its
#      ratio to both anchors;
#   4. the hold-model benchmark of the bare event queue (bench_hold).
#
# Run from the repository root. Environment: ECSIM_BIN (the ecsim binary),
# BUILD (build directory), ECSIM_ANCHORS (default ../shared/anchors), CC.
set -u

BUILD=${BUILD:-build}
ECSIM_BIN=${ECSIM_BIN:-$BUILD/ecsim}
ANCHORS=${ECSIM_ANCHORS:-../shared/anchors}
CC=${CC:-cc}
PYTHON=/usr/bin/python3
SCENARIO=tests/bench/mmc.yaml
SCENARIO_NAME=bench-mmc
status=0

mkdir -p "$BUILD" || exit 1

# Wall clock in nanoseconds (GNU date); whole seconds where %N is unknown.
now_ns() {
    t=$(date +%s%N)
    case $t in
    *N*) echo "$(date +%s)000000000" ;;
    *) echo "$t" ;;
    esac
}

# The value of key=VALUE in an anchor's output line.
field() {
    sed -n "s/.*[[:space:]]$1=\([0-9.eE+-]*\).*/\1/p" | head -n 1
}

echo "== anchors: $ANCHORS"

# ---- 1. tight C -----------------------------------------------------------------
tight_rate=""
if "$CC" -O2 -o "$BUILD/mmc_tight" "$ANCHORS/mmc_tight.c" -lm; then
    tight_out=$("$BUILD/mmc_tight" 900 20 50 20000000) || status=1
    echo "$tight_out"
    tight_rate=$(echo "$tight_out" | field req_per_s)
else
    echo "mmc_tight: could not build $ANCHORS/mmc_tight.c" >&2
    status=1
fi

# ---- 2. SimPy ------------------------------------------------------------------------
simpy_rate=""
if [ ! -x "$PYTHON" ]; then
    echo "SimPy anchor skipped: $PYTHON not found"
elif ! simpy_err=$("$PYTHON" -c 'import simpy' 2>&1); then
    echo "SimPy anchor skipped: $PYTHON cannot import simpy (install python3-simpy3): $simpy_err"
else
    simpy_out=$("$PYTHON" "$ANCHORS/mmc_simpy.py" 900 20 50 200000) || status=1
    echo "$simpy_out"
    simpy_rate=$(echo "$simpy_out" | field req_per_s)
fi

# ---- 3. ecsim requests mode ------------------------------------------------------------
ecsim_rate=""
summary="$BUILD/bench-out/$SCENARIO_NAME/summary.json"
rm -f "$summary"
start=$(now_ns)
if "$ECSIM_BIN" run "$SCENARIO" --out "$BUILD/bench-out" --quiet --no-plots >/dev/null 2>"$BUILD/bench-ecsim.err"; then
    end=$(now_ns)
    served=""
    if [ -f "$summary" ]; then
        # The "served" count inside the "requests" object, whatever the layout.
        served=$(tr -d ' \t\r\n' <"$summary" |
            sed -n 's/.*"requests":{\([^}]*\)}.*/\1/p' |
            sed -n 's/.*"served":\([0-9.eE+]*\).*/\1/p')
    fi
    if [ -n "$served" ] && awk "BEGIN { exit !($served > 0) }"; then
        ecsim_rate=$(awk "BEGIN { w = ($end - $start) / 1e9; if (w <= 0) w = 1e-9; printf \"%.0f\", $served / w }")
        wall=$(awk "BEGIN { printf \"%.3f\", ($end - $start) / 1e9 }")
        echo "ecsim requests=$served wall_s=$wall req_per_s=$ecsim_rate"
    fi
fi
if [ -z "$ecsim_rate" ]; then
    echo "ecsim requests mode: not available yet"
    [ -s "$BUILD/bench-ecsim.err" ] && sed -n '1,5s/^/  ecsim: /p' "$BUILD/bench-ecsim.err"
fi

# ---- ratios -----------------------------------------------------------------------------
echo "== requests per second"
[ -n "$tight_rate" ] && echo "tight C:  $tight_rate"
[ -n "$simpy_rate" ] && echo "SimPy:    $simpy_rate"
if [ -n "$ecsim_rate" ]; then
    echo "ecsim:    $ecsim_rate"
    [ -n "$tight_rate" ] &&
        awk "BEGIN { printf \"ecsim / tight C = %.3f  (goal >= 0.5)\n\", $ecsim_rate / $tight_rate }"
    [ -n "$simpy_rate" ] &&
        awk "BEGIN { printf \"ecsim / SimPy   = %.1f  (goal >= 50)\n\", $ecsim_rate / $simpy_rate }"
fi

# ---- 4. hold model ------------------------------------------------------------------------
echo "== hold model (bare event queue)"
if [ -x "$BUILD/bench/bench_hold" ]; then
    "$BUILD/bench/bench_hold" || status=1
else
    echo "bench_hold: $BUILD/bench/bench_hold not built" >&2
    status=1
fi

exit $status
