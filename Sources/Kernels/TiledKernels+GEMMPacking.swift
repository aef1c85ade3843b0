// Packing: before multiplying a block, the GEMM copies the part of a and b it needs into the exact
// order the micro-kernel reads them, so that the micro-kernel walks both with unit stride.
//
// The four transpose combinations are handled here and only here: once packed, a strip looks the
// same whether it came from a stored (m, k) or a stored (k, m) matrix, and the micro-kernel never
// knows. Copying costs one read and one write per float, and each packed float is then used in
// 32 (from a) or 8 (from b) multiply-adds per tile, for every tile of its block, so it pays for
// itself many times over.
//
// Two of the four cases are plain copies of 8 or 32 neighbouring floats. The other two (a stored
// (m, k), b stored (n, k)) need a small transpose: their neighbours run along k, but the strip
// wants neighbours across rows (or columns) for each step along k. Done float by float, that is
// a strided write or read per float and cost a fifth of the time of the chapter's forward pass;
// done 8x8 at a time in registers (`transposed`), it is 8 vector loads, 24 shuffles and 8 vector
// stores per 64 floats.
//
// Strips at the edge of a matrix (fewer than 8 rows or 32 columns left) are padded with zeros:
// the micro-kernel always computes a full 8x32 tile, and the padding adds 0 to the unused part,
// which is simply not written back to c.

extension TiledKernels {
  // a is (m, k), or stored (k, m) when transposed. dst is (depth, 8):
  //   dst[p·8 + r] = op(a)[row0 + r, depth0 + p]   for r < rows; 0 for rows ≤ r < 8.
  // For each step p along k the micro-kernel reads the 8 values of a's column p it needs,
  // next to each other.
  @inline(never)
  static func packA(
    _ a: UnsafePointer<Float>, transposed: Bool, m: Int, k: Int, row0: Int, rows: Int,
    depth0: Int, depth: Int, into dst: UnsafeMutablePointer<Float>
  ) {
    if transposed {
      // a stored (k, m): the 8 values for step p are already neighbours in row depth0 + p.
      copyRows(
        from: a + depth0 * m + row0, stride: m, count: depth, width: rows, paddedWidth: tileRows,
        into: dst)
    } else {
      // a stored (m, k): row i of a runs along k. Transpose 8 rows x depth into depth x 8.
      transposeRows(
        from: a + row0 * k + depth0, stride: k, rows: rows, length: depth, paddedRows: tileRows,
        into: dst)
    }
  }

  // b is (k, n), or stored (n, k) when transposed. Packs the `columns` columns from column0 on
  // (one or more strips of 32) into strips `stripStride` floats apart; strip s is (depth, 32):
  //   dst[s·stripStride + p·32 + j] = op(b)[depth0 + p, column0 + 32·s + j]
  // and 0 past the last column. For each step p along k the micro-kernel loads the 32 values of
  // b's row p in its strip as two SIMD16 vectors.
  @inline(never)
  static func packB(
    _ b: UnsafePointer<Float>, transposed: Bool, k: Int, n: Int, column0: Int, columns: Int,
    depth0: Int, depth: Int, into dst: UnsafeMutablePointer<Float>, stripStride: Int
  ) {
    let strips = (columns + tileColumns - 1) / tileColumns
    if transposed {
      // b stored (n, k): column j of op(b) is row j of b, running along k. Transpose each
      // 32 x depth piece into depth x 32.
      for s in 0..<strips {
        transposeRows(
          from: b + (column0 + s * tileColumns) * k + depth0, stride: k,
          rows: min(tileColumns, columns - s * tileColumns), length: depth,
          paddedRows: tileColumns, into: dst + s * stripStride)
      }
    } else {
      // b stored (k, n): the values for step p are neighbours in row depth0 + p. Go row by row
      // across all the strips, not strip by strip: one strip's part of a row is only 128 bytes,
      // and the next row's is a whole row of b further on (4 KB at n = 1024, a new memory page),
      // a pattern the CPU's prefetcher cannot follow. A run of 256 or more neighbouring floats
      // it can: inside the GEMM at 1024³ this way takes a quarter of the time strip by strip did.
      let fullStrips = columns / tileColumns
      for p in 0..<depth {
        // Row p's floats, cut into 32-float pieces, one piece to each strip.
        let from = b + (depth0 + p) * n + column0
        let to = dst + p * tileColumns
        copyRows(
          from: from, stride: tileColumns, count: fullStrips, width: tileColumns,
          paddedWidth: tileColumns, into: to, destinationStride: stripStride)
        if fullStrips < strips {
          // The last strip is only partly filled; copyRows pads it with zeros.
          copyRows(
            from: from + fullStrips * tileColumns, stride: tileColumns, count: 1,
            width: columns - fullStrips * tileColumns, paddedWidth: tileColumns,
            into: to + fullStrips * stripStride)
        }
      }
    }
  }

