#!/usr/bin/env bash
# Licence detection on source files with SPDX-License-Identifier headers (issue 18): files of the
# Linux kernel's source as Debian ships it (linux-source-6.1, apt-get download), labelled by their
# tag (Benchmarks/license_spdx.py), as they are ("tagged") and with the tag line removed where
# licence wording is left ("untagged": the rest of the header must say it; a tag often carries a
# licence the remaining text does not state, so recall there has a ceiling below 1 for both
# tools). Dev and test halves. `hatchery license detect` (one process) beside ScanCode-toolkit
# (Benchmarks/licence-tools.sh).
# DEV2=1 also draws and scores a second dev sample of 400 untagged files (for tuning; it has no
# test half).
#   [COUNT=800] [DEV2=1] [KEEP=folder] Benchmarks/license-spdx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-800}
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
if [ ! -f "$work/labels.json" ]; then
  mkdir -p "$work/debs"
  (cd "$work/debs" && apt-get download linux-source-6.1 >/dev/null 2>&1) \
    || { echo "skip: linux-source-6.1 cannot be downloaded"; exit 0; }
  python3 Benchmarks/license_spdx.py prepare "$work" "$count"
fi
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $("$venv/bin/scancode" --version | head -1)"
for set in tagged untagged; do
  time_licence_tools "$set" "$work/$set" "$work/$set"/*
  for half in dev test; do
    for tool in hatchery-$set.jsonl scancode-$set.json; do
      echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" "$set" "$work/$tool" "$half"
    done
  done
done
if [ -n "${DEV2:-}" ]; then
  [ -d "$work/dev2" ] || python3 Benchmarks/license_spdx.py prepare-dev2 "$work" 400
  time_licence_tools dev2 "$work/dev2" "$work/dev2"/*
  for tool in hatchery-dev2.jsonl scancode-dev2.json; do
    echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" dev2 "$work/$tool" dev
  done
fi
