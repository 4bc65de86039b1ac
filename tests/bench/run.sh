#!/bin/sh
# `make bench`: how ecsim's cost grows with the work, and its speed against
# the anchors (DESIGN.md "Performance"; ../shared/anchors/README.md). Never
# a test: it reports, it does not gate (STYLE.md rule 16).
#
#   1. Growth curves (issue 8, point 6). Each point is a whole process
#      (`ecsim run --quiet --no-plots --max-work 1e12`: the bench measures
#      the largest runs, past the default work limit), timed from outside: the median wall
#      time of BENCH_REPS runs and the largest peak RSS (GNU time's %M).
#      A run longer than BENCH_TIMEOUT seconds is stopped and shown as
#      "> N s"; the larger sizes of that curve are then skipped. Each curve
#      ends with its exponent k: the least-squares slope of log(time) on
#      log(size) over the points that finished (time ~ size^k; k = 1 is
#      linear). The scenarios are generated into $BUILD/bench/scenarios
#      (the EC2 placement ones are also committed: tests/bench/ec2-*.yaml).
#   2. The honest anchors: the tight C M/M/c loop (mmc_tight.c), SimPy
#      (mmc_simpy.py, Debian's python3 with python3-simpy3) and ecsim's
#      requests mode on the same M/M/c model (lambda 900/s, mu 20/s, c = 50,
#      one shared FIFO), all three as whole processes, the same number of
#      requests (BENCH_REQUESTS, default 1.5 million: SimPy takes 10-20 s
#      here), runs interleaved (tight, SimPy, ecsim, tight, ...), medians;
#      the ratios against the targets (ecsim >= 0.75 x tight C, >= 50 x
#      SimPy) and the mean wait against Erlang C.
#   3. The hold model of the bare event queue (bench_hold), for reference.
#   4. A 1,000-run sweep (tests/bench/sweep.sh): its time, the -j 2 speedup,
#      its overhead and the disk per run, each against its target (issue 11).
#
# Environment: ECSIM_BIN, BUILD, ECSIM_ANCHORS (default ../shared/anchors,
# else ../../shared/anchors), CC, BENCH_REPS (5), BENCH_TIMEOUT (120),
# BENCH_QUICK=1 (fewer, smaller points; 200 k requests for the anchors),
# BENCH_ONLY (space-separated section names to run: days tasks deploy
# instances rps events hpa predictive anchors hold sweep).
# Run from the repository root.
set -u

BUILD=${BUILD:-build}
ECSIM_BIN=${ECSIM_BIN:-$BUILD/ecsim}
REPS=${BENCH_REPS:-5}
TIMEOUT=${BENCH_TIMEOUT:-120}
QUICK=${BENCH_QUICK:-0}
ONLY=${BENCH_ONLY:-}
CC=${CC:-cc}
PYTHON=/usr/bin/python3
if [ -n "${ECSIM_ANCHORS:-}" ]; then
    ANCHORS=$ECSIM_ANCHORS
elif [ -d ../shared/anchors ]; then
    ANCHORS=../shared/anchors
else
    ANCHORS=../../shared/anchors
fi
SCEN=$BUILD/bench/scenarios
OUT=$BUILD/bench/out
TMP=$BUILD/bench/tmp
mkdir -p "$SCEN" "$OUT" "$TMP" || exit 1

if [ ! -x /usr/bin/time ]; then
    echo "make bench: /usr/bin/time (Debian package \`time\`) is needed for peak RSS; run make deps" >&2
    exit 1
fi
if ! command -v timeout >/dev/null 2>&1; then
    echo "make bench: \`timeout\` (coreutils) is needed" >&2
    exit 1
fi

# Wall clock in nanoseconds (GNU date).
now_ns() { date +%s%N; }

# Is section $1 selected?
wanted() {
    [ -z "$ONLY" ] && return 0
    case " $ONLY " in *" $1 "*) return 0 ;; esac
    return 1
}

