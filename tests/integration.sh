#!/bin/sh
# Data-driven integration tests of the ecsim program (run by `make test`):
#   - golden runs: every scenario listed in tests/golden/run/ is simulated and
#     its tables, summary.json, events.log and timeline.csv compared byte for byte;
#   - determinism: the same scenario and seed twice give identical files;
#   - the bad-input corpus through `ecsim validate` (stderr and exit code 2);
#   - the CLI contract: --help, --version, exit codes, --set, --seed, step mode;
#   - decide golden files.
# ECSIM_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing (only
# on purpose: review the diff before committing).
set -u
BIN=${ECSIM_BIN:-build/ecsim}
UPDATE=${ECSIM_UPDATE_GOLDEN:-0}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ecsim-it.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); printf 'FAIL: %s\n' "$*"; }

# expect_exit CODE DESCRIPTION -- COMMAND...
expect_exit() {
    want=$1; what=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
    got=$?
    if [ "$got" -eq "$want" ]; then ok; else ko "$what: exit $got, expected $want"; sed 's/^/  | /' "$TMP/err" | head -5; fi
}

# same FILE GOLDEN DESCRIPTION
same() {
    if [ "$UPDATE" = 1 ]; then
        mkdir -p "$(dirname "$2")"; cp "$1" "$2"; ok; return
    fi
    if cmp -s "$1" "$2"; then ok; else ko "$3 differs from $2"; diff -u "$2" "$1" | head -20 | sed 's/^/  | /'; fi
}

