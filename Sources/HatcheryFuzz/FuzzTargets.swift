import Classifiers
import Filters
import Foundation
import HatcheryCore
import Ingest
import Licensing
import Logging
import Parquet
import Pipeline
import Shards
import Tokenizer
import Training

/// What a run of a reader on one input must never do, besides crashing or hanging: throw past
/// its contract (an ingest that fails instead of recording a reject), give a message that is not
/// one line naming the file, or write a part it cannot read back.
public struct FuzzViolation: Error, CustomStringConvertible {
  public let description: String
}

/// One reader under fuzzing: valid seed inputs made here, and the reading of one input in a
/// scratch folder.
public struct FuzzTarget: Sendable {
  public let name: String
  /// The reader's valid inputs, made fresh in `scratch` (none is read from the repository).
  public let seeds: @Sendable (_ scratch: String) throws -> [[UInt8]]
  /// Reads one input; returns the one-line refusal when the input was refused as it should be.
  public let run: @Sendable (_ input: [UInt8], _ scratch: String) throws -> String?

  public static let all: [FuzzTarget] = [
    warc, http, gzip, zstd, bzip2, jsonl, html, mediawiki, jatsAndTEI, parquet, pipelineYAML, policyYAML, filterYAML,
    shard,
    safetensors, tokenizerJSON, fastText, licenceText, debianCopyright, packageMetadata,
  ]

  public static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}

// MARK: Readers behind ingest: the whole stage runs on each input