# The median of the numbers on stdin (one per line).
median() {
    sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# measure FILE [REPS]: runs `ecsim run FILE` REPS times (or fewer when one
# times out). Sets M_STATUS (ok | timeout | error), M_WALL (median s),
# M_RSS (largest peak RSS, KB).
measure() {
    file=$1
    reps=${2:-$REPS}
    : >"$TMP/walls"
    M_RSS=0
    M_STATUS=ok
    r=0
    while [ "$r" -lt "$reps" ]; do
        r=$((r + 1))
        rm -f "$TMP/rss"
        t0=$(now_ns)
        timeout "$TIMEOUT" /usr/bin/time -f '%M' -o "$TMP/rss" \
            "$ECSIM_BIN" run "$file" --out "$OUT" --quiet --no-plots --max-work 1e12 \
            >/dev/null 2>"$TMP/err"
        rc=$?
        t1=$(now_ns)
        if [ "$rc" -eq 124 ]; then
            M_STATUS=timeout
            return
        fi
        if [ "$rc" -ne 0 ]; then
            M_STATUS=error
            sed -n '1,3s/^/      ecsim: /p' "$TMP/err"
            return
        fi
        echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) / 1e9 }' >>"$TMP/walls"
        rss=$(tail -n 1 "$TMP/rss" 2>/dev/null)
        case $rss in '' | *[!0-9]*) rss=0 ;; esac
        [ "$rss" -gt "$M_RSS" ] && M_RSS=$rss
    done
    M_WALL=$(median <"$TMP/walls")
}

# The least-squares slope of log(y) on log(x) over the "x y" lines of $1.
fit_exponent() {
    awk '{ x = log($1); y = log($2); n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
         END { d = n * sxx - sx * sx; if (n < 2 || d == 0) print "n/a"; else printf "%.2f\n", (n * sxy - sx * sy) / d }' "$1"
}

# curve TITLE GENERATOR UNIT SIZE...: one growth curve. GENERATOR SIZE
# prints the scenario of that size.
curve() {
    title=$1
    gen=$2
    unit=$3
    shift 3
    echo
    echo "-- $title"
    printf '   %12s  %12s  %10s\n' "$unit" "wall (s)" "peak RSS"
    : >"$TMP/points"
    stopped=""
    timed_out=""
    for size in "$@"; do
        if [ -n "$stopped" ]; then
            printf '   %12s  %12s  %10s\n' "$size" "skipped" "-"
            continue
        fi
        file="$SCEN/$gen-$size.yaml"
        "$gen" "$size" >"$file"
        measure "$file"
        case $M_STATUS in
        ok)
            printf '   %12s  %12.3f  %7d MB\n' "$size" "$M_WALL" $(((M_RSS + 512) / 1024))
            echo "$size $M_WALL" >>"$TMP/points"
            ;;
        timeout)
            printf '   %12s  %12s  %10s\n' "$size" "> $TIMEOUT s" "-"
            stopped=1
            timed_out=1
            ;;
        *)
            printf '   %12s  %12s  %10s\n' "$size" "error" "-"
            stopped=1
            ;;
        esac
    done
    k=$(fit_exponent "$TMP/points")
    n=$(wc -l <"$TMP/points" | tr -d ' ')
    if [ -n "$timed_out" ]; then
        echo "   exponent k = $k over the $n point(s) that finished (a larger one took > $TIMEOUT s: the growth is steeper)"
    else
        echo "   exponent k = $k (least squares of log time on log size, $n points; goal <= 1.15)"
    fi
    SUMMARY="$SUMMARY
   $(printf '%-58s %s' "$title" "k = $k${timed_out:+ (timed out)}")"
}

# ---- scenario generators ------------------------------------------------------------

# Fluid mode, a diurnal sine, target tracking, N simulated days.
gen_days() {
    cat <<EOF
name: bench-days-$1
description: fluid mode, diurnal sine, target tracking, $1 days
seed: 11
duration: $1d
image: {name: web, tag: "1.0", size_mb: 250}
service:
  platform: fargate
  desired: 2
  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100}
load:
  profile:
    - {until: $1d, sine: {mean: 400, amplitude: 300, period: 24h}}
autoscaler: {policy: target_tracking, min: 2, max: 20, metric: cpu, target: 60}
EOF
}

