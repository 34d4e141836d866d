#!/usr/bin/env python3
"""Scores main-content extraction on the html-extract corpus with the corpus's own scorer.

Usage: html_extract_eval.py CORPUS PREDICTIONS.jsonl   (lines {"path": ".../ID.html.gz", "text": ...})
       html_extract_eval.py CORPUS --peer trafilatura|trafilatura-recall|resiliparse [--runs N]
Prints F1, precision and recall (the benchmark's 4-gram shingle scores) and, for peers, pages/s
of extraction alone (pages decompressed into memory first, one process, median of --runs).
"""
import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path


def load_scorer(corpus: Path):
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(corpus))
    import evaluate  # the corpus's own evaluate.py
    return evaluate


def score(corpus: Path, predictions: dict) -> dict:
    evaluate = load_scorer(corpus)
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf8"))
    missing = truth.keys() - predictions.keys()
    if missing:
        raise SystemExit(f"{len(missing)} pages have no prediction, e.g. {sorted(missing)[0]}")
    prediction = {key: {"articleBody": predictions[key]} for key in truth}
    return evaluate.evaluate(truth, prediction, n_bootstrap=1)


def peer(name: str, pages: dict) -> dict:
    if name in ("trafilatura", "trafilatura-recall"):
        import trafilatura
        recall = name == "trafilatura-recall"
        return {key: trafilatura.extract(html, favor_recall=recall) or "" for key, html in pages.items()}
    if name == "resiliparse":
        from resiliparse.extract.html2text import extract_plain_text
        return {key: extract_plain_text(html, main_content=True) for key, html in pages.items()}
    raise SystemExit(f"unknown peer {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("predictions", nargs="?", type=Path)
    parser.add_argument("--peer")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    if args.peer:
        pages = {}
        for path in sorted((args.corpus / "html").glob("*.html.gz")):
            pages[path.name[: -len(".html.gz")]] = gzip.decompress(path.read_bytes()).decode("utf8", "replace")
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            predictions = peer(args.peer, pages)
            times.append(time.perf_counter() - started)
        rate = len(pages) / statistics.median(times)
    else:
        predictions = {}
        for line in args.predictions.read_text(encoding="utf8").splitlines():
            record = json.loads(line)
            predictions[Path(record["path"]).name.split(".")[0]] = record["text"]
        rate = None
    metrics = score(args.corpus, predictions)
    line = f"F1 {metrics['f1']:.3f}  precision {metrics['precision']:.3f}  recall {metrics['recall']:.3f}"
    if rate is not None:
        line += f"  {rate:.1f} pages/s"
    print(line)


if __name__ == "__main__":
    main()
