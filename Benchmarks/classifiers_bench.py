"""fastText beside Hatchery's classifier (Benchmarks/classifiers.sh).

  data CORPORA OUT          labelled paragraphs: the package of a tok-text paragraph (the
                            eight largest documentation packages) or `book` for a Gutenberg
                            paragraph; split by document into dev (train) and test halves
  train OUT NAME ARGS...    train a fastText model on OUT/train.txt (ARGS as key=value, one
                            thread unless thread=N), print its seconds, save OUT/NAME.bin;
                            with quantize=1 also OUT/NAME.ftz
  compare OUT MODEL JSONL   fastText's predictions (k=-1) on OUT/test.txt against Hatchery's
                            JSON lines: same top label, largest probability difference
  accuracy OUT MODEL        fastText's top-1 accuracy on the test half
  speed OUT MODEL RUNS      fastText's predict on the list of test texts: median seconds
"""

import hashlib
import json
import os
import random
import sys
import time


def paragraphs_of_books(folder):
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            blocks = f.read().replace("\r\n", "\n").split("\n\n")
        for block in blocks:
            text = " ".join(block.split())
            if len(text) >= 80:
                yield name, text


def paragraphs_of_docs(corpus, packages):
    with open(os.path.join(corpus, "docs.tsv"), encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    files = {"train": open(os.path.join(corpus, "train.txt"), "rb"), "heldout": open(os.path.join(corpus, "heldout.txt"), "rb")}
    for split, offset, length, package, path in rows:
        if package not in packages:
            continue
        handle = files[split]
        handle.seek(int(offset))
        document = handle.read(int(length)).decode("utf-8", errors="replace")
        for line in document.split("\n"):
            text = " ".join(line.split())
            if len(text) >= 80:
                yield package + "/" + path, package, text


def data(corpora, out):
    os.makedirs(out, exist_ok=True)
    packages = ["linux-doc-6.1", "postgresql-doc-15", "rust-doc", "sqlite3-doc", "python-django-doc", "python3.11-doc", "git-doc", "apache2-doc"]
    rows = []
    for document, package, text in paragraphs_of_docs(os.path.join(corpora, "tok-text"), set(packages)):
        rows.append((document, package.replace(".", "_"), text))
    for document, text in paragraphs_of_books(os.path.join(corpora, "text-books", "gutenberg")):
        rows.append((document, "book", text))
    # Whole documents go to one half (a paragraph's neighbours are not in the other half).
    def half(document):
        return int(hashlib.sha1(document.encode()).hexdigest()[:8], 16) % 2
    random.seed(1)
    random.shuffle(rows)
    counts = {}
    with open(os.path.join(out, "train.txt"), "w", encoding="utf-8") as train, open(os.path.join(out, "test.txt"), "w", encoding="utf-8") as test, open(
        os.path.join(out, "test-labels.txt"), "w", encoding="utf-8"
    ) as labels:
        for document, label, text in rows:
            if half(document) == 0:
                train.write(f"__label__{label} {text}\n")
            else:
                test.write(text + "\n")
                labels.write(f"__label__{label}\n")
            counts[(label, half(document))] = counts.get((label, half(document)), 0) + 1
    for (label, part), count in sorted(counts.items()):
        print(f"{label:20s} {'train' if part == 0 else 'test':5s} {count}")


def train(out, name, args):
    import fasttext

    options = {"input": os.path.join(out, "train.txt"), "thread": 1, "verbose": 0, "seed": 1}
    quantize = False
    for arg in args:
        key, value = arg.split("=", 1)
        if key == "quantize":
            quantize = value == "1"
            continue
        if key == "thread":
            options["thread"] = int(value)
            continue
        options[key] = value if key == "loss" else (float(value) if key == "lr" else int(value))
    start = time.perf_counter()
    model = fasttext.train_supervised(**options)
    print(f"{time.perf_counter() - start:.3f}")
    model.save_model(os.path.join(out, name + ".bin"))
    if quantize:
        model.quantize(input=os.path.join(out, "train.txt"), qnorm=True, retrain=False, cutoff=20000)
        model.save_model(os.path.join(out, name + ".ftz"))


def test_texts(out):
    with open(os.path.join(out, "test.txt"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def compare(out, model_path, hatchery_jsonl):
    import fasttext

    model = fasttext.load_model(model_path)
    texts = test_texts(out)
    labels, probabilities = model.predict(texts, k=-1)
    same = 0
    worst = 0.0
    count = 0
    with open(hatchery_jsonl, encoding="utf-8") as f:
        for index, line in enumerate(f):
            theirs = json.loads(line)
            count += 1
            if theirs["labels"][:1] == list(labels[index][:1]):
                same += 1
            ours = dict(zip(theirs["labels"], theirs["probabilities"]))
            for label, probability in zip(labels[index], probabilities[index]):
                worst = max(worst, abs(ours.get(label, 0.0) - float(probability)))
    print(f"{same} {len(texts)} {count} {worst:.2e}")


def accuracy(out, model_path):
    import fasttext

    model = fasttext.load_model(model_path)
    with open(os.path.join(out, "test-labels.txt"), encoding="utf-8") as f:
        truth = [line.strip() for line in f]
    labels, _ = model.predict(test_texts(out), k=1)
    print(f"{sum(1 for got, want in zip(labels, truth) if got[0] == want) / len(truth):.4f}")


def speed(out, model_path, runs):
    import fasttext

    model = fasttext.load_model(model_path)
    texts = test_texts(out)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        model.predict(texts, k=1)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{times[len(times) // 2]:.4f} {len(texts)}")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "data":
        data(sys.argv[2], sys.argv[3])
    elif command == "train":
        train(sys.argv[2], sys.argv[3], sys.argv[4:])
    elif command == "compare":
        compare(sys.argv[2], sys.argv[3], sys.argv[4])
    elif command == "accuracy":
        accuracy(sys.argv[2], sys.argv[3])
    elif command == "speed":
        speed(sys.argv[2], sys.argv[3], int(sys.argv[4]))
