#!/usr/bin/env bash
# Licence detection on data of another kind than Debian's copyright files (issue 18): the
# licence files of PyPI wheels, labelled by their own metadata (PEP 639 License-Expression, else
# unambiguous License classifiers; Benchmarks/license_pypi.py), in dev and test halves.
# `hatchery license detect` (one process) beside ScanCode-toolkit (as many processes as cores,
# from SCANCODE_VENV, default Benchmarks/.venv-scancode, which also downloads the wheels).
# DEV2=1 also draws and scores five more dev samples (for tuning; no test half): the dev-half
# distributions among the 700 names after the set's (dev2), then the 700 after those (dev3), then
# the next 700 (dev4), 700 more (dev5) and the rest (dev6; Benchmarks/license_pypi.py prepare-dev).
#   [COUNT=300] [DEV2=1] [KEEP=folder] Benchmarks/license-pypi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-300}
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
[ -f "$work/labels.json" ] || "$venv/bin/python" Benchmarks/license_pypi.py prepare "$work" "$count"
files=("$work"/files/*)
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} licence files, $("$venv/bin/scancode" --version | head -1)"
: >"$work/seconds"  # this run's times only
for run in 1 2 3; do
  start=$(date +%s.%N)
  "$hatchery" license detect "${files[@]}" >"$work/hatchery.jsonl"
  echo "$(date +%s.%N) - $start" | bc -l >>"$work/seconds"
done
median=$(sort -n "$work/seconds" | sed -n 2p)
start=$(date +%s.%N)
"$venv/bin/scancode" --license --json "$work/scancode.json" --processes "$(nproc)" "$work/files" >/dev/null 2>&1
scancode=$(echo "$(date +%s.%N) - $start" | bc -l)
printf 'hatchery license detect: %.3f s (median of 3), %.1f files/s; scancode --license: %.1f s, %.2f files/s; speed ratio %.0fx\n' \
  "$median" "$(echo "${#files[@]} / $median" | bc -l)" "$scancode" "$(echo "${#files[@]} / $scancode" | bc -l)" "$(echo "$scancode / $median" | bc -l)"
for half in dev test; do
  echo -n "hatchery "; python3 Benchmarks/license_pypi.py score "$work" "$work/hatchery.jsonl" "$half"
  echo -n "scancode "; python3 Benchmarks/license_pypi.py score "$work" "$work/scancode.json" "$half"
done
if [ -n "${DEV2:-}" ]; then
  for sample in "dev2 0" "dev3 700" "dev4 1400" "dev5 2100" "dev6 2800"; do
    read -r name offset <<<"$sample"
    [ -f "$work/$name/labels.json" ] || "$venv/bin/python" Benchmarks/license_pypi.py prepare-dev "$work" "$name" 700 "$offset"
    "$hatchery" license detect "$work/$name"/files/* >"$work/$name/hatchery.jsonl"
    [ -f "$work/$name/scancode.json" ] || "$venv/bin/scancode" --license --json "$work/$name/scancode.json" \
      --processes "$(nproc)" "$work/$name/files" >/dev/null 2>&1
    for tool in hatchery scancode; do
      echo -n "$tool $name "
      python3 Benchmarks/license_pypi.py score "$work/$name" "$work/$name/$tool$([ $tool = hatchery ] && echo .jsonl || echo .json)" dev
    done
  done
fi
