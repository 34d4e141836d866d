#!/usr/bin/env bash
# Licence detection on Perl modules (issue 18): the main module of every Perl library Debian 12
# packages (lib*-perl), labelled by the `Files: *` licence of the package's copyright file, in dev
# and test halves by a hash of the source package's name (Benchmarks/license_perl.py; scored as the
# SPDX sets are). `hatchery license detect` (one process, median of 3) beside ScanCode-toolkit (as
# many processes as cores, from SCANCODE_VENV, default Benchmarks/.venv-scancode).
#   [KEEP=folder] Benchmarks/license-perl.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
if [ ! -f "$work/labels.json" ]; then
  python3 Benchmarks/license_perl.py prepare "$work"
fi
files=("$work"/files/*)
[ -e "${files[0]}" ] || { echo "skip: no Perl packages could be downloaded"; exit 0; }
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} modules, $("$venv/bin/scancode" --version | head -1)"
time_licence_tools perl "$work/files" "${files[@]}"
for half in dev test; do
  for tool in hatchery-perl.jsonl scancode-perl.json; do
    echo -n "${tool%%-*} "; python3 Benchmarks/license_spdx.py score "$work" files "$work/$tool" "$half"
  done
done
