#!/usr/bin/env bash
# Main-content extraction on ../shared/corpora/html-extract (181 news and blog pages with
# human-annotated article text; scored by the benchmark's own evaluate.py: 4-gram shingle
# precision, recall, F1), one core (taskset -c 0), pages decompressed into memory first:
# `hatchery extract --timing` beside trafilatura 2.3.1 (defaults and favor_recall) and
# resiliparse 2.0.1 (main-content mode) in the same run. Pages/s are medians of RUNS runs (default 5).
# The Python peers go into HTML_VENV (default Benchmarks/.venv-html, ignored by git); without
# them (no PyPI) Hatchery's own figures are still printed.
#   Benchmarks/html-extract.sh            RUNS=3 PEERS=0 Benchmarks/html-extract.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${HTML_CORPUS:-../shared/corpora/html-extract}
if [ ! -f "$corpus/ground-truth.json" ]; then echo "skip: $corpus is missing"; exit 0; fi
swift build -c release --product hatchery >/dev/null
runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""

rates=()
for _ in $(seq "$runs"); do
  $pin .build/release/hatchery extract --jsonl --timing --rounds 3 "$corpus"/html/*.html.gz \
    >"$work/hatchery.jsonl" 2>"$work/timing"
  rates+=("$(sed -E 's/.*: ([0-9.]+) files\/s.*/\1/' "$work/timing")")
done
median=$(printf '%s\n' "${rates[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'hatchery     %s  %s pages/s (median of %s: %s)\n' \
  "$(python3 Benchmarks/html_extract_eval.py "$corpus" "$work/hatchery.jsonl")" "$median" "$runs" "${rates[*]}"

if [ "${PEERS:-1}" = 1 ]; then
  source Benchmarks/html-peers.sh || { echo "peers not installed (no PyPI?): skipped"; exit 0; }
  for peer in trafilatura trafilatura-recall resiliparse; do
    printf '%-12s %s\n' "$peer" "$($pin "$venv/bin/python" Benchmarks/html_extract_eval.py "$corpus" --peer "$peer" --runs "$runs")"
  done
fi
