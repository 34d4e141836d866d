#!/usr/bin/env bash
# The embedded trainer beside PyTorch (release build), on the issue's configuration: vocabulary
# 8192, context 256, 4 layers, 4 heads, width 256, batch 16, float32. A workspace is built from
# ../shared/corpora/tok-text (the training documents of docs.tsv as JSONL, an 8k tokenizer,
# shards); then
#   - Hatchery: `hatchery train` for STEPS steps on 1 and 2 threads: median tokens/s of the steps
#     after the first, peak memory (/usr/bin/time), model-FLOPs utilisation against sgemm's peak;
#   - PyTorch (TORCH_VENV with torch and transformers; default Benchmarks/.venv-train, ignored by
#     git): GPT2LMHeadModel of the same shape and batch, AdamW steps on the same thread counts;
#   - parity: the last checkpoint loaded into GPT2LMHeadModel, logits and loss on a batch of the
#     val shard against Hatchery's own forward pass (`hatchery train` checkpoints + parity script).
#   Benchmarks/train.sh         STEPS=20 Benchmarks/train.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${TOK_CORPUS:-../shared/corpora/tok-text}
if [ ! -f "$corpus/train.txt" ]; then echo "skip: $corpus/train.txt is missing"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
steps=${STEPS:-12}
venv=${TORCH_VENV:-Benchmarks/.venv-train}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q torch --index-url https://download.pytorch.org/whl/cpu
  "$venv/bin/pip" install -q transformers safetensors numpy
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 Benchmarks/tok_text_jsonl.py "$corpus" "$work/train.jsonl"
ws=$work/ws
$hatchery init "$ws" >/dev/null
$hatchery ingest -w "$ws" --source tok-text --format jsonl "$work/train.jsonl" >/dev/null
$hatchery tokenizer train -w "$ws" --vocab-size 8192 >/dev/null
$hatchery shard -w "$ws" --val-fraction 0.02 >/dev/null

model="--layers 4 --heads 4 --dim 256 --context 256 --batch 16"
for threads in 1 2; do
  /usr/bin/time -f "%M" -o "$work/rss-$threads" $hatchery train -w "$ws" $model --steps "$steps" --warmup 2 --eval-every 0 \
    --checkpoint-every "$steps" --threads "$threads" >"$work/train-$threads.txt"
  run=$(grep -o 'run /[^ ]*' "$work/train-$threads.txt" | tail -1 | cut -d' ' -f2)
  rate=$(python3 -c "
import json, statistics
rates = [json.loads(l)['tokens_per_s'] for l in open('$run/metrics.jsonl')][1:]
print(statistics.median(float(r) for r in rates))")
  echo "hatchery, $threads thread(s): $rate tokens/s (median of steps 2-$steps), peak $(( $(cat "$work/rss-$threads") / 1024 )) MB"
  grep '^train:' "$work/train-$threads.txt" | sed 's/^/  /'
  echo "$run" >"$work/run-$threads"
done
"$venv/bin/python" Benchmarks/train_bench.py --workspace "$ws" --run "$(cat "$work/run-1")" --steps "$steps" --hatchery "$hatchery"
