-- Hatchery provenance store (SQLite). Generated from ProvenanceSchema*.swift by
-- `hatchery schema`; a test keeps the two identical. Do not edit by hand.

-- migration v1-spine
-- Raw inputs as registered by `hatchery ingest --source NAME`.
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  uri TEXT NOT NULL,              -- JSON array of the absolute input paths
  kind TEXT NOT NULL,             -- input format asked for: auto, text, jsonl, ...
  declared_license TEXT,          -- SPDX expression given by the user, if any
  checksum TEXT,                  -- SHA-256 over the source's part digests, in part order
  retrieved_at TEXT NOT NULL,     -- ISO 8601: when the raw data was obtained
  added_at TEXT NOT NULL          -- ISO 8601: the `added` field of its documents
);

-- Every stage invocation: what ran, with which configuration, and what it counted.
CREATE TABLE stage_runs (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  scope TEXT NOT NULL,            -- what the run covered, e.g. the source name
  task INTEGER NOT NULL,
  tasks INTEGER NOT NULL,
  config TEXT NOT NULL,           -- canonical JSON of the options and inputs
  config_hash TEXT NOT NULL,      -- SHA-256 of config
  tool_version TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'skipped')),
  counts TEXT                     -- JSON object of the stage's counters
);
CREATE INDEX stage_runs_by_stage ON stage_runs(stage, scope, task, tasks);

-- Document part files written by ingestion; a row exists only for a finished part.
CREATE TABLE ingest_parts (
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  path TEXT NOT NULL,             -- relative to the workspace
  fingerprint TEXT NOT NULL,      -- SHA-256 of the inputs and options the part was made from
  documents INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  input_bytes INTEGER NOT NULL,
  output_bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  stage_run_id INTEGER REFERENCES stage_runs(id),
  completed_at TEXT NOT NULL,
  PRIMARY KEY (source_id, part)
);

CREATE TABLE documents (
  id TEXT PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  part_line INTEGER NOT NULL,     -- 0-based line of the document in its part file
  path TEXT NOT NULL,             -- locator: input file, relative to its input root
  line INTEGER,                   -- locator: 1-based line of a JSONL record
  byte_offset INTEGER NOT NULL,   -- locator: offset in the decompressed input file
  format TEXT NOT NULL,
  original_sha256 TEXT NOT NULL,  -- of the input bytes as read
  sha256 TEXT NOT NULL,           -- of the stored text (UTF-8, NFC, LF line ends)
  original_bytes INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  chars INTEGER NOT NULL,         -- Unicode scalars
  repaired INTEGER NOT NULL,      -- invalid UTF-8 sequences replaced by U+FFFD
  created TEXT,
  title TEXT,
  language TEXT,
  url TEXT
);
CREATE INDEX documents_by_part ON documents(source_id, part, part_line);
CREATE INDEX documents_by_sha256 ON documents(sha256);

-- Input records a stage could not use, with where they are and why.
CREATE TABLE rejects (
  id INTEGER PRIMARY KEY,
  stage TEXT NOT NULL,
  source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
  part INTEGER,
  path TEXT NOT NULL,
  line INTEGER,
  byte_offset INTEGER,
  reason TEXT NOT NULL,           -- short code, e.g. invalid-utf8, empty, truncated, not-json
  detail TEXT NOT NULL,           -- the one-line message shown to the user
  stage_run_id INTEGER REFERENCES stage_runs(id)
);
CREATE INDEX rejects_by_part ON rejects(stage, source_id, part);

CREATE TABLE license_findings (
  id INTEGER PRIMARY KEY,
  document_id TEXT REFERENCES documents(id) ON DELETE CASCADE,
  source_id INTEGER REFERENCES sources(id) ON DELETE CASCADE,
  spdx TEXT NOT NULL,             -- SPDX id or expression
  method TEXT NOT NULL,
  confidence REAL NOT NULL,
  evidence TEXT,
  evidence_start INTEGER,
  evidence_end INTEGER,
  stage_run_id INTEGER REFERENCES stage_runs(id)
);
CREATE INDEX license_findings_by_document ON license_findings(document_id);

CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('keep', 'drop')),
  reason TEXT NOT NULL,
  duplicate_of TEXT REFERENCES documents(id) ON DELETE SET NULL,
  similarity REAL,
  score REAL,
  stage_run_id INTEGER REFERENCES stage_runs(id)
);
CREATE INDEX decisions_by_document ON decisions(document_id, stage);

