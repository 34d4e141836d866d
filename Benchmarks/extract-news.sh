#!/usr/bin/env bash
# Main-content extraction on news and web pages beyond the public html-extract set (issue 18): the
# pages of trafilatura's own evaluation that trafilatura 1.1.0's source distribution ships, scored
# with the "with"/"without" snippets of trafilatura's tests/evaldata.py (not in any distribution:
# TRAF_EVALDATA names a copy, e.g. of commit 08eb92f03e60a89773aeff9a4644402fea0c3476; without it
# that set is left out), and newspaper4k 0.9.6's test articles in nine languages, with the text it
# extracts as truth (Benchmarks/extract_news.py). Both from PyPI. Hatchery (`hatchery extract
# --jsonl --timing`) beside trafilatura 2.3.1 (defaults and favor_recall) and resiliparse 2.0.1,
# one core, dev and test halves.
#   [TRAF_EVALDATA=evaldata.py] [KEEP=folder] [HTML_VENV=venv] Benchmarks/extract-news.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/html-peers.sh || { echo "skip: the peers cannot be installed (no PyPI?)"; exit 0; }
source Benchmarks/work-folder.sh
download() {  # download NAME VERSION MEMBER FOLDER: one folder of a source distribution, into $work
  [ -d "$work/$4" ] && return 0
  "$venv/bin/pip" download -q --no-deps --no-binary :all: "$1==$2" -d "$work" >/dev/null 2>&1 || return 1
  tar -xzf "$work/$1-$2.tar.gz" -C "$work" "$1-$2/$3" && mkdir -p "$(dirname "$work/$4")" \
    && mv "$work/$1-$2/$3" "$work/$4"
}
sets=()
if [ -n "${TRAF_EVALDATA:-}" ] && [ -f "$TRAF_EVALDATA" ]; then
  if download trafilatura 1.1.0 tests/cache snippets/cache; then
    cp "$TRAF_EVALDATA" "$work/snippets/evaldata.py"
    sets+=(snippets)
  else
    echo "note: trafilatura 1.1.0's source distribution cannot be downloaded; the snippets set is left out"
  fi
else
  echo "note: TRAF_EVALDATA names no copy of trafilatura's tests/evaldata.py; the snippets set is left out"
fi
download newspaper4k 0.9.6 tests/data newspaper && sets+=(newspaper) \
  || echo "note: newspaper4k 0.9.6's source distribution cannot be downloaded; its set is left out"
[ ${#sets[@]} -gt 0 ] || { echo "skip: no set could be prepared"; exit 0; }
swift build -c release --product hatchery >/dev/null
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
echo "$(date -u +%Y-%m-%d)"
for set in "${sets[@]}"; do
  mapfile -t pages < <(python3 Benchmarks/extract_news.py pages "$set" "$work/$set")
  # Hatchery's pages/s: every page extracted 3 times over in one process, median of 3 runs.
  rates=()
  for _ in 1 2 3; do
    $pin .build/release/hatchery extract --jsonl --timing --rounds 3 "${pages[@]}" >"$work/$set-hatchery.jsonl" \
      2>"$work/timing"
    rates+=("$(sed -E 's/.*: ([0-9.]+) files\/s.*/\1/' "$work/timing")")
  done
  echo "hatchery:"
  python3 Benchmarks/extract_news.py score "$set" "$work/$set" "$work/$set-hatchery.jsonl" \
    "$(printf '%s\n' "${rates[@]}" | sort -g | sed -n 2p)"
  for peer in trafilatura trafilatura-recall resiliparse; do
    $pin "$venv/bin/python" Benchmarks/extract_news.py peer "$set" "$work/$set" "$peer" "$work/$set-$peer.jsonl"
    echo "$peer:"
    python3 Benchmarks/extract_news.py score "$set" "$work/$set" "$work/$set-$peer.jsonl"
  done
done
