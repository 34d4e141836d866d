#!/usr/bin/env bash
# How each data stage's costs grow with the corpus (DESIGN.md's per-document budgets): every stage
# (ingest, dedup, dedup --paragraphs in a copy, tag, filter, tokenizer training, shard) run as one
# process on web-like corpora of each size (Benchmarks/web-corpus.sh), with the same options at
# every size. Per stage: seconds and microseconds per document, peak RSS, and after the stage the
# bytes per document of the store (hatchery.db with its -wal), the intermediates (dedup/, tasks/,
# tmp/), the document parts and the shards. Then each stage's time per document and peak RSS at
# the largest size against the smallest (DESIGN.md: within 1.25× and 1.3×). With RUNS > 1 every
# size is run that many times (fresh workspaces, sizes interleaved run by run, so a slow spell of
# the machine does not fall on one size) and the comparison uses the medians.
#   [RUNS=1] [DEDUP_MEMORY_BUDGET=32] Benchmarks/growth.sh [SIZES="50000 200000 800000"]
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${1:-"50000 200000 800000"}
runs=${RUNS:-1}
# Dedup's bucket entries are bounded by --memory-budget (the default, 256 MB, is more than a 50k
# corpus fills): the same budget at every size, small enough that every size reaches it.
dedup_budget=${DEDUP_MEMORY_BUDGET:-32}
if [ ! -d ../shared/corpora/tok-text ]; then echo "skip: ../shared/corpora/tok-text is not here"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Bytes of the files and folders given that exist.
bytes() { { du -s --block-size=1 "$@" 2>/dev/null || true; } | awk '{ s += $1 } END { print s + 0 }'; }
# Runs a stage, prints "seconds peak-KB" and leaves its output in $tmp/stage.log.
measure() { /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/stage.log" 2>&1 || { cat "$tmp/stage.log"; exit 1; }; cat "$tmp/time"; }
declare -A seconds rss
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for n in $sizes; do Benchmarks/web-corpus.sh "$n" "$tmp/in-$n"; done
echo "growth: sizes $sizes, $runs run(s), 2 threads per stage, dedup --memory-budget $dedup_budget, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf '%-17s %9s %9s %8s %9s %12s %12s %10s %10s\n' stage documents seconds "µs/doc" "peak MB" "store B/doc" \
  "interm. B/doc" "parts B/doc" "shards B/doc"
for run in $(seq 1 "$runs"); do
  for n in $sizes; do
    rm -rf "$tmp/ws" "$tmp/ws-paragraphs"
    "$hatchery" init "$tmp/ws" >/dev/null
    for stage in ingest dedup dedup-paragraphs tag filter tokenizer shard; do
      ws=$tmp/ws
      case $stage in
        ingest) command=(ingest -w "$ws" --source web --added 2026-01-01T00:00:00Z --part-bytes 8000000 --threads 2 "$tmp/in-$n") ;;
        dedup) command=(dedup -w "$ws" --threads 2 --memory-budget "$dedup_budget") ;;
        dedup-paragraphs)
          # Paragraph dedup in a copy of the ingested workspace: the pipeline goes on without it.
          rm -rf "$tmp/ws-paragraphs"; cp -a "$tmp/ws" "$tmp/ws-paragraphs"; ws=$tmp/ws-paragraphs
          command=(dedup -w "$ws" --threads 2 --paragraphs --memory-budget "$dedup_budget") ;;
        tag) command=(tag -w "$ws" --threads 2) ;;
        filter) command=(filter run -w "$ws" --threads 2) ;;
        tokenizer) command=(tokenizer train -w "$ws" --vocab-size 8192 --threads 2) ;;
        shard) command=(shard run -w "$ws" --threads 2 --tokens-per-shard 20000000) ;;
      esac
      read -r s kb < <(measure "$hatchery" "${command[@]}")
      seconds[$stage,$n]+="$s "; rss[$stage,$n]+="$kb "
      store=$(bytes "$ws/hatchery.db" "$ws/hatchery.db-wal")
      intermediates=$(bytes "$ws/dedup" "$ws/tasks" "$ws/tmp")
      printf '%-17s %9d %9.2f %8.1f %9.0f %12.0f %12.0f %10.0f %10.0f\n' "$stage" "$n" "$s" "$(echo "$s * 1000000 / $n" | bc -l)" \
        "$(echo "$kb / 1024" | bc -l)" "$(echo "$store / $n" | bc -l)" "$(echo "$intermediates / $n" | bc -l)" \
        "$(echo "$(bytes "$ws/docs") / $n" | bc -l)" "$(echo "$(bytes "$ws/shards") / $n" | bc -l)"
    done
  done
done
first=${sizes%% *}; last=${sizes##* }
echo "largest against smallest ($last vs $first documents): time per document, peak RSS (medians of $runs run(s))"
for stage in ingest dedup dedup-paragraphs tag filter tokenizer shard; do
  printf '  %-17s %5.2f× %5.2f×   (seconds %s| %s; peak KB %s| %s)\n' "$stage" \
    "$(echo "$(median ${seconds[$stage,$last]}) / $last / ($(median ${seconds[$stage,$first]}) / $first)" | bc -l)" \
    "$(echo "$(median ${rss[$stage,$last]}) / $(median ${rss[$stage,$first]})" | bc -l)" \
    "${seconds[$stage,$first]}" "${seconds[$stage,$last]}" "${rss[$stage,$first]}" "${rss[$stage,$last]}"
done
