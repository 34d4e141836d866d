#!/usr/bin/env bash
# Licence detection (release build): `hatchery license detect` beside ScanCode-toolkit on this
# machine's machine-readable Debian copyright files with their `License:` lines removed, scored
# against those lines. ScanCode runs from Benchmarks/.venv-scancode (ignored by git) with as many
# processes as cores; Hatchery in one process.
#   Benchmarks/license.sh [FILES]
set -euo pipefail
cd "$(dirname "$0")/.."
limit=${1:-200}
if ! ls /usr/share/doc/*/copyright >/dev/null 2>&1; then echo "skip: no /usr/share/doc/*/copyright here"; exit 0; fi
source Benchmarks/licence-tools.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 Benchmarks/license_bench.py prepare "$tmp/files" "$limit"
files=("$tmp"/files/*.copyright)
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} files, $("$venv/bin/scancode" --version | head -1)"

for run in 1 2 3; do
  start=$(date +%s.%N)
  "$hatchery" license detect "${files[@]}" >"$tmp/hatchery.jsonl"
  seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
  echo "$seconds" >>"$tmp/seconds"
  printf 'hatchery run %d: %.3f s\n' "$run" "$seconds"
done
median=$(sort -n "$tmp/seconds" | sed -n 2p)
"$venv/bin/scancode" --license --json "$tmp/warm.json" --processes "$(nproc)" "${files[0]}" >/dev/null 2>&1
start=$(date +%s.%N)
"$venv/bin/scancode" --license --json "$tmp/scancode.json" --processes "$(nproc)" "$tmp/files" >/dev/null 2>&1
scancode=$(echo "$(date +%s.%N) - $start" | bc -l)
printf 'hatchery license detect: %.3f s (median of 3), %.1f files/s\n' "$median" "$(echo "${#files[@]} / $median" | bc -l)"
printf 'scancode --license:      %.1f s, %.2f files/s\n' "$scancode" "$(echo "${#files[@]} / $scancode" | bc -l)"
printf 'speed ratio: %.0fx\n' "$(echo "$scancode / $median" | bc -l)"
echo -n "hatchery: "; python3 Benchmarks/license_bench.py score "$tmp/files/labels.json" "$tmp/hatchery.jsonl"
echo -n "scancode: "; python3 Benchmarks/license_bench.py score "$tmp/files/labels.json" "$tmp/scancode.json"

# Hostile text, timed here rather than in a unit test: 10,000 lines of licence mentions are
# detected in well under a second (findings are capped; nothing is matched against every other).
for i in $(seq 10000); do
  echo "Licensed under the Apache License, Version 2.0. MIT License. SPDX-License-Identifier: MIT"
done >"$tmp/mentions.txt"
start=$(date +%s.%N)
timeout 10 "$hatchery" license detect "$tmp/mentions.txt" >/dev/null \
  || { echo "hostile: 10,000 lines of mentions were not detected within 10 s"; exit 1; }
printf 'hostile: 10,000 lines of licence mentions detected in %.2f s\n' "$(echo "$(date +%s.%N) - $start" | bc)"