# ---- golden runs -------------------------------------------------------------
# Every shipped scenario has a folder tests/golden/run/NAME holding the files
# it pins: execution.txt, status.txt and summary.json at least; the key
# scenarios pin every output. Updating refreshes the files a folder has (a new
# folder gets the three).
for scen in scenarios/*.yaml; do
    name=$(basename "$scen" .yaml)
    dir=tests/golden/run/$name
    rm -rf "$TMP/run"
    if ! "$BIN" run "$scen" --out "$TMP/run" --no-plots --quiet --format text,md,csv,json >"$TMP/out" 2>"$TMP/err"; then
        ko "golden $name: ecsim run failed"; sed 's/^/  | /' "$TMP/err" | head -5; continue
    fi
    if [ ! -d "$dir" ]; then
        if [ "$UPDATE" = 1 ]; then
            mkdir -p "$dir"; for f in execution.txt status.txt summary.json; do cp "$TMP/run/$name/$f" "$dir/$f"; done
        else
            ko "golden $name: no $dir (ECSIM_UPDATE_GOLDEN=1 creates it)"
        fi
        continue
    fi
    for g in "$dir"/*; do
        f=$(basename "$g")
        same "$TMP/run/$name/$f" "$g" "golden $name/$f"
    done
done

# ---- determinism -------------------------------------------------------------
for scen in scenarios/*.yaml; do
    name=$(basename "$scen" .yaml)
    rm -rf "$TMP/a" "$TMP/b"
    "$BIN" run "$scen" --out "$TMP/a" --no-plots --quiet --format text,md,csv,json,latex,html >/dev/null 2>&1
    "$BIN" run "$scen" --out "$TMP/b" --no-plots --quiet --format text,md,csv,json,latex,html >/dev/null 2>&1
    if [ -d "$TMP/a" ] && diff -r "$TMP/a" "$TMP/b" >/dev/null 2>&1; then ok; else ko "determinism: $scen"; fi
done

# ---- every shipped scenario is valid and runs -----------------------------------
for scen in scenarios/*.yaml; do
    expect_exit 0 "validate $scen" -- "$BIN" validate "$scen"
done

# ---- the bad-input corpus through the CLI ----------------------------------------
for bad in tests/bad/*.yaml; do
    [ -f "$bad" ] || continue
    exp=${bad%.yaml}.expected
    "$BIN" validate "$bad" >"$TMP/out" 2>"$TMP/err" </dev/null
    code=$?
    if [ "$code" -ne 2 ]; then ko "validate $bad: exit $code, expected 2"; continue; fi
    if [ -f "$exp" ]; then same "$TMP/err" "$exp" "validate $bad (stderr)"; else ok; fi
    # run must refuse it the same way, and write nothing
    rm -rf "$TMP/badrun"
    expect_exit 2 "run $bad" -- "$BIN" run "$bad" --out "$TMP/badrun" --no-plots
    if [ -e "$TMP/badrun" ]; then ko "run $bad left output behind"; else ok; fi
done

# ---- CLI contract ------------------------------------------------------------------
expect_exit 0 "--version" -- "$BIN" --version
grep -q '^ecsim [0-9]' "$TMP/out" && ok || ko "--version output"
expect_exit 0 "--help" -- "$BIN" --help
for c in run step validate tables decide; do
    expect_exit 0 "$c --help" -- "$BIN" "$c" --help
    grep -q "^usage: ecsim $c" "$TMP/out" && ok || ko "$c --help shows its usage"
done
expect_exit 2 "no command" -- "$BIN"
expect_exit 2 "unknown command" -- "$BIN" frobnicate
expect_exit 2 "unknown option" -- "$BIN" run scenarios/quickstart.yaml --frob
expect_exit 2 "missing scenario" -- "$BIN" run
expect_exit 2 "bad seed" -- "$BIN" run scenarios/quickstart.yaml --seed -4 --out "$TMP/x"
expect_exit 2 "bad format" -- "$BIN" tables scenarios/seed-walkthrough.yaml --format pdf
expect_exit 2 "bad --set" -- "$BIN" run scenarios/quickstart.yaml --set autoscaler.targt=60 --out "$TMP/x"
grep -q "did you mean" "$TMP/err" && ok || ko "--set typo suggests the field"
expect_exit 3 "missing file" -- "$BIN" validate tests/no-such-file.yaml
expect_exit 3 "a directory as scenario" -- "$BIN" validate tests
expect_exit 2 "empty --format" -- "$BIN" tables scenarios/seed-walkthrough.yaml --format ''
expect_exit 3 "unwritable output" -- "$BIN" run scenarios/seed-walkthrough.yaml --out /proc/ecsim-no --no-plots --quiet

# --seed changes the run, the same seed reproduces it
"$BIN" run scenarios/quickstart.yaml --out "$TMP/s1" --seed 7 --no-plots --quiet >/dev/null 2>&1
"$BIN" run scenarios/quickstart.yaml --out "$TMP/s2" --seed 7 --no-plots --quiet >/dev/null 2>&1
if cmp -s "$TMP/s1/quickstart/summary.json" "$TMP/s2/quickstart/summary.json"; then ok; else ko "--seed 7 twice"; fi
grep -q '"seed": 7,' "$TMP/s1/quickstart/summary.json" && ok || ko "--seed recorded in summary.json"

# the whole 64-bit seed range survives into summary.json
"$BIN" run scenarios/seed-walkthrough.yaml --out "$TMP/s3" --seed 18446744073709551615 --no-plots --quiet >/dev/null 2>&1
grep -q '"seed": 18446744073709551615,' "$TMP/s3/seed-walkthrough/summary.json" && ok || ko "--seed 2^64-1 recorded in summary.json"
# a run that ends before the build finishes claims no result
"$BIN" run scenarios/quickstart.yaml --out "$TMP/short" --set duration=1m --no-plots --quiet >/dev/null 2>&1
if grep -q "App packaged with dependencies" "$TMP/short/quickstart/execution.txt"; then ko "unreached step 1 shows a result"; else ok; fi

# --set reaches the model
"$BIN" run scenarios/seed-walkthrough.yaml --out "$TMP/set" --set image.build_time=5m --no-plots --quiet >/dev/null 2>&1
grep -q '"time_s": 300,' "$TMP/set/seed-walkthrough/summary.json" && ok || ko "--set image.build_time=5m moves step 1 to 300 s"

# run prints where its outputs are
expect_exit 0 "run prints a summary" -- "$BIN" run scenarios/seed-walkthrough.yaml --out "$TMP/sum" --no-plots
grep -q "^outcome: running" "$TMP/out" && grep -q "summary.json" "$TMP/out" && ok || ko "run summary lines"
# no temporary files left behind
if find "$TMP/sum" -name '.*tmp*' | grep -q .; then ko "temporary files left in the output"; else ok; fi

# tables: every format, golden text and markdown of the seed walkthrough
for f in text md csv json latex html; do
    expect_exit 0 "tables --format $f" -- "$BIN" tables scenarios/seed-walkthrough.yaml --format "$f"
    same "$TMP/out" "tests/golden/tables-seed-walkthrough.$f" "tables --format $f"
done
expect_exit 0 "tables image-not-pushed" -- "$BIN" tables scenarios/image-not-pushed.yaml --format md
same "$TMP/out" "tests/golden/tables-image-not-pushed.md" "tables image-not-pushed"

# step mode, driven by a pipe: one line per step, q quits
# (PATH without gnuplot: the built-in chart, the same on every machine)
printf '\n\n\n\n\n\n\n\n' | PATH=/nonexistent "$BIN" step scenarios/seed-walkthrough.yaml >"$TMP/step" 2>"$TMP/err"
[ $? -eq 0 ] && ok || ko "step exit code"
same "$TMP/step" tests/golden/step-seed-walkthrough.txt "step seed-walkthrough"
printf '\nq\n' | "$BIN" step scenarios/seed-walkthrough.yaml >"$TMP/step" 2>"$TMP/err"
grep -q "Stopped at step 1 of 7" "$TMP/step" && ok || ko "step: q quits after step 1"
PATH=/nonexistent "$BIN" step scenarios/image-not-pushed.yaml </dev/null >"$TMP/step" 2>"$TMP/err"
same "$TMP/step" tests/golden/step-image-not-pushed.txt "step image-not-pushed"

# ---- the README's field reference is the schema's ----------------------------------
"$BIN" validate --list-fields >"$TMP/fields"
awk '/<!-- fields:end -->/ { on = 0 } on { print } /<!-- fields:begin -->/ { on = 1 }' README.md >"$TMP/readme-fields"
if cmp -s "$TMP/fields" "$TMP/readme-fields"; then ok; else ko "README.md field reference is stale: run make readme"; fi
# the README's excerpts of the seed walkthrough are the real tables
sed -n '/^Execution table$/,/^   7 /p' README.md >"$TMP/readme-exec"
cmp -s "$TMP/readme-exec" tests/golden/run/seed-walkthrough/execution.txt && ok || ko "README.md execution table excerpt is stale"
sed -n '/^Status tracker$/,/^Capacity (rps)/p' README.md >"$TMP/readme-status"
cmp -s "$TMP/readme-status" tests/golden/run/seed-walkthrough/status.txt && ok || ko "README.md status tracker excerpt is stale"
# every shipped scenario is listed in the README
for scen in scenarios/*.yaml; do
    grep -q "\`$(basename "$scen")\`" README.md && ok || ko "README.md does not describe $(basename "$scen")"
done

# ---- decide ---------------------------------------------------------------------------
for in in tests/decide/*.yaml; do
    [ -f "$in" ] || continue
    base=${in%.yaml}
    for fmt in text json; do
        exp=$base.$fmt.expected
        [ -f "$exp" ] || continue
        "$BIN" decide "$in" --format "$fmt" >"$TMP/out" 2>&1
        same "$TMP/out" "$exp" "decide $in --format $fmt"
    done
    if [ -f "$base.stderr.expected" ]; then
        "$BIN" decide "$in" >"$TMP/out" 2>"$TMP/err"
        code=$?
        [ "$code" -eq 2 ] && ok || ko "decide $in: exit $code, expected 2"
        same "$TMP/err" "$base.stderr.expected" "decide $in (stderr)"
    fi
done

# ---- CLI conventions (issue 12, point 6) ---------------------------------------------
# `-` reads the scenario from stdin; short options; validate --format json;
# the man page and bash completion generated from the --help table; make
# install into a DESTDIR under the build folder, run from there; uninstall.
BUILDDIR=$(dirname "$BIN")
ABSBIN=$(cd "$BUILDDIR" && pwd)/$(basename "$BIN")

# a scenario on stdin gives the same tables and step text as the file
rm -rf "$TMP/stdin"
if "$BIN" run - -o "$TMP/stdin" -q --no-plots -f text,md <scenarios/seed-walkthrough.yaml >"$TMP/out" 2>"$TMP/err"; then
    for f in execution.txt status.txt execution.md status.md; do
        same "$TMP/stdin/seed-walkthrough/$f" "tests/golden/run/seed-walkthrough/$f" "run - <seed-walkthrough: $f"
    done
else
    ko "run - <seed-walkthrough failed"; sed 's/^/  | /' "$TMP/err" | head -5
fi
PATH=/nonexistent "$BIN" step - <scenarios/seed-walkthrough.yaml >"$TMP/step" 2>"$TMP/err"
[ $? -eq 0 ] && ok || ko "step - exit code"
same "$TMP/step" tests/golden/step-seed-walkthrough.txt "step - <seed-walkthrough"
"$BIN" tables -f md - <scenarios/image-not-pushed.yaml >"$TMP/out" 2>"$TMP/err"
same "$TMP/out" tests/golden/tables-image-not-pushed.md "tables -f md - <image-not-pushed"
# the bad corpus through stdin: the same diagnostics, located in <stdin>;
# run from tests/bad so that the data files a scenario names resolve as they
# do from the file (against the current directory for stdin)
for bad in tests/bad/*.yaml; do
    exp=${bad%.yaml}.expected
    [ -f "$exp" ] || continue
    (cd tests/bad && "$ABSBIN" validate -) <"$bad" >"$TMP/out" 2>"$TMP/err"
    code=$?
    [ "$code" -eq 2 ] && ok || ko "validate - <$bad: exit $code, expected 2"
    sed -e "s|^$bad:|<stdin>:|" -e "s|^tests/bad/||" "$exp" >"$TMP/exp-stdin"
    same "$TMP/err" "$TMP/exp-stdin" "validate - <$bad (stderr)"
done
# relative trace paths of a stdin scenario resolve against the current directory
(cd scenarios && "$ABSBIN" run - -o "$TMP/trace" -q --no-plots <load-trace.yaml) >/dev/null 2>"$TMP/err" && ok ||
    { ko "run - <load-trace.yaml inside scenarios/"; sed 's/^/  | /' "$TMP/err" | head -3; }
(cd "$TMP" && "$ABSBIN" run - -o "$TMP/trace2" -q --no-plots) <scenarios/load-trace.yaml >/dev/null 2>"$TMP/err"
grep -q "^traces/day.csv: error: cannot open trace" "$TMP/err" && ok || ko "stdin trace path not resolved against the current directory"

# short options are the long ones
rm -rf "$TMP/long" "$TMP/short"
"$BIN" run scenarios/quickstart.yaml --out "$TMP/long" --quiet --seed 7 --format text,json --no-plots >/dev/null 2>&1
"$BIN" run -o "$TMP/short" -q -s 7 -f text,json --no-plots scenarios/quickstart.yaml >/dev/null 2>&1
if [ -d "$TMP/long" ] && diff -r "$TMP/long" "$TMP/short" >/dev/null; then ok; else ko "short options differ from long ones"; fi
expect_exit 2 "unknown short option" -- "$BIN" run scenarios/quickstart.yaml -x
grep -q "unknown option \`-x\`" "$TMP/err" && grep -q "^usage: ecsim run" "$TMP/err" && ok || ko "unknown option names it and the usage"
expect_exit 2 "missing value" -- "$BIN" tables scenarios/quickstart.yaml -f
grep -q "option \`-f/--format\` needs a value" "$TMP/err" && ok || ko "missing value names the option"

# validate --format json: one object per problem, as many as text diagnostics
jsonre='^\{"file": "[^"]*", "line": ([0-9]+|null), "column": ([0-9]+|null), "severity": "(error|warning)", "field": ("[^"]*"|null), "message": ".*"\}$'
for bad in tests/bad/*.yaml; do
    exp=${bad%.yaml}.expected
    [ -f "$exp" ] || continue
    "$BIN" validate --format json "$bad" >"$TMP/out" 2>"$TMP/err"
    code=$?
    [ "$code" -eq 2 ] && [ ! -s "$TMP/err" ] && ok || ko "validate --format json $bad: exit $code or stderr not empty"
    if [ "$(grep -cE "$jsonre" "$TMP/out")" -eq "$(wc -l <"$exp")" ] && [ "$(wc -l <"$TMP/out")" -eq "$(wc -l <"$exp")" ]; then ok; else ko "validate --format json $bad: not one object per problem"; sed 's/^/  | /' "$TMP/out" | head -3; fi
done
expect_exit 0 "validate --format json, valid file" -- "$BIN" validate -f json scenarios/quickstart.yaml
[ ! -s "$TMP/out" ] && ok || ko "validate --format json prints nothing for a valid file"

# no escape codes when stderr is not a terminal (the progress bar)
TERM=xterm "$BIN" run scenarios/quickstart.yaml -o "$TMP/esc" --no-plots >"$TMP/out" 2>"$TMP/err"
if grep -q "$(printf '\033')" "$TMP/out" "$TMP/err"; then ko "escape codes in redirected output"; else ok; fi

# on a terminal (a pty from script(1)), the bar is drawn once the run has
# taken ECSIM_PROGRESS_DELAY seconds (0 here, so no timing is involved):
# with TERM=dumb or NO_COLOR without an escape code, with TERM=xterm erasing
# its line with ESC [K. script(1) (bsdutils), groff and man (make deps) are
# required: a missing tool fails the check.
export ECSIM_PROGRESS_DELAY=0
if command -v script >/dev/null 2>&1; then
    long="$ABSBIN run scenarios/latency-slo.yaml --no-plots -o $TMP/pty"
    TERM=dumb script -qec "$long" /dev/null >"$TMP/pty-dumb" 2>&1 </dev/null
    grep -q "$(printf '\r')\[#" "$TMP/pty-dumb" && ! grep -q "$(printf '\033')" "$TMP/pty-dumb" && ok ||
        ko "TERM=dumb: a progress bar without escape codes expected"
    TERM=xterm script -qec "$long" /dev/null >"$TMP/pty-xterm" 2>&1 </dev/null
    grep -q "$(printf '\033')\[K" "$TMP/pty-xterm" && ok || ko "TERM=xterm: the progress bar erases its line"
else
    ko "script(1) not installed (bsdutils): terminal progress check not run"
fi
unset ECSIM_PROGRESS_DELAY

# the man page and the completion are the binary's, and render
"$BIN" --help-man >"$TMP/ecsim.1"
"$BIN" --bash-completion >"$TMP/ecsim.bash"
if [ -f "$BUILDDIR/ecsim.1" ]; then same "$BUILDDIR/ecsim.1" "$TMP/ecsim.1" "build/ecsim.1 is the binary's"; fi
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$TMP/ecsim.1" 2>"$TMP/err" && [ ! -s "$TMP/err" ] && ok || { ko "groff warns on ecsim.1"; sed 's/^/  | /' "$TMP/err" | head -5; }
else
    ko "groff not installed (make deps installs groff-base)"
fi
if command -v man >/dev/null 2>&1; then
    MANWIDTH=100 man -l "$TMP/ecsim.1" >"$TMP/man.txt" 2>"$TMP/err"
    for c in run step validate tables decide; do
        grep -q "^   $c\$" "$TMP/man.txt" && ok || ko "man page renders without a section for $c"
        # every option of `ecsim $c --help` is in the rendered page
        "$BIN" "$c" --help | sed -n '/^options:/,$p' | grep -o -- '--[a-z-]*' | sort -u | while read -r opt; do
            grep -q -- "$opt" "$TMP/man.txt" || echo "$c $opt"
        done >"$TMP/missing"
        [ ! -s "$TMP/missing" ] && ok || ko "man page lacks $(cat "$TMP/missing")"
    done
else
    ko "man not installed (make deps installs man-db)"
fi
# completion, called as bash would with COMP_WORDS / COMP_CWORD
if command -v bash >/dev/null 2>&1; then
    complete_words() {
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ecsim; printf "%s\n" "${COMPREPLY[@]}"' \
            sh "$TMP/ecsim.bash" "$@" 2>&1
    }
    [ "$(complete_words ecsim va)" = validate ] && ok || ko "completion: commands"
    complete_words ecsim run --n | grep -qx -- --no-plots && ok || ko "completion: options of run"
    complete_words ecsim step --n | grep -q . && ko "completion: step offers run's options" || ok
    [ "$(complete_words ecsim validate -f j)" = json ] && ok || ko "completion: validate formats"
    [ "$(complete_words ecsim run --format text,l)" = text,latex ] && ok || ko "completion: format lists"
    complete_words ecsim run x.yaml --set autoscaler.targ | grep -qx 'autoscaler.target=' && ok || ko "completion: --set field paths"
    complete_words ecsim run x.yaml --set load.profile | grep -qx 'load.profile\[0\].rps=' && ok || ko "completion: --set list fields"
    complete_words ecsim run scenarios/quicks | grep -qx scenarios/quickstart.yaml && ok || ko "completion: scenario files"
fi

# make install into a DESTDIR under the build folder; the installed binary
# finds its own data; make uninstall removes every file
DEST=$(cd "$BUILDDIR" && pwd)/it-install
rm -rf "$DEST"
if ${MAKE:-make} -s --no-print-directory install BUILD="$BUILDDIR" DESTDIR="$DEST" PREFIX=/usr >"$TMP/out" 2>"$TMP/err"; then
    ok
    for f in usr/bin/ecsim usr/share/man/man1/ecsim.1 usr/share/bash-completion/completions/ecsim \
             usr/share/ecsim/plots/demand_capacity.gp usr/share/ecsim/scenarios/quickstart.yaml \
             usr/share/ecsim/scenarios/traces/day.csv; do
        [ -f "$DEST/$f" ] && ok || ko "make install: no $f"
    done
    [ "$("$DEST/usr/bin/ecsim" --data-dir)" = "$DEST/usr/share/ecsim" ] && ok || ko "installed binary: --data-dir is not its share/ecsim"
    # a marker in the installed template shows the run used it (not ./plots, not the build's)
    echo "# installed template" >>"$DEST/usr/share/ecsim/plots/demand_capacity.gp"
    (cd "$TMP" && "$DEST/usr/bin/ecsim" run "$DEST/usr/share/ecsim/scenarios/quickstart.yaml" -o "$TMP/inst" -q) >/dev/null 2>"$TMP/err"
    grep -q "^# installed template" "$TMP/inst/quickstart/demand_capacity.gp" && ok || ko "installed binary did not use its installed plot template"
    if command -v man >/dev/null 2>&1; then
        man -l "$DEST/usr/share/man/man1/ecsim.1" 2>/dev/null | grep -q "ecsim validate" && ok || ko "man -l of the installed page"
    fi
    ${MAKE:-make} -s --no-print-directory uninstall BUILD="$BUILDDIR" DESTDIR="$DEST" PREFIX=/usr >/dev/null 2>&1
    left=$(find "$DEST" -type f | head -3)
    [ -z "$left" ] && ok || ko "make uninstall left $left"
else
    ko "make install DESTDIR=$DEST failed"; sed 's/^/  | /' "$TMP/err" | head -5
fi
rm -rf "$DEST"

# ==== issue 12 points 1-3 (branch report): report.html, the browser check, LaTeX ====
# report.html of every shipped scenario, with plots: well-formed XML (the
# page is polyglot HTML5), the structure, no URL; then headless Chromium
# opens them all (tests/browser/check_report.js: console, requests, DOM,
# screenshots at 1280x900 and 390x844 not blank). latex-doc compiles with
# pdflatex and its PDF holds the tables; the latex fragments of two runs go
# in one document without label clashes; html fragments are well-formed.
# The tools come from `make deps`; a missing one fails the check.
for tool in xmllint node pdflatex pdftotext; do
    command -v "$tool" >/dev/null 2>&1 && ok || ko "report checks: $tool not found (make deps installs it)"
done
REP="$TMP/report"
rm -rf "$REP"
for scen in scenarios/*.yaml; do
    name=$(basename "$scen" .yaml)
    if ! "$BIN" run "$scen" -o "$REP" -q -f text >/dev/null 2>"$TMP/err"; then
        ko "report $name: ecsim run failed"; sed 's/^/  | /' "$TMP/err" | head -3; continue
    fi
    page="$REP/$name/report.html"
    [ -f "$page" ] || { ko "report $name: no report.html"; continue; }
    xmllint --noout "$page" 2>"$TMP/err" && ok || { ko "report $name: not well-formed"; head -3 "$TMP/err"; }
    problems=""
    head -1 "$page" | grep -qx '<!DOCTYPE html>' || problems="$problems doctype"
    grep -q '^<html lang="en">$' "$page" || problems="$problems lang"
    grep -q '<meta charset="utf-8" />' "$page" || problems="$problems charset"
    grep -q '<meta name="viewport"' "$page" || problems="$problems viewport"
    [ "$(grep -c '<h1>' "$page")" = 1 ] || problems="$problems h1"
    grep -q '<table class="ecsim-execution">' "$page" || problems="$problems execution-table"
    grep -q '<table class="ecsim-status">' "$page" || problems="$problems status-table"
    if [ -f "$REP/$name/demand_capacity.svg" ]; then
        grep -q '^<svg width="[0-9.]*" height="[0-9.]*" viewBox="[0-9. ]*" role="img"' "$page" || problems="$problems svg"
        grep -q '<title id="plot-title">' "$page" || problems="$problems svg-title"
    else
        grep -q 'No chart: ' "$page" || problems="$problems no-chart-note"
    fi
    # no URL as a resource (event log text may quote one: a simulated ECR error)
    grep -Eqi "(href|src|action|xmlns(:[a-z]+)?)=[\"']?https?:|url\\([\"']?https?:" "$page" && problems="$problems url"
    grep -qi '<script\|<link\|<img\|<iframe' "$page" && problems="$problems external"
    grep -q '<h2 id="scenario">' "$page" && grep -q "^name: $name\$" "$page" || problems="$problems scenario-yaml"
    [ -z "$problems" ] && ok || ko "report $name:$problems"
done
# the same run gives the same page (with --no-plots: no gnuplot bytes)
"$BIN" run scenarios/policy-hpa.yaml -o "$TMP/pa" -q --no-plots -f text >/dev/null 2>&1
"$BIN" run scenarios/policy-hpa.yaml -o "$TMP/pb" -q --no-plots -f text >/dev/null 2>&1
cmp -s "$TMP/pa/policy-hpa/report.html" "$TMP/pb/policy-hpa/report.html" && ok || ko "report.html is not deterministic"
grep -q 'No chart: plots were turned off' "$TMP/pa/policy-hpa/report.html" && ok || ko "report --no-plots: no sentence instead of the chart"
# gnuplot missing: the page says so
PATH=/nonexistent "$ABSBIN" run scenarios/quickstart.yaml -o "$TMP/nognu" -q -f text >/dev/null 2>&1
grep -q 'No chart: gnuplot did not produce the image' "$TMP/nognu/quickstart/report.html" && ok ||
    ko "report without gnuplot: no sentence instead of the chart"
# headless Chromium over every page (screenshots kept in build/report-shots)
SHOTS="$BUILDDIR/report-shots"
rm -rf "$SHOTS"
if node tests/browser/check_report.js --shots "$SHOTS" "$REP"/*/report.html "$TMP/pa/policy-hpa/report.html" \
        --no-plot-ok >"$TMP/browser" 2>&1; then
    ok
