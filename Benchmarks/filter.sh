#!/usr/bin/env bash
# Filter stage throughput (release build): the whole `hatchery filter` stage (reading the parts,
# the Gopher, C4 and FineWeb rules, decisions in the store) over ../shared/corpora/text-books and
# tok-text (cut into documents of at most 16 KB), median of RUNS runs.
#   Benchmarks/filter.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
books=../shared/corpora/text-books/gutenberg
docs=../shared/corpora/tok-text/train.txt
for input in "$books" "$docs"; do
  if [ ! -e "$input" ]; then echo "skip: $input is not here"; exit 0; fi
done
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$hatchery" init "$tmp/ws" >/dev/null
"$hatchery" ingest -w "$tmp/ws" --source books "$books" >/dev/null
"$hatchery" ingest -w "$tmp/ws" --source docs --format text --max-document-bytes 16384 "$docs" >/dev/null
echo "$(date -u +%Y-%m-%d), $(nproc) cores"
for run in $(seq "$runs"); do
  "$hatchery" filter -w "$tmp/ws" --force >"$tmp/out"
  line=$(head -1 "$tmp/out")
  echo "run $run: $line"
  echo "$line" | grep -o '[0-9.]* MB/s' | cut -d' ' -f1 >>"$tmp/rates"
done
echo "median: $(sort -n "$tmp/rates" | sed -n "$(( (runs + 1) / 2 ))p") MB/s"
tail -1 "$tmp/out"
