"""Writes the training documents of a tok-text corpus folder (docs.tsv rows of split "train",
cut out of train.txt) as JSONL lines {"text", "id"}, for `hatchery ingest --format jsonl`.
Used by Benchmarks/shards.sh and Benchmarks/train.sh."""
import json, sys

corpus, out = sys.argv[1], sys.argv[2]
data = open(f"{corpus}/train.txt", "rb").read()
with open(f"{corpus}/docs.tsv") as rows, open(out, "w") as f:
    next(rows)
    for row in rows:
        split, offset, length, package, path = row.rstrip("\n").split("\t")[:5]
        if split == "train":
            text = data[int(offset):int(offset) + int(length)].decode("utf-8")
            f.write(json.dumps({"text": text, "id": f"{package}/{path}"}) + "\n")