# N tasks steady for 1 h.
gen_tasks() {
    cat <<EOF
name: bench-tasks-$1
description: $1 tasks steady for 1 h
seed: 5
duration: 1h
image: {name: web, tag: "1.0", size_mb: 250}
service:
  platform: fargate
  desired: $1
  task: {vcpu: 0.25, memory_gb: 0.5, capacity_rps: 100}
load:
  profile:
    - {until: 1h, rps: $(($1 * 50))}
autoscaler: {policy: none, min: $1, max: $1}
EOF
}

# N tasks, two rolling deployments.
gen_deploy() {
    cat <<EOF
name: bench-deploy-$1
description: $1 tasks, two rolling deployments
seed: 42
duration: 2h
image: {name: shop-web, tag: "1.0", size_mb: 250, build_time: 2m}
registry: {push: true, push_mb_per_s: 10, pull_mb_per_s: 10}
service:
  platform: fargate
  desired: $1
  task: {vcpu: 0.25, memory_gb: 0.5, start_time: 10s, capacity_rps: 100}
  load_balancer: {enable: true, health_check_interval: 30s, healthy_threshold: 5, deregistration_delay: 60s}
  deployment: {min_healthy_percent: 50, max_percent: 150}
load:
  profile:
    - {until: 2h, rps: $(($1 * 50))}
autoscaler: {policy: none, min: $1, max: $1}
events:
  - {at: 40m, action: deploy, tag: "1.1"}
  - {at: 80m, action: deploy, tag: "1.2"}
EOF
}

# ECS on EC2: N instances (2 vCPU), N one-vCPU tasks, managed scaling on.
gen_ec2() { # PLACEMENT N
    cat <<EOF
name: bench-ec2-$1-$2
description: ECS on EC2, $2 instances, $1 placement
seed: 7
duration: 1h
image: {name: app, tag: "1", size_mb: 300}
service:
  platform: ec2
  desired: $2
  task: {vcpu: 1, memory_gb: 2, capacity_rps: 100}
  cluster:
    instance_type: m5.large
    vcpu: 2
    memory_gb: 8
    instances: $2
    max_instances: $(($2 * 2))
    placement: $1
    managed_scaling: {enable: true, target_capacity: 100}
load:
  profile:
    - {until: 1h, rps: $(($2 * 50))}
autoscaler: {policy: none, min: $2, max: $2}
EOF
}
gen_spread() { gen_ec2 spread "$1"; }
gen_binpack() { gen_ec2 binpack "$1"; }

# Requests mode at R requests/s: 100 slots per task (mean service 100 ms,
# 1000 requests/s per task), tasks for a 70 % utilisation, 2 min of traffic
# once the service runs (none before: rps 0 while it starts).
gen_rps() {
    tasks=$((($1 + 699) / 700))
    cat <<EOF
name: bench-rps-$1
description: requests mode, $1 requests/s, $tasks tasks x 100 slots, 2 min
seed: 3
duration: 12m
image: {name: api, tag: "1.0", size_mb: 100}
service:
  platform: fargate
  desired: $tasks
  task: {vcpu: 1, memory_gb: 2, capacity_rps: 1000}
load:
  mode: requests
  profile:
    - {until: 10m, rps: 0}
    - {until: 12m, rps: $1}
  requests:
    service_time: {dist: exponential, mean: 100ms}
    concurrency: 100
    routing: shared_queue
    timeout: 0
autoscaler: {policy: none, min: $tasks, max: $tasks}
EOF
}

# E scheduled scale events spread over a year (desired alternates 4 / 6).
gen_events() {
    cat <<EOF
name: bench-events-$1
description: $1 scale events over a year
seed: 13
duration: 365d
image: {name: web, tag: "1.0", size_mb: 250}
service:
  platform: fargate
  desired: 4
  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100}
load:
  profile:
    - {until: 365d, rps: 300}
autoscaler: {policy: none, min: 1, max: 10}
events:
EOF
    # Compact lines (minutes, no spaces after commas): 100,000 of them
    # must stay under the loader's 4 MB limit.
    awk -v n="$1" 'BEGIN { step = 364 * 1440 / n; for (i = 0; i < n; i++)
        printf "- {at: %dm,action: scale,desired: %d}\n", 60 + int(i * step), (i % 2) ? 4 : 6 }'
}

