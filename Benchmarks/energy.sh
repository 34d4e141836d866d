#!/usr/bin/env bash
# Energy accounting beside CodeCarbon (release build). A small workspace from
# ../shared/corpora/tok-text (8k tokenizer, shards), then one `hatchery train` run wrapped in
# CodeCarbon 3.3's OfflineEmissionsTracker (process tracking of the Python parent and its
# children, same country, CPU and memory power forced to the watts Hatchery is given with
# --cpu-watts and --ram-watts), and the two emissions.csv compared column by column; then the
# metering overhead, the sampler's own CPU time against the run's duration.
# CodeCarbon goes into ENERGY_VENV (default Benchmarks/.venv-energy, ignored by git).
#   Benchmarks/energy.sh          CPU_WATTS=85 RAM_WATTS=10 COUNTRY=FRA STEPS=250 Benchmarks/energy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${TOK_CORPUS:-../shared/corpora/tok-text}
if [ ! -f "$corpus/train.txt" ]; then echo "skip: $corpus/train.txt is missing"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
venv=${ENERGY_VENV:-Benchmarks/.venv-energy}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q codecarbon==3.3.2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/tok_text_jsonl.py "$corpus" "$work/train.jsonl"
ws=$work/ws
$hatchery init "$ws" >/dev/null
$hatchery ingest -w "$ws" --source tok-text --format jsonl "$work/train.jsonl" >/dev/null
$hatchery tokenizer train -w "$ws" --vocab-size 8192 >/dev/null
$hatchery shard -w "$ws" --val-fraction 0.02 >/dev/null
"$venv/bin/python" Benchmarks/energy_bench.py --hatchery "$hatchery" --workspace "$ws" --work "$work" \
  --cpu-watts "${CPU_WATTS:-85}" --ram-watts "${RAM_WATTS:-10}" --country "${COUNTRY:-FRA}" --steps "${STEPS:-250}"
