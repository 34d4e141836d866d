"""Writes the small Parquet files of Tests/ParquetTests with pyarrow (the reference
implementation), and expected.json: each file's rows as pyarrow reads them back. Run from a
virtual environment with pyarrow (not a dependency of the project):
    python3 Tests/ParquetTests/Fixtures/make_fixtures.py Tests/ParquetTests/Fixtures
"""
import datetime, json, os, sys

import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
texts = ["First document.", "Second, with ünïcode and 中文.", None, "", "Fourth repeats.", "Fourth repeats.",
         "A longer one " * 20, "Last but one.", "tab\tand\nnewline", "The end."]
rows = len(texts)
table = pa.table({
    "id": pa.array([f"doc-{i:02d}" for i in range(rows)]),
    "text": pa.array(texts, pa.string()),
    "url": pa.array([f"https://example.org/{i}" if i % 3 else None for i in range(rows)]),
    "score": pa.array([i / 4 for i in range(rows)], pa.float64()),
    "count": pa.array([i * 1_000_000_007 for i in range(rows)], pa.int64()),
    "small": pa.array([i - 5 for i in range(rows)], pa.int32()),
    "flag": pa.array([i % 2 == 0 for i in range(rows)]),
    "ts": pa.array([datetime.datetime(2024, 1, 1, 12, 0, i) for i in range(rows)], pa.timestamp("us")),
    "lang": pa.array(["en", "de", "en", "fr", "en", "en", "de", "en", "fr", "en"]),
    "tags": pa.array([["a", "b"], [], None, ["c"], ["d"], [], ["e"], [], ["f"], ["g"]], pa.list_(pa.string())),
})
files = {}
for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"]:
    for version in ["1.0", "2.0"]:
        for dictionary in [True, False]:
            name = f"{codec}-v{version[0]}-{'dict' if dictionary else 'plain'}.parquet"
            pq.write_table(table, os.path.join(out, name), compression=codec, data_page_version=version,
                           use_dictionary=dictionary, row_group_size=4, write_page_checksum=(codec == "zstd"))
            files[name] = True
flat = table.drop_columns(["tags"])
pq.write_table(flat, os.path.join(out, "delta.parquet"), compression="snappy", use_dictionary=False, data_page_version="2.0",
               column_encoding={"text": "DELTA_BYTE_ARRAY", "id": "DELTA_LENGTH_BYTE_ARRAY", "count": "DELTA_BINARY_PACKED",
                                "small": "DELTA_BINARY_PACKED", "score": "BYTE_STREAM_SPLIT"})
files["delta.parquet"] = True
expected = {"rows": [{k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in row.items()}
                     for row in table.to_pylist()],
            "pyarrow": pa.__version__, "files": sorted(files)}
with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, ensure_ascii=False, indent=1)
