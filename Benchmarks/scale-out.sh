#!/usr/bin/env bash
# The cost of splitting a stage into tasks (DESIGN.md's task/merge model), for the stages that
# split (ingest, dedup, tag, filter, tokenizer training, shard): each as one process and as N
# tasks run one after another, then its merge, on a synthetic web-like corpus (Benchmarks/web-corpus.sh:
# JSONL, documents of 4–40 sentences, 5% exact and 5% near copies, in 64 files). Reports the sum of the task times
# against the one-process time, and the merge time against the stage's: medians of RUNS runs,
# each in fresh workspaces.
#   [RUNS=3] Benchmarks/scale-out.sh [DOCUMENTS=200000] [TASKS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
documents=${1:-200000}
tasks=${2:-4}
runs=${RUNS:-3}
if [ ! -d ../shared/corpora/tok-text ]; then echo "skip: ../shared/corpora/tok-text is not here"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
Benchmarks/web-corpus.sh "$documents" "$tmp/in"
echo "corpus: $documents documents in 64 files, $(( $(cat "$tmp"/in/*.jsonl | wc -c) / 1000000 )) MB, $tasks tasks, $(nproc) cores, medians of $runs runs, $(date -u +%Y-%m-%d)"
seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc -l; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Parts of about 8 MB: a few files each, so every task has parts.
common=(--source web --added 2026-01-01T00:00:00Z --part-bytes 8000000 --threads 2 "$tmp/in")
stages=(ingest dedup tag "filter run" "tokenizer train" "shard run")
declare -A one_runs task_runs merge_runs
same=yes; same_tokenizer=yes; same_shards=yes; register=0

for run in $(seq 1 "$runs"); do
  rm -rf "$tmp/one" "$tmp/split"
  "$hatchery" init "$tmp/one" >/dev/null
  "$hatchery" init "$tmp/split" >/dev/null
  register=$(seconds "$hatchery" ingest -w "$tmp/split" --step register "${common[@]}")
  for stage in "${stages[@]}"; do
    extra=(--threads 2)
    [ "$stage" = "tokenizer train" ] && extra+=(--vocab-size 8192)
    [ "$stage" = "shard run" ] && extra+=(--tokens-per-shard 20000000)
    [ "$stage" = ingest ] && extra=("${common[@]}")
    one=$(seconds "$hatchery" $stage -w "$tmp/one" "${extra[@]}")
    total=0
    for task in $(seq 0 $((tasks - 1))); do
      if [ "$stage" = dedup ]; then
        t=$(seconds "$hatchery" dedup -w "$tmp/split" "${extra[@]}" --step signatures --task "$task" --tasks "$tasks")
      else
        t=$(seconds "$hatchery" $stage -w "$tmp/split" "${extra[@]}" --step task --task "$task" --tasks "$tasks")
      fi
      total=$(echo "$total + $t" | bc -l)
    done
    if [ "$stage" = "shard run" ]; then
      # Shard's write steps (each writes its shards from every task's tokens) are tasks too.
      for task in $(seq 0 $((tasks - 1))); do
        t=$(seconds "$hatchery" $stage -w "$tmp/split" "${extra[@]}" --step write --task "$task" --tasks "$tasks")
        total=$(echo "$total + $t" | bc -l)
      done
    fi
    if [ "$stage" = dedup ]; then
      # The cluster step is one process too; it is counted with the tasks.
      t=$(seconds "$hatchery" dedup -w "$tmp/split" "${extra[@]}" --step cluster --tasks "$tasks")
      total=$(echo "$total + $t" | bc -l)
    fi
    merge=$(seconds "$hatchery" $stage -w "$tmp/split" "${extra[@]}" --step merge --tasks "$tasks")
    one_runs[$stage]+="$one "; task_runs[$stage]+="$total "; merge_runs[$stage]+="$merge "
  done
  cmp -s <(cd "$tmp/one/docs/web" && cat part-*.jsonl.zst) <(cd "$tmp/split/docs/web" && cat part-*.jsonl.zst) || same=no
  cmp -s "$tmp/one/tokenizer/tokenizer.json" "$tmp/split/tokenizer/tokenizer.json" || same_tokenizer=no
  diff -r -q "$tmp/one/shards" "$tmp/split/shards" >/dev/null || same_shards=no
done

printf '%-9s %12s %12s %10s %8s %10s %12s\n' stage "one process" "tasks s" "merge s" "split s" "split/one" "merge share"
for stage in "${stages[@]}"; do
  one=$(median ${one_runs[$stage]}); task=$(median ${task_runs[$stage]}); merge=$(median ${merge_runs[$stage]})
  split=$(echo "$task + $merge" | bc -l)
  printf '%-9s %12.2f %12.2f %10.2f %8.2f %10.2f %11.1f%%\n' "${stage%% *}" "$one" "$task" "$merge" "$split" \
    "$(echo "$split / $one" | bc -l)" "$(echo "100 * $merge / $split" | bc -l)"
done
echo "all runs (one process | tasks | merge):"
for stage in "${stages[@]}"; do echo "  ${stage%% *}: ${one_runs[$stage]}| ${task_runs[$stage]}| ${merge_runs[$stage]}"; done
echo "register $(printf '%.3f' "$register") s; dedup's tasks are its signature tasks plus its cluster step (one process), shard's its tokenizing and write tasks"
echo "part files identical to one process: $same; tokenizer.json identical: $same_tokenizer; shards and manifest identical: $same_shards"
