#!/bin/sh
# Render the bench-migrate result of a guest run: the table as printed in
# the guest, the numbers as a data file, and a PNG bar chart (gnuplot).
# Usage: tests/host/bench-migrate-plot.sh RESULTS_KTAP OUTDIR
# Writes OUTDIR/table.txt, OUTDIR/bench-migrate.dat, OUTDIR/bench-migrate.png.
set -eu
ktap=${1:?usage: $0 RESULTS_KTAP OUTDIR}
out=${2:?usage: $0 RESULTS_KTAP OUTDIR}
[ -f "$ktap" ] || { echo "bench-migrate: no $ktap" >&2; exit 1; }
mkdir -p "$out"

# KTAP diagnostics of the test, without the "# " (and any nesting indent).
sed -n 's/^[[:space:]]*# //p' "$ktap" > "$out/diag.txt"
grep '^bench-data ' "$out/diag.txt" > "$out/bench.raw" || {
	echo "bench-migrate: no bench-data lines in $ktap (did the test run?)" >&2
	exit 1
}
sed -n '/^move_pages(2) throughput/,+7p' "$out/diag.txt" > "$out/table.txt"

# One line per folio size, mean and sd per row; "-" where not measured.
awk '
{ row = $2; size = $3; mean[row, size] = $4; sd[row, size] = $5
  if (!(size in seen_s)) { seen_s[size] = 1; sizes[ns++] = size } }
END {
  nr = split("baseline dma1 dma2 dma4", rows, " ")
  printf "size"
  for (r = 1; r <= nr; r++) printf " %s sd", rows[r]
  printf "\n"
  for (s = 0; s < ns; s++) {
    printf "%s", sizes[s]
    for (r = 1; r <= nr; r++) {
      k = rows[r] SUBSEP sizes[s]
      if (k in mean) printf " %s %s", mean[k], sd[k]; else printf " - -"
    }
    printf "\n"
  }
}' "$out/bench.raw" > "$out/bench-migrate.dat"

gnuplot <<EOG
set terminal pngcairo size 960,540 font "sans,11"
set output "$out/bench-migrate.png"
set title "move_pages(2) node0->node1, 32 MiB: CPU copy vs DSA offload (emulated DSA, TCG guest)"
set ylabel "GB/s (mean ± sd)"
set xlabel "folio size"
set style data histograms
set key autotitle columnhead
set style histogram errorbars gap 2 lw 1
set style fill solid 0.8 border -1
set datafile missing "-"
set key top left noenhanced
set termoption noenhanced
set yrange [0:*]
set grid ytics
plot for [i=0:3] "$out/bench-migrate.dat" using (column(2+2*i)):(column(3+2*i)):xtic(1) \
	title word("baseline(CPU) DMA-1ch DMA-2ch DMA-4ch", i+1)
EOG
cat "$out/table.txt"
echo "bench-migrate: $out/bench-migrate.png"
