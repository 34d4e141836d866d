#!/usr/bin/env bash
# Licence detection on Debian copyright files the detector was not tuned on (issue 18), of packages
# of the archive that are not installed on this machine (nor built from an installed package's
# source), in dev and test halves by source package (Benchmarks/license_bench.py):
#   SET=archive   machine-readable files, `License:` lines removed and used as labels;
#   SET=freeform  free-form files as they are, labelled by the machine-readable file Debian 13
#                 ships for the same package at the same upstream version.
# `hatchery license detect` (one process) beside ScanCode-toolkit (Benchmarks/licence-tools.sh).
#   [SET=archive|freeform] [COUNT=600] [KEEP=folder] Benchmarks/license-archive.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-600}
set_name=${SET:-archive}
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
if [ ! -f "$work/files/split.json" ]; then
  python3 Benchmarks/license_bench.py "prepare-$set_name" "$work/files" "$count" \
    || { echo "skip: packages cannot be downloaded"; exit 0; }
fi
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $("$venv/bin/scancode" --version | head -1)"
time_licence_tools "$set_name" "$work/files" "$work"/files/*.copyright
for half in dev test; do
  for tool in hatchery-$set_name.jsonl scancode-$set_name.json; do
    echo -n "$half ${tool%%-*}: "; python3 Benchmarks/license_bench.py score "$work/files/labels.json" "$work/$tool" "$half"
  done
done
