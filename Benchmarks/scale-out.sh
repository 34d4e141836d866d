#!/usr/bin/env bash
# The cost of splitting a stage into tasks (DESIGN.md's task/merge model), for the stages that
# split (ingest, dedup, tag, filter, tokenizer training, shard): each as one process and as N
# tasks run one after another, then its merge, on a synthetic web-like corpus (JSONL, documents of 4–40 sentences drawn from
# ../shared/corpora/tok-text, 5% exact and 5% near copies, in 64 files). Reports the sum of the task times
# against the one-process time, and the merge time against the stage's.
#   Benchmarks/scale-out.sh [DOCUMENTS=200000] [TASKS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
documents=${1:-200000}
tasks=${2:-4}
text=../shared/corpora/tok-text
if [ ! -d "$text" ]; then echo "skip: $text is not here"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/in"
# Sentences from the corpus, then documents of 4–40 of them; every 20th a copy, every 20th a
# copy with one word changed (a fixed seed: the same corpus on every run).
find -L "$text" -type f -name '*.txt' | sort | head -20 | xargs cat | tr -s ' \n' ' ' | sed 's/\([.!?]\) /\1\n/g' \
  | tr -d '\\' | awk 'length($0) > 30 && length($0) < 300' >"$tmp/sentences"
# 64 files: a part holds whole files, so a single file would be a single part, all one task's work.
awk -v n="$documents" -v seed=7 'BEGIN { srand(seed) }
  { sentence[NR] = $0 }
  END {
    for (d = 0; d < n; d++) {
      if (d % 20 == 7 && d > 0) { text = doc[int(rand() * d)] }
      else if (d % 20 == 13 && d > 0) { text = doc[int(rand() * d)]; sub(/ [a-z]+ /, " changed ", text) }
      else { k = 4 + int(rand() * 37); text = ""; for (i = 0; i < k; i++) text = text sentence[1 + int(rand() * NR)] " " }
      doc[d] = text
      gsub(/"/, "\\\"", text); gsub(/\t/, " ", text)
      file = sprintf("%s/in/corpus-%02d.jsonl", dir, d % 64)
      printf "{\"id\": \"d%d\", \"text\": \"%s\"}\n", d, text > file
    }
  }' dir="$tmp" "$tmp/sentences"
echo "corpus: $documents documents in 64 files, $(( $(cat "$tmp"/in/*.jsonl | wc -c) / 1000000 )) MB, $tasks tasks, $(nproc) cores, $(date -u +%Y-%m-%d)"
seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc -l; }
# Parts of about 8 MB: a few files each, so every task has parts.
common=(--source web --added 2026-01-01T00:00:00Z --part-bytes 8000000 --threads 2 "$tmp/in")

"$hatchery" init "$tmp/one" >/dev/null
one_ingest=$(seconds "$hatchery" ingest -w "$tmp/one" "${common[@]}")
one_dedup=$(seconds "$hatchery" dedup -w "$tmp/one" --threads 2)

"$hatchery" init "$tmp/split" >/dev/null
register=$(seconds "$hatchery" ingest -w "$tmp/split" --step register "${common[@]}")
task_ingest=0
for task in $(seq 0 $((tasks - 1))); do
  t=$(seconds "$hatchery" ingest -w "$tmp/split" --step task --task "$task" --tasks "$tasks" "${common[@]}")
  task_ingest=$(echo "$task_ingest + $t" | bc -l)
done
merge_ingest=$(seconds "$hatchery" ingest -w "$tmp/split" --step merge --tasks "$tasks" "${common[@]}")
task_dedup=0
for task in $(seq 0 $((tasks - 1))); do
  t=$(seconds "$hatchery" dedup -w "$tmp/split" --step signatures --task "$task" --tasks "$tasks" --threads 2)
  task_dedup=$(echo "$task_dedup + $t" | bc -l)
done
cluster=$(seconds "$hatchery" dedup -w "$tmp/split" --step cluster --tasks "$tasks" --threads 2)
merge_dedup=$(seconds "$hatchery" dedup -w "$tmp/split" --step merge --tasks "$tasks" --threads 2)

same=yes
cmp -s <(cd "$tmp/one/docs/web" && cat part-*.jsonl.zst) <(cd "$tmp/split/docs/web" && cat part-*.jsonl.zst) || same=no
# tag, filter, tokenizer training and shard: the same workspaces, after dedup.
declare -A one_time task_time merge_time
later=(tag "filter run" "tokenizer train" "shard run")
for stage in "${later[@]}"; do
  extra=()
  [ "$stage" = "tokenizer train" ] && extra=(--vocab-size 8192)
  [ "$stage" = "shard run" ] && extra=(--tokens-per-shard 20000000)
  one_time[$stage]=$(seconds "$hatchery" $stage -w "$tmp/one" --threads 2 "${extra[@]}")
  total=0
  for task in $(seq 0 $((tasks - 1))); do
    t=$(seconds "$hatchery" $stage -w "$tmp/split" --threads 2 "${extra[@]}" --step task --task "$task" --tasks "$tasks")
    total=$(echo "$total + $t" | bc -l)
  done
  task_time[$stage]=$total
  merge_time[$stage]=$(seconds "$hatchery" $stage -w "$tmp/split" --threads 2 "${extra[@]}" --step merge --tasks "$tasks")
done
same_tokenizer=yes
cmp -s "$tmp/one/tokenizer/tokenizer.json" "$tmp/split/tokenizer/tokenizer.json" || same_tokenizer=no
same_shards=yes
diff -r -q "$tmp/one/shards" "$tmp/split/shards" >/dev/null || same_shards=no

split_ingest=$(echo "$task_ingest + $merge_ingest" | bc -l)
split_dedup=$(echo "$task_dedup + $cluster + $merge_dedup" | bc -l)
printf '%-8s %12s %12s %10s %8s %10s %12s\n' stage "one process" "tasks s" "merge s" "split s" "split/one" "merge share"
printf '%-8s %12.2f %12.2f %10.2f %8.2f %10.2f %11.1f%%\n' ingest "$one_ingest" "$task_ingest" "$merge_ingest" "$split_ingest" \
  "$(echo "$split_ingest / $one_ingest" | bc -l)" "$(echo "100 * $merge_ingest / $split_ingest" | bc -l)"
printf '%-8s %12.2f %12.2f %10.2f %8.2f %10.2f %11.1f%%\n' dedup "$one_dedup" "$(echo "$task_dedup + $cluster" | bc -l)" "$merge_dedup" \
  "$split_dedup" "$(echo "$split_dedup / $one_dedup" | bc -l)" "$(echo "100 * $merge_dedup / $split_dedup" | bc -l)"
for stage in "${later[@]}"; do
  split=$(echo "${task_time[$stage]} + ${merge_time[$stage]}" | bc -l)
  printf '%-8s %12.2f %12.2f %10.2f %8.2f %10.2f %11.1f%%\n' "${stage%% *}" "${one_time[$stage]}" "${task_time[$stage]}" \
    "${merge_time[$stage]}" "$split" "$(echo "$split / ${one_time[$stage]}" | bc -l)" "$(echo "100 * ${merge_time[$stage]} / $split" | bc -l)"
done
echo "register $(printf '%.3f' "$register") s; dedup's tasks s is its signature tasks plus its cluster step (one process);"
echo "part files identical to one process: $same; tokenizer.json identical: $same_tokenizer; shards and manifest identical: $same_shards"
