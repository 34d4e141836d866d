#!/usr/bin/env bash
# The tokenizer beside the reference implementations (release build), on ../shared/corpora/tok-text
# (train.txt, heldout.txt; one document per line): training time and peak memory at 8k and 32k
# vocabularies on 1 and 2 threads against rustbpe 0.1.0 and Hugging Face tokenizers 0.23.3;
# bytes/token on heldout; ids of Hatchery's tokenizer.json loaded in `tokenizers` and of its
# .tiktoken loaded in tiktoken 0.14, each against Hatchery's own encoder; encoding throughput
# against tiktoken on 1 and 2 threads. Medians of RUNS runs (default 3; HF training runs once).
# The Python peers go into TOKENIZER_VENV (default Benchmarks/.venv-tokenizer, ignored by git).
#   Benchmarks/tokenizer.sh            RUNS=5 Benchmarks/tokenizer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${TOK_CORPUS:-../shared/corpora/tok-text}
if [ ! -f "$corpus/train.txt" ]; then echo "skip: $corpus/train.txt is missing"; exit 0; fi
swift build -c release --product hatchery >/dev/null
venv=${TOKENIZER_VENV:-Benchmarks/.venv-tokenizer}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q tokenizers==0.23.3 tiktoken==0.14.0 rustbpe==0.1.0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" Benchmarks/tokenizer_bench.py --hatchery .build/release/hatchery --corpus "$corpus" \
  --work "$work" --runs "${RUNS:-3}" --vocabs "${VOCABS:-8192,32768}" --threads "${THREADS:-1,2}"

# Hostile input, timed here rather than in a unit test: a 200,000-byte run of one character
# encodes in well under a second with the heap merge (a quadratic merge takes minutes).
head -c 200000 /dev/zero | tr '\0' a > "$work/run.txt"
.build/release/hatchery tokenizer train --input "$corpus/heldout.txt" --vocab-size 1024 --output "$work/hostile.json" >/dev/null
start=$(date +%s.%N)
timeout 20 .build/release/hatchery tokenizer encode --tokenizer "$work/hostile.json" "$work/run.txt" >/dev/null \
  || { echo "hostile: one 200,000-byte run did not encode within 20 s"; exit 1; }
printf 'hostile: one 200,000-byte run of "a" encoded in %.2f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
