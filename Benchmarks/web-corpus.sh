#!/usr/bin/env bash
# A synthetic web-like corpus for the scale benchmarks: N JSONL documents of 4–40 sentences drawn
# from ../shared/corpora/tok-text, every 20th an exact copy of an earlier one and every 20th a copy
# with one word changed, in 64 files (a part holds whole files, so one file would be one part).
# A fixed seed: the same corpus on every run.
#   Benchmarks/web-corpus.sh DOCUMENTS OUTPUT_FOLDER     (exit status 2: the corpora are not here)
set -euo pipefail
cd "$(dirname "$0")/.."
documents=$1
out=$2
text=../shared/corpora/tok-text
[ -d "$text" ] || exit 2
mkdir -p "$out"
sentences=$(mktemp)
trap 'rm -f "$sentences"' EXIT
find -L "$text" -type f -name '*.txt' | sort | head -20 | xargs cat | tr -s ' \n' ' ' | sed 's/\([.!?]\) /\1\n/g' \
  | tr -d '\\' | awk 'length($0) > 30 && length($0) < 300' >"$sentences"
awk -v n="$documents" -v seed=7 -v dir="$out" 'BEGIN { srand(seed) }
  { sentence[NR] = $0 }
  END {
    for (d = 0; d < n; d++) {
      if (d % 20 == 7 && d > 0) { text = doc[int(rand() * d)] }
      else if (d % 20 == 13 && d > 0) { text = doc[int(rand() * d)]; sub(/ [a-z]+ /, " changed ", text) }
      else { k = 4 + int(rand() * 37); text = ""; for (i = 0; i < k; i++) text = text sentence[1 + int(rand() * NR)] " " }
      doc[d] = text
      gsub(/"/, "\\\"", text); gsub(/\t/, " ", text)
      file = sprintf("%s/corpus-%02d.jsonl", dir, d % 64)
      printf "{\"id\": \"d%d\", \"text\": \"%s\"}\n", d, text > file
    }
  }' "$sentences"
