#!/usr/bin/env bash
# Licence detection on Perl modules (issue 18): the main module of every Perl library Debian 12
# packages (lib*-perl), labelled by the `Files: *` licence of the package's copyright file, in dev
# and test halves by a hash of the source package's name (Benchmarks/license_perl.py; scored as the
# SPDX sets are, any SPDX form of the Artistic Licence 1.0 counting as Debian's "Artistic").
# `hatchery license detect` (one process, median of 3) beside ScanCode-toolkit (as many processes
# as cores, from SCANCODE_VENV, default Benchmarks/.venv-scancode).
# SET=php draws a pool for tuning only (no test half) the same way from every php-* package: the
# first PHP file under /usr/share/php whose first 40 lines hold licence wording; SET=node from every
# node-* package, the first JavaScript file under /usr/share/nodejs.
#   [SET=php|node] [KEEP=folder] Benchmarks/license-perl.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/licence-tools.sh
source Benchmarks/work-folder.sh
set=${SET:-perl}
case "$set" in perl | php | node) ;; *) echo "SET is perl, php or node" >&2; exit 2 ;; esac
if [ ! -f "$work/labels.json" ]; then
  python3 Benchmarks/license_perl.py prepare "$work" "$set"
fi
files=("$work"/files/*)
[ -e "${files[0]}" ] || { echo "skip: no $set packages could be downloaded"; exit 0; }
echo "$(date -u +%Y-%m-%d), $(nproc) cores, ${#files[@]} files, $("$venv/bin/scancode" --version | head -1)"
time_licence_tools "$set" "$work/files" "${files[@]}"
halves=(dev test)
[ "$set" = perl ] || halves=(dev)
for half in "${halves[@]}"; do
  for tool in "hatchery-$set.jsonl" "scancode-$set.json"; do
    echo -n "${tool%%-*} "; python3 Benchmarks/license_perl.py score "$work" "$work/$tool" "$half"
  done
done
