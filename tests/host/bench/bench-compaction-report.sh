#!/bin/sh
# Turn the output of the bench-compaction guest program into the four-mode
# table and a PNG of fragmentation over time (baseline vs offload).
# Usage: tests/host/bench/bench-compaction-report.sh RESULTS_KTAP OUTDIR
#   RESULTS_KTAP  build/runs/<timestamp>/results.ktap of a bench run
#   OUTDIR        gets table.txt, series-<mode>.dat, fragmentation.png
set -eu

usage() {
	echo "usage: $0 RESULTS_KTAP OUTDIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
ktap=$1
out=$2
[ -r "$ktap" ] || { echo "$0: cannot read $ktap" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "$0: gnuplot not installed (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$out"

# Nested KTAP indents the test's lines; strip that and the "# ".
sed -n 's/^[[:space:]]*# bench //p' "$ktap" >"$out/table.txt"
[ -s "$out/table.txt" ] || { echo "$0: no '# bench' lines in $ktap" >&2; exit 1; }
sed -n 's/^[[:space:]]*# result //p' "$ktap" >"$out/results.txt"

labels=$(sed -n 's/^[[:space:]]*# series \([^ ]*\) .*/\1/p' "$ktap" | sort -u)
[ -n "$labels" ] || { echo "$0: no '# series' lines in $ktap" >&2; exit 1; }
# Plot the kcompactd runs if present, else every run with a series.
plot=$(echo "$labels" | grep kcompactd || echo "$labels")

for l in $labels; do
	# t_ms frag_permille migrated -> seconds, percent, pages
	sed -n "s/^[[:space:]]*# series $l //p" "$ktap" |
		awk '{ printf "%.3f %.1f %d\n", $1 / 1000, $2 / 10, $3 }' \
		>"$out/series-$l.dat"
done

cmd="set terminal pngcairo size 900,540 noenhanced
set output '$out/fragmentation.png'
set title 'Fragmentation of the compacted node over time (free memory not in 2 MiB blocks)'
set xlabel 'time since the fragmenter finished (s)'
set ylabel 'fragmentation score (%)'
set yrange [0:105]
set y2label 'pages migrated'
set y2tics
set ytics nomirror
set key outside bottom center horizontal
plot"
sep=""
for l in $plot; do
	cmd="$cmd$sep '$out/series-$l.dat' using 1:2 with lines lw 2 title '$l score', '$out/series-$l.dat' using 1:3 axes x1y2 with lines dt 2 title '$l migrated'"
	sep=","
done
echo "$cmd" | gnuplot
echo "table: $out/table.txt"
cat "$out/table.txt"
echo "plot: $out/fragmentation.png"
