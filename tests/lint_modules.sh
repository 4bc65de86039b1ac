#!/bin/sh
# `make lint`, part 2: the module graph of sim/ (STYLE.md rules 1-2, 18;
# DESIGN.md "Architecture": data flows one way).
#
# A module is a file stem inside one layer folder, sim/LAYER/STEM.{c,h}; its
# public header, if any, is include/ecsim/STEM.h. Layers are ordered
#
#     core < input < policy < model < report < cli
#
# and every `#include "..."` is an edge from the including file's module to
# the header's module. Three rules fail the lint:
#   1. an include cycle between modules (A includes B's header and, through
#      any chain, B includes A's);
#   2. a layer including a header of a higher layer (the model may use the
#      engine, a report may read the model, never the other way round);
#   3. a private header (sim/LAYER/NAME_internal.h or NAME_int.h) included
#      by a file outside its own module.
# Public headers without a .c of the same stem are mapped to the layer that
# owns their types (HEADER_LAYER below). Prints one line per violation and
# exits 1 if there is any.
set -u
cd "$(dirname "$0")/.." || exit 2

LAYERS="core input policy model report cli"
# include/ecsim headers that have no sim/*/STEM.c of their own.
HEADER_LAYER="scenario:input ecsim:cli report:report"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ecsim-lint.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# stem -> layer for every module under sim/.
: >"$tmp/modules"
for layer in $LAYERS; do
    for f in sim/"$layer"/*.c sim/"$layer"/*.h; do
        [ -f "$f" ] || continue
        stem=$(basename "$f"); stem=${stem%.*}
        printf '%s %s\n' "$stem" "$layer" >>"$tmp/modules"
    done
done
for pair in $HEADER_LAYER; do
    printf '%s %s\n' "${pair%%:*}" "${pair#*:}" >>"$tmp/modules"
done
sort -u "$tmp/modules" -o "$tmp/modules"

# Edges: FILE INCLUDED (quoted includes only; system headers are not modules).
: >"$tmp/edges"
for f in sim/*/*.c sim/*/*.h include/ecsim/*.h; do
    [ -f "$f" ] || continue
    sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
        while read -r inc; do printf '%s %s\n' "$f" "$inc"; done >>"$tmp/edges"
done

awk -v layers="$LAYERS" '
    FNR == NR { layer_of[$1] = $2; next }
    function stem(path,   s) { s = path; sub(/.*\//, "", s); sub(/\.[ch]$/, "", s); return s }
    function module(path,   s) {
        s = stem(path)
        sub(/_(internal|int)$/, "", s)
        return s
    }
    function file_layer(path,   p) {
        if (path ~ /^sim\//) { p = path; sub(/^sim\//, "", p); sub(/\/.*/, "", p); return p }
        return layer_of[module(path)]
    }
    BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) rank[L[i]] = i }
    {
        file = $1; inc = $2
        from = module(file); from_layer = file_layer(file)
        # Resolve the included header: "ecsim/X.h" is public; "LAYER/X.h" is
        # relative to sim/; a bare "X.h" sits beside the including file.
        if (inc ~ /^ecsim\//) { target = "include/" inc }
        else if (inc ~ /\//) { target = "sim/" inc }
        else { target = file; sub(/[^\/]*$/, "", target); target = target inc }
        to = module(target); to_layer = file_layer(target)
        if (to_layer == "") { printf "%s: includes \"%s\", which belongs to no layer (add it to HEADER_LAYER)\n", file, inc; bad++; next }
        if (from_layer != "" && rank[to_layer] > rank[from_layer]) {
            printf "%s: layer %s includes \"%s\" of the higher layer %s\n", file, from_layer, inc, to_layer; bad++
        }
        if (target ~ /_(internal|int)\.h$/ && from != to) {
            printf "%s: includes \"%s\", a private header of module %s\n", file, inc, to; bad++
        }
        if (from != to && !((from, to) in edge)) { edge[from, to] = 1; adj[from] = adj[from] " " to }
    }
    # Depth-first search for a cycle; print each one found once.
    function dfs(u,   i, k, v, nb, path) {
        color[u] = 1; stack[++depth] = u
        k = split(adj[u], nb, " ")
        for (i = 1; i <= k; i++) {
            v = nb[i]
            if (color[v] == 1) {
                path = v
                for (j = depth; j >= 1 && stack[j] != v; j--) path = stack[j] " -> " path
                path = v " -> " path
                if (!(path in seen)) { seen[path] = 1; printf "include cycle: %s\n", path; bad++ }
            } else if (color[v] == 0) dfs(v)
        }
        depth--; color[u] = 2
    }
    END {
        for (u in adj) if (color[u] == 0) dfs(u)
        if (bad) { printf "lint_modules: %d violation(s)\n", bad; exit 1 }
        print "lint_modules: module graph ok (no cycle, layers in order, private headers private)"
    }
' "$tmp/modules" "$tmp/edges"
