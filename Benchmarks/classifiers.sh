#!/usr/bin/env bash
# fastText classifiers beside the fasttext Python package (0.9.x, in FASTTEXT_VENV, default
# Benchmarks/.venv-fasttext, ignored by git), on labelled paragraphs of ../shared/corpora:
# the package of a tok-text paragraph (eight documentation packages) or `book` (Gutenberg),
# documents split into a training (dev) half and a test half.
#  1. Models trained by fastText (dense and quantized; softmax, one-vs-all, hierarchical
#     softmax; word n-grams 1 and 2; with and without subwords), predicted by Hatchery on every
#     test text with all labels: same top label, largest probability difference.
#  2. Throughput: fastText's predict on the list of test texts (one thread, medians of RUNS)
#     against `hatchery classifier predict --summary` on one and two threads.
#  3. Training with the same hyperparameters: `hatchery classifier train` against fastText's
#     train_supervised on 1 and 2 threads (time of the whole command against the call), held-out
#     accuracy of both (fastText loading Hatchery's model, whose predictions must equal
#     Hatchery's); fastText with 10 threads too, because below 10 threads fastText 0.9.2
#     initialises only thread/10 of its input rows (the rest start at zero), which changes its
#     accuracy with subwords.
#   [RUNS=3] [ONLY=training] Benchmarks/classifiers.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpora=${CORPORA:-../shared/corpora}
if [ ! -f "$corpora/tok-text/docs.tsv" ] || [ ! -d "$corpora/text-books/gutenberg" ]; then echo "skip: $corpora/tok-text or text-books is missing"; exit 0; fi
runs=${RUNS:-3}
venv=${FASTTEXT_VENV:-Benchmarks/.venv-fasttext}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  # fastText 0.9.2's wheel predates numpy 2 (it passes copy=False).
  "$venv/bin/pip" install -q "numpy<2" fasttext-wheel
fi
py="$venv/bin/python"
bench="$py Benchmarks/classifiers_bench.py"
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$bench data "$corpora" "$work"
echo "fasttext $("$py" -c 'import importlib.metadata as m; print(m.version("fasttext-wheel"))'); $(date -u +%Y-%m-%d); test texts: $(wc -l < "$work/test.txt")"

if [ "${ONLY:-}" != training ]; then
# name, then fastText's training arguments.
models=(
  "softmax-w1 loss=softmax wordNgrams=1 dim=32 epoch=5"
  "softmax-w2-sub loss=softmax wordNgrams=2 minn=2 maxn=5 bucket=200000 dim=32 epoch=5 quantize=1"
  "ova-w2-sub loss=ova wordNgrams=2 minn=3 maxn=6 bucket=200000 dim=32 epoch=5 quantize=1"
  "hs-w2-sub loss=hs wordNgrams=2 minn=2 maxn=4 bucket=100000 dim=24 epoch=5"
  "ova-w1 loss=ova wordNgrams=1 dim=16 epoch=5 quantize=1"
)
printf '%-22s %10s %10s %12s %10s\n' model "same top" texts "max |dp|" accuracy
failures=0
for spec in "${models[@]}"; do
  read -r name args <<<"$spec"
  # shellcheck disable=SC2086
  $bench train "$work" "$name" $args >/dev/null 2>&1
  for file in "$work/$name.bin" "$work/$name.ftz"; do
    [ -f "$file" ] || continue
    $hatchery classifier predict "$file" "$work/test.txt" -k 0 > "$work/predicted.jsonl"
    read -r same total count worst <<<"$($bench compare "$work" "$file" "$work/predicted.jsonl" 2>/dev/null)"
    accuracy=$($bench accuracy "$work" "$file" 2>/dev/null)
    [ "$same" = "$total" ] && [ "$count" = "$total" ] && python3 -c "import sys; sys.exit(0 if float('$worst') <= 1e-4 else 1)" || failures=$((failures + 1))
    printf '%-22s %10s %10s %12s %10s\n' "$(basename "$file")" "$same" "$total" "$worst" "$accuracy"
  done
done
echo "models differing: $failures"

