# Integration tests of `ecsim sweep` and `ecsim collect` (issue 11 points
# 3, 4, 5), sourced by tests/integration.sh (uses its BIN, TMP, ok, ko,
# expect_exit). Needs GNU parallel and jq (Debian packages `parallel` and
# `jq`; `make deps` installs them): the tests do not skip without them.
#
#   - a local sweep: folders named after the grid point and the seed, each
#     holding summary.json alone (one line under 4,096 bytes, the same
#     document as `ecsim run` writes), the runs' records in DIR/records/,
#     the manifest, --keep;
#   - resume: run again, every run is skipped; a folder without
#     summary.json is played again; interrupted by SIGINT, then completed;
#   - a failing run is recorded and the exit code is 5;
#   - usage errors (exit 2) and an invalid grid point before anything runs;
#   - --emit parallel run by GNU parallel, --emit slurm run once per array
#     index with SLURM_ARRAY_TASK_ID: one records file per process, and
#     `ecsim collect` gives byte-identical tables (csv, json, md, grouped)
#     to the local sweep's;
#   - collect's table read by python3's csv module and by jq, with values
#     checked against the runs' summary.json; --group-by means and intervals
#     checked against a hand computation.

SW=$TMP/sweep
rm -rf "$SW"
mkdir -p "$SW"
SCEN=scenarios/quickstart.yaml
GRID="--set autoscaler.target=50,70 --set duration=1h"
for tool in parallel jq python3; do
    command -v $tool >/dev/null 2>&1 && ok || ko "sweep tests: $tool is not installed (make deps)"
done

# ---- a local sweep --------------------------------------------------------------------
# shellcheck disable=SC2086
expect_exit 0 "sweep local" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 -j 2 --out "$SW/local"
grep -q "ecsim sweep: 6 runs in .*: 6 ok (0 already complete), 0 failed" "$TMP/out" && ok ||
    ko "sweep local: closing line: $(cat "$TMP/out")"
[ ! -s "$TMP/err" ] && ok || ko "sweep local: stderr not empty when it is not a terminal: $(cat "$TMP/err")"
for t in 50 70; do
    for s in 0001 0002 0003; do
        d="$SW/local/autoscaler.target=$t/duration=1h/seed-$s"
        [ -f "$d/summary.json" ] && [ "$(ls -A "$d")" = summary.json ] && ok ||
            ko "sweep local: $d incomplete or more than --keep summary: $(ls -A "$d")"
        [ "$(wc -l <"$d/summary.json")" -eq 1 ] && [ "$(wc -c <"$d/summary.json")" -lt 4096 ] && ok ||
            ko "sweep local: $d/summary.json is not one line under 4,096 bytes"
    done
done
jq -e '.ecsim_sweep == 1 and (.runs | length) == 6 and .seeds.first == 1 and .seeds.last == 3
       and .grid[0].key == "autoscaler.target" and .grid[0].values == ["50","70"]
       and .runs[4].folder == "autoscaler.target=70/duration=1h/seed-0002"' \
    "$SW/local/sweep.json" >/dev/null && ok || ko "sweep local: sweep.json"
# the runs' records: one file (this sweep's process), one line per run
[ "$(ls "$SW/local/records" | wc -l)" -eq 1 ] && [ "$(cat "$SW/local/records"/*.jsonl | wc -l)" -eq 6 ] && ok ||
    ko "sweep local: records: $(ls "$SW/local/records")"
jq -s -e 'map(select(.folder == "autoscaler.target=70/duration=1h/seed-0002")) | length == 1 and (.[0]
       | .status == "ok" and .exit_code == 0 and .error == null and .seed == 2 and .keep == "summary"
       and .overrides == ["autoscaler.target=70","duration=1h"] and (.wall_s | type) == "number")' \
    "$SW/local/records"/*.jsonl >/dev/null && ok || ko "sweep local: the run's record"