extension FuzzTarget {
  /// Ingests `input` as the file `name`, into a workspace kept in `scratch`; the stage must
  /// finish (bad records are rejects, never a failed stage) and its part must read back.
  static func ingest(_ input: [UInt8], as name: String, scratch: String, format: InputFormat? = nil) throws -> String? {
    let workspace =
      try FileManager.default.fileExists(atPath: scratch + "/ws/hatchery.db")
      ? Workspace.open(at: scratch + "/ws") : Workspace.create(at: scratch + "/ws")
    let folder = scratch + "/in"
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(input).write(to: URL(fileURLWithPath: folder + "/" + name))
    var options = IngestOptions(source: "fuzz", paths: [folder])
    options.format = format
    options.force = true
    options.threads = 1
    options.added = "2026-01-01T00:00:00Z"
    // A small cap keeps decompression and markup bombs cheap; the caps' paths are fuzzed too.
    options.maximumDocumentBytes = 64 << 10
    let summary: IngestSummary
    do {
      summary = try IngestStage.run(
        workspace: workspace, options: options, logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() },
        showProgress: false)
    } catch {
      throw FuzzViolation(description: "ingest failed instead of recording a reject: \(error)")
    }
    for message in summary.rejectMessages where message.contains("\n") || message.isEmpty {
      throw FuzzViolation(description: "a reject message is not one line: \(message.debugDescription)")
    }
    let part = workspace.absolute(Workspace.partPath(source: "fuzz", part: 0))
    let reader = try DocumentPartReader(path: part)
    var documents = 0
    do {
      while try reader.next() != nil { documents += 1 }
    } catch {
      throw FuzzViolation(description: "the part ingest wrote does not read back: \(error)")
    }
    guard documents == summary.documents else {
      throw FuzzViolation(description: "the part holds \(documents) documents, ingest counted \(summary.documents)")
    }
    return summary.rejectMessages.first
  }

  static let warc = FuzzTarget(
    name: "warc",
    seeds: { _ in
      // Garbage and a block past the reader's 64 KiB buffer, so refills and growth are reached.
      let garbage = [UInt8](repeating: UInt8(ascii: "x"), count: 100_000)
      let large = Seeds.warcRecord(type: "resource", block: Array(repeating: UInt8(ascii: "y"), count: 70_000))
      return [
        Seeds.warc(), Seeds.warc(records: 1), garbage + Seeds.warc(records: 2) + Array(garbage.prefix(40_000)) + large,
        Seeds.warcRecord(type: "warcinfo", block: Array("software: fuzz\r\n".utf8)),
      ]
    },
    run: { input, scratch in try ingest(input, as: "crawl.warc", scratch: scratch) })

  /// The HTTP message inside a response record, wrapped in a record of the right length so the
  /// mutations reach the HTTP parser, chunking and content decoding.
  static let http = FuzzTarget(
    name: "http-body",
    seeds: { _ in Seeds.httpMessages() },
    run: { input, scratch in
      try ingest(Seeds.warcRecord(type: "response", block: input), as: "crawl.warc", scratch: scratch)
    })

  static let gzip = FuzzTarget(
    name: "gzip",
    seeds: { _ in
      [
        Seeds.compress(Seeds.jsonl(), .gzip),
        Seeds.compress(Seeds.jsonl(), .gzip) + Seeds.compress(Seeds.jsonl(lines: 2), .gzip),
      ]
    },
    run: { input, scratch in try ingest(input, as: "records.jsonl.gz", scratch: scratch) })

  static let zstd = FuzzTarget(
    name: "zstd",
    seeds: { _ in [Seeds.compress(Seeds.jsonl(), .zstd), Seeds.compress(Seeds.text(), .zstd)] },
    run: { input, scratch in try ingest(input, as: "records.jsonl.zst", scratch: scratch) })

  static let bzip2 = FuzzTarget(
    name: "bzip2",
    seeds: { _ in [Seeds.compress(Seeds.text(), .bzip2), Seeds.compress(Seeds.jsonl(), .bzip2)] },
    run: { input, scratch in try ingest(input, as: "book.txt.bz2", scratch: scratch) })

  static let jsonl = FuzzTarget(
    name: "jsonl",
    seeds: { _ in
      [
        Seeds.jsonl(),
        Array("{\"text\": \"caf\\u00e9 \\ud83e\\uddec\", \"metadata\": {\"url\": \"https://example.org\"}}\n".utf8),
      ]
    },
    run: { input, scratch in try ingest(input, as: "records.jsonl", scratch: scratch) })

  static let html = FuzzTarget(
    name: "html",
    seeds: { _ in [Seeds.html(), Seeds.html(charset: "windows-1252"), Seeds.referenceHTML(), Seeds.mailArchiveHTML()] },
    run: { input, scratch in try ingest(input, as: "page.html", scratch: scratch) })

  static let mediawiki = FuzzTarget(
    name: "mediawiki",
    seeds: { _ in [Seeds.mediawiki()] },
    run: { input, scratch in try ingest(input, as: "dump.xml", scratch: scratch) })

  /// Parquet files of two row groups, written here in each codec the writer has.
  static let parquet = FuzzTarget(
    name: "parquet",
    seeds: { _ in
      try [Codec.uncompressed, .snappy, .zstd].map { codec in
        var writer = ParquetWriter(
          columns: [
            .string("id", optional: false), .string("text"), ParquetWriter.ColumnSpec(name: "n", type: .int64),
          ], codec: codec)
        for group in 0..<2 {
          try writer.write(
            rows: (0..<6).map { row in
              [
                .string("r\(group)-\(row)"), .string(Seeds.sentence + " \(row)"),
                row == 4 ? .null : .int64(Int64(row * 1000)),
              ]
            })
        }
        return writer.finish()
      }
    },
    run: { input, scratch in try ingest(input, as: "rows.parquet", scratch: scratch) })

  static let jatsAndTEI = FuzzTarget(
    name: "jats-tei",
    seeds: { _ in [Seeds.jats(), Seeds.tei()] },
    run: { input, scratch in try ingest(input, as: "article.xml", scratch: scratch) })
}

// MARK: Files the stages load

extension FuzzTarget {
  /// Runs `load` on `input` written to `scratch/NAME`: it may refuse the input, with a one-line
  /// error naming the file, and must not fail otherwise.
  static func load(_ input: [UInt8], as name: String, scratch: String, _ load: (String) throws -> Void) throws
    -> String?
  {
    let path = scratch + "/" + name
    try Data(input).write(to: URL(fileURLWithPath: path))
    do {
      try load(path)
      return nil
    } catch let violation as FuzzViolation {
      throw violation
    } catch {
      let message = "\(error)"
      guard !message.isEmpty, !message.contains("\n") else {
        throw FuzzViolation(description: "the error is not one line: \(message.debugDescription)")
      }
      guard message.contains(path) || message.contains(name) else {
        throw FuzzViolation(description: "the error does not name the file: \(message)")
      }
      return message
    }
  }

