#!/usr/bin/env bash
# Parquet beside pyarrow, polars and duckdb (release build; they go into PARQUET_VENV, default
# Benchmarks/.venv-parquet, ignored by git). Documents of ../shared/corpora/tok-text.
#  1. Compatibility: files written by each (every codec; pyarrow also dictionary on/off and data
#     pages v1/v2; nulls and empty strings in the text column) and a big file of many row
#     groups (BIG_MB, default 2048): Hatchery ingests exactly their rows minus null and empty
#     texts, with byte-identical texts; its peak memory against the largest row group.
#  2. Hatchery's export (parquet) read by all three: rows and texts equal.
#  3. Speed on one core, same documents, medians of RUNS: ingest of Parquet against JSONL
#     (MB/s of text; pinned to one CPU with taskset, the part's zstd workers included, and
#     for comparison `--threads 1` unpinned, where those workers use the other core), Hatchery's
#     scan of the text column against pyarrow's iter_batches + to_pylist, export MB/s on 2 cores.
#   [RUNS=3] [BIG_MB=2048] Benchmarks/parquet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${TOK_CORPUS:-../shared/corpora/tok-text}
if [ ! -f "$corpus/train.txt" ]; then echo "skip: $corpus/train.txt is missing"; exit 0; fi
runs=${RUNS:-3}; big=${BIG_MB:-2048}
venv=${PARQUET_VENV:-Benchmarks/.venv-parquet}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pyarrow polars duckdb warcio
fi
py="$venv/bin/python"
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 Benchmarks/tok_text_jsonl.py "$corpus" "$work/docs.jsonl"
"$py" Benchmarks/parquet_bench.py write "$work/docs.jsonl" "$work/files" "$big"
echo "pyarrow $("$py" -c 'import pyarrow; print(pyarrow.__version__)'), polars $("$py" -c 'import polars; print(polars.__version__)'), duckdb $("$py" -c 'import duckdb; print(duckdb.__version__)'); $(date -u +%Y-%m-%d)"
printf '%-36s %9s %9s %9s %9s %s\n' file documents expected identical "peak MB" rejects
failures=0
for file in $("$py" -c "import json; print(' '.join(json.load(open('$work/files/expected.json'))['files']))"); do
  rm -rf "$work/ws"; $hatchery init "$work/ws" >/dev/null
  out=$( { /usr/bin/time -f "%M" $hatchery ingest -w "$work/ws" --source p --threads 1 "$work/files/$file" >"$work/ingest.out" 2>"$work/ingest.err"; } 2>&1 | tail -1)
  peak=$(tail -1 "$work/ingest.err"); peak=$((peak / 1024))
  read -r count want equal <<<"$("$py" Benchmarks/parquet_bench.py check "$work/files" "$work/ws" "$file")"
  rejects=$(grep -o 'rejected by reason: .*' "$work/ingest.out" | sed 's/rejected by reason: //' || true)
  [ "$count" = "$want" ] && [ "$equal" = "$want" ] || failures=$((failures + 1))
  printf '%-36s %9s %9s %9s %9s %s\n' "$file" "$count" "$want" "$equal" "$peak" "$rejects"
done
if [ -f "$work/files/big.parquet" ]; then
  echo "big.parquet: $("$py" -c "import pyarrow.parquet as pq; m=pq.ParquetFile('$work/files/big.parquet').metadata; print(f'{m.num_row_groups} row groups, largest {max(m.row_group(i).total_byte_size for i in range(m.num_row_groups)) / 2**20:.0f} MB uncompressed, file {__import__(\"os\").path.getsize(\"$work/files/big.parquet\") / 2**20:.0f} MB')")"
fi
echo "compatibility failures: $failures"

# 2. The export, read by all three.
rm -rf "$work/ws"; $hatchery init "$work/ws" >/dev/null
$hatchery ingest -w "$work/ws" --source s "$work/docs.jsonl" >/dev/null
for part in "$work"/ws/docs/s/part-*.jsonl.zst; do zstd -dcq "$part"; done > "$work/workspace-docs.jsonl"
$hatchery export parquet -w "$work/ws" "$work/export"
echo "export read back:"
"$py" Benchmarks/parquet_bench.py read "$work/export" "$work/workspace-docs.jsonl"

# 3. Speed: one core, the same documents as JSONL and as Parquet (pyarrow, snappy, one file).
"$py" -c "
import json, pyarrow as pa, pyarrow.parquet as pq
rows = [json.loads(l) for l in open('$work/docs.jsonl')]
pq.write_table(pa.table({'id': [r['id'] for r in rows], 'text': [r['text'] for r in rows]}), '$work/docs.parquet', compression='snappy')"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
seconds() { local start=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc -l; }
# One core means one CPU for every thread of the process (taskset; unpinned where it is missing).
pin=(); command -v taskset >/dev/null && pin=(taskset -c 0)
jsonl=(); parquet=(); jsonl2=(); parquet2=(); scan=(); pyscan=(); export=()
text_mb=$("$py" -c "import json; print(sum(len(json.loads(l)['text'].encode()) for l in open('$work/docs.jsonl')) / 1e6)")
for run in $(seq 1 "$runs"); do
  for pinned in 1 0; do
    one=("${pin[@]}"); [ "$pinned" = 1 ] || one=()
    rm -rf "$work/w1" && $hatchery init "$work/w1" >/dev/null
    j=$(seconds "${one[@]}" $hatchery ingest -w "$work/w1" --source s --threads 1 "$work/docs.jsonl")
    rm -rf "$work/w2" && $hatchery init "$work/w2" >/dev/null
    p=$(seconds "${one[@]}" $hatchery ingest -w "$work/w2" --source s --threads 1 "$work/docs.parquet")
    if [ "$pinned" = 1 ]; then jsonl+=("$j"); parquet+=("$p"); else jsonl2+=("$j"); parquet2+=("$p"); fi
  done
  scan+=("$($hatchery parquet scan "$work/docs.parquet" | sed -E 's/.* in ([0-9.]+) s.*/\1/')")
  pyscan+=("$("$py" Benchmarks/parquet_bench.py scan "$work/docs.parquet" | cut -d' ' -f1)")
  rm -rf "$work/export"
  export+=("$(seconds $hatchery export parquet -w "$work/ws" "$work/export")")
done
j=$(median "${jsonl[@]}"); p=$(median "${parquet[@]}"); s=$(median "${scan[@]}"); y=$(median "${pyscan[@]}"); e=$(median "${export[@]}")
printf 'text %.1f MB; medians of %d runs:\n' "$text_mb" "$runs"
printf '  ingest, one core%s: JSONL %.3f s (%.0f MB/s), Parquet %.3f s (%.0f MB/s): Parquet/JSONL speed %.3f\n' "${pin:+ (${pin[*]})}" "$j" "$(echo "$text_mb / $j" | bc -l)" "$p" "$(echo "$text_mb / $p" | bc -l)" "$(echo "$j / $p" | bc -l)"
j2=$(median "${jsonl2[@]}"); p2=$(median "${parquet2[@]}")
printf '  ingest, --threads 1 unpinned (zstd workers on the other core): JSONL %.3f s, Parquet %.3f s: %.3f\n' "$j2" "$p2" "$(echo "$j2 / $p2" | bc -l)"
printf '  text column scan: Hatchery %.3f s, pyarrow iter_batches + to_pylist %.3f s: %.2fx\n' "$s" "$y" "$(echo "$y / $s" | bc -l)"
printf '  export parquet, 2 cores: %.2f s = %.0f MB/s of text\n' "$e" "$(echo "$text_mb / $e" | bc -l)"