else
    ko "browser check of report.html"; grep -v '^ok ' "$TMP/browser" | head -20
fi
# ==== issue 11 points 1-2 (branch compare): ecsim compare ====
# compare-targets over 3 seeds, 2 workers: exit 0, every output, the page
# well-formed (polyglot HTML5, as report.html) with its structure and no
# URL, the browser check (--compare), the same tables with -j 1 (the runs
# do not depend on the workers), a second run resumes; two scenario files;
# bad usage exits 2 before anything runs.
CMP="$TMP/cmp"
rm -rf "$CMP"
"$BIN" compare scenarios/compare-targets.yaml --set autoscaler.target=50,70 --seeds 3 -j 2 -o "$CMP/a" \
    >"$TMP/out" 2>"$TMP/err" && ok || { ko "compare: exit $?"; sed 's/^/  | /' "$TMP/err" | head -5; }
for f in txt md csv json html dat gp png svg; do
    [ -s "$CMP/a/compare.$f" ] && ok || ko "compare: no compare.$f"
done
grep -q '^verdicts:$' "$TMP/out" && grep -q '^  - target 70 ' "$TMP/out" && ok || ko "compare: the console has no verdicts"
[ "$(head -1 "$TMP/out")" = "$(head -1 "$CMP/a/compare.txt")" ] && grep -q "^outputs in $CMP/a/: " "$TMP/out" && ok ||
    ko "compare: the console is not compare.txt and the outputs"