  static let pipelineYAML = FuzzTarget(
    name: "pipeline-yaml",
    seeds: { _ in [Array(Seeds.pipeline.utf8)] },
    run: { input, scratch in
      try load(input, as: "pipeline.yaml", scratch: scratch) { _ = try PipelineFile.load(path: $0) }
    })

  static let policyYAML = FuzzTarget(
    name: "policy-yaml",
    seeds: { _ in [Array(Seeds.policy.utf8)] },
    run: { input, scratch in
      try load(input, as: "policy.yaml", scratch: scratch) { _ = try LicensePolicy.load(path: $0) }
    })

  static let filterYAML = FuzzTarget(
    name: "filter-yaml",
    seeds: { _ in [Array(Seeds.filter.utf8)] },
    run: { input, scratch in
      try load(input, as: "filter.yaml", scratch: scratch) { _ = try FilterConfig.load(path: $0) }
    })

  /// A shard is read whole, every frame decoded and checked.
  static let shard = FuzzTarget(
    name: "shard",
    seeds: { scratch in [try Seeds.shard(in: scratch, tokens: 3000), try Seeds.shard(in: scratch, tokens: 100)] },
    run: { input, scratch in
      try load(input, as: "shard.tok.zst", scratch: scratch) { path in
        let reader = try ShardReader(path: path, tokenType: .uint16)
        var offset = 0
        while offset < reader.count {
          let count = min(4096, reader.count - offset)
          _ = try reader.read(from: offset, count: count)
          offset += count
        }
      }
    })

  static let safetensors = FuzzTarget(
    name: "safetensors",
    seeds: { scratch in [try Seeds.safetensors(in: scratch)] },
    run: { input, scratch in
      try load(input, as: "model.safetensors", scratch: scratch) { _ = try Safetensors.read(path: $0) }
    })

  /// A tokenizer is loaded and then encodes and decodes text, so a table that loads but is
  /// inconsistent shows too.
  static let tokenizerJSON = FuzzTarget(
    name: "tokenizer-json",
    seeds: { scratch in [try Seeds.tokenizer(in: scratch)] },
    run: { input, scratch in
      try load(input, as: "tokenizer.json", scratch: scratch) { path in
        let tokenizer = try TokenizerFile.load(path: path)
        let ids = tokenizer.encode(Seeds.sentence)
        _ = try tokenizer.decode(ids)
      }
    })

  /// A fastText model is loaded and then predicts, so a model that loads but is inconsistent
  /// shows too. Seeds: small models trained here (softmax with subwords and word bigrams;
  /// hierarchical softmax).
  static let fastText = FuzzTarget(
    name: "fasttext",
    seeds: { _ in
      let examples = (0..<40).map { index in
        FastTextTrainer.Example(
          text: Seeds.sentence + (index % 2 == 0 ? " apple pear" : " wheel gear"),
          labels: [index % 2 == 0 ? "__label__a" : "__label__b"])
      }
      return try [FastTextArgs.Loss.softmax, .hierarchicalSoftmax].map { loss in
        var options = FastTextTrainer.Options()
        options.dim = 4
        options.epoch = 2
        options.loss = loss
        options.wordNgrams = 2
        options.minn = 2
        options.maxn = 3
        options.bucket = 64
        return try FastTextTrainer.train(examples, options: options).0.serialized()
      }
    },
    run: { input, scratch in
      try load(input, as: "model.bin", scratch: scratch) { path in
        let predictor = FastTextPredictor(model: try FastTextModel(path: path))
        _ = predictor.predict(Seeds.sentence + " apple wheel unseen", k: 0)
      }
    })
}

// MARK: Licence detection: every document's text goes through it in the tag stage

