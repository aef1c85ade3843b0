import CPUSupport

// Packing: before multiplying a block, the GEMM copies the part of a and b it needs into the exact
// order the micro-kernel reads them, so that the micro-kernel walks both with unit stride.
//
// The four transpose combinations are handled here and only here: once packed, a strip looks the
// same whether it came from a stored (m, k) or a stored (k, m) matrix, and the micro-kernel never
// knows. Copying costs one read and one write per float, and each packed float is then used in
// as many multiply-adds as the tile has columns (from a) or rows (from b), for every tile of its
// block, so it pays for itself many times over.
//
// Two of the four cases are plain copies of a tile's row or column of neighbouring floats. The other two (a stored
// (m, k), b stored (n, k)) need a small transpose: their neighbours run along k, but the strip
// wants neighbours across rows (or columns) for each step along k. Done float by float, that is
// a strided write or read per float and cost a fifth of the time of the chapter's forward pass;
// done 8x8 at a time in registers (`transposed`), it is 8 vector loads, 24 shuffles and 8 vector
// stores per 64 floats.
//
// Strips at the edge of a matrix (fewer rows or columns left than a tile has) are padded with
// zeros: the micro-kernel always computes a full tile, and the padding adds 0 to the unused
// part, which is simply not written back to c.

extension TiledKernels {
  /// How many rows of b ahead packB asks for the row it will copy (see there).
  static let packPrefetchRows = 4

  // a is (m, k), or stored (k, m) when transposed. dst is (depth, tileRows):
  //   dst[p·tileRows + r] = op(a)[row0 + r, depth0 + p]   for r < rows; 0 for rows ≤ r < tileRows.
  // For each step p along k the micro-kernel reads the tileRows values of a's column p it
  // needs, next to each other.
  @inline(never)
  static func packA(
    _ a: UnsafePointer<Float>, transposed: Bool, m: Int, k: Int, row0: Int, rows: Int,
    depth0: Int, depth: Int, tileRows: Int, into dst: UnsafeMutablePointer<Float>
  ) {
    if transposed {
      // a stored (k, m): the values for step p are already neighbours in row depth0 + p.
      copyRows(
        from: a + depth0 * m + row0, stride: m, count: depth, width: rows, paddedWidth: tileRows,
        into: dst)
    } else {
      // a stored (m, k): row i of a runs along k. Transpose rows x depth into depth x tileRows.
      transposeRows(
        from: a + row0 * k + depth0, stride: k, rows: rows, length: depth, paddedRows: tileRows,
        into: dst)
    }
  }

  // b is (k, n), or stored (n, k) when transposed. Packs the `columns` columns from column0 on
  // (one or more strips of stripWidth) into strips `stripStride` floats apart; strip s is
  // (depth, stripWidth):
  //   dst[s·stripStride + p·stripWidth + j] = op(b)[depth0 + p, column0 + stripWidth·s + j]
  // and 0 past the last column. For each step p along k the micro-kernel loads the stripWidth
  // values of b's row p in its strip as a few SIMD vectors.
  @inline(never)
  static func packB(
    _ b: UnsafePointer<Float>, transposed: Bool, k: Int, n: Int, column0: Int, columns: Int,
    depth0: Int, depth: Int, stripWidth: Int, into dst: UnsafeMutablePointer<Float>,
    stripStride: Int
  ) {
    let nr = stripWidth
    let strips = (columns + nr - 1) / nr
    if transposed {
      // b stored (n, k): column j of op(b) is row j of b, running along k. Transpose each
      // stripWidth x depth piece into depth x stripWidth.
      for s in 0..<strips {
        transposeRows(
          from: b + (column0 + s * nr) * k + depth0, stride: k,
          rows: min(nr, columns - s * nr), length: depth, paddedRows: nr,
          into: dst + s * stripStride)
      }
    } else {
      // b stored (k, n): the values for step p are neighbours in row depth0 + p. Go row by row
      // across all the strips, not strip by strip: one strip's part of a row is only 48-128
      // bytes, and the next row's is a whole row of b further on (4 KB at n = 1024, a new
      // memory page), a pattern the CPU's prefetcher cannot follow. A run of 256 or more
      // neighbouring floats it can: inside the GEMM at 1024³ this way takes a quarter of the
      // time strip by strip did.
      let fullStrips = columns / nr
      for p in 0..<depth {
        // Row p's floats, cut into stripWidth-float pieces, one piece to each strip.
        let from = b + (depth0 + p) * n + column0
        // Ask for the same piece of a row a few rows on now: each row's piece is a new page
        // of b, and a fresh stream for the prefetcher, so without this every row starts with
        // a wait on L3 or memory (perf at 1024³: nearly all of packB's time on its first
        // load). Timed in turns on the Zen 5 EPYC (3 Dec 2026), 4 rows ahead: 4-7% faster at
        // 512³ and 1024³ on two threads, 1-4% on one, level to 4% faster on chapter 1's products.
        if p + Self.packPrefetchRows < depth {
          let ahead = UnsafeRawPointer(from + Self.packPrefetchRows * n)
          for line in Swift.stride(from: 0, to: columns * MemoryLayout<Float>.stride, by: 64) {
            bottleneck_prefetch(ahead + line)
          }
        }
        let to = dst + p * nr
        copyRows(
          from: from, stride: nr, count: fullStrips, width: nr, paddedWidth: nr, into: to,
          destinationStride: stripStride)
        if fullStrips < strips {
          // The last strip is only partly filled; copyRows pads it with zeros.
          copyRows(
            from: from + fullStrips * nr, stride: nr, count: 1, width: columns - fullStrips * nr,
            paddedWidth: nr, into: to + fullStrips * stripStride)
        }
      }
    }
  }

