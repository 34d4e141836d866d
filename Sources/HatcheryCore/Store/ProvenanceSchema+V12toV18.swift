import Foundation
import GRDB

extension ProvenanceSchema {
  /// v12–v18: the store made compact to hold 10⁸ documents (DESIGN.md's budgets). Frozen: a
  /// migration once released is never edited.
  static let migrationsV12toV18: [Migration] = [
    Migration(
      name: "v12-compact-documents",
      sql: """
        -- A document's row in fewer bytes (DESIGN.md: the store ≤ 300 bytes per document): its
        -- input file's path, format and usual `created` once per file; hashes as 32 bytes, not 64
        -- hex digits; a value equal to the one it usually equals stored as NULL. `document_rows`
        -- gives every document in the old, full form. (`hatchery_unhex` is Hatchery's: this
        -- migration runs inside Hatchery, not the sqlite3 shell.)
        CREATE TABLE input_files (
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          part INTEGER NOT NULL,
          file INTEGER NOT NULL,          -- 0-based, in the order of its first document in the part
          path TEXT NOT NULL,             -- locator: input file, relative to its input root
          format TEXT NOT NULL,
          created TEXT,                   -- of its first document; its documents' unless they say otherwise
          PRIMARY KEY (source_id, part, file)
        ) WITHOUT ROWID;
        INSERT INTO input_files (source_id, part, file, path, format, created)
          SELECT source_id, part, row_number() OVER (PARTITION BY source_id, part ORDER BY first_line) - 1, path, format, created
          FROM (SELECT source_id, part, path, format, min(part_line) AS first_line, created FROM documents
            GROUP BY source_id, part, path, format);

        CREATE TABLE compact_documents (
          id TEXT PRIMARY KEY,
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          part INTEGER NOT NULL,
          part_line INTEGER NOT NULL,     -- 0-based line of the document in its part file
          file INTEGER NOT NULL,          -- input_files(source_id, part, file)
          line INTEGER,                   -- locator: 1-based line of a JSONL record
          byte_offset INTEGER NOT NULL,   -- locator: offset in the decompressed input file
          sha256 BLOB NOT NULL,           -- of the stored text (UTF-8, NFC, LF line ends)
          original_sha256 BLOB,           -- of the input bytes as read; NULL: equal to sha256
          bytes INTEGER NOT NULL,
          original_bytes INTEGER,         -- NULL: equal to bytes
          chars INTEGER,                  -- Unicode scalars; NULL: equal to bytes (ASCII text)
          repaired INTEGER NOT NULL,      -- invalid UTF-8 sequences replaced by U+FFFD
          created TEXT,                   -- NULL: its input file's; '': none where the file has one
          title TEXT,
          language TEXT,
          url TEXT
        );
        INSERT INTO compact_documents
          SELECT d.id, d.source_id, d.part, d.part_line, f.file, d.line, d.byte_offset, hatchery_unhex(d.sha256),
            CASE WHEN d.original_sha256 = d.sha256 THEN NULL ELSE hatchery_unhex(d.original_sha256) END, d.bytes,
            nullif(d.original_bytes, d.bytes), nullif(d.chars, d.bytes), d.repaired,
            CASE WHEN d.created IS f.created THEN NULL ELSE coalesce(d.created, '') END,
            d.title, d.language, d.url
          FROM documents d JOIN input_files f ON f.source_id = d.source_id AND f.part = d.part AND f.path = d.path
            AND f.format = d.format;
        DROP TABLE documents;
        ALTER TABLE compact_documents RENAME TO documents;
        CREATE INDEX documents_by_part ON documents(source_id, part, part_line);

        CREATE VIEW document_rows AS
          SELECT d.id, d.source_id, d.part, d.part_line, f.path, d.line, d.byte_offset, f.format,
            lower(hex(coalesce(d.original_sha256, d.sha256))) AS original_sha256, lower(hex(d.sha256)) AS sha256,
            coalesce(d.original_bytes, d.bytes) AS original_bytes, d.bytes, coalesce(d.chars, d.bytes) AS chars,
            d.repaired, CASE WHEN d.created = '' THEN NULL ELSE coalesce(d.created, f.created) END AS created,
            d.title, d.language, d.url
          FROM documents d JOIN input_files f ON f.source_id = d.source_id AND f.part = d.part AND f.file = d.file;

        -- The shard map in its key's order, without a second copy of the key, and without an
        -- index by document: it was half the map's bytes and of a shard merge's time, and only
        -- deleting documents used it — a part ingested again now clears the whole map and its
        -- shards, which no longer describe the store's documents, and the shard stage runs again.
        CREATE TABLE compact_shard_map (
          shard_id INTEGER NOT NULL REFERENCES shards(id) ON DELETE CASCADE,
          token_offset INTEGER NOT NULL,
          document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
          token_count INTEGER NOT NULL,
          PRIMARY KEY (shard_id, token_offset)
        ) WITHOUT ROWID;
        INSERT INTO compact_shard_map SELECT shard_id, token_offset, document_id, token_count FROM shard_map;
        DROP TABLE shard_map;
        ALTER TABLE compact_shard_map RENAME TO shard_map;

        """),
    Migration(
      name: "v13-removed-span-sets",
      sql: """
        -- Removed spans as one row per document, stage and reason, the spans encoded in a BLOB
        -- (RemovedSpanSet: 3-5 bytes a span, each survivor once), not a row each: paragraph dedup
        -- removes hundreds of lines of some documents (DESIGN.md: ≤ 16 bytes per removed span).
        -- A survivor id in `spans` is not a foreign key: it may name a document since ingested
        -- again. (`hatchery_span_set` is Hatchery's aggregate, for this migration.)
        CREATE TABLE span_sets (
          id INTEGER PRIMARY KEY,
          document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
          stage TEXT NOT NULL,
          reason TEXT NOT NULL,
          count INTEGER NOT NULL,         -- how many spans `spans` holds
          spans BLOB NOT NULL,            -- byte ranges of the stored text, and what each duplicates
          stage_run_id INTEGER REFERENCES stage_runs(id)
        );
        INSERT INTO span_sets (document_id, stage, reason, count, spans, stage_run_id)
          SELECT document_id, stage, reason, count(*), hatchery_span_set(start_offset, end_offset, duplicate_of),
            max(stage_run_id)
          FROM removed_spans GROUP BY document_id, stage, reason ORDER BY min(id);
        DROP TABLE removed_spans;
        ALTER TABLE span_sets RENAME TO removed_spans;
        CREATE INDEX removed_spans_by_document ON removed_spans(document_id, stage);

        """),
    Migration(
      name: "v14-embodied-and-forecast",
      sql: """
        -- The manufacturing footprint of the hardware a run held, amortised over its lifetime
        -- (kg CO2e; Accounting's EmbodiedModel), kept apart from the operational emissions.
        ALTER TABLE stage_runs ADD COLUMN embodied_kg REAL;
        ALTER TABLE training_runs ADD COLUMN embodied_kg REAL;
        -- A training run's wall time, and what `hatchery plan` forecast for it at its start (from
        -- the sgemm peak and the utilisation of the workspace's earlier runs), to show side by side.
        ALTER TABLE training_runs ADD COLUMN seconds REAL;
        ALTER TABLE training_runs ADD COLUMN forecast_seconds REAL;

        """),
    Migration(
      name: "v15-licence-scope",
      sql: """
        -- A licence may come from the document's licence scope (a covering licence file or package
        -- metadata; Licensing's LicenseScope): basis 'scope'. SQLite cannot change a CHECK, so the
        -- table is copied.
        CREATE TABLE document_licenses_v15 (
          document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
          expression TEXT,                -- SPDX expression; NULL when unknown
          basis TEXT NOT NULL CHECK (basis IN ('detected', 'scope', 'declared', 'unknown')),
          category TEXT NOT NULL,         -- public-domain, permissive, weak-copyleft, strong-copyleft,
                                          -- non-commercial, no-derivatives, other, unknown
          conflict TEXT,                  -- why the evidence disagrees, when it does
          stage_run_id INTEGER REFERENCES stage_runs(id)
        );
        INSERT INTO document_licenses_v15 SELECT * FROM document_licenses;
        DROP TABLE document_licenses;
        ALTER TABLE document_licenses_v15 RENAME TO document_licenses;
        CREATE INDEX document_licenses_by_expression ON document_licenses(expression);

        """),
    Migration(
      name: "v16-classifier-scores",
      sql: """
        -- A filter classifier's score of every document of a part, in one row: the probability of
        -- its label per document line of the part, as little-endian float32 (4 bytes a document),
        -- not one row per document.
        CREATE TABLE classifier_scores (
          classifier TEXT NOT NULL,
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          part INTEGER NOT NULL,
          label TEXT NOT NULL,
          scores BLOB NOT NULL,
          stage_run_id INTEGER REFERENCES stage_runs(id),
          PRIMARY KEY (source_id, part, classifier)
        ) WITHOUT ROWID;

        """),
    Migration(
      name: "v17-documents-id-index",
      sql: """
        -- Document ids in a unique index of their own, not the table's primary key (whose index
        -- cannot be dropped): a merge that adds at least as many documents as the store holds
        -- drops it, appends the rows and builds it again in one sort. Row by row, the random ids
        -- revisit pages all over the index (ProvenanceStore.commitTaskParts).
        DROP VIEW document_rows;
        CREATE TABLE documents_v17 (
          id TEXT NOT NULL,               -- unique: documents_by_id
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          part INTEGER NOT NULL,
          part_line INTEGER NOT NULL,     -- 0-based line of the document in its part file
          file INTEGER NOT NULL,          -- input_files(source_id, part, file)
          line INTEGER,                   -- locator: 1-based line of a JSONL record
          byte_offset INTEGER NOT NULL,   -- locator: offset in the decompressed input file
          sha256 BLOB NOT NULL,           -- of the stored text (UTF-8, NFC, LF line ends)
          original_sha256 BLOB,           -- of the input bytes as read; NULL: equal to sha256
          bytes INTEGER NOT NULL,
          original_bytes INTEGER,         -- NULL: equal to bytes
          chars INTEGER,                  -- Unicode scalars; NULL: equal to bytes (ASCII text)
          repaired INTEGER NOT NULL,      -- invalid UTF-8 sequences replaced by U+FFFD
          created TEXT,                   -- NULL: its input file's; '': none where the file has one
          title TEXT,
          language TEXT,
          url TEXT
        );
        INSERT INTO documents_v17 SELECT * FROM documents ORDER BY source_id, part, part_line;
        DROP TABLE documents;
        ALTER TABLE documents_v17 RENAME TO documents;
        CREATE INDEX documents_by_part ON documents(source_id, part, part_line);
        CREATE UNIQUE INDEX documents_by_id ON documents(id);
        CREATE VIEW document_rows AS
          SELECT d.id, d.source_id, d.part, d.part_line, f.path, d.line, d.byte_offset, f.format,
            lower(hex(coalesce(d.original_sha256, d.sha256))) AS original_sha256, lower(hex(d.sha256)) AS sha256,
            coalesce(d.original_bytes, d.bytes) AS original_bytes, d.bytes, coalesce(d.chars, d.bytes) AS chars,
            d.repaired, CASE WHEN d.created = '' THEN NULL ELSE coalesce(d.created, f.created) END AS created,
            d.title, d.language, d.url
          FROM documents d JOIN input_files f ON f.source_id = d.source_id AND f.part = d.part AND f.file = d.file;

        """),
    Migration(
      name: "v18-documents-part-rows",
      sql: """
        -- A part's documents are one run of rowids in part line order, from `ingest_parts.first_row`
        -- (NULL: no documents) for `documents` of them: the index by part goes. A merge then only
        -- appends rows, copied from a task file's table of the same columns without being decoded.
        -- The table is copied in part order so that every part's rows are one run.
        DROP VIEW document_rows;
        CREATE TABLE documents_v18 (
          id TEXT NOT NULL,               -- unique: documents_by_id
          source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
          part INTEGER NOT NULL,
          part_line INTEGER NOT NULL,     -- 0-based line of the document in its part file
          file INTEGER NOT NULL,          -- input_files(source_id, part, file)
          line INTEGER,                   -- locator: 1-based line of a JSONL record
          byte_offset INTEGER NOT NULL,   -- locator: offset in the decompressed input file
          sha256 BLOB NOT NULL,           -- of the stored text (UTF-8, NFC, LF line ends)
          original_sha256 BLOB,           -- of the input bytes as read; NULL: equal to sha256
          bytes INTEGER NOT NULL,
          original_bytes INTEGER,         -- NULL: equal to bytes
          chars INTEGER,                  -- Unicode scalars; NULL: equal to bytes (ASCII text)
          repaired INTEGER NOT NULL,      -- invalid UTF-8 sequences replaced by U+FFFD
          created TEXT,                   -- NULL: its input file's; '': none where the file has one
          title TEXT,
          language TEXT,
          url TEXT
        );
        INSERT INTO documents_v18 SELECT * FROM documents ORDER BY source_id, part, part_line;
        DROP TABLE documents;
        ALTER TABLE documents_v18 RENAME TO documents;
        CREATE UNIQUE INDEX documents_by_id ON documents(id);
        ALTER TABLE ingest_parts ADD COLUMN first_row INTEGER;
        CREATE TEMP TABLE part_first_rows AS
          SELECT source_id, part, min(rowid) AS first_row FROM documents GROUP BY source_id, part;
        CREATE UNIQUE INDEX temp.part_first_rows_by_part ON part_first_rows(source_id, part);
        UPDATE ingest_parts SET first_row = (
          SELECT f.first_row FROM temp.part_first_rows f WHERE f.source_id = ingest_parts.source_id AND f.part = ingest_parts.part);
        DROP TABLE temp.part_first_rows;
        CREATE VIEW document_rows AS
          SELECT d.rowid AS row, d.id, d.source_id, d.part, d.part_line, f.path, d.line, d.byte_offset, f.format,
            lower(hex(coalesce(d.original_sha256, d.sha256))) AS original_sha256, lower(hex(d.sha256)) AS sha256,
            coalesce(d.original_bytes, d.bytes) AS original_bytes, d.bytes, coalesce(d.chars, d.bytes) AS chars,
            d.repaired, CASE WHEN d.created = '' THEN NULL ELSE coalesce(d.created, f.created) END AS created,
            d.title, d.language, d.url
          FROM documents d JOIN input_files f ON f.source_id = d.source_id AND f.part = d.part AND f.file = d.file;

        """),
  ]
}
