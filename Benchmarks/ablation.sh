#!/usr/bin/env bash
# `hatchery ablate` on a known effect: three variants of ../shared/corpora (text-books, near-dup,
# tok-text; Benchmarks/ablation_corpus.py) — (a) as is, (b) with 30% of its documents replaced by
# word-shuffled copies, (c) with every near-duplicate book five times and dedup off — each
# prepared by the same pipeline (ingest, dedup, a 4096-token tokenizer, shards), then trained
# with one model and token budget (4 layers, width 128, context 128, 500 steps of 2048 tokens)
# for SEEDS seeds, and scored in bits per byte on held-out books and documentation none of them
# contains. (b) should come out worse than (a) beyond the seeds' spread.
#   [SEEDS=3] [STEPS=500] [KEEP=folder] Benchmarks/ablation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpora=../shared/corpora
for corpus in text-books near-dup tok-text; do
  if [ ! -d "$corpora/$corpus" ]; then echo "skip: $corpora/$corpus is not here"; exit 0; fi
done
seeds=${SEEDS:-3}
steps=${STEPS:-500}
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
source Benchmarks/work-folder.sh
[ -f "$work/data/held-out/docs.jsonl" ] || python3 Benchmarks/ablation_corpus.py "$corpora" "$work/data"
for variant in a b c; do
  cat > "$work/pipeline-$variant.yaml" <<EOF
version: 1
workspace: unused
sources:
  - {name: corpus, paths: [$work/data/$variant/corpus.jsonl]}
stages:
  ingest: {added: "2026-01-01T00:00:00Z"}
  dedup: {}
  tokenizer: {vocab_size: 4096}
  shard: {val_fraction: 0.01}
  train: {layers: 4, heads: 4, dim: 128, context: 128, batch: 16, steps: $steps, lr: 0.003, warmup: 50, eval_every: 125, checkpoint_every: 0}
EOF
done
cat > "$work/ablation.yaml" <<EOF
version: 1
name: known-effect
pipeline: $work/pipeline-a.yaml
folder: $work/ablation
seeds: $seeds
eval:
  books: $work/data/held-out/books.jsonl
  docs: $work/data/held-out/docs.jsonl
eval_bytes: 262144
variants:
  as-is: {}
  shuffled-30: {pipeline: $work/pipeline-b.yaml}
  dups-5x-no-dedup: {pipeline: $work/pipeline-c.yaml, dedup: off}
EOF
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $seeds seeds, $steps steps"
start=$(date +%s)
"$hatchery" ablate "$work/ablation.yaml" > "$work/ablate.log" 2>&1 || { tail -30 "$work/ablate.log"; exit 1; }
grep -E "^==> ablation .*(training documents|bits per byte)" "$work/ablate.log" || true
cat "$work/ablation/ablation.md"
echo "wall $(( $(date +%s) - start )) s for the whole ablation (pipelines, contamination checks, training, evaluation)"