[ "$(ls "$CMP/a/runs" | grep -vx records | wc -l)" = 2 ] && [ -f "$CMP/a/runs/v2-autoscaler.target=70/seed-3/summary.json" ] &&
    [ "$(cat "$CMP/a/runs/records"/*.jsonl | wc -l)" = 6 ] && ok ||
    ko "compare: run folders $(ls "$CMP/a/runs")"
xmllint --noout "$CMP/a/compare.html" 2>"$TMP/err" && ok || { ko "compare.html: not well-formed"; head -3 "$TMP/err"; }
problems=""
page="$CMP/a/compare.html"
head -1 "$page" | grep -qx '<!DOCTYPE html>' || problems="$problems doctype"
grep -q '^<html lang="en">$' "$page" || problems="$problems lang"
grep -q '<meta charset="utf-8" />' "$page" || problems="$problems charset"
[ "$(grep -c '<h1>' "$page")" = 1 ] || problems="$problems h1"
grep -q '<table class="ecsim-compare">' "$page" || problems="$problems key-table"
grep -q '<ul class="verdicts">' "$page" || problems="$problems verdicts"
grep -q '^<svg width="[0-9.]*" height="[0-9.]*" viewBox="[0-9. ]*" role="img"' "$page" || problems="$problems svg"
grep -q '<title id="plot-title">' "$page" || problems="$problems svg-title"
grep -Eqi "(href|src|action|xmlns(:[a-z]+)?)=[\"']?https?:|url\\([\"']?https?:" "$page" && problems="$problems url"
grep -qi '<script\|<link\|<img\|<iframe' "$page" && problems="$problems external"
grep -q '^name: compare-targets$' "$page" || problems="$problems scenario-yaml"
[ -z "$problems" ] && ok || ko "compare.html:$problems"
if node tests/browser/check_report.js --compare --shots "$BUILDDIR/report-shots" "$page" >"$TMP/browser" 2>&1; then
    ok
