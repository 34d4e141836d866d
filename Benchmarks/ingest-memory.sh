#!/usr/bin/env bash
# Peak memory of ingest as the input grows (release build, /usr/bin/time -v): ~100 MB and ~1 GB
# of plain text (the text-books corpus linked several times under distinct names), then one
# JSONL file of ~100 MB and of ~1 GB (Dolma lines made by ingesting the books). Flat peak
# memory means the stage streams.
#   Benchmarks/ingest-memory.sh [FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpora/text-books/gutenberg}
if [ ! -d "$corpus" ]; then echo "skip: $corpus is not here"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=$(cd "$corpus" && pwd)
bytes=$(find -L "$corpus" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')

measure() {  # label, then the ingest arguments
  local label=$1; shift
  rm -rf "$tmp/ws"
  "$hatchery" init "$tmp/ws" >/dev/null
  /usr/bin/time -v "$hatchery" ingest --workspace "$tmp/ws" --source bench "$@" >"$tmp/out" 2>"$tmp/time"
  printf '%-28s peak RSS %6d MB, %s\n' "$label" $(( $(grep 'Maximum resident' "$tmp/time" | awk '{print $6}') / 1024 )) \
    "$(grep -o '[0-9]* documents.*MB/s' "$tmp/out")"
}

for target in 100000000 1000000000; do
  copies=$(( (target + bytes - 1) / bytes ))
  dir="$tmp/text-$target"
  for copy in $(seq "$copies"); do mkdir -p "$dir/copy-$copy" && ln -s "$corpus"/* "$dir/copy-$copy/"; done
  measure "text, $copies x corpus" "$dir"
  rm -rf "$dir"
done

"$hatchery" init "$tmp/lines" >/dev/null
"$hatchery" ingest --workspace "$tmp/lines" --source lines "$corpus" >/dev/null
zstd -qdc "$tmp"/lines/docs/lines/part-*.jsonl.zst >"$tmp/one.jsonl"
one=$(stat -c %s "$tmp/one.jsonl")
for target in 100000000 1000000000; do
  copies=$(( (target + one - 1) / one ))
  for copy in $(seq "$copies"); do cat "$tmp/one.jsonl"; done >"$tmp/big.jsonl"
  measure "one JSONL file, $(( $(stat -c %s "$tmp/big.jsonl") / 1000000 )) MB" "$tmp/big.jsonl"
  rm -f "$tmp/big.jsonl"
done
