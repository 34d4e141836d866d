#!/usr/bin/env bash
# Filter stage throughput (release build): the whole `hatchery filter` stage (reading the parts,
# the rules, decisions in the store) over ../shared/corpora/text-books and tok-text (cut into
# documents of at most 16 KB), median of RUNS runs, in three set-ups: the default (quality rules),
# with a language filter (keep English), and with the language filter and PII redaction (which
# writes a redacted version of every part).
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
printf 'languages: [en]\n' >"$tmp/languages.yaml"
printf 'languages: [en]\npii: {allow: [gnu.org]}\n' >"$tmp/everything.yaml"
for setup in default languages everything; do
  config=()
  [ "$setup" = default ] || config=(--config "$tmp/$setup.yaml")
  rm -f "$tmp/rates"
  for run in $(seq "$runs"); do
    "$hatchery" filter -w "$tmp/ws" "${config[@]}" --force >"$tmp/out"
    head -1 "$tmp/out" | grep -o '[0-9.]* MB/s' | cut -d' ' -f1 >>"$tmp/rates"
  done
  echo "$setup: median $(sort -n "$tmp/rates" | sed -n "$(( (runs + 1) / 2 ))p") MB/s over $runs runs; $(head -1 "$tmp/out")"
  sed -n '2,$p' "$tmp/out"
done
