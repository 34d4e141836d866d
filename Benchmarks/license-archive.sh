#!/usr/bin/env bash
# Licence detection on Debian copyright files the detector was not tuned on (issue 18): those of
# packages of the archive that are not installed on this machine (nor built from an installed
# package's source), downloaded with apt-get, `License:` lines removed and used as labels, in dev
# and test halves by source package (Benchmarks/license_bench.py prepare-archive).
# `hatchery license detect` (one process) beside ScanCode-toolkit (as many processes as cores,
# from SCANCODE_VENV, default Benchmarks/.venv-scancode).
#   [COUNT=600] [KEEP=folder] Benchmarks/license-archive.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-600}
venv=${SCANCODE_VENV:-Benchmarks/.venv-scancode}
if [ ! -x "$venv/bin/scancode" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q scancode-toolkit "pluggy<1.1"  # plugincode breaks with pluggy 1.1+
fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
source Benchmarks/work-folder.sh
if [ ! -f "$work/files/split.json" ]; then
  python3 Benchmarks/license_bench.py prepare-archive "$work/files" "$count" \
    || { echo "skip: packages cannot be downloaded"; exit 0; }
fi
files=("$work"/files/*.copyright)
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} files, $("$venv/bin/scancode" --version | head -1)"
rm -f "$work/seconds"
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$hatchery" license detect "${files[@]}" >"$work/hatchery.jsonl"
  echo "$(date +%s.%N) - $start" | bc -l >>"$work/seconds"
done
median=$(sort -n "$work/seconds" | sed -n 2p)
if [ ! -f "$work/scancode.json" ] || [ -n "${RESCAN:-}" ]; then
  start=$(date +%s.%N)
  "$venv/bin/scancode" --license --json "$work/scancode.json" --processes "$(nproc)" "$work/files" >/dev/null 2>&1
  echo "$(date +%s.%N) - $start" | bc -l >"$work/scancode-seconds"
fi
scancode=$(cat "$work/scancode-seconds")
printf 'hatchery license detect: %.3f s (median of 3), %.1f files/s; scancode --license: %.1f s, %.2f files/s; speed ratio %.0fx\n' \
  "$median" "$(echo "${#files[@]} / $median" | bc -l)" "$scancode" "$(echo "${#files[@]} / $scancode" | bc -l)" \
  "$(echo "$scancode / $median" | bc -l)"
for half in dev test; do
  echo -n "$half hatchery: "; python3 Benchmarks/license_bench.py score "$work/files/labels.json" "$work/hatchery.jsonl" "$half"
  echo -n "$half scancode: "; python3 Benchmarks/license_bench.py score "$work/files/labels.json" "$work/scancode.json" "$half"
done