# HPA on EKS, a diurnal load, N days.
gen_hpa() {
    cat <<EOF
name: bench-hpa-$1
description: HPA on EKS, diurnal load, $1 days
seed: 7
duration: $1d
image: {name: web, tag: "1.0", size_mb: 250}
service:
  platform: eks
  desired: 3
  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100}
  cluster: {instance_type: m5.xlarge, vcpu: 4, memory_gb: 16, instances: 4, max_instances: 8,
            managed_scaling: {enable: true, target_capacity: 100}}
load:
  profile:
    - {until: $1d, sine: {mean: 400, amplitude: 300, period: 24h}}
autoscaler:
  policy: hpa
  min: 2
  max: 15
  target: 60
  hpa:
    metric: {type: resource, name: cpu}
    downscale_stabilization: 5m
EOF
}

# Predictive scaling (seasonal naive, daily season), a diurnal load, N days.
gen_predictive() {
    cat <<EOF
name: bench-predictive-$1
description: predictive scaling, diurnal load, $1 days
seed: 3
duration: $1d
image: {name: web, tag: "1.0", size_mb: 250}
service:
  platform: fargate
  desired: 2
  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100}
load:
  profile:
    - {until: $1d, sine: {mean: 500, amplitude: 400, period: 24h}}
  noise: {cv: 0.03, interval: 5m}
autoscaler:
  policy: predictive
  min: 2
  max: 25
  metric: cpu
  target: 60
  predictive: {method: seasonal_naive, min_history: 24h, refresh: 6h, resolution: 1h,
               horizon: 48h, scheduling_buffer: 5m, season: 24h}
EOF
}

# ---- 1. growth curves -----------------------------------------------------------------

SUMMARY=""
echo "== growth curves: whole processes, median of $REPS, timeout $TIMEOUT s ($ECSIM_BIN)"
if [ "$QUICK" = 1 ]; then
    DAYS="1 3 10"; TASKS="1000 2000 4000"; INSTANCES="100 500 1000"
    RPS="1000 10000 100000"; EVENTS="1000 3000 10000"; LONG="1 3 7"
else
    DAYS="1 7 30 91 365"; TASKS="1000 2000 5000 10000"; INSTANCES="100 500 1000 2000 5000"
    RPS="1000 10000 100000 1000000"; EVENTS="1000 10000 100000"; LONG="1 7 30 60"
fi
# shellcheck disable=SC2086 # the size lists are meant to split
{
    wanted days && curve "simulated days (fluid, diurnal sine, target tracking)" gen_days days $DAYS
    wanted tasks && curve "tasks, steady 1 h" gen_tasks tasks $TASKS
    wanted deploy && curve "tasks, two rolling deployments" gen_deploy tasks $TASKS
    wanted instances && curve "EC2 instances, spread placement" gen_spread instances $INSTANCES
    wanted instances && curve "EC2 instances, binpack placement" gen_binpack instances $INSTANCES
    wanted rps && curve "requests per second (requests mode, 2 min)" gen_rps "req/s" $RPS
    wanted events && curve "scenario events over a year" gen_events events $EVENTS
    wanted hpa && curve "HPA on EKS, days" gen_hpa days $LONG
    wanted predictive && curve "predictive scaling, days" gen_predictive days $LONG
}
if [ -n "$SUMMARY" ]; then
    echo
    echo "-- exponents (goal <= 1.15)$SUMMARY"
fi

# ---- 2. anchors -------------------------------------------------------------------------

# The wall time of a whole process, in seconds (its stdout to $2).
run_timed() { # OUTFILE CMD...
    outfile=$1
    shift
    t0=$(now_ns)
    "$@" >"$outfile" 2>"$outfile.err"
    rc=$?
    t1=$(now_ns)
    [ "$rc" -eq 0 ] || { echo "x"; return; }
    echo "$t0 $t1" | awk '{ printf "%.6f\n", ($2 - $1) / 1e9 }'
}

