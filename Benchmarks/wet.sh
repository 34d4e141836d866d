#!/usr/bin/env bash
# WET files: warcio writes one from the shared WARC samples (a conversion record per HTML or
# plain-text 2xx response), Hatchery ingests it, and the documents are compared with the
# conversion records (Benchmarks/wet_bench.py). warcio goes into PARQUET_VENV (default
# Benchmarks/.venv-parquet, ignored by git), shared with Benchmarks/parquet.sh.
#   Benchmarks/wet.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/corpora/warc
if [ ! -d "$corpus" ]; then echo "skip: $corpus is missing"; exit 0; fi
venv=${PARQUET_VENV:-Benchmarks/.venv-parquet}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q warcio pyarrow polars duckdb
fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" Benchmarks/wet_bench.py write "$corpus"/*.warc* "$work/sample.warc.wet.gz"
$hatchery init "$work/ws" >/dev/null
$hatchery ingest -w "$work/ws" --source wet "$work/sample.warc.wet.gz" | head -1
for part in "$work"/ws/docs/wet/part-*.jsonl.zst; do zstd -dcq "$part"; done > "$work/documents.jsonl"
"$venv/bin/python" Benchmarks/wet_bench.py compare "$work/sample.warc.wet.gz" "$work/documents.jsonl"