else
    ko "browser check of compare.html"; grep -v '^ok ' "$TMP/browser" | head -20
fi
"$BIN" compare scenarios/compare-targets.yaml --set autoscaler.target=50,70 --seeds 3 -j 1 -o "$CMP/b" -q --no-plots \
    >/dev/null 2>&1 && ok || ko "compare -j 1: exit $?"
for f in csv json txt md; do
    sed 's/^\(.*"command".*\)$//' "$CMP/a/compare.$f" >"$TMP/ca"; sed 's/^\(.*"command".*\)$//' "$CMP/b/compare.$f" >"$TMP/cb"
    cmp -s "$TMP/ca" "$TMP/cb" && ok || ko "compare.$f differs between -j 2 and -j 1"
done
grep -q 'No chart: plots were turned off' "$CMP/b/compare.html" && [ ! -e "$CMP/b/compare.png" ] && ok ||
    ko "compare --no-plots: a plot or no sentence"
"$BIN" compare scenarios/compare-targets.yaml --set autoscaler.target=50,70 --seeds 3 -o "$CMP/b" --no-plots \
    >"$TMP/out" 2>"$TMP/err" && cmp -s "$CMP/a/compare.csv" "$CMP/b/compare.csv" && ok || ko "compare resumed: exit or tables"
# two files: the variants are named after them
sed 's/^  target: 50$/  target: 70/' scenarios/compare-targets.yaml >"$TMP/targets-70.yaml"
"$BIN" compare scenarios/compare-targets.yaml "$TMP/targets-70.yaml" --seeds 2 -o "$CMP/files" -q --no-plots \
    >/dev/null 2>"$TMP/err" && ok || { ko "compare A.yaml B.yaml: exit $?"; head -3 "$TMP/err"; }
grep -q '^scaling.actions,1,0,2,targets-70,' "$CMP/files/compare.csv" && ok || ko "compare A.yaml B.yaml: variant names"
# bad usage: exit 2, nothing run
expect_exit 2 "compare without variants" -- "$BIN" compare scenarios/compare-targets.yaml -o "$CMP/x"
grep -q 'nothing to compare' "$TMP/err" && ok || ko "compare without variants: message $(cat "$TMP/err")"
expect_exit 2 "compare with a key set twice" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,70 --set autoscaler.target=60 -o "$CMP/x"
grep -q 'is set twice' "$TMP/err" && ok || ko "compare --set twice: message $(cat "$TMP/err")"
expect_exit 2 "compare with a repeated value" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,50 -o "$CMP/x"
expect_exit 2 "compare with an invalid variant" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,abc -o "$CMP/x"
grep -q 'variant 2 (autoscaler.target=abc) is not valid' "$TMP/err" && ok || ko "compare invalid variant: message $(cat "$TMP/err")"
expect_exit 2 "compare with bad --seeds" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,70 --seeds 0 -o "$CMP/x"
expect_exit 2 "compare from standard input" -- "$BIN" compare - --set autoscaler.target=50,70 -o "$CMP/x"
expect_exit 3 "compare of a missing file" -- "$BIN" compare "$TMP/nonexistent.yaml" --set autoscaler.target=50,70 -o "$CMP/x"
[ ! -e "$CMP/x" ] && ok || ko "compare: bad usage left $CMP/x"
# --window: the scenario's window by name, or a span given on the command line;
# the key figures are then the window's (summary.json windows.NAME.*)
"$BIN" compare scenarios/compare-targets.yaml --set autoscaler.target=50,70 --seeds 3 --window spike \
    -o "$CMP/win" -q --no-plots >/dev/null 2>"$TMP/err" && ok || ko "compare --window spike: exit $?"