# The value of key=VALUE in an anchor's output line.
field() {
    sed -n "s/.*[[:space:]]$1=\([0-9.eE+-]*\).*/\1/p" | head -n 1
}

# The number after "KEY": inside the "OBJECT" object of a summary.json.
json_num() { # FILE OBJECT KEY
    tr -d ' \t\r\n' <"$1" | sed -n "s/.*\"$2\":{\([^}]*\)}.*/\1/p" |
        sed -n "s/.*\"$3\":\([0-9.eE+-]*\).*/\1/p" | awk 'NF { print $1 }'
}

if wanted anchors; then
    echo
    if [ "$QUICK" = 1 ]; then N=${BENCH_REQUESTS:-200000}; else N=${BENCH_REQUESTS:-1500000}; fi
    LAMBDA=900 MU=20 C=50
    echo "== anchors: M/M/c lambda=$LAMBDA mu=$MU c=$C, $N requests each, whole processes, $REPS interleaved runs ($ANCHORS)"
    have_tight="" have_simpy="" have_ecsim=""
    if "$CC" -O2 -o "$BUILD/mmc_tight" "$ANCHORS/mmc_tight.c" -lm; then
        have_tight=1
    else
        echo "tight C: could not build $ANCHORS/mmc_tight.c"
    fi
    if [ ! -x "$PYTHON" ]; then
        echo "SimPy: skipped, $PYTHON not found"
    elif ! err=$("$PYTHON" -c 'import simpy' 2>&1); then
        echo "SimPy: skipped, $PYTHON cannot import simpy (make deps installs python3-simpy3): $err"
    else
        have_simpy=1
    fi
    # ecsim: the same model; no traffic while the service starts, then
    # lambda for N / lambda seconds (N arrivals on average).
    span=$(awk -v n="$N" -v l="$LAMBDA" 'BEGIN { printf "%.3f", n / l }')
    end=$(awk -v s="$span" 'BEGIN { printf "%.3f", 900 + s }')
    cat >"$SCEN/anchor-mmc.yaml" <<EOF
name: bench-anchor-mmc
description: M/M/c (lambda $LAMBDA/s, $C tasks, mu $MU/s, shared FIFO), $N requests on average
seed: 42
duration: ${end}s
service:
  platform: fargate
  desired: $C
  task: {capacity_rps: $MU}
load:
  mode: requests
  profile:
    - {until: 900s, rps: 0}
    - {until: ${end}s, rps: $LAMBDA}
  requests:
    service_time: {dist: exponential, mean: $(awk -v m="$MU" 'BEGIN { printf "%.6f", 1000 / m }')ms}
    concurrency: 1
    routing: shared_queue
    queue_limit: 1000000
    timeout: 0
