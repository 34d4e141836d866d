#!/usr/bin/env bash
# Licence scope on this machine's /usr/share/doc (release build): ingest it as one source, tag
# without and with the scope, and report the share of documents whose licence is unknown; then
# score the licences the scope inherited against labels made independently (in Python) from the
# packages' machine-readable copyright files (Benchmarks/licence_scope_bench.py), and say which
# short names with no SPDX equivalent were read from their licence text; last, how well a licence
# text reads as its name's licence where the name has one (`licence_scope_bench.py texts`).
#   Benchmarks/licence-scope.sh [ROOT=/usr/share/doc]
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/usr/share/doc}
if [ ! -d "$root" ]; then echo "skip: $root is missing"; exit 0; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
$hatchery init "$work/ws" >/dev/null
$hatchery ingest -w "$work/ws" --source docs "$root" >/dev/null 2>&1
echo "$(find "$root" -maxdepth 2 -name copyright | wc -l) packages with a copyright file, $(grep -l '^Format: .*copyright-format' "$root"/*/copyright 2>/dev/null | wc -l) machine-readable; $(date -u +%Y-%m-%d)"
echo "without scope: $($hatchery tag -w "$work/ws" --no-scope --force | head -1)"
echo "with scope:    $($hatchery tag -w "$work/ws" --force | head -1)"
python3 Benchmarks/licence_scope_bench.py score "$work/ws/hatchery.db" "$root"
python3 Benchmarks/licence_scope_bench.py texts "$hatchery" "$root"
