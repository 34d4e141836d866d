#!/usr/bin/env bash
# Licence detection on Rust crates (issue 18): the licence files of every crate Debian 12 packages
# (librust-*-dev), labelled by the crate's own Cargo.toml `license`, in dev and test halves by a
# hash of the crate's name (Benchmarks/license_crates.py; scored as the PyPI set is).
# `hatchery license detect` (one process, median of 3) beside ScanCode-toolkit (as many processes
# as cores, from SCANCODE_VENV, default Benchmarks/.venv-scancode).
#   [KEEP=folder] Benchmarks/license-crates.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
[ -f "$work/labels.json" ] || python3 Benchmarks/license_crates.py prepare "$work"
files=("$work"/files/*)
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} licence files, $("$venv/bin/scancode" --version | head -1)"
time_licence_tools crates "$work/files" "${files[@]}"
for half in dev test; do
  for tool in hatchery scancode; do
    echo -n "$tool "
    python3 Benchmarks/license_pypi.py score "$work" "$work/$tool-crates.json$([ $tool = hatchery ] && echo l)" "$half"
  done
done
