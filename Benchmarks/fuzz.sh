#!/usr/bin/env bash
# Seeded mutation fuzzing of every reader (WARC, HTTP bodies, gzip/zstd/bzip2, JSONL, HTML,
# MediaWiki, JATS/TEI, Parquet, pipeline/policy/filter YAML, shards, safetensors, tokenizer.json,
# fastText models, licence texts, Debian copyright files, package metadata): each
# target runs in its own process (release build) under a time limit and a memory limit, and the
# table gives crashes, hangs, broken contracts, peak and growing memory and the slowest input.
# A crash or hang names the input; `hatchery-fuzz TARGET --seed S --write-input I FILE` writes it.
#   Benchmarks/fuzz.sh [MUTATIONS=2000] [SEED=1]
# FUZZ_SANITIZE=address builds with AddressSanitizer (reads of freed memory then crash loudly).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-2000}
seed=${2:-1}
seconds=${FUZZ_SECONDS:-600}      # per target
memory_mb=${FUZZ_MEMORY_MB:-2048} # address space per target
growth_mb=${FUZZ_GROWTH_MB:-64}   # resident growth after the warm-up that counts as a leak
if [ "${FUZZ_SANITIZE:-}" = address ]; then
  swift build -c release --sanitize=address --product hatchery-fuzz --scratch-path .build-asan >/dev/null
  fuzz=$PWD/.build-asan/release/hatchery-fuzz
  limit=()  # ASan reserves terabytes of shadow address space: no address-space limit
  # Freed memory sits in ASan's quarantine, so resident growth says nothing about leaks there;
  # LeakSanitizer reports them at exit instead. Foundation's own FileManager.contents leak on
  # some reads is not Hatchery's.
  growth_mb=100000
  export LSAN_OPTIONS=suppressions=$PWD/Benchmarks/lsan.supp:print_suppressions=0
else
  swift build -c release --product hatchery-fuzz >/dev/null
  fuzz=$PWD/.build/release/hatchery-fuzz
  limit=(prlimit --as=$((memory_mb * 1024 * 1024)))
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
printf '%-15s %7s %8s %7s %5s %10s %9s %10s %12s %s\n' target inputs refused crashes hangs violations "peak MB" "growth MB" "slowest ms" "note"
for target in $("$fuzz" --list); do
  status=0
  "${limit[@]}" timeout "$seconds" "$fuzz" "$target" --count "$count" --seed "$seed" --scratch "$tmp/scratch-$target" \
    --progress "$tmp/progress-$target" >"$tmp/out-$target" 2>"$tmp/err-$target" || status=$?
  crashes=0; hangs=0; note=""
  if [ "$status" = 124 ]; then
    hangs=1; note="hang at input $(cat "$tmp/progress-$target")"
  elif grep -q 'LeakSanitizer' "$tmp/err-$target"; then
    note="leak: $(grep -m1 -A4 'Direct leak' "$tmp/err-$target" | grep -m1 -E '#[2-5] .* in \$s[0-9]*(Ingest|HatcheryCore|Tokenizer|Shards|Training|Licensing|Filters|Pipeline)' | sed 's/.* in //' | cut -c1-100)"
    failures=$((failures + 1))
  elif [ "$status" != 0 ] && ! grep -q '"target"' "$tmp/out-$target"; then
    crashes=1; note="crash (status $status) at input $(cat "$tmp/progress-$target"): $(grep -m1 -E 'ERROR|error|Fatal|fault' "$tmp/err-$target" | cut -c1-120)"
  fi
  if grep -q '"target"' "$tmp/out-$target"; then
    line=$(cat "$tmp/out-$target")
    field() { echo "$line" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
    inputs=$(field inputs); refused=$(field refused); violations=$(field violations)
    peak=$(field peak_rss_mb); slowest=$(field slowest_ms)
    growth=$(echo "$(field rss_end_mb) - $(field rss_after_warmup_mb)" | bc -l)
    if [ "$violations" != 0 ]; then note="$(head -n 1 "$tmp/err-$target" | cut -c1-160)"; fi
    if (( $(echo "$growth > $growth_mb" | bc -l) )); then note="memory grew $growth MB $note"; failures=$((failures + 1)); fi
    [ "$violations" != 0 ] && failures=$((failures + 1))
  else
    inputs="$(cat "$tmp/progress-$target" 2>/dev/null || echo 0)"; refused="-"; violations="-"; peak="-"; growth="-"; slowest="-"
    failures=$((failures + 1))
  fi
  printf '%-15s %7s %8s %7s %5s %10s %9s %10s %12s %s\n' "$target" "$inputs" "$refused" "$crashes" "$hangs" "$violations" \
    "$peak" "$growth" "$slowest" "$note"
done
echo "seed $seed, $count inputs per target, limits: ${seconds} s and ${memory_mb} MB per target$( [ "${FUZZ_SANITIZE:-}" = address ] && echo ', AddressSanitizer')"
exit $(( failures > 0 ))
