#!/bin/sh
# `make bench`, section "sweep" (issue 11 point 7): a 1,000-run sweep, 10
# variants (autoscaler.target 40..85) x 100 seeds of a one-day fluid
# scenario (tests/bench/scenarios/fluid-diurnal-tt-1d.yaml), --keep summary,
# played with -j 1 and with -j 2 into fresh folders, then once more to
# measure a resume (every run already complete). Prints, each against its
# target with PASS or FAIL:
#   - the -j 2 sweep's wall time (target < 60 s);
#   - the speedup of -j 2 over -j 1 (target >= 1.6);
#   - the sweep's own overhead: its wall time minus the simulations' (the
#     sum of the runs' sim_s in the sweep's records, DIR/records/*.jsonl,
#     divided by the workers), as a share of its wall time (target < 10 %),
#     for -j 1 and -j 2;
#   - the disk used per run: `du -sk` of the whole sweep folder (run
#     folders, records, manifest) / runs (allocated blocks; target < 10 KB),
#     and the apparent size (du --apparent-size).
# The CPU time of each sweep (user + sys, GNU time) and the load average
# are printed too: on a machine shared with other work the wall times and
# the speedup measure the machine as much as ecsim.
#
# Environment: ECSIM_BIN, BUILD, BENCH_QUICK=1 (20 seeds: 200 runs).
# Run from the repository root.
set -u
BUILD=${BUILD:-build}
ECSIM_BIN=${ECSIM_BIN:-$BUILD/ecsim}
QUICK=${BENCH_QUICK:-0}
SCENARIO=tests/bench/scenarios/fluid-diurnal-tt-1d.yaml
OUT=$BUILD/bench/sweep
SEEDS=100
[ "$QUICK" = 1 ] && SEEDS=20
TARGETS=40,45,50,55,60,65,70,75,80,85
RUNS=$((10 * SEEDS))
rm -rf "$OUT"
mkdir -p "$OUT" || exit 1

now_ns() { date +%s%N; }

# sweep J DIR: one timed sweep (its closing line in $OUT/out); sets
# S_WALL (s) and S_CPU (s).
sweep() {
    t0=$(now_ns)
    /usr/bin/time -f '%U %S' -o "$OUT/time" "$ECSIM_BIN" sweep "$SCENARIO" \
        --set autoscaler.target=$TARGETS --seeds "$SEEDS" -j "$1" --out "$2" \
        >"$OUT/out" 2>"$OUT/err"
    rc=$?
    t1=$(now_ns)
    if [ "$rc" -ne 0 ]; then
        echo "   ecsim sweep -j $1 failed (exit $rc):"
        sed -n '1,5s/^/      /p' "$OUT/err"
        exit 1
    fi
    S_WALL=$(echo "$t0 $t1" | awk '{ printf "%.2f", ($2 - $1) / 1e9 }')
    S_CPU=$(tail -n 1 "$OUT/time" | awk '{ printf "%.2f", $1 + $2 }')
}

# The sum of sim_s over the records of the sweep $1 (one line per ok run).
sum_sim() {
    cat "$1"/records/*.jsonl |
        sed -n 's/.*"sim_s": \([0-9.eE+-]*\).*/\1/p' | awk '{ s += $1 } END { printf "%.2f", s }'
}

verdict() { if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi; }

echo
echo "== sweep: $RUNS runs (10 targets x $SEEDS seeds, $SCENARIO, --keep summary)"
echo "   load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
sweep 1 "$OUT/j1"
W1=$S_WALL C1=$S_CPU
SIM1=$(sum_sim "$OUT/j1")
sweep 2 "$OUT/j2"
W2=$S_WALL C2=$S_CPU
SIM2=$(sum_sim "$OUT/j2")
sweep 2 "$OUT/j2"
WR=$S_WALL
grep -q "$RUNS ok ($RUNS already complete)" "$OUT/out" || echo "   (the resume did not skip every run: $(cat "$OUT/out"))"
echo "   load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
printf '   %-8s %10s %10s %10s %14s %10s\n' "" "wall (s)" "CPU (s)" "CPU/wall" "sum sim_s (s)" "overhead"
awk -v w="$W1" -v c="$C1" -v s="$SIM1" 'BEGIN { printf "   %-8s %10.2f %10.2f %10.2f %14.2f %9.1f%%\n", "-j 1", w, c, c / w, s, (w - s) / w * 100 }'
awk -v w="$W2" -v c="$C2" -v s="$SIM2" 'BEGIN { printf "   %-8s %10.2f %10.2f %10.2f %14.2f %9.1f%%\n", "-j 2", w, c, c / w, s, (w - s / 2) / w * 100 }'
printf '   %-8s %10.2f   (every run already complete)\n' "resume" "$WR"
echo "   (CPU/wall: the cores the sweep had on average; below 1 and 2, other work shared them)"

