import CBzip2
import CZlib
import CZstd
import Foundation
import HatcheryCore
import Shards
import Tokenizer
import Training

/// Small valid inputs of every format, made here (the fuzz run and its test need no files
/// from the repository or elsewhere).
public enum Seeds {
  public static let sentence =
    "Bread dough rises faster in the mountains, because the air pressure is lower and the gas expands."

  public static func text(lines: Int = 40) -> [UInt8] {
    var text = ""
    for index in 0..<lines { text += "Line \(index): \(sentence) café Ωμέγα 🧬\n" }
    return Array(text.utf8)
  }

  public static func jsonl(lines: Int = 6) -> [UInt8] {
    var text = ""
    for index in 0..<lines {
      text +=
        #"{"id": "d\#(index)", "text": "\#(sentence) Number \#(index).\nSecond line with \"quotes\" and \t tabs.", "url": "https://example.org/\#(index)", "metadata": {"lang": "en", "n": \#(index)}}"#
        + "\n"
    }
    return Array(text.utf8)
  }

  public static func html(charset: String = "utf-8") -> [UInt8] {
    let page = """
      <!DOCTYPE html><html lang="en"><head><meta charset="\(charset)"><title>Field notes</title>
      <link rel="canonical" href="https://example.org/notes"><link rel="license" href="https://creativecommons.org/licenses/by/4.0/"></head>
      <body><nav><a href="/">Home</a> <a href="/a">Archive</a></nav><article><h1>Sourdough at altitude</h1>
      <p>\(sentence)</p><p>The bulk rise took a third less time at altitude, and the crumb was more open.</p>
      <ul><li>Flour: 500 g</li><li>Water: 350 g</li></ul><table><tr><td>Sea level</td><td>180</td></tr></table>
      <pre>for step in steps:\n    knead(step)</pre></article><footer>© 2026 · <a href="/privacy">Privacy</a></footer></body></html>
      """
    return Array(page.utf8)
  }

  /// A mail archive's page: a message's header fields as a list (one in a table row), its text
  /// as the body's own children, its thread's links — the extractor's envelope rule.
  public static func mailArchiveHTML() -> [UInt8] {
    let page = """
      <html><head><title>Re: nightly build</title></head><body><h1>Re: nightly build</h1><hr><ul>
      <li><em>To</em>: <a href="mailto:builds%40example.org">builds@example.org</a></li><li><em>Date</em>: Tue, 3 Sep 2002</li>
      <li><em>From</em>: Ada &lt;ada@example.org&gt;</li><li><em>List-Id</em>: &lt;builds.example.org&gt;</li></ul>
      <table><tr><td>Cc:</td><td>bob@example.org</td></tr><tr><td>Subject:</td><td>x</td></tr><tr><td>Sender:</td><td>y</td></tr></table>
      <hr><tt>Yes, here too.</tt><pre>Bob wrote:</pre><blockquote><pre>\(sentence)</pre></blockquote><pre>\(sentence)</pre>
      <ul><li>Prev by Date: <strong><a href="m1.html">Re: mirror</a></strong></li></ul></body></html>
      """
    return Array(page.utf8)
  }

  /// A reference page: a declared main, definition lists, tables of link cells (one without
  /// rows), a list of links and class-marked spans — the extractor's list, item and row rules.
  public static func referenceHTML() -> [UInt8] {
    let page = """
      <!DOCTYPE html><html><head><title>Interface Callable</title></head><body><nav><a href="/">Overview</a></nav>
      <main role="main"><div class="header"><h1 class="title">Interface Callable</h1></div>
      <dl class="notes"><dt>Type Parameters:</dt><dd><p><code>R</code> - the result type.</p></dd><dt>Since:</dt><dd>3.5</dd></dl>
      <div class="block">\(sentence)</div><table><tr><td><a href="t.html">Uint32</a></td><td><a href="#m">type</a></td></tr>
      <tr><td>double</td><td><a href="#a">apply(long value)</a></td></tr></table>
      <table><td><a href="y">a cell without a row</a></td><td><a href="z">and another</a></td></table>
      <dl class="toc"><dt><span class="refentrytitle"><a href="i.html">Hash Tables</a></span>
      <span class="refpurpose"> — associations between keys and values</span></dt></dl>
      <p>Online help: <a href="https://example.org/help">https://example.org/help</a></p>
      <ul><li><a href="a.html">alpha()</a>, <a href="h.html">a.h</a></li><li><a href="b.html">beta()</a></li></ul></main>
      <div class="sidebar"><p>Search the documentation of every release in one place.</p></div></body></html>
      """
    return Array(page.utf8)
  }

