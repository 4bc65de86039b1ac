# ecsim: demand and capacity over time (DESIGN.md, "Outputs of ecsim run").
#
# This is the template ecsim fills in to write demand_capacity.gp next to
# the run's demand_capacity.dat. Run the filled-in script by itself, from
# the folder it is in, to re-render the plot:
#
#     gnuplot demand_capacity.gp     # writes demand_capacity.png and .svg
#
# ecsim replaces each NAME written between two at-signs (for example the
# title's) once, in this order of appearance:
#   TITLE       plot title (a gnuplot single-quoted string: ' doubled)
#   DATAFILE    the data file, relative to the script's folder
#   DURATION    simulated duration in seconds (chooses s / min / h)
#   NSCALEOUT   number of markers of each class in index 1 of the data
#   NSCALEIN    file: scale out, scale in, events (deployments...) and
#   NEVENTS     failures
#   NFAILURES
#   TARGET      the policy's CPU target in percent, or NaN for none
#   LATENCY     1 if the data has latency percentiles (third panel)
#   MEMORY      1 if the data has memory utilisation
#   PENDING     1 if any task was ever pending
#   RPSMAX      top of the requests-per-second axis
#   TASKSMAX    top of the task-count axis
#   LATMIN      latency axis range in ms (log scale)
#   LATMAX
#   SLO         the p99 latency SLO in ms (a line on the latency panel), or
#               NaN for none
#   WIDTH       image size in pixels
#   HEIGHT
# ecsim renders into temporary files by setting png_out and svg_out with
# -e before this script runs, then renames them; by hand they default to
# the final names.
#
# Data file, index 0 (timeline.csv's rows and columns, then start_s; NaN =
# not set):
#   1 time_s  2 demand_rps  3 capacity_rps  4 desired  5 running  6 pending
#   7 cpu_pct  8 served_rps  9 unserved_rps  10 p50_ms  11 p95_ms  12 p99_ms
#   13 cost_usd  14 memory_pct  15 target  16 start_s
# Each value is drawn where it belongs in time. A row is sampled at time_s,
# the end of its metric period [start_s, time_s]: the task counts are the
# counts at time_s, drawn as steps from time_s on (a count that changes
# shows at the first sample after the change, never before it); demand,
# capacity, CPU, memory and latency are over the period, drawn as steps
# from start_s to time_s; the shortfall is one box per period. A last row
# at the final time_s (start_s = time_s) closes the period steps.
# Data file, index 1 (markers):
#   1 time_s  2 class (1 scale out, 2 scale in, 3 event, 4 failure)
#   3 desired count the marker leaves  4 kind  5 "label"  6 show_label (0
#   when the label would overprint another one; the line is still drawn)
#   7 label_top: where the label starts, a fraction of the rps axis (labels
#   close together are staggered at different heights)
# Data file, index 2 (the desired count at each row's time and at the
# instant of each scale action):
#   1 time_s  2 desired
#
# Curves that coincide stay visible: solid curves are drawn wide to narrow
# (the running tasks as a wide pale band, capacity, then the thin demand
# line), so a line at the same height as another shows inside it, and the
# dashed desired count last, so what lies under it shows between its
# dashes. The key's title says so.

plot_title = 'flash-crowd''s test - policy: target_tracking'
datafile = 'demand_capacity.dat'
duration_s = 600
n_scale_out = 1
n_scale_in = 1
n_events = 1
n_failures = 1
target_pct = 60
has_latency = 0
has_memory = 0
has_pending = 1
rps_max = 500
tasks_max = 6
lat_min = 1
lat_max = 1000
slo_ms = NaN
img_w = 1200
img_h = 900
if (!exists("png_out")) png_out = 'demand_capacity.png'
if (!exists("svg_out")) svg_out = 'demand_capacity.svg'

# The x axis in hours for runs of two hours or more, minutes for runs of
# two minutes or more, seconds otherwise.
if (duration_s >= 7200) { x_div = 3600.0; x_unit = 'h' } else { if (duration_s >= 120) { x_div = 60.0; x_unit = 'min' } else { x_div = 1.0; x_unit = 's' } }
x_max = duration_s / x_div

# Colours: the Okabe-Ito palette, distinguishable with colour blindness.
c_demand = '#000000'
c_capacity = '#0072B2'
c_unserved = '#D55E00'
c_desired = '#E69F00'
c_running = '#9AD9C4'   # a pale band: lines drawn over it stay visible
c_pending = '#999999'
c_out = '#009E73'
c_in = '#CC79A7'
c_event = '#56B4E9'
c_failure = '#D55E00'
c_cpu = '#0072B2'
c_memory = '#CC79A7'
c_target = '#D55E00'

set encoding utf8
# Marker labels on a light, see-through white ground: readable where they
# cross a curve, which still shows through.
set style textbox opaque fillcolor '#50FFFFFF' margins 0.5, 0.5 noborder
set datafile missing NaN
set style fill transparent solid 0.25 noborder
set grid xtics ytics back lc rgb '#DDDDDD' lw 1 dt 1

# Panel layout in screen fractions: fixed left and right margins so that
# the panels share the x axis; legends sit right of the plots.
l_edge = 0.08
r_edge = 0.72
key_x = 0.785
if (has_latency) { top_b = 0.53; cpu_t = 0.50; cpu_b = 0.30; lat_t = 0.27; lat_b = 0.07 } else { top_b = 0.40; cpu_t = 0.36; cpu_b = 0.08 }
top_t = 0.92