CREATE TABLE shards (
  id INTEGER PRIMARY KEY,
  split TEXT NOT NULL CHECK (split IN ('train', 'val')),
  path TEXT NOT NULL UNIQUE,      -- relative to the workspace
  tokens INTEGER NOT NULL,
  documents INTEGER NOT NULL,
  dtype TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  tokenizer_sha256 TEXT NOT NULL,
  stage_run_id INTEGER REFERENCES stage_runs(id)
);

-- Which tokens of which shard came from which document.
CREATE TABLE shard_map (
  shard_id INTEGER NOT NULL REFERENCES shards(id) ON DELETE CASCADE,
  token_offset INTEGER NOT NULL,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  token_count INTEGER NOT NULL,
  PRIMARY KEY (shard_id, token_offset)
);
CREATE INDEX shard_map_by_document ON shard_map(document_id);

CREATE TABLE training_runs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('pretrain', 'finetune')),
  run_dir TEXT NOT NULL,
  parent_run_id TEXT REFERENCES training_runs(id),
  config TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  steps INTEGER NOT NULL DEFAULT 0,
  tokens INTEGER NOT NULL DEFAULT 0,
  final_loss REAL,
  final_val_loss REAL,
  flops REAL,
  stage_run_id INTEGER REFERENCES stage_runs(id)
);

-- Power and energy readings of a stage run or a training run.
CREATE TABLE energy_samples (
  id INTEGER PRIMARY KEY,
  stage_run_id INTEGER REFERENCES stage_runs(id),
  training_run_id TEXT REFERENCES training_runs(id),
  at TEXT NOT NULL,
  elapsed_s REAL NOT NULL,
  cpu_watts REAL,
  gpu_watts REAL,
  ram_watts REAL,
  energy_joules REAL NOT NULL,
  method TEXT NOT NULL            -- rapl, nvml or estimate, with the model named
);

-- migration v2-removed-spans
-- Parts of kept documents that a stage removes (paragraph dedup, filters): byte offsets in
-- the document's stored text. The part files are never changed; readers skip these spans.
CREATE TABLE removed_spans (
  id INTEGER PRIMARY KEY,
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  start_offset INTEGER NOT NULL,
  end_offset INTEGER NOT NULL,    -- exclusive
  reason TEXT NOT NULL,
  duplicate_of TEXT REFERENCES documents(id) ON DELETE SET NULL,
  stage_run_id INTEGER REFERENCES stage_runs(id)
);
CREATE INDEX removed_spans_by_document ON removed_spans(document_id, stage);

-- migration v3-document-licenses
-- The licence each document is taken to be under, decided by the tag stage from its
-- findings and its source's declared licence (docs/formats.md states the rule).
CREATE TABLE document_licenses (
  document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
  expression TEXT,                -- SPDX expression; NULL when unknown
  basis TEXT NOT NULL CHECK (basis IN ('detected', 'declared', 'unknown')),
  category TEXT NOT NULL,         -- public-domain, permissive, weak-copyleft, strong-copyleft,
                                  -- non-commercial, no-derivatives, other, unknown
  conflict TEXT,                  -- why the evidence disagrees, when it does
  stage_run_id INTEGER REFERENCES stage_runs(id)
);
CREATE INDEX document_licenses_by_expression ON document_licenses(expression);

-- migration v4-stage-run-process
-- Which process runs a stage, so a run left `running` by a killed process can be told
-- from one in progress, and marked failed by the next run of the same stage.
ALTER TABLE stage_runs ADD COLUMN host TEXT;
ALTER TABLE stage_runs ADD COLUMN pid INTEGER;

-- migration v5-part-versions
-- Later versions of a part file written by a stage (the PII-redacted text of the filter
-- stage); the original part stays. Readers of the parts take a part's latest version.
CREATE TABLE part_versions (
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  version TEXT NOT NULL,          -- e.g. redacted
  path TEXT NOT NULL,             -- relative to the workspace
  sha256 TEXT NOT NULL,
  stage_run_id INTEGER REFERENCES stage_runs(id),
  PRIMARY KEY (source_id, part, version)
);