  public static func mediawiki() -> [UInt8] {
    Array(
      """
      <mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="en">
      <siteinfo><sitename>Hatchpedia</sitename></siteinfo>
      <page><title>Sourdough</title><ns>0</ns><id>7</id><revision><id>70</id><timestamp>2026-01-02T03:04:05Z</timestamp>
      <text xml:space="preserve">'''Sourdough''' is bread made with a [[starter|natural starter]].{{Infobox|a=b}}
      == History ==
      * It is old.<ref>Some source</ref>
      {| class="wikitable"
      | cell || other
      |}
      [[Category:Bread]]</text></revision></page>
      <page><title>Redirect</title><ns>0</ns><id>8</id><redirect title="Sourdough"/><revision><id>80</id><text>#REDIRECT [[Sourdough]]</text></revision></page>
      </mediawiki>
      """.utf8)
  }

  public static func jats() -> [UInt8] {
    Array(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <article xmlns:xlink="http://www.w3.org/1999/xlink" article-type="research-article"><front><article-meta>
      <title-group><article-title>Rising times of dough</article-title></title-group>
      <permissions><license xlink:href="https://creativecommons.org/licenses/by/4.0/"><license-p>CC BY</license-p></license></permissions>
      <abstract><p>\(sentence)</p></abstract></article-meta></front>
      <body><sec><title>Methods</title><p>We baked forty loaves at two altitudes <xref ref-type="bibr" rid="b1">[1]</xref>.</p>
      <table-wrap><table><tr><td>a</td><td>b</td></tr></table></table-wrap></sec></body>
      <back><ref-list><ref id="b1"><mixed-citation>A. Baker, 2020.</mixed-citation></ref></ref-list></back></article>
      """.utf8)
  }

  public static func tei() -> [UInt8] {
    Array(
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>A play</title></titleStmt>
      <publicationStmt><availability><licence target="https://creativecommons.org/publicdomain/zero/1.0/">CC0</licence></availability></publicationStmt>
      </fileDesc></teiHeader><text><body><div type="act"><head>Act I</head><sp><speaker>Baker</speaker><l>\(sentence)</l></sp>
      <p>Prose <hi rend="italic">here</hi>.<note>a note</note></p></div></body></text></TEI>
      """.utf8)
  }

  /// One WARC record with CRLF line ends.
  public static func warcRecord(type: String, uri: String = "https://example.org/a", block: [UInt8]) -> [UInt8] {
    let header =
      "WARC/1.1\r\nWARC-Type: \(type)\r\nWARC-Target-URI: \(uri)\r\nWARC-Date: 2026-02-01T00:00:00Z\r\n"
      + "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-000000000001>\r\nContent-Type: application/http; msgtype=response\r\n"
      + "Content-Length: \(block.count)\r\n\r\n"
    return Array(header.utf8) + block + Array("\r\n\r\n".utf8)
  }

  public static func httpMessages() -> [[UInt8]] {
    let chunked =
      ["Plain text over the wire ", "in two chunks, fine."].reduce(into: [UInt8]()) {
        $0 += Array("\(String($1.utf8.count, radix: 16))\r\n\($1)\r\n".utf8)
      } + Array("0\r\n\r\n".utf8)
    return [
      Array("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".utf8) + html(),
      Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n".utf8) + chunked,
      Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n".utf8)
        + compress(html(), .gzip),
      Array("HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n\r\nmissing".utf8),
    ]
  }

  public static func warc(records: Int = 3) -> [UInt8] {
    var file = warcRecord(type: "warcinfo", block: Array("software: fuzz\r\n".utf8))
    for (index, message) in httpMessages().prefix(records).enumerated() {
      file += warcRecord(type: "response", uri: "https://example.org/\(index)", block: message)
    }
    return file
  }

  public static let pipeline = """
    version: 1
    name: fuzz
    workspace: work-fuzz
    sources:
      - name: books
        paths: [in/books, in/more]
        license: CC0-1.0
        format: text
      - name: web
        paths: [in/web]
        optional: true
    stages:
      ingest: {max_document_bytes: 1048576, threads: 2}
      dedup: {verify_threshold: 0.75, paragraphs: true}
      tag: {policy: pipelines/policy-open-data.yaml}
      tokenizer: {vocab_size: 4096, special: "<|endoftext|>"}
      shard: {val_fraction: 0.01}
      train: {layers: 2, heads: 2, dim: 64, steps: 10, lr: 0.0006}
      sample: {prompt: "The", max_tokens: 20}
    """