KB=$(du -sk "$OUT/j2" | cut -f1)
AKB=$(du -sk --apparent-size "$OUT/j2" | cut -f1)
if [ "$QUICK" = 1 ]; then
    echo "   (BENCH_QUICK: $RUNS runs; the targets are for 1,000 runs)"
fi
awk -v w="$W2" 'BEGIN { exit !(w < 60) }' && p=1 || p=0
printf '   time of the sweep (-j 2):      %8.2f s      target < 60 s      %s\n' "$W2" "$(verdict $p)"
S=$(awk -v a="$W1" -v b="$W2" 'BEGIN { printf "%.2f", a / b }')
awk -v s="$S" 'BEGIN { exit !(s >= 1.6) }' && p=1 || p=0
printf '   speedup -j 2 / -j 1:           %8.2f x      target >= 1.6 x    %s\n' "$S" "$(verdict $p)"
awk -v w1="$W1" -v w2="$W2" -v c1="$C1" -v c2="$C2" 'BEGIN {
    printf "   (CPU time -j 2 / -j 1: %.2f; cores given: %.2f and %.2f: the speedup the machine allowed\n", c2 / c1, c1 / w1, c2 / w2
    printf "   was %.2f x, the cores of -j 2 over those of -j 1)\n", (c2 / w2) / (c1 / w1) }'
for j in 1 2; do
    if [ $j = 1 ]; then w=$W1 s=$SIM1; else w=$W2 s=$SIM2; fi
    O=$(awk -v w="$w" -v s="$s" -v j=$j 'BEGIN { printf "%.1f", (w - s / j) / w * 100 }')
    awk -v o="$O" 'BEGIN { exit !(o < 10) }' && p=1 || p=0
    printf '   overhead of the sweep (-j %s):  %8s %%      target < 10 %%      %s\n' "$j" "$O" "$(verdict $p)"
done
D=$(awk -v k="$KB" -v n="$RUNS" 'BEGIN { printf "%.1f", k / n }')
AD=$(awk -v k="$AKB" -v n="$RUNS" 'BEGIN { printf "%.1f", k / n }')
awk -v d="$D" 'BEGIN { exit !(d < 10) }' && p=1 || p=0
printf '   disk per run (du):             %8s KB     target < 10 KB     %s\n' "$D" "$(verdict $p)"
printf '   disk per run (apparent size):  %8s KB     (the folder, summary.json, its record line)\n' "$AD"
SMAX=$(find "$OUT/j2" -name summary.json -exec wc -c {} + | awk '$2 != "total" && $1 > m { m = $1 } END { print m + 0 }')
echo "   (a run folder is a folder and summary.json: two 4 KB blocks on this file system while"
echo "   summary.json is under 4,096 bytes; the largest here: $SMAX bytes)"
# collect over the whole sweep, and the same table from -j 1 and -j 2
t0=$(now_ns)
"$ECSIM_BIN" collect "$OUT/j2" --group-by autoscaler.target >"$OUT/j2.csv" 2>/dev/null
t1=$(now_ns)
"$ECSIM_BIN" collect "$OUT/j1" --group-by autoscaler.target >"$OUT/j1.csv" 2>/dev/null
printf '   collect --group-by over %s runs: %.2f s; -j 1 and -j 2 tables %s\n' "$RUNS" \
    "$(echo "$t0 $t1" | awk '{ printf "%.2f", ($2 - $1) / 1e9 }')" \
    "$(cmp -s "$OUT/j1.csv" "$OUT/j2.csv" && echo identical || echo DIFFER)"
rm -rf "$OUT/j1"
exit 0
