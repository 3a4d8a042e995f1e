#!/bin/bash
# plot.sh: the windowed order counts of cell 10 (orders_counts: orders per
# 30 s window and customer) as a bar chart, one group of bars per window for
# the five customers with the most orders, to $OUT/orders-per-window.png.
# Needs gnuplot (Debian: apt-get install gnuplot-nox); without it, says so
# and exits 0.
. "$(dirname "$0")/lib.sh"

png=$OUT/orders-per-window.png
if ! command -v gnuplot > /dev/null; then
	echo "plot: gnuplot is not installed (apt-get install gnuplot-nox); no $png"
	exit 0
fi
[ "$(count orders_counts)" != - ] || { echo "plot: no orders_counts table: run cell 10 first" >&2; exit 1; }

# The top five customers over all windows (ties by id), and per window its
# total orders and each top customer's count (0 when none).
top=$(value "SELECT customer_id FROM orders_counts GROUP BY customer_id
             ORDER BY sum(CAST(count AS INTEGER)) DESC, customer_id LIMIT 5")
cols='' heads=''
for c in $top; do
	cols+=", coalesce(sum(CASE WHEN customer_id = '$c' THEN CAST(count AS INTEGER) END), 0)"
	heads+=" $c"
done
{
	echo "window total$heads"
	sqlite3 -batch -separator ' ' "$DB" \
		"SELECT substr(window_start, 12, 8), sum(CAST(count AS INTEGER))$cols
		 FROM orders_counts GROUP BY window_start ORDER BY window_start"
} > orders-per-window.dat

gnuplot <<GNUPLOT
set terminal pngcairo size 900,520 font "sans,11"
set output "$png"
set termoption noenhanced
set title "Orders per 30 s window: the top 5 customers\ninlet-window --window 30s --watermark 1m --group-by customer_id --output-mode update" font "sans,12"
set xlabel "window start (UTC, 2025-01-15) and, in brackets, all orders in the window" offset 0,-0.8
set bmargin 5.5
set ylabel "orders in the window"
set key top right title "customer" box opaque width 1.5
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set xtics nomirror
set ytics nomirror
set border 3
plot for [i=3:7] "orders-per-window.dat" using i:xticlabels(sprintf("%s\n(%d)", strcol(1), column(2))) title columnheader(i)
GNUPLOT
echo "plot: wrote $png"