# summary.json is the same document as `ecsim run` writes for that run (on one line)
"$BIN" run "$SCEN" --set autoscaler.target=70 --set duration=1h --seed 2 --out "$SW/single" -q --no-plots >/dev/null 2>&1
[ "$(jq -c . "$SW/single/quickstart/summary.json")" = \
  "$(jq -c . "$SW/local/autoscaler.target=70/duration=1h/seed-0002/summary.json")" ] &&
    ok || ko "sweep local: summary.json differs from ecsim run's"
# the same sweep with one worker: the same folders (the records' times aside)
"$BIN" sweep "$SCEN" $GRID --seeds 3 -j 1 --out "$SW/one" -q >/dev/null 2>&1
diff -r -x records -x sweep.json "$SW/local" "$SW/one" >/dev/null && ok || ko "sweep: -j 1 and -j 2 folders differ"

# on a terminal (a pty from script(1)): the bar with runs done and failures,
# no escape code with TERM=dumb or NO_COLOR, ESC [K with TERM=xterm
ABS=${ABSBIN:-$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")}
for term in dumb nocolor xterm; do
    long="$ABS sweep $SCEN --set duration=1h --seeds 4 -j 2 --out $SW/pty-$term"
    if [ $term = nocolor ]; then
        TERM=xterm NO_COLOR=1 script -qec "$long" /dev/null >"$TMP/sweep-pty" 2>&1 </dev/null
    else
        TERM=$term script -qec "$long" /dev/null >"$TMP/sweep-pty" 2>&1 </dev/null
    fi
    grep -q "$(printf '\r')\[.*/4 runs  0 failed" "$TMP/sweep-pty" && ok || ko "sweep progress bar ($term): $(cat -v "$TMP/sweep-pty")"
    if [ $term = xterm ]; then
        grep -q "$(printf '\033')\[K" "$TMP/sweep-pty" && ok || ko "sweep progress bar (xterm): no ESC [K"
    else
        grep -q "$(printf '\033')" "$TMP/sweep-pty" && ko "sweep progress bar ($term): escape codes" || ok
    fi
done

# the bash completion knows the new options' values
"$BIN" --bash-completion >"$TMP/sweep-comp.bash"
[ "$(bash -c '. "$1"; COMP_WORDS=(ecsim sweep --emit ""); COMP_CWORD=3; _ecsim; echo "${COMPREPLY[*]}"' _ "$TMP/sweep-comp.bash")" = "parallel slurm" ] &&
    [ "$(bash -c '. "$1"; COMP_WORDS=(ecsim sweep --keep ""); COMP_CWORD=3; _ecsim; echo "${COMPREPLY[*]}"' _ "$TMP/sweep-comp.bash")" = "summary all" ] &&
    ok || ko "bash completion of --emit / --keep"

# ---- resume -------------------------------------------------------------------------------
expect_exit 0 "sweep resume" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 -j 2 --out "$SW/local"
grep -q "6 ok (6 already complete)" "$TMP/out" && ok || ko "sweep resume: $(cat "$TMP/out")"
rm "$SW/local/autoscaler.target=50/duration=1h/seed-0003/summary.json"
expect_exit 0 "sweep resume incomplete" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 -j 2 --out "$SW/local"
grep -q "6 ok (5 already complete)" "$TMP/out" && ok || ko "sweep resume incomplete: $(cat "$TMP/out")"
# a manifest's runs one by one (what the job lines do), and out of range
expect_exit 0 "sweep manifest --runs" -- "$BIN" sweep "$SW/local/sweep.json" --runs 2-3 -q
expect_exit 2 "sweep manifest --runs out of range" -- "$BIN" sweep "$SW/local/sweep.json" --runs 6
expect_exit 2 "sweep manifest with --set" -- "$BIN" sweep "$SW/local/sweep.json" --set a=1
# --fail-on on every run (the complete runs are checked again, not replayed): 4 and
# the failing folders when a threshold holds, 0 when none does, 2 for an unknown figure
# shellcheck disable=SC2086
expect_exit 4 "sweep --fail-on that holds" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 -j 2 --out "$SW/local" \
    --fail-on 'scaling.max_desired >= 2'
grep -q 'thresholds failed in 6 of 6 runs; exit 4' "$TMP/err" && ok || ko "sweep --fail-on: summary line $(tail -1 "$TMP/err")"
grep -q '^check failed: scaling.max_desired = ' "$TMP/err" && ok || ko "sweep --fail-on: failed check printed"
# shellcheck disable=SC2086
expect_exit 0 "sweep --fail-on that does not hold" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 --out "$SW/local" \
    --fail-on 'scaling.max_desired > 1000'
expect_exit 4 "sweep manifest --runs --fail-on" -- "$BIN" sweep "$SW/local/sweep.json" --runs 0-1 -q \
    --fail-on 'capacity.task_hours > 0'
# shellcheck disable=SC2086
expect_exit 2 "sweep --fail-on naming no figure" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 --out "$SW/local" \
    --fail-on 'capacity.unserved > 0'
grep -q 'did you mean capacity.unserved_requests' "$TMP/err" && ok || ko "sweep --fail-on unknown: suggestion"

# SIGINT in the middle of a sweep of slow runs: 130, complete folders complete, then resumed
"$BIN" sweep "$SCEN" --set autoscaler.target=50,70 --set duration=40d --seeds 4 -j 2 --out "$SW/int" -q \
    >"$TMP/out" 2>"$TMP/err" &
spid=$!
sleep 0.5
kill -INT $spid
wait $spid
code=$?
[ "$code" -eq 130 ] && grep -q "run the same command again" "$TMP/err" && ok ||
    ko "sweep SIGINT: exit $code, $(cat "$TMP/err")"
[ -z "$(find "$SW/int" -name run.json)" ] && ok || ko "sweep SIGINT: an interrupted run left a run.json"
[ -z "$(find "$SW/int" -name '.*.tmp.*')" ] && ok || ko "sweep SIGINT: temporary files left"
done_before=$(find "$SW/int" -name summary.json | wc -l)
[ "$(cat "$SW/int/records"/*.jsonl 2>/dev/null | wc -l)" -eq "$done_before" ] && ok ||
    ko "sweep SIGINT: not one record per complete run"
[ "$done_before" -lt 8 ] && ok || ko "sweep SIGINT: all 8 runs complete after 1 s (too fast to test)"
expect_exit 0 "sweep after SIGINT" -- "$BIN" sweep "$SCEN" --set autoscaler.target=50,70 --set duration=40d --seeds 4 -j 2 --out "$SW/int"
grep -q "8 ok ($done_before already complete)" "$TMP/out" && ok || ko "sweep after SIGINT: $(cat "$TMP/out")"

# ---- failures and usage -----------------------------------------------------------------------
mkdir -p "$SW/fail/autoscaler.target=50/seed-0002/summary.json" # a folder where a file goes
expect_exit 5 "sweep with a failing run" -- "$BIN" sweep "$SCEN" --set autoscaler.target=50 --seeds 3 --out "$SW/fail"
grep -q "1 of 3 runs failed" "$TMP/err" && grep -q "run autoscaler.target=50 (seed 2) failed, exit 3" "$TMP/err" &&
    grep -q "2 ok (0 already complete), 1 failed" "$TMP/out" && ok ||
    ko "sweep failing run: $(cat "$TMP/out" "$TMP/err")"
expect_exit 2 "sweep invalid grid point" -- "$BIN" sweep "$SCEN" --set autoscaler.target=50,banana --seeds 2 --out "$SW/badpoint"
grep -q "grid point autoscaler.target=banana does not load" "$TMP/err" && [ ! -e "$SW/badpoint" ] && ok ||
    ko "sweep invalid grid point: $(cat "$TMP/err")"
# without --seeds: each grid point once, with the scenario's own seed (quickstart: 42)
expect_exit 0 "sweep without --seeds" -- "$BIN" sweep "$SCEN" --set autoscaler.target=50,70 \
    --set duration=1h --out "$SW/noseeds" -q
[ -f "$SW/noseeds/autoscaler.target=50/duration=1h/seed-0042/summary.json" ] &&
    [ -f "$SW/noseeds/autoscaler.target=70/duration=1h/seed-0042/summary.json" ] && ok ||
    ko "sweep without --seeds: one run per grid point with seed 42: $(find "$SW/noseeds" -name 'seed-*' | head -3)"
expect_exit 2 "sweep --seeds 0" -- "$BIN" sweep "$SCEN" --seeds 0
expect_exit 2 "sweep --seeds 5-2" -- "$BIN" sweep "$SCEN" --seeds 5-2
expect_exit 2 "sweep key twice" -- "$BIN" sweep "$SCEN" --set autoscaler.target=50 --set autoscaler.target=70 --seeds 1
expect_exit 2 "sweep empty value" -- "$BIN" sweep "$SCEN" --set autoscaler.target=50,,70 --seeds 1
expect_exit 2 "sweep --keep bad" -- "$BIN" sweep "$SCEN" --seeds 1 --keep some
expect_exit 2 "sweep --emit bad" -- "$BIN" sweep "$SCEN" --seeds 1 --emit make
expect_exit 2 "sweep stdin" -- "$BIN" sweep - --seeds 1
# folder names: unsafe bytes as %XX, no leading dot
"$BIN" sweep "$SCEN" --set 'description=a/b c,.x' --seeds 1 --out "$SW/names" -q >/dev/null 2>&1
[ -d "$SW/names/description=a%2Fb%20c/seed-0001" ] && [ -d "$SW/names/description=.x/seed-0001" ] && ok ||
    ko "sweep folder names: $(cd "$SW/names" && find . -maxdepth 1)"
# --keep all: every output of ecsim run in the run folder
"$BIN" sweep "$SCEN" --set duration=1h --seeds 1 --keep all --out "$SW/all" -q >/dev/null 2>&1
for f in execution.txt status.csv events.log timeline.csv decisions.csv summary.json run.json; do
    [ -f "$SW/all/duration=1h/seed-0001/$f" ] && ok || ko "sweep --keep all: no $f"
done

# a summary-only run does not complete a --keep all sweep; a --keep all run completes a summary one
"$BIN" sweep "$SCEN" --set duration=1h --seeds 1 --out "$SW/keep" -q >/dev/null 2>&1
expect_exit 0 "sweep --keep all after --keep summary" -- "$BIN" sweep "$SCEN" --set duration=1h --seeds 1 --keep all --out "$SW/keep"
grep -q "1 ok (0 already complete)" "$TMP/out" && [ -f "$SW/keep/duration=1h/seed-0001/execution.txt" ] && ok ||
    ko "sweep --keep all after --keep summary: $(cat "$TMP/out")"
expect_exit 0 "sweep --keep summary after --keep all" -- "$BIN" sweep "$SCEN" --set duration=1h --seeds 1 --out "$SW/keep"
grep -q "1 ok (1 already complete)" "$TMP/out" && ok || ko "sweep --keep summary after --keep all: $(cat "$TMP/out")"

# ---- GNU parallel and Slurm give the same folders ---------------------------------------------
expect_exit 0 "sweep --emit parallel" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 --out "$SW/par" --emit parallel -j 2
[ "$(wc -l <"$SW/par/jobs.txt")" -eq 6 ] && ok || ko "sweep --emit parallel: jobs.txt has not 6 lines"
pcmd=$(grep '^  parallel ' "$TMP/out" | sed 's/^  //')
[ -n "$pcmd" ] && ok || ko "sweep --emit parallel: no parallel command printed: $(cat "$TMP/out")"
# the printed command, as printed (plus --will-cite: no citation notice in a test)
(eval "$(printf '%s' "$pcmd" | sed 's/^parallel /parallel --will-cite /')") >"$TMP/pout" 2>&1 && ok ||
    ko "GNU parallel failed: $(head -5 "$TMP/pout")"
[ "$(awk 'NR > 1 && $7 == 0' "$SW/par/parallel.joblog" | wc -l)" -eq 6 ] && ok || ko "GNU parallel: joblog"
# resumable: run again, nothing to do
(eval "$(printf '%s' "$pcmd" | sed 's/^parallel /parallel --will-cite /')") >/dev/null 2>&1
[ "$(awk 'NR > 1' "$SW/par/parallel.joblog" | wc -l)" -eq 6 ] && ok || ko "GNU parallel --resume ran jobs again"
# each job line's process wrote its own records file, of its one run
[ "$(ls "$SW/par/records" | wc -l)" -eq 6 ] && [ "$(cat "$SW/par/records"/*.jsonl | wc -l)" -eq 6 ] && ok ||
    ko "GNU parallel: records: $(ls "$SW/par/records")"

expect_exit 0 "sweep --emit slurm" -- "$BIN" sweep "$SCEN" $GRID --seeds 3 --out "$SW/slurm" --emit slurm -j 1 --per-task 4
grep -q '^#SBATCH --array=0-1%1$' "$SW/slurm/slurm/sweep.sbatch" && ok || ko "slurm: --array line"
grep -q "^#SBATCH --output=$SW/slurm/slurm/logs/task-%A_%a.out" "$SW/slurm/slurm/sweep.sbatch" && ok ||
    ko "slurm: per-task output path"
[ "$(sed -n 2p "$SW/slurm/slurm/tasks.tsv")" = "$(printf '0\t0\t2\tautoscaler.target=50 duration=1h\t1\t3')" ] &&
    [ "$(sed -n 3p "$SW/slurm/slurm/tasks.tsv")" = "$(printf '0\t3\t3\tautoscaler.target=70 duration=1h\t1\t1')" ] &&
    ok || ko "slurm: tasks.tsv: $(cat "$SW/slurm/slurm/tasks.tsv")"
for task in 0 1; do
    SLURM_ARRAY_TASK_ID=$task bash "$SW/slurm/slurm/sweep.sbatch" >"$TMP/sout" 2>&1 && ok ||
        ko "slurm task $task failed: $(head -5 "$TMP/sout")"
done
bash "$SW/slurm/slurm/sweep.sbatch" >/dev/null 2>&1 && ko "slurm script without SLURM_ARRAY_TASK_ID ran" || ok
[ "$(ls "$SW/slurm/records" | wc -l)" -eq 2 ] && [ "$(cat "$SW/slurm/records"/*.jsonl | wc -l)" -eq 6 ] && ok ||
    ko "slurm: records: $(ls "$SW/slurm/records")"

for fmt in csv json md; do
    "$BIN" collect "$SW/local" -f $fmt >"$SW/local.$fmt" 2>"$TMP/err" && ok || ko "collect local -f $fmt: $(cat "$TMP/err")"
    "$BIN" collect "$SW/local" -f $fmt --group-by autoscaler.target >"$SW/local-g.$fmt" 2>/dev/null
    for eng in par slurm; do
        "$BIN" collect "$SW/$eng" -f $fmt >"$SW/$eng.$fmt" 2>/dev/null
        cmp -s "$SW/local.$fmt" "$SW/$eng.$fmt" && ok || ko "collect $eng -f $fmt differs from the local sweep's"
        "$BIN" collect "$SW/$eng" -f $fmt --group-by autoscaler.target >"$SW/$eng-g.$fmt" 2>/dev/null
        cmp -s "$SW/local-g.$fmt" "$SW/$eng-g.$fmt" && ok || ko "collect --group-by $eng -f $fmt differs"
    done
done

# ---- collect's tables, read by python3's csv module and by jq ------------------------------------
python3 - "$SW/local.csv" "$SW/local" <<'EOF' && ok || ko "collect csv read by python3"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 6, len(rows)
assert [r["run"] for r in rows] == [
    f"autoscaler.target={t}/duration=1h/seed-000{s}" for t in (50, 70) for s in (1, 2, 3)], rows
cols = list(rows[0].keys())
assert cols[:7] == ["run", "status", "exit_code", "error", "scenario_file",
                    "set.autoscaler.target", "set.duration"], cols[:7]
for r in rows:
    s = json.load(open(f"{sys.argv[2]}/{r['run']}/summary.json"))
    assert r["status"] == "ok" and r["error"] == "" and r["set.duration"] == "1h"
    assert r["exit_code"] == "0" and r["scenario_file"].endswith("/scenarios/quickstart.yaml"), r
    assert int(r["seed"]) == s["seed"]
    assert float(r["capacity.unserved_requests"]) == s["capacity"]["unserved_requests"]
EOF
n=$(jq 'length' "$SW/local.json")
[ "$n" = 6 ] && ok || ko "collect json: $n rows"
jq -e '[.[] | select(."set.autoscaler.target" == "70")] | length == 3' "$SW/local.json" >/dev/null && ok ||
    ko "collect json: jq select"
jq -e '.[0].seed == 1 and .[0].status == "ok" and (.[0]."capacity.unserved_requests" | type) == "number"
       and .[0].error == null' "$SW/local.json" >/dev/null && ok || ko "collect json: types"
# --group-by: n, mean and the 95 % interval, by hand (t(0.975, 2) = 4.302652729749464)
python3 - "$SW/local.csv" "$SW/local-g.csv" <<'EOF' && ok || ko "collect --group-by values"
import csv, math, sys
runs = list(csv.DictReader(open(sys.argv[1], newline="")))
groups = list(csv.DictReader(open(sys.argv[2], newline="")))
assert [g["autoscaler.target"] for g in groups] == ["50", "70"], groups
fig = "capacity.under_capacity_s"
for g in groups:
    xs = [float(r[fig]) for r in runs if r["set.autoscaler.target"] == g["autoscaler.target"]]
    assert g["runs"] == "3" and g["failed"] == "0" and g[fig + ".n"] == "3"
    m = sum(xs) / 3
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / 2)
    h = 4.302652729749464 * sd / math.sqrt(3)
    assert abs(float(g[fig + ".mean"]) - m) <= 1e-9 * max(1, abs(m)), (g[fig + ".mean"], m)
    if sd > 0:
        assert abs(float(g[fig + ".ci95_lo"]) - (m - h)) <= 1e-9 * max(1, abs(m)), g
        assert abs(float(g[fig + ".ci95_hi"]) - (m + h)) <= 1e-9 * max(1, abs(m)), g
