#!/usr/bin/env bash
# `hatchery plan` against the embedded trainer's measured wall time (release build): a workspace
# from ../shared/corpora/tok-text (4,096-token tokenizer, shards), then RUNS times, each in a
# fresh copy of it: a calibration run of the quickstart's model (pipelines/quickstart.yaml's
# train block) for CALIBRATION steps, `hatchery plan --hardware cpu` for STEPS steps of the same
# model (the sgemm peak and the calibration run's utilisation), and the STEPS-step run itself.
# Reports forecast, measured training-loop time and the process's wall time, and their ratios.
#   [RUNS=3] [STEPS=300] [CALIBRATION=100] [THREADS=2] Benchmarks/plan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${TOK_CORPUS:-../shared/corpora/tok-text}
if [ ! -f "$corpus/train.txt" ]; then echo "skip: $corpus/train.txt is missing"; exit 0; fi
runs=${RUNS:-3}; steps=${STEPS:-300}; calibration=${CALIBRATION:-100}; threads=${THREADS:-2}
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/tok_text_jsonl.py "$corpus" "$work/train.jsonl"
$hatchery init "$work/base" >/dev/null
$hatchery ingest -w "$work/base" --source tok-text --format jsonl "$work/train.jsonl" >/dev/null
$hatchery tokenizer train -w "$work/base" --vocab-size 4096 >/dev/null
$hatchery shard -w "$work/base" --val-fraction 0.05 >/dev/null
model=(--layers 2 --heads 4 --dim 128 --context 64 --batch 16 --threads "$threads")
train=(--lr 0.003 --warmup 20 --eval-every 50 --checkpoint-every 100)
echo "quickstart model, $steps steps after a $calibration-step calibration run, $threads threads, $(nproc) cores, $(date -u +%Y-%m-%d)"
printf '%-4s %12s %12s %12s %16s %14s\n' run forecast_s loop_s process_s loop/forecast process/forecast
ratios=()
for run in $(seq 1 "$runs"); do
  rm -rf "$work/ws"; cp -a "$work/base" "$work/ws"
  $hatchery train -w "$work/ws" "${model[@]}" "${train[@]}" --steps "$calibration" >/dev/null
  forecast=$($hatchery plan --hardware cpu -w "$work/ws" "${model[@]}" --steps "$steps" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["wall_seconds"])')
  start=$(date +%s.%N)
  line=$($hatchery train -w "$work/ws" "${model[@]}" "${train[@]}" --steps "$steps" | tail -1)
  process=$(echo "$(date +%s.%N) - $start" | bc -l)
  loop=$(echo "$line" | sed -E 's/.* tokens in ([0-9.]+) s .*/\1/')
  ratio=$(echo "$loop / $forecast" | bc -l)
  ratios+=("$ratio")
  printf '%-4s %12.1f %12.1f %12.1f %16.3f %14.3f\n' "$run" "$forecast" "$loop" "$process" "$ratio" "$(echo "$process / $forecast" | bc -l)"
done
printf 'median loop/forecast %.3f\n' "$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
