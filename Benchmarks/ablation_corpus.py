"""Writes the corpora of Benchmarks/ablation.sh from ../shared/corpora (text-books, near-dup,
tok-text): three training variants and held-out evaluation text none of them contains.

  a/        as is: the books (Project Gutenberg's header and licence text cut off), tinyshakespeare,
            the near-duplicate books once each, tok-text's train documents
  b/        a, with 30% of its documents (chosen by a hash of their id) replaced by copies of
            themselves with their words shuffled
  c/        a, with every near-duplicate book five times (run without dedup)
  held-out/books.jsonl  the books of text-books held out (a hash of their name), cut the same way,
                        as passages of about 4 KB taken from each book in turn
  held-out/docs.jsonl   tok-text's held-out documents
  (held-out documents with 1% or more of their word 13-grams in a's text are left out)

usage: ablation_corpus.py CORPORA OUT"""
import hashlib, json, os, random, re, sys

corpora, out = sys.argv[1], sys.argv[2]


def digest(text):
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def body(path):
    """A Gutenberg e-text without Project Gutenberg's header, licence and footer."""
    text = open(path, encoding="utf-8", errors="replace").read().replace("\r\n", "\n")
    lines = text.split("\n")
    start, end = 0, len(lines)
    for i, line in enumerate(lines):
        upper = line.upper()
        if ("START OF" in upper and "GUTENBERG" in upper) or "*END*THE SMALL PRINT" in upper:
            start = i + 1
            break
    for i in range(len(lines) - 1, start, -1):
        upper = lines[i].upper()
        if ("END OF" in upper and "GUTENBERG" in upper) and i > start:
            end = i
    kept = [line for line in lines[start:end] if "GUTENBERG" not in line.upper()]
    return "\n".join(kept).strip() + "\n"


def shuffled(text, seed):
    words = text.split()
    random.Random(seed).shuffle(words)
    return " ".join(words) + "\n"


books_dir = f"{corpora}/text-books/gutenberg"
books, held_books = [], []
for name in sorted(os.listdir(books_dir)):
    document = {"id": f"books/{name}", "text": body(f"{books_dir}/{name}")}
    (held_books if digest(name) % 10 == 0 else books).append(document)
books.append({"id": "books/tinyshakespeare.txt", "text": open(f"{corpora}/text-books/tinyshakespeare.txt", encoding="utf-8").read()})
dups_dir = f"{corpora}/near-dup/gutenberg-dups"
dups = [{"id": f"near-dup/{name}", "text": body(f"{dups_dir}/{name}")} for name in sorted(os.listdir(dups_dir))]
# A held-out book must not be one of the near-duplicate works under another author's name.
dup_titles = {name.split("__", 1)[-1] for name in os.listdir(dups_dir)}
held_books = [d for d in held_books if d["id"].split("__", 1)[-1] not in dup_titles]

docs, held_docs = [], []
train = open(f"{corpora}/tok-text/train.txt", "rb").read()
heldout = open(f"{corpora}/tok-text/heldout.txt", "rb").read()
with open(f"{corpora}/tok-text/docs.tsv") as rows:
    next(rows)
    for row in rows:
        split, offset, length, package, path = row.rstrip("\n").split("\t")[:5]
        data = train if split == "train" else heldout
        document = {"id": f"{package}/{path}", "text": data[int(offset):int(offset) + int(length)].decode("utf-8")}
        (docs if split == "train" else held_docs).append(document)


def write(folder, name, documents):
    os.makedirs(folder, exist_ok=True)
    with open(f"{folder}/{name}", "w", encoding="utf-8") as f:
        for document in documents:
            f.write(json.dumps(document, ensure_ascii=False) + "\n")


base = books + dups + docs
write(f"{out}/a", "corpus.jsonl", base)
write(f"{out}/b", "corpus.jsonl", [
    {"id": d["id"], "text": shuffled(d["text"], digest(d["id"]))} if digest("shuffle:" + d["id"]) % 10 < 3 else d for d in base])
write(f"{out}/c", "corpus.jsonl", books + docs + [
    {"id": f"{d['id']}#{copy}", "text": d["text"]} for d in dups for copy in range(5)])
# The held-out books as passages of about 4 KB (whole paragraphs), taken in turn from each book,
# so that the first bytes of the set (eval_bytes) sample every book.
passages = []
for d in held_books:
    chunks, current = [], ""
    for paragraph in d["text"].split("\n\n"):
        current += paragraph + "\n\n"
        if len(current) >= 4096:
            chunks.append(current.strip() + "\n")
            current = ""
    passages.append([{"id": f"{d['id']}#{i}", "text": c, "source": d["id"]} for i, c in enumerate(chunks)])
interleaved = [p for round_ in range(max(map(len, passages))) for book in passages if round_ < len(book) for p in [book[round_]]]
# Held out by name is not held out by content: tok-text's held-out pages include some whose text
# is also in training pages (gitglossary.html in the git user manual, SQLite release logs in its
# change log). A held-out document with 1% or more of its word 13-grams in the training text is
# left out, as `hatchery ablate` counts them (ASCII letters lower-cased, ASCII punctuation and
# white space between words).
separators = re.compile(rb"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")


def grams(text, n=13):
    words = [w for w in separators.split(text.encode().lower()) if w]
    return {hash(b" ".join(words[i:i + n])) for i in range(len(words) - n + 1)}


held = [(d, grams(d["text"])) for d in interleaved + held_docs]
wanted = set().union(*(g for _, g in held))
found = set()
for d in base:
    found |= grams(d["text"]) & wanted
kept = {id(d) for d, g in held if not g or len(g & found) < 0.01 * len(g)}
dropped = len(held) - len(kept)
write(f"{out}/held-out", "books.jsonl", [d for d in interleaved if id(d) in kept])
write(f"{out}/held-out", "docs.jsonl", [d for d in held_docs if id(d) in kept])
shuffled_count = sum(1 for d in base if digest("shuffle:" + d["id"]) % 10 < 3)
print(f"a: {len(base)} documents ({len(books)} books, {len(dups)} near-duplicate books, {len(docs)} docs); "
      f"b: {shuffled_count} shuffled; c: {len(dups) * 5} near-duplicate copies; "
      f"held out: {len(held_books)} books ({len(interleaved)} passages), {len(held_docs)} docs; "
      f"{dropped} held-out documents left out for sharing 1% or more of their 13-grams with the training text")