EOF
jq -e 'length == 2 and .[1]."autoscaler.target" == "70" and .[1].runs == 3' "$SW/local-g.json" >/dev/null &&
    ok || ko "collect --group-by json"
head -2 "$SW/local.md" | tail -1 | grep -q '^|---|' && ok || ko "collect md: header rule"
# failed runs appear with their error; several folders; usage errors
"$BIN" collect "$SW/fail" >"$SW/fail.csv" 2>/dev/null
python3 - "$SW/fail.csv" <<'EOF' && ok || ko "collect: a failed run's row"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert [r["status"] for r in rows] == ["ok", "failed", "ok"], rows
assert rows[1]["exit_code"] == "3" and "summary.json" in rows[1]["error"], rows[1]
assert rows[1]["capacity.unserved_requests"] == "" and rows[0]["capacity.unserved_requests"] != ""
EOF
"$BIN" collect "$SW/local" "$SW/one" >"$SW/two.csv" 2>/dev/null
[ "$(wc -l <"$SW/two.csv")" -eq 13 ] && ok || ko "collect two folders: $(wc -l <"$SW/two.csv") lines"
expect_exit 2 "collect --group-by unknown" -- "$BIN" collect "$SW/local" --group-by no.such.key
expect_exit 3 "collect a folder that does not exist" -- "$BIN" collect "$TMP/nothing-here"
mkdir -p "$SW/empty"
expect_exit 2 "collect a folder without runs" -- "$BIN" collect "$SW/empty"
expect_exit 2 "collect --format bad" -- "$BIN" collect "$SW/local" -f xlsx
# another sweep into the folder of an earlier one: said, and the earlier folders stay
expect_exit 0 "sweep over an earlier sweep" -- "$BIN" sweep "$SCEN" --set autoscaler.target=60 --set duration=1h --seeds 1 --out "$SW/one"
grep -q "held an earlier sweep .* with 6 run folders that are not in this one" "$TMP/err" &&
    [ -d "$SW/one/autoscaler.target=50/duration=1h/seed-0003" ] && ok || ko "sweep over an earlier sweep: $(cat "$TMP/err")"
rm -rf "$SW"