  // source is (count, stride) with the first `width` columns read; dst is (count,
  // destinationStride) with the first paddedWidth columns written:
  //   dst[p·destinationStride + j] = source[p·stride + j]   for j < width;
  //                                  0                      for width ≤ j < paddedWidth
  // Full rows (width == paddedWidth, a tile's width) are copied as whole vectors.
  static func copyRows(
    from source: UnsafePointer<Float>, stride: Int, count: Int, width: Int, paddedWidth: Int,
    into dst: UnsafeMutablePointer<Float>, destinationStride: Int? = nil
  ) {
    let destinationStride = destinationStride ?? paddedWidth
    for p in 0..<count {
      let from = source + p * stride
      let to = dst + p * destinationStride
      if width == paddedWidth {
        copyFloats(from, to, count: width)
      } else {
        for j in 0..<width { to[j] = from[j] }
        for j in width..<paddedWidth { to[j] = 0 }
      }
    }
  }

  // source is (rows, stride) with the first `length` columns read; dst is (length, paddedRows).
  //   dst[p·paddedRows + r] = source[r·stride + p] for r < rows; 0 for rows ≤ r < paddedRows
  // The rows go 8 at a time through an 8x8 transpose in registers; a last group narrower than 8
  // (a tile of 6 or 12) stores only the part of each transposed row that belongs to it.
  static func transposeRows(
    from source: UnsafePointer<Float>, stride: Int, rows: Int, length: Int, paddedRows: Int,
    into dst: UnsafeMutablePointer<Float>
  ) {
    for r0 in Swift.stride(from: 0, to: paddedRows, by: 8) {
      let slots = min(8, paddedRows - r0)  // rows of dst this group fills
      let present = min(slots, max(0, rows - r0))  // of which exist in source
      var p = 0
      if present == slots {
        // Whole 8-step blocks: up to 8 rows (missing ones read as zeros), 8 steps along k each.
        let row = source + r0 * stride
        while p + 8 <= length {
          let at = row + p  // row r of this block starts at at + r·stride
          let block = transposed(
            (
              load8(at, row: 0, of: present, stride: stride),
              load8(at, row: 1, of: present, stride: stride),
              load8(at, row: 2, of: present, stride: stride),
              load8(at, row: 3, of: present, stride: stride),
              load8(at, row: 4, of: present, stride: stride),
              load8(at, row: 5, of: present, stride: stride),
              load8(at, row: 6, of: present, stride: stride),
              load8(at, row: 7, of: present, stride: stride)
            ))
          let to = dst + p * paddedRows + r0
          if slots == 8 {
            store8(block.0, to)
            store8(block.1, to + paddedRows)
            store8(block.2, to + 2 * paddedRows)
            store8(block.3, to + 3 * paddedRows)
            store8(block.4, to + 4 * paddedRows)
            store8(block.5, to + 5 * paddedRows)
            store8(block.6, to + 6 * paddedRows)
            store8(block.7, to + 7 * paddedRows)
          } else {
            storePart(block.0, slots, to)
            storePart(block.1, slots, to + paddedRows)
            storePart(block.2, slots, to + 2 * paddedRows)
            storePart(block.3, slots, to + 3 * paddedRows)
            storePart(block.4, slots, to + 4 * paddedRows)
            storePart(block.5, slots, to + 5 * paddedRows)
            storePart(block.6, slots, to + 6 * paddedRows)
            storePart(block.7, slots, to + 7 * paddedRows)
          }
          p += 8
        }
      }
      // The rest (the last length % 8 steps, or a group with rows missing): float by float.
      for q in p..<length {
        let to = dst + q * paddedRows + r0
        for r in 0..<present { to[r] = source[(r0 + r) * stride + q] }
        for r in present..<slots { to[r] = 0 }
      }
    }
  }
}

/// dst[0..<count] = src[0..<count], in the widest vectors that fit (count is a tile's width: 6
/// to 32).
@inline(__always)
func copyFloats(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
  let from = UnsafeRawPointer(src)
  let to = UnsafeMutableRawPointer(dst)
  var j = 0
  while j + 16 <= count {
    to.storeBytes(
      of: from.loadUnaligned(fromByteOffset: 4 * j, as: SIMD16<Float>.self), toByteOffset: 4 * j,
      as: SIMD16<Float>.self)
    j += 16
  }
  if j + 8 <= count {
    store8(load8(src + j), dst + j)
    j += 8
  }
  if j + 4 <= count {
    to.storeBytes(
      of: from.loadUnaligned(fromByteOffset: 4 * j, as: SIMD4<Float>.self), toByteOffset: 4 * j,
      as: SIMD4<Float>.self)
    j += 4
  }
  while j < count {
    dst[j] = src[j]
    j += 1
  }
}

/// The first `count` (1-8) lanes of v, stored at p.
@inline(__always)
func storePart(_ v: SIMD8<Float>, _ count: Int, _ p: UnsafeMutablePointer<Float>) {
  let raw = UnsafeMutableRawPointer(p)
  var j = 0
  if count >= 4 {
    raw.storeBytes(of: v.lowHalf, as: SIMD4<Float>.self)
    j = 4
  }
  while j < count {
    p[j] = v[j]
    j += 1
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

/// The 8 floats at p + r·stride when row r is one of the `present` rows that exist, else zeros.
@inline(__always)
func load8(_ p: UnsafePointer<Float>, row r: Int, of present: Int, stride: Int) -> SIMD8<Float> {
  r < present ? load8(p + r * stride) : SIMD8()
}

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