grep -q '"window": "spike"' "$CMP/win/compare.json" && ok || ko "compare --window spike: compare.json names the window"
grep -q '^windows.spike.capacity.unserved_requests,' "$CMP/win/compare.csv" && ok || ko "compare --window spike: window figures in compare.csv"
"$BIN" compare scenarios/compare-targets.yaml --set autoscaler.target=50,70 --seeds 3 --window late=1h..2h \
    -o "$CMP/win2" -q --no-plots >/dev/null 2>"$TMP/err" && ok || ko "compare --window late=1h..2h: exit $?"
grep -q '^windows.late.capacity.task_hours,' "$CMP/win2/compare.csv" && ok || ko "compare --window late=1h..2h: figures of the added window"
expect_exit 2 "compare --window of an unknown name" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,70 --seeds 3 --window nope -o "$CMP/x"
grep -q "has no window .nope." "$TMP/err" && ok || ko "compare --window nope: message $(cat "$TMP/err")"
# --fail-on on each variant's means: 4 when one holds, 0 when none, 2 for a figure no run has
expect_exit 4 "compare --fail-on that holds" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,70 --seeds 3 --no-plots -o "$CMP/a" --fail-on 'scaling.max_desired >= 2'
grep -q '^check failed: scaling.max_desired = ' "$TMP/err" && ok || ko "compare --fail-on: the failed check is printed"
expect_exit 0 "compare --fail-on that does not hold" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,70 --seeds 3 --no-plots -o "$CMP/a" --fail-on 'scaling.max_desired > 1000'
expect_exit 2 "compare --fail-on naming no figure" -- "$BIN" compare scenarios/compare-targets.yaml \
    --set autoscaler.target=50,70 --seeds 3 --no-plots -o "$CMP/a" --fail-on 'capacity.unserved > 0'
grep -q 'did you mean capacity.unserved_requests' "$TMP/err" && ok || ko "compare --fail-on unknown: suggestion"

# latex-doc: a complete document that pdflatex compiles, with the plot and the tables
TEXD="$TMP/tex"
mkdir -p "$TEXD"
for name in quickstart image-not-pushed latency-slo policy-hpa; do
    "$BIN" tables "scenarios/$name.yaml" --format latex-doc >"$TEXD/$name.tex" 2>"$TMP/err" || ko "tables --format latex-doc $name"
    cp "$REP/$name/demand_capacity.png" "$TEXD/" 2>/dev/null
    if (cd "$TEXD" && pdflatex -interaction=nonstopmode -halt-on-error "$name.tex" >/dev/null 2>&1); then
        pdftotext -layout "$TEXD/$name.pdf" "$TEXD/$name.txt" 2>/dev/null
        missing=""
        for want in "Key figures" "Execution table" "Status tracker" "After Step 5" "Unserved requests" \
                    "Demand and capacity over time"; do
            grep -q "$want" "$TEXD/$name.txt" || missing="$missing '$want'"
        done
        [ -z "$missing" ] && ok || ko "latex-doc $name: the PDF lacks$missing"
        grep -q 'Overfull \\hbox' "$TEXD/$name.log" && ko "latex-doc $name: a table is wider than the page" || ok
    else
        ko "latex-doc $name: pdflatex failed"; grep -A3 '^!' "$TEXD/$name.log" | head -8 | sed 's/^/  | /'
    fi
    rm -f "$TEXD/demand_capacity.png"
done
# latex fragments: the package comment; two runs in one document, no label clash
"$BIN" tables scenarios/quickstart.yaml --format latex --seed 1 >"$TEXD/f1.tex" 2>/dev/null
"$BIN" tables scenarios/quickstart.yaml --format latex --seed 2 >"$TEXD/f2.tex" 2>/dev/null
grep -q '^% requires \\usepackage{booktabs} and \\usepackage{tabularx}' "$TEXD/f1.tex" && ok || ko "latex fragment: no package comment"
printf '%s\n' '\documentclass{article}' '\usepackage{booktabs}' '\usepackage{tabularx}' '\begin{document}' \
    '\input{f1}' '\input{f2}' 'See tables \ref{tab:ecsim-quickstart-s1-status} and \ref{tab:ecsim-quickstart-s2-status}.' \
    '\end{document}' >"$TEXD/two.tex"
if (cd "$TEXD" && pdflatex -interaction=nonstopmode -halt-on-error two.tex >/dev/null 2>&1); then
    ok
    grep -q 'multiply defined' "$TEXD/two.log" && ko "latex fragments of two runs: labels clash" || ok
    grep -q 'Overfull \\hbox' "$TEXD/two.log" && ko "latex fragments: a table is wider than the page" || ok
else
    ko "latex fragments of two runs: pdflatex failed"; grep -A3 '^!' "$TEXD/two.log" | head -8 | sed 's/^/  | /'
fi
# html fragments are well-formed once wrapped in one element
for scen in seed-walkthrough image-not-pushed; do
    { echo '<div>'; "$BIN" tables "scenarios/$scen.yaml" --format html; echo '</div>'; } >"$TMP/frag.xml" 2>/dev/null
    xmllint --noout "$TMP/frag.xml" 2>"$TMP/err" && ok || { ko "html fragment $scen: not well-formed"; head -3 "$TMP/err"; }
