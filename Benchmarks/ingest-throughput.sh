#!/usr/bin/env bash
# Ingest throughput on plain text (release build): the median of several runs, each into a fresh
# workspace, over ../shared/corpora/text-books (or the folder given). Prints the stage's own
# figure (from its start to its last commit) and the whole command's wall-clock figure.
#   Benchmarks/ingest-throughput.sh [FOLDER] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/text-books/gutenberg}
runs=${2:-7}
if [ ! -d "$corpus" ]; then echo "skip: $corpus is not here"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bytes=$(find -L "$corpus" -type f ! -name '.*' -printf '%s\n' | awk '{s+=$1} END {print s}')
cat "$(find -L "$corpus" -type f | head -1)" >/dev/null  # page cache: every run reads from memory
find -L "$corpus" -type f -exec cat {} + >/dev/null
echo "corpus: $corpus ($bytes bytes), $runs runs, $(nproc) cores, $(date -u +%Y-%m-%d)"
for run in $(seq "$runs"); do
  rm -rf "$tmp/ws"
  "$hatchery" init "$tmp/ws" >/dev/null
  start=$(date +%s.%N)
  stage=$("$hatchery" ingest --workspace "$tmp/ws" --source bench "$corpus" | grep -o '[0-9.]* MB/s' | cut -d' ' -f1)
  end=$(date +%s.%N)
  wall=$(echo "$bytes / ($end - $start) / 1000000" | bc -l)
  printf 'run %d: stage %.1f MB/s, command %.1f MB/s\n' "$run" "$stage" "$wall"
  echo "$stage $wall" >>"$tmp/figures"
done
middle=$(( (runs + 1) / 2 ))
printf 'median: stage %.1f MB/s, command (wall clock, process start to exit) %.1f MB/s\n' \
  "$(sort -n -k1 "$tmp/figures" | sed -n "${middle}p" | cut -d' ' -f1)" \
  "$(sort -n -k2 "$tmp/figures" | sed -n "${middle}p" | cut -d' ' -f2)"