-- What a stage replaced in a document's text, by kind (email, ipv4, ipv6, phone).
CREATE TABLE redactions (
  document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  stage TEXT NOT NULL,
  kind TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (document_id, stage, kind)
);

-- migration v6-stage-energy
-- What a stage run cost: the process's CPU time and energy (its share when one process ran
-- several stage runs), how the energy was obtained, and its emissions at the world-average
-- grid intensity (`hatchery energy --country` recomputes them for a given grid).
ALTER TABLE stage_runs ADD COLUMN cpu_seconds REAL;
ALTER TABLE stage_runs ADD COLUMN energy_kwh REAL;
ALTER TABLE stage_runs ADD COLUMN emissions_kg REAL;
ALTER TABLE stage_runs ADD COLUMN energy_method TEXT;

-- migration v7-training-energy
-- The same for a training run, at the grid it was given, and its utilisation: achieved
-- FLOP/s over the machine's measured sgemm peak for the run's thread count.
ALTER TABLE training_runs ADD COLUMN cpu_seconds REAL;
ALTER TABLE training_runs ADD COLUMN energy_kwh REAL;
ALTER TABLE training_runs ADD COLUMN emissions_kg REAL;
ALTER TABLE training_runs ADD COLUMN energy_method TEXT;
ALTER TABLE training_runs ADD COLUMN utilisation REAL;

-- migration v8-pipeline-steps
-- `hatchery run`: the last attempt at each step of a pipeline file. A step is skipped when
-- its fingerprint (its command line, the files it names, its inputs' sizes and times, and
-- the fingerprint of the step before it) equals that of a completed attempt.
CREATE TABLE pipeline_steps (
  pipeline TEXT NOT NULL,
  step TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  seconds REAL,
  message TEXT,
  PRIMARY KEY (pipeline, step)
);

-- migration v9-duplicate-of-indexes
-- Deleting a document (re-ingesting its part) sets the duplicate_of that point at it to
-- NULL; without these indexes SQLite scans both tables once per deleted document. Measured
-- on the quickstart workspace (4,493 documents, 2 M removed spans): `ingest --force` of
-- /usr/share/doc ran over 10 minutes without them (stopped), 14 s with them.
CREATE INDEX decisions_by_duplicate_of ON decisions(duplicate_of);
CREATE INDEX removed_spans_by_duplicate_of ON removed_spans(duplicate_of);

-- migration v10-no-sha256-index
-- No query looks documents up by their text's SHA-256, and the index's random inserts
-- were most of an ingest merge's time and about 90 bytes of every document's row cost
-- (docs/benchmarks.md, scale-out). Make it yourself for such lookups.
DROP INDEX documents_by_sha256;

-- migration v11-tagged-parts
-- The parts the tag stage has tagged. A document of a tagged part without a
-- document_licenses row has an unknown licence and no conflict: most documents of a web
-- corpus, which no longer cost a row each (DESIGN.md, store bytes per document).
CREATE TABLE tagged_parts (
  source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  part INTEGER NOT NULL,
  stage_run_id INTEGER REFERENCES stage_runs(id),
  PRIMARY KEY (source_id, part)
);
INSERT INTO tagged_parts (source_id, part)
  SELECT DISTINCT d.source_id, d.part FROM documents d JOIN document_licenses l ON l.document_id = d.id;
DELETE FROM document_licenses WHERE basis = 'unknown' AND conflict IS NULL;

-- migration v12-compact-documents
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

-- migration v13-removed-span-sets
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

-- migration v14-embodied-and-forecast
-- The manufacturing footprint of the hardware a run held, amortised over its lifetime
-- (kg CO2e; Accounting's EmbodiedModel), kept apart from the operational emissions.
ALTER TABLE stage_runs ADD COLUMN embodied_kg REAL;
ALTER TABLE training_runs ADD COLUMN embodied_kg REAL;
-- A training run's wall time, and what `hatchery plan` forecast for it at its start (from
-- the sgemm peak and the utilisation of the workspace's earlier runs), to show side by side.
ALTER TABLE training_runs ADD COLUMN seconds REAL;
ALTER TABLE training_runs ADD COLUMN forecast_seconds REAL;

-- migration v15-licence-scope
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

-- migration v16-classifier-scores
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

-- migration v17-documents-id-index
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

-- migration v18-documents-part-rows
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
