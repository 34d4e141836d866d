// swift-tools-version: 6.1
import PackageDescription

/// A system library reached through pkg-config, with the Debian package that provides it.
func systemLibrary(_ name: String, pkgConfig: String?, apt: String) -> Target {
  .systemLibrary(name: name, pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
  name: "Hatchery",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "hatchery", targets: ["hatchery"]),
    .executable(name: "hatchery-fuzz", targets: ["hatchery-fuzz"]),
    .library(name: "HatcheryCore", targets: ["HatcheryCore"]),
    .library(name: "Ingest", targets: ["Ingest"]),
    .library(name: "Dedup", targets: ["Dedup"]),
    .library(name: "Licensing", targets: ["Licensing"]),
    .library(name: "Filters", targets: ["Filters"]),
    .library(name: "Tokenizer", targets: ["Tokenizer"]),
    .library(name: "Shards", targets: ["Shards"]),
    .library(name: "Training", targets: ["Training"]),
    .library(name: "Accounting", targets: ["Accounting"]),
    .library(name: "Pipeline", targets: ["Pipeline"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
  ],
  targets: [
    systemLibrary("CZstd", pkgConfig: "libzstd", apt: "libzstd-dev"),
    systemLibrary("CLibXML2", pkgConfig: "libxml-2.0", apt: "libxml2-dev"),
    systemLibrary("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
    systemLibrary("CXXHash", pkgConfig: "libxxhash", apt: "libxxhash-dev"),
    systemLibrary("CCrypto", pkgConfig: "libcrypto", apt: "libssl-dev"),
    // Debian's libbz2-dev ships no pkg-config file; the header and library are in the default paths.
    systemLibrary("CBzip2", pkgConfig: nil, apt: "libbz2-dev"),
    // Parquet's codecs besides zstd and gzip.
    systemLibrary("CSnappy", pkgConfig: "snappy", apt: "libsnappy-dev"),
    systemLibrary("CLZ4", pkgConfig: "liblz4", apt: "liblz4-dev"),
    systemLibrary("CBrotli", pkgConfig: "libbrotlidec", apt: "libbrotli-dev"),
    .target(name: "CFileSystem"),
    .target(name: "CMemory"),
    .target(
      name: "HatcheryCore",
      dependencies: [
        "CZstd", "CCrypto", "CXXHash", "CFileSystem", "CMemory",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(name: "CXMLErrorSink", dependencies: ["CLibXML2"]),
    // OpenBLAS (Debian's libopenblas0), opened by the trainer when it first multiplies.
    .target(name: "CBLAS"),
    // The trainer's softmax and GELU kernels, built for AVX-512, AVX2 and the baseline.
    .target(name: "CActivations"),
    .target(name: "Parquet", dependencies: ["HatcheryCore", "CZlib", "CZstd", "CSnappy", "CLZ4", "CBrotli"]),
    .target(
      name: "Ingest",
      dependencies: ["HatcheryCore", "Parquet", "CZlib", "CZstd", "CBzip2", "CLibXML2", "CXMLErrorSink"]),
    // MinHash's inner loop, built for AVX2 and for the baseline, chosen at load time.
    .target(name: "CMinHash"),
    .target(name: "Dedup", dependencies: ["HatcheryCore", "CMinHash"]),
    .target(name: "HatcheryYAML", dependencies: ["HatcheryCore", "Yams"]),
    .target(
      name: "Licensing", dependencies: ["HatcheryCore", "HatcheryYAML", "Yams"],
      exclude: ["Resources/spdx-licenses.json"], resources: [.copy("Resources/spdx-licenses.txt")]),
    .target(
      name: "Filters", dependencies: ["HatcheryCore", "HatcheryYAML", "Classifiers", "Yams"],
      exclude: ["Resources/shipped-langid.json"], resources: [.copy("Resources/shipped-langid.bin")]),
    .target(name: "Tokenizer", dependencies: ["HatcheryCore"]),
    .target(
      name: "Shards",
      dependencies: [
        "HatcheryCore", "Tokenizer", "Parquet", "Accounting", "CZstd", "CXXHash",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .target(name: "Accounting", dependencies: ["HatcheryCore", .product(name: "GRDB", package: "GRDB.swift")]),
    .target(
      name: "StageArguments",
      dependencies: [
        "HatcheryCore", "Ingest", "Dedup", "Licensing", "Filters", "Tokenizer", "Shards", "Training", "Accounting",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    // The workspace's reports: the HTML report and its charts, the audit, the status.
    .target(name: "Reporting", dependencies: ["HatcheryCore", "Accounting", "Shards", "Training"]),
    .target(
      name: "Pipeline",
      dependencies: [
        "HatcheryCore", "HatcheryYAML", "Ingest", "Filters", "Accounting", "Training", "Shards", "Reporting",
        "StageArguments", "Yams",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    // fastText-compatible classifiers: model files, prediction.
    .target(name: "Classifiers", dependencies: ["HatcheryCore"]),
    .target(
      name: "Training",
      dependencies: [
        "HatcheryCore", "HatcheryYAML", "Shards", "Tokenizer", "Accounting", "CBLAS", "CActivations", "Yams",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .executableTarget(
      name: "hatchery",
      dependencies: [
        "HatcheryCore", "Ingest", "Dedup", "Licensing", "Filters", "Tokenizer", "Shards", "Training", "Accounting",
        "Pipeline", "Reporting", "Classifiers",
        "StageArguments", "CBLAS", "CLibXML2", "CZlib", "CZstd", "CXXHash", "CCrypto",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    // Seeded mutation fuzzing of every reader (Benchmarks/fuzz.sh; a short run in the tests).
    .target(
      name: "HatcheryFuzz",
      dependencies: [
        "HatcheryCore", "Ingest", "Licensing", "Filters", "Classifiers", "Parquet", "Pipeline", "Shards", "Tokenizer",
        "Training", "CZlib", "CZstd",
        "CBzip2",
        .product(name: "Logging", package: "swift-log"),
      ]),
    .executableTarget(name: "hatchery-fuzz", dependencies: ["HatcheryFuzz"]),
    .target(
      name: "HatcheryTestSupport",
      dependencies: ["HatcheryCore", "Ingest", .product(name: "Logging", package: "swift-log")]),
    .testTarget(name: "HatcheryCoreTests", dependencies: ["HatcheryCore", "Shards", "HatcheryTestSupport"]),
    .testTarget(name: "HatcheryFuzzTests", dependencies: ["HatcheryFuzz"]),
    .testTarget(
      name: "IngestTests",
      dependencies: [
        "Ingest", "Parquet", "HatcheryCore", "HatcheryFuzz", "HatcheryTestSupport",
        .product(name: "Logging", package: "swift-log"),
      ],
      exclude: ["Fixtures"]
    ),
    .testTarget(
      name: "DedupTests",
      dependencies: [
        "Dedup", "Ingest", "HatcheryCore", "HatcheryTestSupport", .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(
      name: "LicensingTests",
      dependencies: [
        "Licensing", "Reporting", "Ingest", "HatcheryCore", "HatcheryTestSupport",
        .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift"),
      ]
    ),
    .testTarget(
      name: "FiltersTests",
      dependencies: [
        "Filters", "Classifiers", "Licensing", "Reporting", "Ingest", "HatcheryCore", "HatcheryTestSupport",
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(name: "TokenizerTests", dependencies: ["Tokenizer", "Ingest", "HatcheryCore", "HatcheryTestSupport"]),
    .testTarget(
      name: "ShardsTests",
      dependencies: [
        "Shards", "Tokenizer", "Ingest", "Parquet", "HatcheryCore", "HatcheryTestSupport",
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .testTarget(
      name: "TrainingTests",
      dependencies: [
        "Training", "CActivations", "Shards", "Tokenizer", "Ingest", "HatcheryCore", "HatcheryTestSupport",
      ]),
    .testTarget(name: "AccountingTests", dependencies: ["Accounting", "HatcheryCore"]),
    .testTarget(name: "ClassifiersTests", dependencies: ["Classifiers", "HatcheryCore"]),
    .testTarget(name: "ParquetTests", dependencies: ["Parquet", "HatcheryCore"], exclude: ["Fixtures"]),
    .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "HatcheryCore", "HatcheryTestSupport"]),
    .testTarget(name: "ReportingTests", dependencies: ["Reporting", "HatcheryCore"]),
    .testTarget(
      name: "HatcheryCLITests", dependencies: ["HatcheryCore", .product(name: "GRDB", package: "GRDB.swift")]),
  ],
  swiftLanguageModes: [.v6]
)