done
# ==== end of the report block ====
# ---- quiz and glossary (issue 12, points 4 and 5) -------------------------------------
# `ecsim glossary`: the list, one term in any case, a near miss (exit 2 and a
# suggestion). `ecsim quiz`: 5 variants of the seed walkthrough in all five
# formats, from the file as shipped (image size and pull bandwidth varied)
# and from a copy with a quiz.vary block; -o and standard output agree and
# are deterministic; Moodle XML is well-formed (xmllint, libxml2-utils in
# make deps); the LaTeX compiles when pdflatex is installed; usage errors.
expect_exit 0 "glossary" -- "$BIN" glossary
[ "$(wc -l <"$TMP/out")" -ge 60 ] && ok || ko "glossary lists fewer than 60 terms"
expect_exit 0 "glossary eni" -- "$BIN" glossary eni
grep -q "^ENI: " "$TMP/out" && ok || ko "glossary eni prints ENI"
expect_exit 0 "glossary 'Circuit Breakers'" -- "$BIN" glossary "Circuit Breakers"
grep -q "^circuit breaker: " "$TMP/out" && ok || ko "glossary finds a plural in another case"
expect_exit 2 "glossary near miss" -- "$BIN" glossary stopcod
grep -q 'did you mean `stopCode`' "$TMP/err" && ok || ko "glossary suggests stopCode"
expect_exit 0 "glossary --help" -- "$BIN" glossary --help
expect_exit 0 "quiz --help" -- "$BIN" quiz --help
grep -q "^usage: ecsim quiz" "$TMP/out" && ok || ko "quiz --help shows its usage"
cp scenarios/seed-walkthrough.yaml "$TMP/quiz-seed.yaml"
printf 'quiz:\n  vary: {image.size_mb: [100, 500], registry.pull_mb_per_s: [10, 50]}\n' >>"$TMP/quiz-seed.yaml"
expect_exit 0 "validate a scenario with quiz.vary" -- "$BIN" validate "$TMP/quiz-seed.yaml"
for scen in scenarios/seed-walkthrough.yaml "$TMP/quiz-seed.yaml"; do
    for f in md latex gift moodle-xml json; do
        rm -f "$TMP/quiz.$f"
        expect_exit 0 "quiz $scen -f $f" -- "$BIN" quiz "$scen" --variants 5 --format "$f" --answers -o "$TMP/quiz.$f"
        "$BIN" quiz "$scen" --variants 5 -f "$f" --answers >"$TMP/quiz2.$f" 2>/dev/null
        cmp -s "$TMP/quiz.$f" "$TMP/quiz2.$f" && ok || ko "quiz $scen -f $f: -o and standard output differ"
    done
    [ "$(grep -c '^## Variant' "$TMP/quiz.md")" -eq 5 ] && ok || ko "quiz md: not 5 variants"
    [ "$(grep '^Values: ' "$TMP/quiz.md" | sort -u | wc -l)" -eq 5 ] && ok || ko "quiz md: variants share their values"
    [ "$(grep -c '^### Question' "$TMP/quiz.md")" -eq "$(grep -c '^::' "$TMP/quiz.gift")" ] && ok || ko "quiz: md and gift differ in questions"
    [ "$(grep -c '^::' "$TMP/quiz.gift")" -eq "$(grep -c '<question type="\(multichoice\|numerical\)">' "$TMP/quiz.moodle-xml")" ] && ok || ko "quiz: gift and moodle-xml differ in questions"
    grep -q '"variant": 5,' "$TMP/quiz.json" && ok || ko "quiz json: 5 variants"
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --noout "$TMP/quiz.moodle-xml" 2>"$TMP/err" && ok || { ko "quiz moodle-xml is not well-formed"; sed 's/^/  | /' "$TMP/err" | head -5; }
    else
        ko "xmllint not installed (make deps installs libxml2-utils)"
    fi
    if command -v pdflatex >/dev/null 2>&1; then
        (cd "$TMP" && pdflatex -interaction=nonstopmode -halt-on-error quiz.latex) >"$TMP/tex.out" 2>&1 && ok ||
            { ko "quiz latex does not compile"; grep '^!' "$TMP/tex.out" | head -5 | sed 's/^/  | /'; }
    else
        ko "pdflatex not installed (make deps installs texlive-latex-base)"
    fi
done
# without --answers: no key in Markdown; GIFT keeps the answers but not the explanations
"$BIN" quiz scenarios/seed-walkthrough.yaml >"$TMP/q.md" 2>"$TMP/err"
if grep -q '\*\*Answer' "$TMP/q.md"; then ko "quiz without --answers prints the key"; else ok; fi
"$BIN" quiz scenarios/seed-walkthrough.yaml -f gift >"$TMP/q.gift" 2>"$TMP/err"
if grep -q '^####' "$TMP/q.gift"; then ko "quiz gift without --answers has explanations"; else ok; fi
# a scenario on standard input gives the same quiz (JSON names no file)
"$BIN" quiz - -f json --variants 2 <scenarios/seed-walkthrough.yaml >"$TMP/q1.json" 2>"$TMP/err"
"$BIN" quiz scenarios/seed-walkthrough.yaml -f json --variants 2 >"$TMP/q2.json" 2>"$TMP/err"
cmp -s "$TMP/q1.json" "$TMP/q2.json" && ok || ko "quiz - <seed-walkthrough differs from the file's"
expect_exit 2 "quiz --variants 0" -- "$BIN" quiz scenarios/seed-walkthrough.yaml --variants 0
expect_exit 2 "quiz --format pdf" -- "$BIN" quiz scenarios/seed-walkthrough.yaml -f pdf
expect_exit 3 "quiz missing file" -- "$BIN" quiz tests/no-such-file.yaml
expect_exit 2 "quiz without a file" -- "$BIN" quiz
printf 'name: x\nquiz: {vary: {image.size_mb: [500, 100]}}\n' >"$TMP/badvary.yaml"
expect_exit 2 "quiz.vary with min > max" -- "$BIN" validate "$TMP/badvary.yaml"
grep -q "quiz.vary.image.size_mb: min (500) is greater than max (100)" "$TMP/err" && ok || ko "quiz.vary min > max message"
# ---- end of the quiz and glossary block -------------------------------------------------

# ---- a run folder is one run; signals, full disks, bad output paths -------------------
# (issue 9 point 14, issue 10 point 7) The run is written into a stage folder
# beside the target that replaces it at the end.
rm -rf "$TMP/one"
"$BIN" run scenarios/quickstart.yaml -o "$TMP/one" -q --no-plots -f text,html >/dev/null 2>&1
"$BIN" run scenarios/quickstart.yaml -o "$TMP/one" -q --no-plots -f json >/dev/null 2>&1
[ ! -e "$TMP/one/quickstart/execution.html" ] && [ ! -e "$TMP/one/quickstart/execution.txt" ] &&
    [ -f "$TMP/one/quickstart/execution.json" ] && ok || ko "a re-run left the previous run's files beside the new ones"
[ -z "$(ls -A "$TMP/one" | grep -v '^quickstart$')" ] && ok || ko "stage folders left in the output root: $(ls -A "$TMP/one")"
# two runs into the same folder at once end with one complete run, never a mix
rm -rf "$TMP/ref1" "$TMP/ref2" "$TMP/race"
"$BIN" run scenarios/quickstart.yaml -o "$TMP/ref1" -q --no-plots -s 1 >/dev/null 2>&1
"$BIN" run scenarios/quickstart.yaml -o "$TMP/ref2" -q --no-plots -s 2 >/dev/null 2>&1
for i in 1 2 3; do
    "$BIN" run scenarios/quickstart.yaml -o "$TMP/race" -q --no-plots -s 1 >/dev/null 2>&1 &
    p1=$!
    "$BIN" run scenarios/quickstart.yaml -o "$TMP/race" -q --no-plots -s 2 >/dev/null 2>&1 &
    p2=$!
    wait $p1; wait $p2
    if diff -r "$TMP/race/quickstart" "$TMP/ref1/quickstart" >/dev/null 2>&1 ||
       diff -r "$TMP/race/quickstart" "$TMP/ref2/quickstart" >/dev/null 2>&1; then ok; else ko "concurrent runs mixed two runs in one folder"; fi