extension FuzzTarget {
  static let detector = LicenseDetector()
  static let licenceSeeds: [String] = [
    "/* SPDX-License-Identifier: (GPL-2.0+ OR MIT) */\n// spdx-license-identifier: Apache-2.0 WITH LLVM-exception\n",
    """
    Permission is hereby granted, free of charge, to any person obtaining a copy of this software and \
    associated documentation files (the "Software"), to deal in the Software without restriction.
    """,
    """
    This program is free software; you can redistribute it and/or modify it under the terms of the GNU \
    General Public License as published by the Free Software Foundation; either version 2 of the License, \
    or (at your option) any later version.

    MODULE_LICENSE("GPL");
    EXPORT_SYMBOL_GPL(f);
    """,
    """
    Redistribution and use in source and binary forms, with or without modification, are permitted provided \
    that the following conditions are met: Neither the name of the copyright holder nor the names of its \
    contributors may be used to endorse or promote products derived from this software.
    """,
    """
    Zope Public License (ZPL) Version 2.1

    Redistribution and use in source and binary forms, with or without modification, are permitted.
    """,
    """
    Released under the MIT License; parts under the 2-clause BSD licence, a dual BSD/GPLv2 license, LGPLv2.1+ \
    and CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/). License: Dual MIT/GPL
    """,
    """
    See /usr/share/common-licenses/GPL-3. This file is licenced under GPL. MODULE_LICENSE("Dual BSD/GPL"); \
    released into the public domain.
    """,
    """
    This file is subject to the terms and conditions of the GNU General Public License. See the file "COPYING" \
    in the main directory of this archive. char _license[] SEC("license") = "GPL"; MODULE_LICENSE ( "GPL v2" );
    """,
    """
    Licensed under the terms of the GNU General Public License, version 2.
    // 128 or later. Distributed under BSD-Source-Code License; the MIT-0 license; MIT No Attribution.
    License: Unicode-DFS-2016 <license rdf:resource="https://spdx.org/licenses/LGPL-2.0+.html"/>
    License: https://spdx.org/licenses/MIT.html.
    """,
    """
    Redistribution and use in source and binary forms, with or without modification, are permitted provided \
    that the following conditions are met: 1. Redistributions of source code must retain the above copyright \
    notice, this list of conditions and the following disclaimer. 2. Redistributions in binary form must \
    reproduce the above copyright notice. Subject to the terms and conditions of this license, each copyright \
    holder and contributor hereby grants to those receiving rights under this license a perpetual, worldwide \
    patent license. THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS "AS IS".
    Redistribution and use in source and binary forms are permitted provided that: Redistributions of source \
    code must retain the above copyright notice. THIS SOFTWARE IS PROVIDED BY THE AUTHOR "AS IS".
    """,
  ]

  /// Texts carrying each kind of evidence the detector reads; a mutated text must give at most
  /// `maximumFindings` findings, each inside the text (the tag stage cuts its evidence from
  /// there) and each a valid SPDX expression. "Refused": no licence found.
  static let licenceText = FuzzTarget(
    name: "licence-text",
    seeds: { _ in licenceSeeds.map { Array($0.utf8) } },
    run: { input, _ in
      let findings = input.withUnsafeBytes { detector.detect($0) }
      guard findings.count <= LicenseDetector.maximumFindings else {
        throw FuzzViolation(description: "\(findings.count) findings, more than \(LicenseDetector.maximumFindings)")
      }
      for finding in findings {
        guard finding.start >= 0, finding.start <= finding.end, finding.end <= input.count else {
          throw FuzzViolation(
            description: "\(finding.spdx) at \(finding.start)..<\(finding.end), outside the \(input.count) bytes")
        }
        guard (try? SPDXExpression.parse(finding.spdx)) != nil else {
          throw FuzzViolation(description: "\(finding.spdx) is not an SPDX expression")
        }
      }
      if let expression = LicenseDetector.expression(of: findings), (try? SPDXExpression.parse(expression)) == nil {
        throw FuzzViolation(description: "the findings' expression \(expression) is not an SPDX expression")
      }
      return findings.isEmpty ? "no licence found" : nil
    })

