#!/usr/bin/env bash
# Extraction time per text node as one HTML page grows from 10k to 1M paragraphs (release
# build, median of 3 runs each). Flat time per node means extraction is linear in the page;
# it once grew with the page (a buffer grown to exactly each node's need: 1M <p> took 326 s).
#   Benchmarks/html-scaling.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-12s %10s %12s %14s\n' paragraphs "page MB" "median s" "µs per node"
for nodes in 10000 40000 160000 1000000; do
  page="$tmp/page-$nodes.html"
  { echo '<html><head><title>scaling</title></head><body><article>'
    awk -v n="$nodes" 'BEGIN { for (i = 0; i < n; i++) printf "<p>Paragraph %d says a few plain words about nothing in particular.</p>\n", i }'
    echo '</article></body></html>'; } >"$page"
  times=()
  for run in 1 2 3; do
    # --timing reports the extraction alone (the page is read into memory first).
    times+=("$("$hatchery" extract --timing --format html "$page" 2>&1 >/dev/null | sed -n 's/.* in \([0-9.]*\) s:.*/\1/p')")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 2p)
  printf '%-12s %10.1f %12.3f %14.2f\n' "$nodes" "$(echo "$(stat -c %s "$page") / 1000000" | bc -l)" "$median" \
    "$(echo "$median * 1000000 / $nodes" | bc -l)"
done