done
[ -z "$(ls -A "$TMP/race" | grep -v '^quickstart$')" ] && ok || ko "stage folders left after concurrent runs"
# standard output that cannot be written: exit 3 with the plain reason
"$BIN" tables scenarios/quickstart.yaml >/dev/full 2>"$TMP/err"; code=$?
[ "$code" -eq 3 ] && grep -q "cannot write to standard output: No space left on device" "$TMP/err" && ok ||
    ko "tables >/dev/full: exit $code, $(cat "$TMP/err")"
"$BIN" --help >/dev/full 2>"$TMP/err"; code=$?
[ "$code" -eq 3 ] && grep -q "No space left on device" "$TMP/err" && ok || ko "--help >/dev/full: exit $code"
# --out under a regular file
: >"$TMP/plainfile"
"$BIN" run scenarios/quickstart.yaml -o "$TMP/plainfile/sub" -q --no-plots >/dev/null 2>"$TMP/err"; code=$?
[ "$code" -eq 3 ] && grep -q "plainfile/sub/quickstart: error: cannot create the output folder: Not a directory" "$TMP/err" && ok ||
    ko "--out under a file: exit $code, $(cat "$TMP/err")"
# a full disk and a read-only folder: a small tmpfs (make test runs as root)
mkdir -p "$TMP/small"
if mount -t tmpfs -o size=1m tmpfs "$TMP/small" 2>"$TMP/err"; then
    "$BIN" run scenarios/quickstart.yaml -o "$TMP/small" -q --no-plots >/dev/null 2>&1 && ok || ko "run into a 1 MB tmpfs"
    cp -r "$TMP/small/quickstart" "$TMP/before"
    # fill the disk, then run again: exit 3, the reason, the previous
    # folder as it was, no stage folder left
    dd if=/dev/zero of="$TMP/small/filler" bs=1k count=2000 >/dev/null 2>&1
    "$BIN" run scenarios/quickstart.yaml -o "$TMP/small" -q --no-plots -s 9 >/dev/null 2>"$TMP/err"; code=$?
    [ "$code" -eq 3 ] && grep -q "No space left on device" "$TMP/err" && ok || ko "full disk: exit $code, $(cat "$TMP/err")"
    diff -r "$TMP/before" "$TMP/small/quickstart" >/dev/null && ok || ko "full disk: the previous run folder changed"
    [ -z "$(ls -A "$TMP/small" | grep -v -e '^quickstart$' -e '^filler$')" ] && ok || ko "full disk: left $(ls -A "$TMP/small")"
    rm -f "$TMP/small/filler"
    mount -o remount,ro "$TMP/small"
    "$BIN" run scenarios/quickstart.yaml -o "$TMP/small" -q --no-plots >/dev/null 2>"$TMP/err"; code=$?
    [ "$code" -eq 3 ] && grep -q "Read-only file system" "$TMP/err" && ok || ko "read-only --out: exit $code, $(cat "$TMP/err")"
    umount "$TMP/small"
else
    ko "cannot mount a tmpfs for the full-disk checks: $(cat "$TMP/err")"
fi
# SIGTERM and SIGINT while gnuplot runs: a stand-in gnuplot that never ends
# (deterministic: the signal is sent once it has started); ecsim stops it,
# removes its stage folder, leaves the previous folder and exits 143 / 130
mkdir -p "$TMP/fakebin"
printf '#!/bin/sh\necho $$ >"%s/fake.pid"\nexec sleep 60\n' "$TMP" >"$TMP/fakebin/gnuplot"
chmod +x "$TMP/fakebin/gnuplot"
for sig in TERM INT; do
    rm -rf "$TMP/sig" "$TMP/fake.pid"
    "$BIN" run scenarios/quickstart.yaml -o "$TMP/sig" -q --no-plots >/dev/null 2>&1
    cp -r "$TMP/sig/quickstart" "$TMP/sig-before"
    PATH="$TMP/fakebin:$PATH" "$ABSBIN" run scenarios/quickstart.yaml -o "$TMP/sig" -q -s 5 >/dev/null 2>"$TMP/err" &
    pid=$!
    n=0; while [ ! -s "$TMP/fake.pid" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
    kill -$sig $pid
    wait $pid; code=$?
    want=143; [ $sig = INT ] && want=130
    [ "$code" -eq $want ] && grep -q "interrupted by SIG$sig" "$TMP/err" && ok || ko "SIG$sig while plotting: exit $code, $(cat "$TMP/err")"
    sleep 0.2
    if [ -s "$TMP/fake.pid" ] && kill -0 "$(cat "$TMP/fake.pid")" 2>/dev/null; then
        ko "SIG$sig: gnuplot left running"; kill "$(cat "$TMP/fake.pid")" 2>/dev/null
    else ok; fi
    diff -r "$TMP/sig-before" "$TMP/sig/quickstart" >/dev/null && ok || ko "SIG$sig: the previous run folder changed"
    [ -z "$(ls -A "$TMP/sig" | grep -v '^quickstart$')" ] && ok || ko "SIG$sig: left $(ls -A "$TMP/sig")"
    rm -rf "$TMP/sig-before"
done
# gnuplot that fails: the run's other files are whole, so the folder is kept
# (script, data, report.html saying the plot is missing) and the run exits 3
printf '#!/bin/sh\necho "line 1: bad thing" >&2\nexit 1\n' >"$TMP/fakebin/gnuplot"
rm -rf "$TMP/gpfail"
PATH="$TMP/fakebin:$PATH" "$ABSBIN" run scenarios/quickstart.yaml -o "$TMP/gpfail" -q >/dev/null 2>"$TMP/err"; code=$?
[ "$code" -eq 3 ] && grep -q "plot not rendered" "$TMP/err" && ok || ko "failing gnuplot: exit $code, $(cat "$TMP/err")"
[ -f "$TMP/gpfail/quickstart/demand_capacity.gp" ] && [ -f "$TMP/gpfail/quickstart/report.html" ] &&
    [ -f "$TMP/gpfail/quickstart/summary.json" ] && [ ! -e "$TMP/gpfail/quickstart/demand_capacity.png" ] && ok ||
    ko "failing gnuplot: the run folder is not kept whole"
# ---- end of the run-folder block ---------------------------------------------------------

# ---- sweep and collect (issue 11): tests/integration_sweep.sh ---------------------------------
. tests/integration_sweep.sh

printf 'integration: %d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
