#!/usr/bin/env python3
"""Main-content extraction on news and web pages other than the public html-extract set (issue 18),
from two extractors' own test data, downloaded from PyPI by Benchmarks/extract-news.sh:

- `snippets`: the pages of trafilatura's evaluation that trafilatura 1.1.0's source distribution
  ships (tests/cache: news, blogs, shops, institutional pages, most of them German), scored as
  trafilatura scores itself: per page, snippets the main text must hold ("with") and boilerplate it
  must not ("without"), from its tests/evaldata.py (not in any distribution: ROOT/evaldata.py is a
  copy). A snippet found in a tool's text is a true or a false positive, one not found a false
  negative or a true negative (trafilatura's tests/comparison.py). trafilatura was developed on
  these pages: it plays at home.
- `newspaper`: newspaper4k 0.9.6's test articles (tests/data: html/NAME.html with txt/NAME.txt,
  the text newspaper4k extracts; English, Arabic, Burmese, Chinese, Japanese, Korean, Latvian,
  Spanish, Thai), scored as the genre sets are (4-gram shingles, Benchmarks/extract_genres.py).

  extract_news.py pages SET ROOT [SPLIT]          the pages' paths, one a line
  extract_news.py peer SET ROOT NAME OUT          trafilatura | trafilatura-recall | resiliparse
  extract_news.py score SET ROOT RESULTS [RATE]   per half; RATE: pages/s when RESULTS has no times

ROOT: the folder holding cache/ and evaldata.py (snippets) or html/ and txt/ (newspaper). Halves:
a page is dev or test by the SHA-1 of its file name (even: dev), fixed before any rule was tuned.
"""
import ast
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def split(name):
    return "dev" if int(hashlib.sha1(name.encode()).hexdigest(), 16) % 2 == 0 else "test"


def snippets(root):
    """file name -> (with, without) for every evaluation page the cache holds."""
    tree = ast.parse(Path(root, "evaldata.py").read_text(encoding="utf8"))
    entries = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EVAL_PAGES" for t in node.targets):
            entries = ast.literal_eval(node.value)
    if entries is None:
        raise SystemExit(f"{root}/evaldata.py: no EVAL_PAGES")
    held = set(os.listdir(Path(root, "cache")))
    return {e["file"]: (e.get("with", []), e.get("without", []))
            for e in entries.values() if e.get("file") in held and (e.get("with") or e.get("without"))}


def page_paths(kind, root):
    """name -> path of every page of the set."""
    if kind == "snippets":
        return {name: Path(root, "cache", name) for name in snippets(root)}
    if kind == "newspaper":
        return {path.stem: path for path in sorted(Path(root, "html").glob("*.html"))
                if Path(root, "txt", path.stem + ".txt").exists()}
    raise SystemExit(__doc__)


def pages(kind, root, which=None):
    for name, path in sorted(page_paths(kind, root).items()):
        if which in (None, split(name)):
            print(path)


def peer(kind, root, name, out):
    from extract_genres import decode, peer_extractor
    run = peer_extractor(name)
    with open(out, "w", encoding="utf8") as file:
        for page, path in sorted(page_paths(kind, root).items()):
            html = decode(path.read_bytes())
            started = time.perf_counter()
            text = run(html)
            seconds = time.perf_counter() - started
            file.write(json.dumps({"path": str(path), "text": text, "seconds": seconds}, ensure_ascii=False) + "\n")


def score(kind, root, results, rate=None):
    import extract_genres
    paths = page_paths(kind, root)
    by_path = {str(path): name for name, path in paths.items()}
    texts, seconds = {}, {}
    for line in open(results, encoding="utf8"):
        record = json.loads(line)
        name = by_path.get(record["path"])
        if name is not None:
            texts[name] = record["text"]
            seconds[name] = record.get("seconds")
    expected = snippets(root) if kind == "snippets" else None
    for half in ("dev", "test"):
        names = [n for n in sorted(paths) if split(n) == half]
        if kind == "snippets":
            found = missed = kept = 0
            for name in names:
                wanted, unwanted = expected[name]
                text = texts.get(name, "")
                hits = sum(s in text for s in wanted)
                found, missed, kept = found + hits, missed + len(wanted) - hits, kept + sum(s in text for s in unwanted)
            f1, p, r = 2 * found / (2 * found + kept + missed), found / (found + kept), found / (found + missed)
            detail = f"  (snippets found {found}, missed {missed}; boilerplate kept {kept})"
        else:
            truth = {n: Path(root, "txt", n + ".txt").read_text(encoding="utf8") for n in names}
            f1, p, r = extract_genres.summary([extract_genres.page_score(truth[n], texts.get(n, "")) for n in names])
            detail = ""
        times = [seconds[n] for n in names if seconds.get(n) is not None]
        speed = rate or (f"{len(times) / sum(times):.1f}" if times and sum(times) > 0 else "-")
        print(f"{kind}/{half}: F1 {f1:.3f}  precision {p:.3f}  recall {r:.3f}  pages {len(names)}  "
              f"{speed} pages/s{detail}")


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) in (3, 4) and args[0] == "pages":
        pages(args[1], args[2], args[3] if len(args) == 4 else None)
    elif len(args) == 5 and args[0] == "peer":
        peer(*args[1:])
    elif len(args) in (4, 5) and args[0] == "score":
        score(*args[1:])
    else:
        raise SystemExit(__doc__)
