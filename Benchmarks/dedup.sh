#!/usr/bin/env bash
# Dedup benchmark (release build) over ../shared/corpora/text-books and near-dup:
#   1. throughput of the whole dedup stage on whole books, median of 5 runs, side by side with
#      datasketch's MinHash + MinHashLSH on the same documents, shingles and permutations;
#   2. precision and recall of the reported pairs against exact Jaccard of every pair, with the
#      books cut into ~16 KB documents (a few thousand) at ingestion, with the default
#      --verify-threshold 0.75 and with 0 (no verification, FineWeb's rule).
# Python peers go into Benchmarks/.venv (ignored by git); the project itself never needs them.
#   Benchmarks/dedup.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
books=../shared/corpora/text-books/gutenberg
dups=../shared/corpora/near-dup/gutenberg-dups
for folder in "$books" "$dups"; do
  if [ ! -d "$folder" ]; then echo "skip: $folder is not here"; exit 0; fi
done
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
venv=Benchmarks/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q datasketch xxhash zstandard numpy scipy
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "$(date -u +%Y-%m-%d), $(nproc) cores, datasketch $("$venv/bin/pip" show datasketch | sed -n 's/^Version: //p')"

"$hatchery" init "$tmp/books" >/dev/null
"$hatchery" ingest -w "$tmp/books" --source books "$books" >/dev/null
"$hatchery" ingest -w "$tmp/books" --source dups "$dups" >/dev/null
for run in $(seq "$runs"); do
  line=$("$hatchery" dedup -w "$tmp/books" --force)
  echo "run $run: $line"
  echo "$line" | grep -o '[0-9.]* s,' | cut -d' ' -f1 >>"$tmp/seconds"
done
median=$(sort -n "$tmp/seconds" | sed -n "$(( (runs + 1) / 2 ))p")
"$venv/bin/python" Benchmarks/dedup_quality.py --workspace "$tmp/books" --datasketch --runs 3 --hatchery-seconds "$median"
"$venv/bin/python" Benchmarks/dedup_quality.py --workspace "$tmp/books" --quality

echo "--- books cut into documents of at most 16 KB"
"$hatchery" init "$tmp/pieces" >/dev/null
"$hatchery" ingest -w "$tmp/pieces" --source books --max-document-bytes 16384 "$books" >/dev/null
"$hatchery" ingest -w "$tmp/pieces" --source dups --max-document-bytes 16384 "$dups" >/dev/null
for verify in 0.75 0; do
  echo "--- dedup --verify-threshold $verify$([ "$verify" = 0.75 ] && echo ' (the default)')"
  "$hatchery" dedup -w "$tmp/pieces" --force --verify-threshold "$verify"
  "$venv/bin/python" Benchmarks/dedup_quality.py --workspace "$tmp/pieces" --quality
done
