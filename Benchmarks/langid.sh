#!/usr/bin/env bash
# Language identification beside langid.py (release build): held-out paragraphs of at least 100
# characters from this machine's translated manual pages (a different source from the gettext
# catalogues the shipped model is trained on), 20 languages plus English; langid.py 1.1.6 from
# Benchmarks/.venv-langid (ignored by git), restricted to the shipped model's 24 languages.
# Prints accuracy on the whole set and on its two halves (even- and odd-numbered paragraphs: the
# model's one tuned constant was chosen on the even half).
#   Benchmarks/langid.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v groff >/dev/null || [ ! -d /usr/share/man/de ]; then echo "skip: groff or translated manual pages missing"; exit 0; fi
swift build -c release --product hatchery >/dev/null
venv=${LANGID_VENV:-Benchmarks/.venv-langid}
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q langid numpy
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 Benchmarks/langid_bench.py build "$tmp/heldout" | tr '\n' ' '
echo
start=$(date +%s.%N)
.build/release/hatchery filter langid "$tmp"/heldout/*.txt >"$tmp/hatchery.jsonl"
echo "hatchery: $(ls "$tmp"/heldout/*.txt | wc -l) files in $(echo "$(date +%s.%N) - $start" | bc -l | cut -c1-5) s"
"$venv/bin/python" Benchmarks/langid_bench.py score "$tmp/heldout" "$tmp/hatchery.jsonl"
