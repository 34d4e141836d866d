#!/usr/bin/env bash
# Main-content extraction beyond news (issue 18): documentation pages of nine generators, pages
# whose content is a list or table, manuals and man pages in seven other languages (Japanese and
# Chinese among them), four rounds of generators held out while the extractor was tuned, and
# mailing-list threads as public-inbox, MHonArc and HyperKitty publish them (the mail of the
# SpamAssassin public corpus, as a Debian package ships it), the same threads posted to two forum
# engines (django-machina and Spirit, from PyPI), from Debian packages (apt-get download; the
# archivers installed) and the Markdown READMEs of PyPI wheels (made into pages by pandoc), ground
# truth from each generator's content container (Benchmarks/extract_genres.py). Hatchery (`hatchery
# extract --jsonl --timing`) beside trafilatura 2.3.1 (defaults and favor_recall) and resiliparse
# 2.0.1, one core (taskset -c 0), dev and test halves; each peer's pages/s from its own per-page
# times.
#   [KEEP=folder] [HTML_VENV=venv] [FORUM_VENV=venv] [WHEELS=folder of wheels] Benchmarks/extract-genres.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/html-peers.sh || { echo "skip: the peers cannot be installed (no PyPI?)"; exit 0; }
# The forum engines in a virtual environment of their own (they want a newer Django than Debian's,
# which HyperKitty uses); without it the forums genre is left out.
forum_venv=$(realpath -m "${FORUM_VENV:-Benchmarks/.venv-forum}")
if [ ! -x "$forum_venv/bin/spirit" ]; then
  python3 -m venv "$forum_venv" && "$forum_venv/bin/pip" install -q "django>=4.2,<5" django-machina==1.3.1 \
    django-spirit==0.14.3 || echo "note: the forum engines cannot be installed; the forums genre is left out"
fi
if [ -x "$forum_venv/bin/spirit" ]; then export FORUM_PYTHON=$forum_venv/bin/python; fi
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
source Benchmarks/work-folder.sh
tools="man2html-base pandoc public-inbox mhonarc python3-django-hyperkitty"
for tool in man2html pandoc public-inbox-init mhonarc; do
  command -v $tool >/dev/null || apt-get install -y -q --no-install-recommends $tools >/dev/null 2>&1 \
    || { echo "skip: $tool is missing (apt-get install $tools)"; exit 0; }
done
/usr/bin/python3 -c "import hyperkitty" 2>/dev/null || apt-get install -y -q --no-install-recommends $tools >/dev/null 2>&1 \
  || { echo "skip: HyperKitty is missing (apt-get install $tools)"; exit 0; }
packages=(manpages-dev manpages-ja manpages-zh manpages-de manpages-fr sphinx-doc python-requests-doc mkdocs-doc
  octave-doc gettext-doc libeigen3-doc libsdl2-doc doxygen-doc libcommons-lang3-java-doc libglib2.0-doc
  git-doc rust-doc postgresql-doc-15 developers-reference developers-reference-fr developers-reference-ja
  debian-reference-de debian-reference-fr debian-reference-es debian-reference-it debian-reference-pt
  debian-reference-ja debian-reference-zh-cn maint-guide-ja golang-github-gatherstars-com-jwz-dev
  libgtk-4-doc libadwaita-1-doc libghc-lens-doc libghc-aeson-doc erlang-doc qtbase5-doc-html yard-doc
  apache2-doc docutils-doc fp-docs-3.2.2 racket-doc swi-prolog-doc vim-doc putty-doc gnuplot-doc exim4-doc-html
  imagemagick-6-doc libboost1.81-doc postfix-doc)
# A folder kept from before the fourth round of generators is prepared again.
if [ ! -f "$work/truth.jsonl" ] || ! grep -q '"genre": "unseen4"' "$work/truth.jsonl"; then
  mkdir -p "$work/debs" "$work/root"
  (cd "$work/debs" && apt-get download "${packages[@]}" >/dev/null 2>&1) \
    || { echo "skip: the Debian packages cannot be downloaded"; exit 0; }
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  "$venv/bin/python" Benchmarks/extract_genres.py generate "$work/root" "${WHEELS:-$work/wheels}"
  "$venv/bin/python" Benchmarks/extract_genres.py prepare "$work/root" "$work"
elif [ Benchmarks/extract_genres.py -nt "$work/truth.jsonl" ]; then
  # The truth is derived again whenever the script that derives it has changed.
  "$venv/bin/python" Benchmarks/extract_genres.py prepare "$work/root" "$work"
fi
pin="taskset -c 0"
command -v taskset >/dev/null || pin=""
echo "$(date -u +%Y-%m-%d), $(ls "$work"/debs | tr '\n' ' ')"
# Hatchery's pages/s per set: each set extracted 3 times over in one process (median of 3 runs).
rm -f "$work/rates" "$work/hatchery.jsonl"
for set in docs/dev docs/test lists/dev lists/test non-english/dev non-english/test unseen/dev unseen/test \
  unseen2/dev unseen2/test unseen3/dev unseen3/test unseen4/dev unseen4/test threads/dev threads/test \
  forums/dev forums/test; do
  mapfile -t pages < <(python3 Benchmarks/extract_genres.py pages "$work" "${set%/*}" "${set#*/}")
  rates=()
  for _ in 1 2 3; do
    $pin "$hatchery" extract --jsonl --timing --rounds 3 "${pages[@]}" >"$work/set.jsonl" 2>"$work/timing"
    rates+=("$(sed -E 's/.*: ([0-9.]+) files\/s.*/\1/' "$work/timing")")
  done
  cat "$work/set.jsonl" >>"$work/hatchery.jsonl"
  echo "$set $(printf '%s\n' "${rates[@]}" | sort -g | sed -n 2p)" >>"$work/rates"
done
echo "hatchery:"
"$venv/bin/python" Benchmarks/extract_genres.py score "$work" "$work/hatchery.jsonl"
rm "$work/rates"
for peer in trafilatura trafilatura-recall resiliparse; do
  $pin "$venv/bin/python" Benchmarks/extract_genres.py peer "$work" "$peer" "$work/$peer.jsonl"
  echo "$peer:"
  "$venv/bin/python" Benchmarks/extract_genres.py score "$work" "$work/$peer.jsonl"
done