# The plot commands, built once: curves with nothing to show are left out
# rather than drawn empty, so the legends list only what is on the plot.
# Marker labels longer than 30 characters are cut (the data file has them whole).
short_label(s) = strlen(s) > 30 ? s[1:29] . '...' : s
p = "index 0 using ($16/x_div)"
u = "index 0 using ($1/x_div)"
d = "index 2 using ($1/x_div)"
m = "index 1 using ($1/x_div)"
top_plot = "plot datafile index 0 using (($16 + $1) / 2 / x_div):3:($16/x_div):($1/x_div):3:($2 > $3 ? $2 : $3) with boxxyerror lc rgb c_unserved title 'unserved demand'" \
    . ", '' " . u . ":5 axes x1y2 with steps lw 9 lc rgb c_running title 'running tasks (right)'"
if (has_pending) top_plot = top_plot . ", '' " . u . ":6 axes x1y2 with steps lw 1.5 dt 3 lc rgb c_pending title 'pending tasks (right)'"
top_plot = top_plot . ", '' " . p . ":3 with steps lw 4 lc rgb c_capacity title 'capacity (rps)'" \
    . ", '' " . p . ":2 with steps lw 1.2 lc rgb c_demand title 'demand (rps)'" \
    . ", '' " . d . ":2 axes x1y2 with steps lw 2 dt 2 lc rgb c_desired title 'desired tasks (right)'"
if (n_events > 0) top_plot = top_plot . ", '' " . m . ":($2 == 3 ? rps_max : NaN) with impulses lw 1 dt 4 lc rgb c_event title 'deployment, event'"
if (n_failures > 0) top_plot = top_plot . ", '' " . m . ":($2 == 4 ? rps_max : NaN) with impulses lw 1.5 lc rgb c_failure title 'failure'"
if (n_events + n_failures > 0) top_plot = top_plot . ", '' " . m . ":($2 >= 3 && $6 > 0 ? $7 * rps_max : NaN):(short_label(strcol(5))) with labels boxed rotate by 90 right offset -1.0, 0 font ',9' tc rgb '#444444' notitle"
if (n_scale_out > 0) top_plot = top_plot . ", '' " . m . ":($2 == 1 ? $3 : NaN) axes x1y2 with points pt 9 ps 1.6 lc rgb c_out title '▲ scale out'"
if (n_scale_in > 0) top_plot = top_plot . ", '' " . m . ":($2 == 2 ? $3 : NaN) axes x1y2 with points pt 11 ps 1.6 lc rgb c_in title '▼ scale in'"
cpu_plot = "plot datafile " . p . ":7 with steps lw 2 lc rgb c_cpu title 'CPU (%)'"
if (has_memory) cpu_plot = cpu_plot . ", '' " . p . ":14 with steps lw 1.5 dt 2 lc rgb c_memory title 'memory (%)'"
if (target_pct == target_pct) cpu_plot = cpu_plot . sprintf(", %g with lines lw 1.5 dt 2 lc rgb c_target title 'target (%g %%)'", target_pct, target_pct)
lat_plot = "plot datafile " . p . ":($10 > 0 ? $10 : NaN) with steps lw 1.5 lc rgb '#009E73' title 'p50 (ms)'" \
    . ", '' " . p . ":($11 > 0 ? $11 : NaN) with steps lw 1.5 lc rgb '#E69F00' title 'p95 (ms)'" \
    . ", '' " . p . ":($12 > 0 ? $12 : NaN) with steps lw 1.5 lc rgb '#D55E00' title 'p99 (ms)'"
if (slo_ms == slo_ms) lat_plot = lat_plot . sprintf(", %g with lines lw 1.5 dt 2 lc rgb '#000000' title 'p99 SLO (%g ms)'", slo_ms, slo_ms)

# Two passes: the PNG (cairo if this gnuplot has it) and the SVG. Each pass
# starts from the same state (what a panel changes is reset first), so the
# SVG is the PNG: same ranges, same tics. first_pass = 2 renders the SVG
# alone (the tests compare it with the SVG rendered after the PNG).
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
    unset logscale y
    set ytics auto nomirror
    set y2tics auto
    unset y2label
    set format x ''
    unset xlabel
    set multiplot title plot_title font ',14'
    set lmargin at screen l_edge
    set rmargin at screen r_edge

    # Top panel: demand and capacity (rps), task counts on the right axis.
    set tmargin at screen top_t
    set bmargin at screen top_b
    set xrange [0:x_max]
    set format x ''
    unset xlabel
    set yrange [0:rps_max]
    set ylabel 'requests per second'
    set y2range [0:tasks_max]
    set y2label 'tasks'
    set ytics auto nomirror
    set y2tics
    set key at screen key_x, top_t left top Left reverse spacing 1.2 box lc rgb '#BBBBBB' title 'wide to narrow, dashes on top' font ',10'
    eval top_plot
    unset y2tics
    unset y2label

    # CPU panel: utilisation and the policy's target.
    set tmargin at screen cpu_t
    set bmargin at screen cpu_b
    if (has_latency) { set format x '' ; unset xlabel } else { set format x '%g'; set xlabel sprintf('time (%s)', x_unit) }
    set yrange [0:105]
    set ylabel 'utilisation (%)'
    set ytics 0, 20, 100 mirror
    set key at screen key_x, cpu_t left top Left reverse spacing 1.2 box lc rgb '#BBBBBB' title ''
    eval cpu_plot

    # Latency panel (requests mode only), log scale, with the SLO if any.
    if (has_latency) {
        set tmargin at screen lat_t
        set bmargin at screen lat_b
        set format x '%g'
        set xlabel sprintf('time (%s)', x_unit)
        set logscale y
        set yrange [lat_min:lat_max]
        set ytics auto
        set ylabel 'latency (ms, log scale)'
        set key at screen key_x, lat_t left top Left reverse spacing 1.2 box lc rgb '#BBBBBB' title ''
        eval lat_plot
        unset logscale y
    }
    unset multiplot
    set output
}
