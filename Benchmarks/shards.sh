#!/usr/bin/env bash
# Token shards on ../shared/corpora/tok-text (release build): the 6,403 training documents of
# docs.tsv ingested as JSONL, a 32k tokenizer trained on them, then
#   - shard writing: tokens/s of `hatchery shard` and the part of it spent tokenizing;
#   - sequential read on one core (`hatchery shard read`, every frame decoded and checked) against
#     `zstd -d` decoding the same shards to /dev/null, whole processes timed, median of RUNS;
#   - random 1025-token windows per second (`hatchery shard read --windows N`), decoded by one
#     thread and by two (in batches of 64, as a trainer reads a batch);
#   - compression: the shards' bytes against `zstd -L` of the same raw tokens in one stream;
# for each frame size in FRAMES (default: 8192, the default, and 4096).
#   Benchmarks/shards.sh          RUNS=7 THREADS=2 FRAMES="8192 4096 2048" Benchmarks/shards.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${TOK_CORPUS:-../shared/corpora/tok-text}
if [ ! -f "$corpus/train.txt" ]; then echo "skip: $corpus/train.txt is missing"; exit 0; fi
command -v zstd >/dev/null || { echo "skip: the zstd command is missing"; exit 0; }
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
runs=${RUNS:-5}
threads=${THREADS:-2}
level=${LEVEL:-3}
frames=${FRAMES:-8192 4096}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 Benchmarks/tok_text_jsonl.py "$corpus" "$work/train.jsonl"
ws=$work/ws
$hatchery init "$ws" >/dev/null
$hatchery ingest -w "$ws" --source tok-text --format jsonl "$work/train.jsonl" >/dev/null
$hatchery tokenizer train -w "$ws" --vocab-size 32768 --threads "$threads" >/dev/null

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
now() { date +%s.%N; }

for ft in $frames; do
  echo; echo "######## --frame-tokens $ft"
  echo "== shard writing ($threads threads, level $level, $runs runs) =="
  for i in $(seq "$runs"); do
    $hatchery shard -w "$ws" --threads "$threads" --level "$level" --tokens-per-shard 5000000 --frame-tokens "$ft" --force
  done | tee "$work/shard.txt" | tail -1
  grep -o '[0-9.]* M tokens/s' "$work/shard.txt" | awk '{print $1}' | median | xargs echo "median M tokens/s:"
  $hatchery shard verify -w "$ws"

  shards=$(python3 -c "import json,sys; m=json.load(open('$ws/shards/manifest.json')); print(' '.join('$ws/'+s['path'] for s in m['shards'] if s['split']=='train'))")
  echo "== sequential read, one core (whole processes, median of $runs) =="
  for i in $(seq "$runs"); do s=$(now); zstd -d -q -c $shards >/dev/null; echo "$(now) - $s" | bc -l; done | median | xargs echo "zstd -d (s):"
  for i in $(seq "$runs"); do s=$(now); $hatchery shard read -w "$ws" >/dev/null; echo "$(now) - $s" | bc -l; done | median | xargs echo "hatchery shard read (s):"
  $hatchery shard read -w "$ws"

  for t in 1 2; do
    echo "== random 1025-token windows, batches of 64 decoded by $t thread(s) (median of $runs) =="
    for i in $(seq "$runs"); do $hatchery shard read -w "$ws" --windows 200000 --seed "$i" --threads "$t"; done | tee "$work/windows.txt" | tail -1
    grep -o '"windows_per_s":[0-9]*' "$work/windows.txt" | cut -d: -f2 | median | xargs echo "median windows/s, $t thread(s):"
  done

  echo "== compression (level $level) =="
  zstd -d -q -c $shards >"$work/raw.bin"
  raw=$(stat -c %s "$work/raw.bin")
  cli=$(zstd -"$level" -q -c "$work/raw.bin" | wc -c)
  ours=$(du -cb $shards | tail -1 | cut -f1)
  echo "raw tokens $raw bytes; zstd -$level: $cli bytes (ratio $(echo "$raw / $cli" | bc -l | cut -c1-6)); shards: $ours bytes (ratio $(echo "$raw / $ours" | bc -l | cut -c1-6)); shards / zstd = $(echo "$ours / $cli" | bc -l | cut -c1-6)"
done
