/// fastText's product quantizer: each row cut into `subquantizers` slices of `subDimension`
/// values (the last `lastSubDimension`), each slice one of 256 centroids.
struct ProductQuantizer: Sendable {
  let dimension: Int
  let subquantizers: Int
  let subDimension: Int
  let lastSubDimension: Int
  let centroids: [Float]

  /// Centroid `code` of sub-quantizer `m`, where its values start in `centroids`.
  @inline(__always)
  func centroidStart(_ m: Int, _ code: Int) -> Int {
    m == subquantizers - 1
      ? m * FastTextFile.centroidsPerQuantizer * subDimension + code * lastSubDimension
      : (m * FastTextFile.centroidsPerQuantizer + code) * subDimension
  }

  init(reading reader: inout FastTextReader) throws(FastTextError) {
    dimension = Int(try reader.int32("a product quantizer"))
    subquantizers = Int(try reader.int32("a product quantizer"))
    subDimension = Int(try reader.int32("a product quantizer"))
    lastSubDimension = Int(try reader.int32("a product quantizer"))
    guard dimension > 0, dimension <= 1 << 16, subquantizers > 0, subDimension > 0, lastSubDimension > 0,
      (subquantizers - 1) * subDimension + lastSubDimension == dimension
    else {
      throw reader.failure(
        "a product quantizer of dimension \(dimension) in \(subquantizers) slices of \(subDimension) (last \(lastSubDimension)): damaged"
      )
    }
    centroids = try reader.floats(dimension * FastTextFile.centroidsPerQuantizer, "a product quantizer's centroids")
  }

  func write(to writer: inout FastTextWriter) {
    for value in [dimension, subquantizers, subDimension, lastSubDimension] { writer.put(Int32(value)) }
    writer.put(centroids)
  }
}

/// An input or output matrix: dense rows of floats, or rows coded by a product quantizer
/// (quantized `.ftz` models), with the rows' norms optionally coded apart.
enum FastTextMatrix: Sendable {
  case dense(rows: Int, columns: Int, values: [Float])
  case quantized(QuantizedMatrix)

  struct QuantizedMatrix: Sendable {
    let rows: Int
    let columns: Int
    let codes: [UInt8]
    let quantizer: ProductQuantizer
    /// Per row, the code of its norm under a one-dimensional quantizer.
    let normCodes: [UInt8]?
    let normQuantizer: ProductQuantizer?

    /// Each slice of row `row`: where it starts in the row, its centroid's values, how many.
    @inline(__always)
    func forEachSlice(of row: Int, _ body: (_ offset: Int, _ centroid: UnsafePointer<Float>, _ count: Int) -> Void) {
      let pq = quantizer
      codes.withUnsafeBufferPointer { codes in
        pq.centroids.withUnsafeBufferPointer { centroids in
          let code = codes.baseAddress! + pq.subquantizers * row
          for m in 0..<pq.subquantizers {
            body(
              m * pq.subDimension, centroids.baseAddress! + pq.centroidStart(m, Int(code[m])),
              m == pq.subquantizers - 1 ? pq.lastSubDimension : pq.subDimension)
          }
        }
      }
    }

    @inline(__always)
    func norm(_ row: Int) -> Float {
      guard let normCodes, let normQuantizer else { return 1 }
      return normQuantizer.centroids[normQuantizer.centroidStart(0, Int(normCodes[row]))]
    }
  }

  var rows: Int {
    switch self {
    case .dense(let rows, _, _): rows
    case .quantized(let matrix): matrix.rows
    }
  }

  var columns: Int {
    switch self {
    case .dense(_, let columns, _): columns
    case .quantized(let matrix): matrix.columns
    }
  }

  /// x += row `row` (scaled by its norm when quantized).
  @inline(__always)
  func addRow(_ row: Int, to x: UnsafeMutablePointer<Float>) {
    switch self {
    case .dense(_, let columns, let values):
      values.withUnsafeBufferPointer { values in
        let base = values.baseAddress! + row * columns
        for j in 0..<columns { x[j] += base[j] }
      }
    case .quantized(let matrix):
      let alpha = matrix.norm(row)
      matrix.forEachSlice(of: row) { offset, centroid, count in
        let out = x + offset
        for n in 0..<count { out[n] += alpha * centroid[n] }
      }
    }
  }