echo "throughput on $(wc -l < "$work/test.txt") texts, medians of $runs runs (fastText: predict on the list, one thread):"
for file in "$work/softmax-w1.bin" "$work/softmax-w2-sub.bin" "$work/softmax-w2-sub.ftz" "$work/ova-w2-sub.bin"; do
  theirs=$($bench speed "$work" "$file" "$runs" 2>/dev/null | cut -d' ' -f1)
  for threads in 1 2; do
    ours=()
    for _ in $(seq 1 "$runs"); do
      ours+=("$($hatchery classifier predict "$file" "$work/test.txt" --summary --threads "$threads" | head -1 | sed -E 's/.* in ([0-9.]+) s.*/\1/')")
    done
    m=$(median "${ours[@]}")
    printf '  %-20s fastText %.3f s, Hatchery %d thread(s) %.3f s: %.2fx\n' "$(basename "$file")" "$theirs" "$threads" "$m" "$(echo "$theirs / $m" | bc -l)"
  done
done

fi

echo "training, same hyperparameters (accuracy on the test half; seconds: medians of $runs runs, the whole hatchery command against fastText's call):"
printf '  %-16s %9s %9s %9s %9s %9s %9s %9s %9s\n' model "ft 1 s" "ft 1 acc" "ft 10 acc" "h 1 s" "h 1 acc" "ft 2 s" "h 2 s" "same top"
trains=(
  "softmax-w1 loss=softmax wordNgrams=1 dim=32 epoch=5"
  "softmax-w2 loss=softmax wordNgrams=2 dim=32 epoch=5 bucket=200000"
  "softmax-sub loss=softmax wordNgrams=1 minn=2 maxn=5 dim=32 epoch=5 bucket=200000"
  "ova-w2-sub loss=ova wordNgrams=2 minn=3 maxn=6 bucket=200000 dim=32 epoch=5"
  "hs-w2-sub loss=hs wordNgrams=2 minn=2 maxn=4 bucket=100000 dim=24 epoch=5"
)
hatchery_options() {
  local out=""
  for arg in "$@"; do
    key=${arg%%=*}; value=${arg#*=}
    case $key in
      wordNgrams) out+=" --word-ngrams $value" ;;
      *) out+=" --$key $value" ;;
    esac
  done
  echo "$out"
}
seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc -l; }
for spec in "${trains[@]}"; do
  read -r name args <<<"$spec"
  ft1=(); ft2=(); h1=(); h2=()
  for run in $(seq 1 "$runs"); do
    # shellcheck disable=SC2086
    ft1+=("$($bench train "$work" "t-$name" $args thread=1 2>/dev/null)")
    # shellcheck disable=SC2086
    ft2+=("$($bench train "$work" "t2-$name" $args thread=2 2>/dev/null)")
    # shellcheck disable=SC2046
    h1+=("$(seconds $hatchery classifier train --input "$work/train.txt" --output "$work/h-$name-$run.bin" --threads 1 $(hatchery_options $args))")
    # shellcheck disable=SC2046
    h2+=("$(seconds $hatchery classifier train --input "$work/train.txt" --output "$work/h2-$name.bin" --threads 2 $(hatchery_options $args))")
  done
  ft1acc=$($bench accuracy "$work" "$work/t-$name.bin" 2>/dev/null)
  # shellcheck disable=SC2086
  $bench train "$work" "t10-$name" $args thread=10 >/dev/null 2>&1
  ft10acc=$($bench accuracy "$work" "$work/t10-$name.bin" 2>/dev/null)
  h1acc=$($bench accuracy "$work" "$work/h-$name-1.bin" 2>/dev/null)
  $hatchery classifier predict "$work/h-$name-1.bin" "$work/test.txt" -k 0 > "$work/predicted.jsonl"
  read -r same total _ worst <<<"$($bench compare "$work" "$work/h-$name-1.bin" "$work/predicted.jsonl" 2>/dev/null)"
  printf '  %-16s %9.2f %9s %9s %9.2f %9s %9.2f %9.2f %9s\n' "$name" "$(median "${ft1[@]}")" "$ft1acc" "$ft10acc" "$(median "${h1[@]}")" "$h1acc" \
    "$(median "${ft2[@]}")" "$(median "${h2[@]}")" "$same/$total ($worst)"
done
