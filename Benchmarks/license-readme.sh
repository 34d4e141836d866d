#!/usr/bin/env bash
# Licence detection on READMEs (issue 18): the README of every Rust crate and Node.js module Debian
# 12 packages and of the PyPI distributions of its first 2,000 python3-* names, labelled by the
# project's own Cargo.toml, package.json or wheel metadata, in dev and test halves by a hash of the
# project's name (Benchmarks/license_readme.py; scored as the PyPI set is).
# `hatchery license detect` (one process, median of 3) beside ScanCode-toolkit (as many processes
# as cores, from SCANCODE_VENV, default Benchmarks/.venv-scancode).
#   [KEEP=folder] Benchmarks/license-readme.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
[ -f "$work/labels.json" ] || python3 Benchmarks/license_readme.py prepare "$work"
files=("$work"/files/*)
[ -e "${files[0]}" ] || { echo "skip: no packages could be downloaded"; exit 0; }
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} READMEs, $("$venv/bin/scancode" --version | head -1)"
time_licence_tools readme "$work/files" "${files[@]}"
for half in dev test; do
  for tool in hatchery-readme.jsonl scancode-readme.json; do
    echo "${tool%%-*}"; python3 Benchmarks/license_readme.py score "$work" "$work/$tool" "$half"
  done
done
