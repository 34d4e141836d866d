#!/usr/bin/env bash
# Web and XML ingestion on the real samples in ../shared/corpora (release build):
#  - wiki-xml: documents per dump against an independent count of main-namespace, non-redirect
#    <page> elements (Python's ElementTree over the decompressed XML), and peak memory of
#    `hatchery ingest` on that dump repeated 1x, 8x and 32x (it must not grow with the dump);
#  - warc: response records ingested or rejected per file against warcio's count of response
#    records (warcio from WARC_VENV, default Benchmarks/.venv-html; skipped without it);
#  - jats-xml: documents and the licence evidence recorded per article.
#   Benchmarks/ingest-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
corpora=${CORPORA:-../shared/corpora}
command -v sqlite3 >/dev/null || { echo "skip: the sqlite3 command is needed (apt-get install sqlite3)"; exit 0; }
swift build -c release --product hatchery >/dev/null
hatchery=$PWD/.build/release/hatchery
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

count_docs() {  # workspace source file -> documents ingested from that file
  sqlite3 "$1/hatchery.db" "select count(*) from documents d join sources s on s.id = d.source_id where s.name = '$2' and d.path like '%$3'"
}
count_rejects() {
  sqlite3 "$1/hatchery.db" "select count(*) from rejects r join sources s on s.id = r.source_id where s.name = '$2' and r.path like '%$3'"
}

if [ -d "$corpora/wiki-xml" ]; then
  echo "== wiki-xml: documents against main-namespace non-redirect <page> elements"
  "$hatchery" init "$work/wiki" >/dev/null
  "$hatchery" ingest -w "$work/wiki" --source wiki --threads 1 "$corpora/wiki-xml" >/dev/null 2>&1
  for dump in "$corpora"/wiki-xml/*.bz2; do
    name=$(basename "$dump")
    expected=$(python3 - "$dump" <<'PY'
import bz2, sys, xml.etree.ElementTree as ET
count = 0
for _, element in ET.iterparse(bz2.open(sys.argv[1])):
    if element.tag.rsplit('}', 1)[-1] == 'page':
        children = {child.tag.rsplit('}', 1)[-1]: child for child in element}
        if children.get('ns') is not None and children['ns'].text == '0' and 'redirect' not in children:
            count += 1
        element.clear()
print(count)
PY
)
    printf '%-72s hatchery %4s  ElementTree %4s\n' "$name" "$(count_docs "$work/wiki" wiki "$name")" "$expected"
  done
  echo "== peak memory of ingest against dump size (enwiki sample repeated)"
  enwiki=$(ls "$corpora"/wiki-xml/enwiki-latest-pages-articles1*.bz2)
  for times in 1 8 32; do
    python3 - "$enwiki" "$times" "$work/dump-$times.xml" <<'PY'
import bz2, re, sys
text = bz2.open(sys.argv[1]).read().decode('utf8')
start, end = text.index('<page>'), text.rindex('</page>') + len('</page>')
pages = text[start:end]
with open(sys.argv[3], 'w', encoding='utf8') as out:
    out.write(text[:start])
    for copy in range(int(sys.argv[2])):
        out.write(re.sub(r'<id>(\d+)</id>', lambda m: f'<id>{int(m.group(1)) + copy * 10**7}</id>', pages))
    out.write(text[end:])
PY
    "$hatchery" init "$work/mem-$times" >/dev/null
    /usr/bin/time -f "%M" -o "$work/peak-$times" "$hatchery" ingest -w "$work/mem-$times" --source wiki --threads 1 \
      "$work/dump-$times.xml" >/dev/null 2>&1
    printf 'dump x%s: %s MB of XML, %s documents, peak %s MB\n' "$times" \
      "$(( $(stat -c %s "$work/dump-$times.xml") / 1000000 ))" "$(count_docs "$work/mem-$times" wiki dump-$times.xml)" \
      "$(( $(cat "$work/peak-$times") / 1024 ))"
  done
fi

if [ -d "$corpora/warc" ]; then
  echo "== warc: response records (ingested + rejected) against warcio"
  "$hatchery" init "$work/warc" >/dev/null
  "$hatchery" ingest -w "$work/warc" --source warc --threads 1 "$corpora/warc" >/dev/null 2>&1 || true
  venv=${WARC_VENV:-Benchmarks/.venv-html}
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import warcio' 2>/dev/null; then
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q warcio || echo "warcio not installed: counts below are Hatchery's only"
  fi
  for file in "$corpora"/warc/*.warc*; do
    name=$(basename "$file")
    peer=$("$venv/bin/python" - "$file" <<'PY' 2>/dev/null || echo "?"
import sys
from warcio.archiveiterator import ArchiveIterator
count = 0
try:
    with open(sys.argv[1], 'rb') as stream:
        for record in ArchiveIterator(stream):
            count += record.rec_type == 'response'
except Exception:
    pass
print(count)
PY
)
    printf '%-40s hatchery %3s documents + %s rejected  warcio %s responses\n' "$name" \
      "$(count_docs "$work/warc" warc "$name")" "$(count_rejects "$work/warc" warc "$name")" "$peer"
  done
  sqlite3 "$work/warc/hatchery.db" "select reason, count(*) from rejects group by reason" | sed 's/^/  rejected: /'
fi

if [ -d "$corpora/jats-xml" ]; then
  echo "== jats-xml: documents and licence evidence"
  "$hatchery" init "$work/jats" >/dev/null
  "$hatchery" ingest -w "$work/jats" --source jats --threads 1 "$corpora/jats-xml" >/dev/null 2>&1
  "$hatchery" extract --jsonl "$corpora"/jats-xml/*.nxml | python3 -c '
import json, sys
for line in sys.stdin:
    record = json.loads(line)
    hints = record.get("licenses", []) or ["(no licence statement)"]
    name = record["path"].rsplit("/", 1)[-1]
    print("  %-24s %6d chars  %s" % (name, len(record["text"]), hints[0][:70]))'
fi