  // source is (count, stride) with the first `width` columns read; dst is (count,
  // destinationStride) with the first paddedWidth columns written:
  //   dst[p·destinationStride + j] = source[p·stride + j]   for j < width;
  //                                  0                      for width ≤ j < paddedWidth
  // paddedWidth is 8 or 32, so full rows are copied as whole vectors.
  static func copyRows(
    from source: UnsafePointer<Float>, stride: Int, count: Int, width: Int, paddedWidth: Int,
    into dst: UnsafeMutablePointer<Float>, destinationStride: Int? = nil
  ) {
    let destinationStride = destinationStride ?? paddedWidth
    for p in 0..<count {
      let from = source + p * stride
      let to = dst + p * destinationStride
      if width == paddedWidth && width == 32 {
        TileRow(loadingFrom: from).store(to: to)  // two 16-float vector moves
      } else if width == paddedWidth && width == 8 {
        store8(load8(from), to)
      } else {
        for j in 0..<width { to[j] = from[j] }
        for j in width..<paddedWidth { to[j] = 0 }
      }
    }
  }

  // source is (rows, stride) with the first `length` columns read; dst is (length, paddedRows).
  //   dst[p·paddedRows + r] = source[r·stride + p] for r < rows; 0 for rows ≤ r < paddedRows
  // paddedRows is a multiple of 8.
  static func transposeRows(
    from source: UnsafePointer<Float>, stride: Int, rows: Int, length: Int, paddedRows: Int,
    into dst: UnsafeMutablePointer<Float>
  ) {
    for r0 in Swift.stride(from: 0, to: paddedRows, by: 8) {
      let present = min(8, max(0, rows - r0))  // rows of this group of 8 that exist
      var p = 0
      if present == 8 {
        // Whole 8x8 blocks: 8 rows, 8 steps along k each.
        let row = source + r0 * stride
        while p + 8 <= length {
          let block = transposed(
            (
              load8(row + p), load8(row + stride + p), load8(row + 2 * stride + p),
              load8(row + 3 * stride + p), load8(row + 4 * stride + p),
              load8(row + 5 * stride + p), load8(row + 6 * stride + p),
              load8(row + 7 * stride + p)
            ))
          let to = dst + p * paddedRows + r0
          store8(block.0, to)
          store8(block.1, to + paddedRows)
          store8(block.2, to + 2 * paddedRows)
          store8(block.3, to + 3 * paddedRows)
          store8(block.4, to + 4 * paddedRows)
          store8(block.5, to + 5 * paddedRows)
          store8(block.6, to + 6 * paddedRows)
          store8(block.7, to + 7 * paddedRows)
          p += 8
        }
      }
      // The rest (the last depth % 8 steps, or a group with fewer than 8 rows): float by float.
      for q in p..<length {
        let to = dst + q * paddedRows + r0
        for r in 0..<present { to[r] = source[(r0 + r) * stride + q] }
        for r in present..<8 { to[r] = 0 }
      }
    }
  }
}

typealias Block8x8 = (
  SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>,
  SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>
)

/// The 8x8 block whose rows are r.0 … r.7, transposed: row i of the result is column i of r.
///
/// How: "unzip" two rows x and y into the even-indexed and the odd-indexed entries of x followed
/// by y. Write an entry's position as 6 bits, 3 for its row then 3 for its column. One round
/// (row 2i and 2i+1 unzipped into rows i and 4 + i) rotates those 6 bits right by one: the
/// lowest column bit becomes the highest row bit. Three rounds rotate by three, swapping the row
/// bits with the column bits: a transpose. Each unzip is one or two shuffle instructions.
@inline(__always)
func transposed(_ r: Block8x8) -> Block8x8 {
  var r = r
  for _ in 0..<3 {
    let (e0, o0) = unzip(r.0, r.1)
    let (e1, o1) = unzip(r.2, r.3)
    let (e2, o2) = unzip(r.4, r.5)
    let (e3, o3) = unzip(r.6, r.7)
    r = (e0, e1, e2, e3, o0, o1, o2, o3)
  }
  return r
}

/// (even-indexed entries of x then y, odd-indexed entries of x then y)
@inline(__always)
func unzip(_ x: SIMD8<Float>, _ y: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
  let both = SIMD16(lowHalf: x, highHalf: y)
  return (both.evenHalf, both.oddHalf)
}

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
