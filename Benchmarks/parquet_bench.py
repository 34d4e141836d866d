"""Driver of Benchmarks/parquet.sh (pyarrow, polars and duckdb from a virtual environment).

  write CORPUS.jsonl OUT [BIG_MB]  the matrix: a table of the corpus's documents (ids, texts with
                                   nulls and empty strings, a number) written by pyarrow (every
                                   codec, dictionary on/off, data pages v1/v2), polars (every
                                   codec) and duckdb (every codec), and one big file of many row
                                   groups; OUT/expected.json holds every file's rows and texts.
  check OUT WORKSPACE FILE        the documents Hatchery ingested from FILE (their part lines)
                                  against the file's rows: count (rows minus null and empty
                                  texts) and texts byte-identical after the normalisation every
                                  input gets (NFC, CRLF and CR to LF), by row number.
  read EXPORT DOCUMENTS.jsonl     Hatchery's export read by pyarrow, polars and duckdb: rows and
                                  texts equal to the exported workspace's documents.
  scan FILE                       pyarrow's iter_batches + to_pylist over the text column: seconds.
"""
import glob, json, os, subprocess, sys, time, unicodedata


def write(corpus, out, big_mb):
    import duckdb, polars as pl, pyarrow as pa, pyarrow.parquet as pq
    docs = [json.loads(line) for line in open(corpus)][:3000]
    texts = [d["text"] for d in docs]
    for i in range(0, len(texts), 97):
        texts[i] = None
    for i in range(5, len(texts), 101):
        texts[i] = ""
    table = pa.table({"id": [f"row-{i}" for i in range(len(texts))], "text": pa.array(texts, pa.string()),
                      "n": pa.array(range(len(texts)), pa.int64())})
    os.makedirs(out, exist_ok=True)
    files = []
    for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
        for version in ["1.0", "2.0"]:
            for dictionary in [True, False]:
                name = f"pyarrow-{codec}-v{version[0]}-{'dict' if dictionary else 'plain'}.parquet"
                pq.write_table(table, os.path.join(out, name), compression=codec, data_page_version=version,
                               use_dictionary=dictionary, row_group_size=700)
                files.append(name)
    frame = pl.from_arrow(table)
    for codec in ["uncompressed", "snappy", "gzip", "lz4", "zstd", "brotli"]:
        name = f"polars-{codec}.parquet"
        frame.write_parquet(os.path.join(out, name), compression=codec, row_group_size=1000)
        files.append(name)
    connection = duckdb.connect()
    connection.register("documents", table)
    for codec in ["uncompressed", "snappy", "gzip", "zstd", "lz4", "brotli"]:
        name = f"duckdb-{codec}.parquet"
        connection.execute(f"COPY documents TO '{os.path.join(out, name)}' (FORMAT parquet, CODEC '{codec}', ROW_GROUP_SIZE 1000)")
        files.append(name)
    if big_mb > 0:
        # Many row groups, each of six copies of the table (about 170 MB of text, near what
        # pyarrow's default of 1 Mi rows gives for web documents of a few hundred bytes), up to big_mb.
        writer = pq.ParquetWriter(os.path.join(out, "big.parquet"), table.schema, compression="zstd")
        written = 0
        round_ = 0
        size = sum(len(t.encode()) for t in texts if t)
        group = pa.concat_tables([table] * 6)
        while written < big_mb << 20:
            writer.write_table(group, row_group_size=group.num_rows)
            written += 6 * size
            round_ += 6
        writer.close()
        files.append("big.parquet")
        with open(os.path.join(out, "big.rounds"), "w") as f:
            f.write(str(round_))
    expected = {"texts": texts, "files": files}
    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))
    print(f"wrote {len(files)} files of {len(texts)} rows ({sum(t is None for t in texts)} null, {sum(t == '' for t in texts)} empty texts)")


def check(out, workspace, name):
    expected = json.load(open(os.path.join(out, "expected.json")))
    texts = expected["texts"]
    rounds = int(open(os.path.join(out, "big.rounds")).read()) if name == "big.parquet" else 1
    lines = []
    for part in sorted(glob.glob(os.path.join(workspace, "docs", "*", "part-*.jsonl.zst"))):
        lines += subprocess.run(["zstd", "-dcq", part], capture_output=True, check=True).stdout.decode("utf-8").splitlines()
    docs = [json.loads(line) for line in lines]
    want = sum(1 for t in texts if t) * rounds
    equal = 0
    for doc in docs:
        row = (doc["metadata"]["line"] - 1) % len(texts)
        # Byte-identical after Hatchery's stated normalisation of every input: NFC, CRLF and CR to LF.
        if doc["text"] == unicodedata.normalize("NFC", texts[row].replace("\r\n", "\n").replace("\r", "\n")):
            equal += 1
    return len(docs), want, equal


def read(export, documents):
    import duckdb, polars as pl, pyarrow.parquet as pq
    docs = {}
    for line in open(documents):
        d = json.loads(line)
        docs[d["id"]] = d["text"]
    files = sorted(glob.glob(os.path.join(export, "data", "*.parquet")))
    results = []
    table = pq.read_table(files)
    results.append(("pyarrow", table.num_rows, sum(docs.get(i) == t for i, t in zip(table.column("id").to_pylist(), table.column("text").to_pylist()))))
    frame = pl.read_parquet(files)
    results.append(("polars", frame.height, sum(docs.get(i) == t for i, t in zip(frame["id"].to_list(), frame["text"].to_list()))))
    rows = duckdb.sql(f"SELECT id, text FROM read_parquet({files!r})").fetchall()
    results.append(("duckdb", len(rows), sum(docs.get(i) == t for i, t in rows)))
    for reader, count, same in results:
        print(f"  {reader}: {count} rows, {same} texts equal to the workspace's ({len(docs)} documents)")


def scan(path):
    import pyarrow.parquet as pq
    start = time.perf_counter()
    rows = 0
    for batch in pq.ParquetFile(path).iter_batches(columns=["text"]):
        rows += len(batch.column(0).to_pylist())
    print(f"{time.perf_counter() - start:.4f} {rows}")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    elif command == "check":
        count, want, equal = check(sys.argv[2], sys.argv[3], sys.argv[4])
        print(f"{count} {want} {equal}")
    elif command == "read":
        read(sys.argv[2], sys.argv[3])
    elif command == "scan":
        scan(sys.argv[2])