  public static let policy = """
    # a policy
    allow: [public-domain, permissive, CC-BY-4.0]
    deny: [non-commercial, no-derivatives]
    unknown: review
    conflict: review
    """

  public static let filter = """
    rules: [c4, fineweb]
    thresholds:
      minimum_sentences: 3
      top_2_gram: 0.5
    languages: [en]
    language_threshold: 0.65
    pii:
      allow: [gnu.org]
    """

  /// A shard of `tokens` uint16 tokens in frames of 256.
  public static func shard(in folder: String, tokens: Int) throws -> [UInt8] {
    let path = folder + "/seed-\(tokens).tok.zst"
    let writer = try ShardWriter(path: path, tokenType: .uint16, level: 3, frameTokens: 256)
    let ids = (0..<tokens).map { UInt32(($0 * 7919) % 50_000) }
    try ids.withUnsafeBufferPointer { try writer.append($0) }
    _ = try writer.finish()
    defer { unlink(path) }
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  public static func safetensors(in folder: String) throws -> [UInt8] {
    let path = folder + "/seed.safetensors"
    let weights = (0..<48).map { Float($0) / 7 }
    let bias: [Float] = [1, 2, 3]
    try weights.withUnsafeBufferPointer { w in
      try bias.withUnsafeBufferPointer { b in
        try Safetensors.write(
          [
            (name: "h.0.attn.c_attn.weight", shape: [4, 12], values: w),
            (name: "h.0.attn.c_attn.bias", shape: [3], values: b),
          ], to: path)
      }
    }
    defer { unlink(path) }
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  /// A byte-level BPE tokenizer of 300 tokens trained on the seed text, as tokenizer.json.
  public static func tokenizer(in folder: String) throws -> [UInt8] {
    final class OneChunk: TextChunkSource {
      var chunk: TextChunk?
      init(_ bytes: [UInt8]) { chunk = TextChunk(bytes: bytes, documents: [0..<bytes.count]) }
      func nextChunk() throws -> TextChunk? {
        defer { chunk = nil }
        return chunk
      }
    }
    let (tokenizer, _) = try TokenizerTrainer.train(
      OneChunk(text(lines: 200)), options: TokenizerTrainingOptions(vocabularySize: 300))
    let path = folder + "/seed-tokenizer.json"
    _ = try TokenizerFile.save(tokenizer, to: path)
    defer { unlink(path) }
    return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
  }

  public enum Codec { case gzip, zstd, bzip2 }

  public static func compress(_ bytes: [UInt8], _ codec: Codec) -> [UInt8] {
    var input = bytes
    switch codec {
    case .zstd:
      var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
      let written = output.withUnsafeMutableBytes { out in
        input.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, 3) }
      }
      return Array(output.prefix(ZSTD_isError(written) == 0 ? written : 0))
    case .gzip:
      var stream = z_stream()
      guard hatchery_deflateInit_gzip(&stream, 6) == Z_OK else { return [] }
      defer { deflateEnd(&stream) }
      var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
      let written = input.withUnsafeMutableBytes { inputBytes in
        output.withUnsafeMutableBytes { out in
          stream.next_in = inputBytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
          stream.avail_in = uInt(inputBytes.count)
          stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
          stream.avail_out = uInt(out.count)
          return deflate(&stream, Z_FINISH) == Z_STREAM_END ? out.count - Int(stream.avail_out) : 0
        }
      }
      return Array(output.prefix(written))
    case .bzip2:
      var output = [UInt8](repeating: 0, count: bytes.count + bytes.count / 100 + 1024)
      var length = UInt32(output.count)
      let status = input.withUnsafeMutableBytes { inputBytes in
        output.withUnsafeMutableBytes { out in
          BZ2_bzBuffToBuffCompress(
            out.baseAddress!.assumingMemoryBound(to: CChar.self), &length,
            inputBytes.baseAddress?.assumingMemoryBound(to: CChar.self), UInt32(inputBytes.count), 1, 0, 0)
        }
      }
      return status == BZ_OK ? Array(output.prefix(Int(length))) : []
    }
  }
}