  /// x += each of `rows`, in order (the same sums as row after row, element by element).
  func addRows(_ rows: ArraySlice<Int32>, to x: UnsafeMutablePointer<Float>) {
    guard case .dense(_, let columns, let values) = self else {
      for row in rows { addRow(Int(row), to: x) }
      return
    }
    values.withUnsafeBufferPointer { values in
      let base = values.baseAddress!
      rows.withUnsafeBufferPointer { rows in
        if columns % 8 == 0 {
          let lanes = columns / 8
          let out = UnsafeMutableRawPointer(x)
          for row in rows {
            let source = UnsafeRawPointer(base + Int(row) * columns)
            for lane in 0..<lanes {
              let sum =
                out.loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self)
                + source.loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self)
              out.storeBytes(of: sum, toByteOffset: lane * 32, as: SIMD8<Float>.self)
            }
          }
        } else {
          for row in rows {
            let source = base + Int(row) * columns
            for j in 0..<columns { x[j] += source[j] }
          }
        }
      }
    }
  }

  /// Row `row` · x, accumulated in order in single precision as fastText does.
  @inline(__always)
  func dotRow(_ row: Int, _ x: UnsafePointer<Float>) -> Float {
    switch self {
    case .dense(_, let columns, let values):
      return values.withUnsafeBufferPointer { values in
        let base = values.baseAddress! + row * columns
        var sum: Float = 0
        for j in 0..<columns { sum += base[j] * x[j] }
        return sum
      }
    case .quantized(let matrix):
      var sum: Float = 0
      matrix.forEachSlice(of: row) { offset, centroid, count in
        let input = x + offset
        for n in 0..<count { sum += input[n] * centroid[n] }
      }
      return sum * matrix.norm(row)
    }
  }

  /// `DenseMatrix::load` (rows, columns as 64-bit, then the floats) or `QuantMatrix::load`.
  init(reading reader: inout FastTextReader, quantized: Bool, what: String) throws(FastTextError) {
    if !quantized {
      let rows = try reader.int64("the \(what) matrix's shape")
      let columns = try reader.int64("the \(what) matrix's shape")
      guard rows >= 0, columns > 0, columns <= 1 << 16, rows <= Int64(reader.remaining / 4) / columns else {
        throw reader.failure("a \(rows) × \(columns) \(what) matrix does not fit the file: truncated or damaged")
      }
      self = .dense(
        rows: Int(rows), columns: Int(columns), values: try reader.floats(Int(rows * columns), "the \(what) matrix"))
      return
    }
    let hasNorms = try reader.bool("the \(what) matrix")
    let rows = try reader.int64("the \(what) matrix's shape")
    let columns = try reader.int64("the \(what) matrix's shape")
    let codeSize = Int(try reader.int32("the \(what) matrix's code size"))
    guard rows >= 0, columns > 0, columns <= 1 << 16, codeSize >= 0 else {
      throw reader.failure("a quantized \(rows) × \(columns) \(what) matrix with \(codeSize) code bytes: damaged")
    }
    let codes = try reader.bytes(codeSize, "the \(what) matrix's codes")
    let quantizer = try ProductQuantizer(reading: &reader)
    guard quantizer.dimension == Int(columns), Int64(codeSize) == rows * Int64(quantizer.subquantizers) else {
      throw reader.failure(
        "the \(what) matrix's codes (\(codeSize) bytes) do not match its \(rows) rows of \(quantizer.subquantizers) slices: damaged"
      )
    }
    var normCodes: [UInt8]?
    var normQuantizer: ProductQuantizer?
    if hasNorms {
      normCodes = try reader.bytes(Int(rows), "the \(what) matrix's norm codes")
      normQuantizer = try ProductQuantizer(reading: &reader)
      guard normQuantizer!.dimension == 1 else {
        throw reader.failure("the \(what) matrix's norm quantizer is not one-dimensional: damaged")
      }
    }
    self = .quantized(
      QuantizedMatrix(
        rows: Int(rows), columns: Int(columns), codes: codes, quantizer: quantizer, normCodes: normCodes,
        normQuantizer: normQuantizer))
  }

  /// A quantized matrix as dense rows of `norm × centroid` values (nil when dense already, or
  /// when it would hold more than `limit` floats).
  func decoded(limit: Int) -> FastTextMatrix? {
    guard case .quantized(let matrix) = self, matrix.rows * matrix.columns <= limit else { return nil }
    let columns = matrix.columns
    let values = [Float](unsafeUninitializedCapacity: matrix.rows * columns) { buffer, initialized in
      for row in 0..<matrix.rows {
        let alpha = matrix.norm(row)
        matrix.forEachSlice(of: row) { offset, centroid, count in
          for n in 0..<count { buffer[row * columns + offset + n] = alpha * centroid[n] }
        }
      }
      initialized = matrix.rows * columns
    }
    return .dense(rows: matrix.rows, columns: columns, values: values)
  }

  var isQuantized: Bool {
    if case .quantized = self { return true }
    return false
  }

  func write(to writer: inout FastTextWriter) {
    switch self {
    case .dense(let rows, let columns, let values):
      writer.put(Int64(rows))
      writer.put(Int64(columns))
      writer.put(values)
    case .quantized(let matrix):
      writer.put(matrix.normCodes != nil)
      writer.put(Int64(matrix.rows))
      writer.put(Int64(matrix.columns))
      writer.put(Int32(matrix.codes.count))
      writer.bytes.append(contentsOf: matrix.codes)
      matrix.quantizer.write(to: &writer)
      if let normCodes = matrix.normCodes, let normQuantizer = matrix.normQuantizer {
        writer.bytes.append(contentsOf: normCodes)
        normQuantizer.write(to: &writer)
      }
    }
  }
}
