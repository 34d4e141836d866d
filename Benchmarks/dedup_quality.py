"""Ground truth and peer figures for `hatchery dedup` (run by Benchmarks/dedup.sh).

Reads the documents of a workspace from its part files, rebuilds the same word 5-shingles as
Hatchery (lower case, Unicode punctuation removed, split at white space, XXH3-64 of the words
joined by single spaces), and then either
  --quality:    computes the exact Jaccard similarity of every pair of documents (a sparse
                documents x shingles product, so no pair is skipped) and scores the workspace's
                dedup decisions: recall of pairs with J >= 0.85 (at most one of the two kept;
                also: both in one cluster), precision of reported (dropped, survivor) pairs
                (J >= 0.7);
  --datasketch: times datasketch's MinHash + MinHashLSH on the same documents, same shingles,
                same permutations ((a*h + b) mod 2^61-1, the 'legacy' scheme) and 14 x 8 bands,
                and compares with Hatchery's median time given by --hatchery-seconds.
"""
import argparse, json, sqlite3, statistics, sys, time, unicodedata

import numpy as np
import xxhash
import zstandard

PUNCTUATION = {c: None for c in range(0x110000) if unicodedata.category(chr(c)).startswith("P")}


def documents(workspace):
    store = sqlite3.connect(f"file:{workspace}/hatchery.db?mode=ro", uri=True)
    paths = [row[0] for row in store.execute(
        "SELECT p.path FROM ingest_parts p JOIN sources s ON s.id = p.source_id ORDER BY s.id, p.part")]
    for path in paths:
        with open(f"{workspace}/{path}", "rb") as part:
            text = zstandard.ZstdDecompressor().stream_reader(part).read()
        for line in text.splitlines():
            document = json.loads(line)
            yield document["id"], document["text"]


def words(text):
    return text.lower().translate(PUNCTUATION).split()


def shingle_texts(text, size=5):
    w = words(text)
    if not w:
        return []
    return [" ".join(w[i:i + size]).encode() for i in range(max(1, len(w) - size + 1))]


def quality(workspace):
    from scipy import sparse
    docs = list(documents(workspace))
    ids = [doc_id for doc_id, _ in docs]
    index = {doc_id: i for i, doc_id in enumerate(ids)}
    rows, hashes = [], []
    for i, (_, text) in enumerate(docs):
        values = {xxhash.xxh3_64_intdigest(s) for s in shingle_texts(text)}
        rows.extend([i] * len(values))
        hashes.extend(values)
    _, columns = np.unique(np.array(hashes, dtype=np.uint64), return_inverse=True)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (np.array(rows), columns)), shape=(len(docs), columns.max() + 1))
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    product = sparse.triu(matrix @ matrix.T, k=1).tocoo()
    jaccard = product.data / (sizes[product.row] + sizes[product.col] - product.data)

    store = sqlite3.connect(f"file:{workspace}/hatchery.db?mode=ro", uri=True)
    decisions = list(store.execute("SELECT document_id, duplicate_of, reason FROM decisions WHERE stage = 'dedup'"))
    cluster = {doc_id: doc_id for doc_id in ids}
    for dropped, survivor, _ in decisions:
        cluster[dropped] = survivor
    true_pairs = jaccard >= 0.85
    pairs = list(zip(product.row[true_pairs], product.col[true_pairs]))
    dropped = {doc_id for doc_id, _, _ in decisions}
    deduplicated = sum(1 for i, j in pairs if ids[i] in dropped or ids[j] in dropped)
    found = sum(1 for i, j in pairs if cluster[ids[i]] == cluster[ids[j]])
    pair_jaccard = {}
    for i, j, value in zip(product.row, product.col, jaccard):
        pair_jaccard[(i, j)] = value
    def similarity(a, b):
        i, j = sorted((index[a], index[b]))
        return pair_jaccard.get((i, j), 0.0)
    reported = [(a, b, reason, similarity(a, b)) for a, b, reason in decisions]
    correct = sum(1 for *_, value in reported if value >= 0.7)
    near = [value for _, _, reason, value in reported if reason == "near"]
    total_true = int(true_pairs.sum())
    print(f"documents: {len(docs)}, pairs with any shared shingle: {len(jaccard)}, "
          f"pairs with J >= 0.85: {total_true}, J in [0.7, 0.85): {int(((jaccard >= 0.7) & (jaccard < 0.85)).sum())}")
    print(f"recall (J >= 0.85, at most one of the two kept): {deduplicated}/{total_true} = "
          f"{deduplicated / total_true if total_true else float('nan'):.4f}; "
          f"in one cluster: {found}/{total_true} = {found / total_true if total_true else float('nan'):.4f}")
    print(f"precision (reported pairs with J >= 0.7): {correct}/{len(reported)} = "
          f"{correct / len(reported) if reported else float('nan'):.4f}  "
          f"(near pairs: {sum(v >= 0.7 for v in near)}/{len(near)})")


def datasketch_time(workspace, runs):
    from datasketch import MinHash, MinHashLSH
    docs = [text for _, text in documents(workspace)]
    megabytes = sum(len(t.encode()) for t in docs) / 1e6
    prime = (1 << 61) - 1
    generator = np.random.RandomState(42)
    permutations = (generator.randint(1, prime, size=112, dtype=np.uint64),
                    generator.randint(0, prime, size=112, dtype=np.uint64))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        lsh = MinHashLSH(num_perm=112, params=(14, 8))
        sketches = []
        for i, text in enumerate(docs):
            m = MinHash(num_perm=112, hashfunc=xxhash.xxh3_64_intdigest, permutations=permutations, scheme="legacy")
            shingles = shingle_texts(text)
            if shingles:
                m.update_batch(shingles)
            lsh.insert(i, m)
            sketches.append(m)
        for m in sketches:
            lsh.query(m)
        times.append(time.perf_counter() - start)
    return len(docs), megabytes, statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--datasketch", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hatchery-seconds", type=float)
    args = parser.parse_args()
    if args.quality:
        quality(args.workspace)
    if args.datasketch:
        count, megabytes, seconds = datasketch_time(args.workspace, args.runs)
        print(f"datasketch MinHash + MinHashLSH: {count} documents, {megabytes:.1f} MB, median {seconds:.2f} s "
              f"({megabytes / seconds:.2f} MB/s) over {args.runs} runs")
        if args.hatchery_seconds:
            print(f"hatchery dedup: median {args.hatchery_seconds:.2f} s ({megabytes / args.hatchery_seconds:.1f} MB/s): "
                  f"{seconds / args.hatchery_seconds:.1f}x datasketch")


if __name__ == "__main__":
    sys.exit(main())