autoscaler: {policy: none, min: $C, max: $C}
EOF
    "$ECSIM_BIN" validate "$SCEN/anchor-mmc.yaml" >/dev/null 2>"$TMP/err" && have_ecsim=1 ||
        { echo "ecsim: the anchor scenario does not validate:"; sed -n '1,5s/^/  /p' "$TMP/err"; }
    : >"$TMP/tight" ; : >"$TMP/simpy" ; : >"$TMP/ecsim" ; : >"$TMP/ecsim_n"
    r=0
    while [ "$r" -lt "$REPS" ]; do
        r=$((r + 1))
        [ -n "$have_tight" ] && run_timed "$TMP/tight.out" "$BUILD/mmc_tight" $LAMBDA $MU $C "$N" >>"$TMP/tight"
        [ -n "$have_simpy" ] && run_timed "$TMP/simpy.out" "$PYTHON" "$ANCHORS/mmc_simpy.py" $LAMBDA $MU $C "$N" >>"$TMP/simpy"
        if [ -n "$have_ecsim" ]; then
            run_timed "$TMP/ecsim.out" "$ECSIM_BIN" run "$SCEN/anchor-mmc.yaml" --out "$OUT" --quiet --no-plots >>"$TMP/ecsim"
            json_num "$OUT/bench-anchor-mmc/summary.json" requests arrived >>"$TMP/ecsim_n"
        fi
    done
    erlang=$("$PYTHON" "$ANCHORS/erlang.py" $LAMBDA $MU $C 2>/dev/null | sed -n 's/.*Wq=\([0-9.eE+-]*\).*/\1/p' | head -n 1)
    rate_of() { # WALLS_FILE REQUESTS -> "median_wall rate"
        if grep -q x "$1" || [ ! -s "$1" ]; then echo "failed"; return; fi
        w=$(median <"$1")
        awk -v w="$w" -v n="$2" 'BEGIN { printf "%.3f %.0f\n", w, n / w }'
    }
    tight_rate="" simpy_rate="" ecsim_rate="" tight_wq=""
    printf '   %-34s %10s %14s %12s\n' "" "wall (s)" "requests/s" "mean wait (s)"
    if [ -n "$have_tight" ]; then
        set -- $(rate_of "$TMP/tight" "$N")
        wq=$(field wq <"$TMP/tight.out")
        tight_wq=$wq
        [ "$1" != failed ] && tight_rate=$2 &&
            printf '   %-34s %10s %14s %12s\n' "tight C (mmc_tight.c)" "$1" "$2" "$wq"
    fi
    if [ -n "$have_simpy" ]; then
        set -- $(rate_of "$TMP/simpy" "$N")
        wq=$(field wq <"$TMP/simpy.out")
        [ "$1" != failed ] && simpy_rate=$2 &&
            printf '   %-34s %10s %14s %12s\n' "SimPy 3 (mmc_simpy.py)" "$1" "$2" "$wq"
    fi
    if [ -n "$have_ecsim" ]; then
        n_ecsim=$(median <"$TMP/ecsim_n")
        set -- $(rate_of "$TMP/ecsim" "${n_ecsim:-0}")
        wq=$(json_num "$OUT/bench-anchor-mmc/summary.json" wait_s mean | awk '{ printf "%.6f", $1 }')
        [ "$1" != failed ] && ecsim_rate=$2 &&
            printf '   %-34s %10s %14s %12s\n' "ecsim requests mode ($n_ecsim req)" "$1" "$2" "$wq"
    fi
    [ -n "$erlang" ] && printf '   %-34s %10s %14s %12s\n' "Erlang C (erlang.py)" "" "" "$erlang"
    if [ -n "$ecsim_rate" ]; then
        [ -n "$tight_rate" ] && awk -v e="$ecsim_rate" -v t="$tight_rate" 'BEGIN {
            r = e / t; printf "   ecsim / tight C = %.3f   (goal >= 0.75: %s)\n", r, (r >= 0.75 ? "met" : "NOT met") }'
        [ -n "$simpy_rate" ] && awk -v e="$ecsim_rate" -v s="$simpy_rate" 'BEGIN {
            r = e / s; printf "   ecsim / SimPy   = %.1f   (goal >= 50: %s)\n", r, (r >= 50 ? "met" : "NOT met") }'
        [ -n "$erlang" ] && [ -n "$wq" ] && awk -v w="$wq" -v e="$erlang" -v t="${tight_wq:-}" 'BEGIN {
            printf "   Erlang C check: ecsim Wq %.6f s vs %.6f s (%+.1f %%)", w, e, (w - e) / e * 100
            if (t != "") printf "; tight C %+.1f %%", (t - e) / e * 100
            printf "\n   (one run of this length has a few %% of noise on Wq at rho 0.9; tests/test_queueing.c\n"
            printf "   checks Erlang C with confidence intervals)\n" }'
    fi
fi

# ---- 3. hold model ----------------------------------------------------------------------

if wanted hold; then
    echo
    echo "== hold model (bare event queue)"
    if [ -x "$BUILD/bench/bench_hold" ]; then
        if [ "$QUICK" = 1 ]; then "$BUILD/bench/bench_hold" 1000000; else "$BUILD/bench/bench_hold"; fi
    else
        echo "bench_hold: $BUILD/bench/bench_hold not built"
    fi
fi

# ---- 4. sweep ------------------------------------------------------------------------------

if wanted sweep; then
    ECSIM_BIN=$ECSIM_BIN BUILD=$BUILD BENCH_QUICK=$QUICK sh tests/bench/sweep.sh
fi
exit 0