  /// Machine-readable Debian copyright files: known and unknown short names, `with` exceptions,
  /// own and standalone licence texts, globs. A mutated file must parse or be refused, and every
  /// licence its scope gives a path must be a valid SPDX expression.
  static let debianCopyright = FuzzTarget(
    name: "debian-copyright",
    seeds: { _ in
      [
        """
        Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
        Upstream-Name: sample

        Files: *
        Copyright: 2001 Someone
        License: GPL-2+ or Artistic, BSD-3-clause and Expat

        Files: doc/* man/?.1 a\\*b
         debian/
        Copyright: 2002 Someone Else
        License: PD
         The author places this file in the public domain.
         .
         No warranty.

        Files: x11/*
        License: MIT/X11 with Extra exception

        Files: llvm/*
        License: Apache-2.0 with LLVM exception or APACHE-2-LLVM-EXCEPTIONS

        License: MIT/X11 with Extra exception
         Permission is hereby granted, free of charge, to any person obtaining a copy of this software, to deal in
         the Software without restriction. THE SOFTWARE IS PROVIDED "AS IS".

        License: Viagénie-BSD
         Redistribution and use in source and binary forms, with or without modification, are permitted.
        """,
        "Format: copyright-format 1.0\n\nFiles: src/\nLicense: Viagénie-BSD\n\nLicense: viagénie-bsd\n ISC\n",
      ].map { Array($0.utf8) }
    },
    run: { input, _ in
      let text = String(decoding: input, as: UTF8.self)
      guard let file = DEP5File.parse(text) else { return "not machine-readable" }
      var scope = LicenseScope()
      scope.add(source: 1, path: "p/copyright", text: text, detector: detector)
      scope.finish()
      let paths =
        ["p/README", "p/doc/a.txt", "p/man/1.1", "p/x11/x.c", "p/llvm/l.cpp", "p/debian/rules", "p/a*b"]
        + file.stanzas.prefix(16).flatMap { $0.patterns.prefix(4).map { "p/" + $0 } }
      for path in paths {
        guard let cover = scope.cover(source: 1, path: path) else { continue }
        guard (try? SPDXExpression.parse(cover.expression.description)) != nil else {
          throw FuzzViolation(description: "\(path): \(cover.expression) is not an SPDX expression")
        }
        guard !cover.detail.contains("\n") else {
          throw FuzzViolation(description: "\(path): its evidence is not one line")
        }
      }
      return file.stanzas.isEmpty ? "no Files paragraph" : nil
    })

  /// Package metadata a licence scope reads (PKG-INFO/METADATA, package.json, Cargo.toml,
  /// pyproject.toml): each mutated file is read as all four, and a licence found must be a valid
  /// SPDX expression with one-line evidence. "Refused": no licence under any of the names.
  static let packageMetadata = FuzzTarget(
    name: "package-metadata",
    seeds: { _ in
      [
        """
        Metadata-Version: 2.4
        Name: sample
        License-Expression: MIT OR (Apache-2.0 WITH LLVM-exception)
        License: BSD
        Classifier: License :: OSI Approved :: MIT License
        Classifier: License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)

        Long description under the Zlib licence.
        """,
        "Metadata-Version: 2.1\nName: s\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: ISC License (ISCL)\n\n",
        """
        {"name": "m", "license": "(ISC OR GPL-3.0-only)", "licenses": [{"type": "MIT"}, {"type": "Apache 2.0"}],
         "nested": {"license": {"type": "BSD-3-Clause"}}}
        """,
        "{\"name\": \"m\", \"license\": {\"type\": \"MIT\", \"url\": \"https://x\"}}",
        """
        [package]
        name = "c"
        license = "MIT OR Apache-2.0"

        [project]
        license = { text = "GNU General Public License v3 or later" }
        """,
      ].map { Array($0.utf8) }
    },
    run: { input, _ in
      let text = String(decoding: input, as: UTF8.self)
      var found = false
      for name in ["PKG-INFO", "package.json", "Cargo.toml", "pyproject.toml"] {
        guard let (expression, detail) = PackageMetadata.license(fileName: name, text: text, detector: detector) else {
          continue
        }
        found = true
        guard (try? SPDXExpression.parse(expression.description)) != nil else {
          throw FuzzViolation(description: "\(name): \(expression.description.prefix(200)) is not an SPDX expression")
        }
        guard !detail.contains("\n"), !detail.contains("\r") else {
          throw FuzzViolation(description: "\(name): its evidence is not one line")
        }
      }
      return found ? nil : "no licence"
    })
}
