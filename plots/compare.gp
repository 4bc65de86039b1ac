# ecsim: the overlay plot of `ecsim compare` (issue 11 point 2).
#
# This is the template ecsim fills in to write compare.gp next to the
# comparison's compare.dat. Run the filled-in script by itself, from the
# folder it is in, to re-render the plot:
#
#     gnuplot compare.gp     # writes compare.png and compare.svg
#
# ecsim replaces each NAME written between two at-signs once:
#   TITLE        plot title (a gnuplot single-quoted string: ' doubled)
#   DATAFILE     the data file, relative to the script's folder
#   DURATION     simulated duration in seconds (chooses s / min / h)
#   NVARIANTS    number of variants
#   NAMES        the variants' names, a gnuplot array initialiser ["a", "b"]
#   SHARED       1 if every variant saw the same demand (common random
#                numbers: one demand line), 0 to draw each variant's
#   RPSMAX       top of the requests-per-second axis
#   TASKSMAX     top of the task-count axis
#   NKEYS        number of key figures in the lower panel (0: no panel)
#   XTICS        the lower panel's x tics, a gnuplot tic list ("a" 0, "b" 1)
#   PCTMIN       the lower panel's y range, percent
#   PCTMAX
#   BASE         the baseline's name
#   SEED         the representative seed drawn in the upper panel
#   WIDTH        image size in pixels
#   HEIGHT
# ecsim renders into temporary files by setting png_out and svg_out with
# -e before this script runs, then renames them; by hand they default to
# the final names.
#
# Data file, index v for variant v + 1 (0-based index; one row per metric
# period of the representative seed's run, NaN = not set):
#   1 start_s  2 end_s  3 demand_rps  4 capacity_rps  5 running tasks
# A row holds over [start_s, end_s]; the curves are steps. A last row at
# the final end_s closes them.
# Index NVARIANTS (the key figures; one row per figure and variant after
# the baseline): the paired difference from the baseline over the seeds, in
# percent of the baseline's mean, with its 95 % interval:
#   1 x  2 variant (1-based)  3 difference_pct  4 lo_pct  5 hi_pct

plot_title = '@TITLE@'
datafile = '@DATAFILE@'
duration_s = @DURATION@
n_variants = @NVARIANTS@
array names[n_variants] = @NAMES@
shared_demand = @SHARED@
rps_max = @RPSMAX@
tasks_max = @TASKSMAX@
n_keys = @NKEYS@
pct_min = @PCTMIN@
pct_max = @PCTMAX@
base_name = '@BASE@'
seed = @SEED@
img_w = @WIDTH@
img_h = @HEIGHT@
if (!exists("png_out")) png_out = 'compare.png'
if (!exists("svg_out")) svg_out = 'compare.svg'

if (duration_s >= 7200) { x_div = 3600.0; x_unit = 'h' } else { if (duration_s >= 120) { x_div = 60.0; x_unit = 'min' } else { x_div = 1.0; x_unit = 's' } }
x_max = duration_s / x_div

# Okabe-Ito colours, one per variant (after eight they repeat).
array colours[8] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#999999']
colour(v) = colours[(v - 1) % 8 + 1]

set encoding utf8
set datafile missing NaN
set grid xtics ytics lc rgb '#DDDDDD' lw 1 dt 1

l_edge = 0.08
r_edge = 0.70
key_x = 0.775
top_t = 0.92
if (n_keys > 0) { top_b = 0.47; low_t = 0.36; low_b = 0.08 } else { top_b = 0.08 }

# The upper panel: demand once (or per variant when the demand differs),
# each variant's capacity (solid) and running tasks (dashed, right axis).
u = "using ($1/x_div):"
top_plot = "plot datafile index 0 " . u . "3 with steps lw 2.5 lc rgb '#000000' title (shared_demand ? 'demand (rps)' : sprintf('demand, %s', names[1]))"
do for [v = 1:n_variants] {
    if (!shared_demand && v > 1) { top_plot = top_plot . sprintf(", '' index %d %s3 with steps lw 1.5 dt 3 lc rgb '%s' title 'demand, %s'", v - 1, u, colour(v), names[v]) }
    top_plot = top_plot . sprintf(", '' index %d %s4 with steps lw 2 lc rgb '%s' title 'capacity (rps), %s'", v - 1, u, colour(v), names[v])
    top_plot = top_plot . sprintf(", '' index %d %s5 axes x1y2 with steps lw 1.5 dt 2 lc rgb '%s' title 'running tasks (right), %s'", v - 1, u, colour(v), names[v])
}
# The lower panel: one point per variant and figure, with its interval.
low_plot = sprintf("plot 0 with lines lw 1.5 lc rgb '#000000' title '%s (baseline)'", base_name)
do for [v = 2:n_variants] {
    low_plot = low_plot . sprintf(", datafile index %d using ($2 == %d ? $1 : NaN):3:4:5 with yerrorbars pt 7 ps 1.3 lw 1.5 lc rgb '%s' title '%s'", n_variants, v, colour(v), names[v])
}

if (!exists("first_pass")) first_pass = 1
do for [pass = first_pass:2] {
    if (pass == 1) {
        if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
            set terminal pngcairo size img_w, img_h font 'sans,11' noenhanced
        } else {
            set terminal png size img_w, img_h noenhanced
        }
        set output png_out
    } else {
        set terminal svg size img_w, img_h font 'sans,11' noenhanced background '#FFFFFF'
        set output svg_out
    }
    set multiplot title plot_title font ',14'
    set lmargin at screen l_edge
    set rmargin at screen r_edge

    set tmargin at screen top_t
    set bmargin at screen top_b
    set xrange [0:x_max]
    set xtics auto
    set format x '%g'
    set xlabel sprintf('time (%s), seed %d', x_unit, seed)
    set yrange [0:rps_max]
    set ylabel 'requests per second'
    set ytics auto nomirror
    set y2range [0:tasks_max]
    set y2label 'tasks'
    set y2tics auto
    set key at screen key_x, top_t left top Left reverse spacing 1.15 box lc rgb '#BBBBBB' font ',10'
    eval top_plot
    unset y2tics
    unset y2label

    if (n_keys > 0) {
        set tmargin at screen low_t
        set bmargin at screen low_b
        set xrange [-0.6:n_keys - 0.4]
        set xtics (@XTICS@) rotate by 20 right font ',10'
        unset xlabel
        set yrange [pct_min:pct_max]
        set ylabel sprintf('difference from %s (%%)', base_name)
        set ytics auto mirror
        set key at screen key_x, low_t left top Left reverse spacing 1.15 box lc rgb '#BBBBBB' font ',10'
        set label 1 'paired differences over the seeds, 95 % intervals' at graph 0.01, graph 1.06 left font ',10'
        eval low_plot
        unset label 1
        set xtics auto norotate
    }
    unset multiplot
    set output
}
