// The convolution on the tiled GEMM, by im2col (Chellapilla, Puri & Simard 2006; Caffe's
// layout): copy every k × k patch the kernel visits into one column of a matrix, and the
// convolution of the whole batch becomes one matrix product that the packed, register-tiled GEMM
// runs at full speed.
//
//   col  (C·k·k, N·OH·OW)   row (c, i, j), column (n, a, b): x[n, c, a·s − p + i, b·s − p + j],
//                           0 off the image
//   forward          Y = w · col           (O, N·OH·OW), then y[n, o, :] = Y[o, n's columns] + bias[o]
//   input gradient   dcol = wᵀ · dY        then col2im: each dcol entry is added back to the x it
//                                          was copied from (patches overlap when s < k)
//   weight gradient  dw = dY · colᵀ        (O, C·k·k)
//
// where dY is dy laid out like Y. In this layout every copy moves runs of whole output rows
// (im2col, col2im) or whole output planes (Y ↔ y), and the three GEMMs have the shapes the tiled
// GEMM does best on. The other layout, (N·OH·OW, C·k·k), whose copies move k numbers at a time,
// was the first version: on the 32 → 64 layer of a 128-image batch it took 18.9 / 14.5 / 26.8 ms
// for the forward pass and the two gradients against 6.6 / 5.3 / 6.7 ms for this one (2-core
// EPYC, 1 December 2026; the first numbers were taken while another program shared the CPU).
// The kernel lab's convolution section times this layout and im2col's share of it.
// Why not a direct blocked loop? The chapter's layers have 1 to 128 channels and 1 to 28 pixels
// a side; one GEMM per batch keeps all of them on the same fast kernel, at the cost of the col
// buffer (k² copies of the input: 7 MB for the 32 → 64 layer of a 128-image batch).
// Images are independent, so im2col, col2im and the copies run in parallel over the batch.

extension TiledKernels {
  /// Floats of im2col matrix per slice of the batch, by default one L2 cache's worth (128 Ki
  /// floats for a 512 KB L2). The slice's column matrix is written by im2col and read straight
  /// back by the GEMM's packing; when it fits in L2 that round trip need not reach memory. One
  /// matrix for the whole batch (the first version: up to 16 MB, 7 MB on chapter 6's 32 → 64
  /// layer at batch 128) goes to memory and back. Measured on the 2-core EPYC, 1 December 2026,
  /// timed interleaved against 64 Ki to 4 Mi floats per slice: while other programs loaded the
  /// machine, L2-sized slices made each of the three products 1.2-1.9x faster on 1 thread; on a
  /// quiet machine the sizes were level within the noise (39-53 against 42-44 GFLOP/s on 2
  /// threads). It also caps the memory a convolution needs (chapter 6's peak: 216 → 156 MB;
  /// the weight gradient's partials, below, have since put it at 179 MB).
  public static var columnBudget: Int { max(1 << 14, CacheSizes.l2 / MemoryLayout<Float>.stride) }

  /// Images per slice of the batch on geometry `g` (at least 1).
  public func imagesPerSlice(_ g: ConvGeometry) -> Int {
    let perImage = g.inChannels * g.kernel * g.kernel * g.outHeight * g.outWidth
    return max(1, min(g.batch, convolutionSlice / max(perImage, 1)))
  }

  /// Runs `body` on consecutive slices of the batch: (slice geometry, first image).
  public func forEachSlice(_ g: ConvGeometry, _ body: (ConvGeometry, Int) -> Void) {
    let step = imagesPerSlice(g)
    for first in stride(from: 0, to: g.batch, by: step) {
      let slice = g.withBatch(min(step, g.batch - first))
      body(slice, first)
    }
  }

  public func conv2d(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    forEachSliceInParallel(g) { kernels, slice, first in
      kernels.convSlice(
        slice, x: x + first * g.inChannels * g.height * g.width, weight: w, bias: bias,
        y: y + first * g.outChannels * g.outHeight * g.outWidth)
    }
  }

  public func conv2dBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
  ) {
    forEachSliceInParallel(g) { kernels, slice, first in
      kernels.inputGradientSlice(
        slice, dy: dy + first * g.outChannels * g.outHeight * g.outWidth, weight: w,
        dx: dx + first * g.inChannels * g.height * g.width)
    }
  }

  /// A copy of these kernels that runs everything on the calling thread.
  var oneThread: TiledKernels {
    var copy = self
    copy.threads = 1
    return copy
  }

  /// Runs `body` on every slice. With several threads and at least two slices per thread, the
  /// slices themselves are shared out, each run start to finish by one thread on a one-thread
  /// copy of the kernels (one hand-over per slice instead of three, for im2col, the GEMM and the
  /// copy, each cut into pieces); otherwise slice after slice on all threads. Each slice writes
  /// its own images' outputs with the same arithmetic either way (the GEMM never splits its sum),
  /// so the results are bit-identical.
  func forEachSliceInParallel(
    _ g: ConvGeometry, _ body: (TiledKernels, ConvGeometry, Int) -> Void
  ) {
    let step = imagesPerSlice(g)
    let slices = (g.batch + step - 1) / step
    guard threads > 1, slices >= 2 * threads else {
      forEachSlice(g) { slice, first in body(self, slice, first) }
      return
    }
    let serial = oneThread
    parallelFor(chunks: slices, threads: threads) { s in
      let first = s * step
      let slice = g.withBatch(min(step, g.batch - first))
      body(serial, slice, first)
    }
  }

  /// The weight gradient sums over the images. Each slice's share, dY_s · col_sᵀ, goes into a
  /// partial of its own, several slices at a time in parallel (each slice start to finish on one
  /// thread, like the forward pass), and the partials are added to dw in slice order: dw =
  /// partial 0 + partial 1 + ..., number by number. The slices depend only on the geometry, so
  /// the sum and its rounding are the same on any number of threads; only the number of slices
  /// in flight, and so the partials' memory, follows the threads. (The first version ran the
  /// slices one after another, each GEMM adding into dw, each cut into pieces for the threads:
  /// 1.6x the forward pass's time on chapter 6's quick run.)
  public func conv2dBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dWeight dw: UnsafeMutablePointer<Float>
  ) {
    let step = imagesPerSlice(g)
    let slices = (g.batch + step - 1) / step
    guard slices > 1 else {
      weightGradientSlice(g, x: x, dy: dy, dWeight: dw)
      return
    }
    let count = g.weightCount
    let inFlight = min(slices, Self.chunksPerThread * threads)
    let serial = oneThread
    withBuffer(inFlight * count) { partials in
      for round in stride(from: 0, to: slices, by: inFlight) {
        let members = min(inFlight, slices - round)
        // Slice `round + m` writes partial m; the very first slice writes dw itself.
        let target = { (m: Int) in round + m == 0 ? dw : partials + m * count }
        let one = { (kernels: TiledKernels, m: Int) in
          let first = (round + m) * step
          kernels.weightGradientSlice(
            g.withBatch(min(step, g.batch - first)),
            x: x + first * g.inChannels * g.height * g.width,
            dy: dy + first * g.outChannels * g.outHeight * g.outWidth, dWeight: target(m))
        }
        if threads > 1, members > 1 {
          parallelFor(chunks: members, threads: threads) { m in one(serial, m) }
        } else {
          for m in 0..<members { one(self, m) }
        }
        let added = round == 0 ? 1..<members : 0..<members
        guard !added.isEmpty else { continue }
        forEachPiece(count: count, threshold: Self.elementwiseParallelCount / members) { range in
          let out = dw + range.lowerBound
          for m in added {
            Self.binary(.add, out, partials + m * count + range.lowerBound, out, count: range.count)
          }
        }
      }
    }
  }

  func convSlice(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    let (columns, depth, O, P) = (
      g.batch * g.outHeight * g.outWidth, g.inChannels * g.kernel * g.kernel, g.outChannels,
      g.outHeight * g.outWidth
    )
    guard columns > 0 else { return }
    withBuffer(depth * columns) { col in
      withBuffer(O * columns) { product in
        im2col(g, x: x, col: col)
        gemm(
          m: O, n: columns, k: depth, a: w, transposeA: false, b: col, transposeB: false,
          c: product, accumulate: false)
        // (O, N·P) → (N, O, P), plus the bias: one plane of P numbers at a time.
        forEachImage(g, work: O * columns) { n in
          for o in 0..<O {
            let add = bias?[o] ?? 0
            let out = y + (n * O + o) * P
            let source = product + o * columns + n * P
            for p in 0..<P { out[p] = source[p] + add }
          }
        }
      }
    }
  }

  func inputGradientSlice(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
  ) {
    let (columns, depth, O) = (
      g.batch * g.outHeight * g.outWidth, g.inChannels * g.kernel * g.kernel, g.outChannels
    )
    guard columns > 0 else {
      dx.update(repeating: 0, count: g.inputCount)
      return
    }
    withBuffer(O * columns) { dY in
      withBuffer(depth * columns) { dcol in
        channelsByPixel(g, dy, into: dY)
        gemm(
          m: depth, n: columns, k: O, a: w, transposeA: true, b: dY, transposeB: false, c: dcol,
          accumulate: false)
        col2im(g, col: dcol, dx: dx)
      }
    }
  }

  func weightGradientSlice(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dWeight dw: UnsafeMutablePointer<Float>
  ) {
    let (columns, depth, O) = (
      g.batch * g.outHeight * g.outWidth, g.inChannels * g.kernel * g.kernel, g.outChannels
    )
    guard columns > 0 else {
      dw.update(repeating: 0, count: g.weightCount)
      return
    }
    withBuffer(O * columns) { dY in
      withBuffer(depth * columns) { col in
        channelsByPixel(g, dy, into: dY)
        im2col(g, x: x, col: col)
        gemm(
          m: O, n: depth, k: columns, a: dY, transposeA: false, b: col, transposeB: true, c: dw,
          accumulate: false)
      }
    }
  }

  // MARK: the copies around the GEMM

  /// col[(c, i, j), (n, a, b)] = x[n, c, a·s − p + i, b·s − p + j], or 0 off the image.
  ///
  /// Each image plane is first copied into the middle of a zero-bordered plane, (H + 2p) x
  /// (W + 2p), so that every patch entry is inside it and "0 off the image" needs no test. Row
  /// (c, i, j) of col is then a gather of OH·OW numbers at offsets that depend on (i, j) only,
  /// computed once per call (`PatchOffsets`): one load and one store per number, no branch.
  /// (The first version walked each output row with bounds worked out per row; with 7-pixel rows
  /// its loop overhead made it copy at 1.3-3 GB/s.)
  public func im2col(_ g: ConvGeometry, x: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
    if g.patchIsWholeImage {
      transposeImages(g, x: x, col: col)
      return
    }
    let (C, H, W, k) = (g.inChannels, g.height, g.width, g.kernel)
    let P = g.outHeight * g.outWidth
    let columns = g.batch * P
    let offsets = PatchOffsets(g)
    defer { offsets.deallocate() }
    forEachImage(g, work: columns * C * k * k) { n in
      offsets.withPaddedPlane { padded in
        for c in 0..<C {
          offsets.fill(padded, from: x + (n * C + c) * H * W)
          for ij in 0..<(k * k) {
            let out = col + (c * k * k + ij) * columns + n * P
            let table = offsets.table + ij * P
            for p in 0..<P { out[p] = padded[Int(table[p])] }
          }
        }
      }
    }
  }

  /// dx = 0, then dx[n, c, a·s − p + i, b·s − p + j] += col[(c, i, j), (n, a, b)] on the image:
  /// im2col's adjoint, a scatter-add into a zero-bordered plane whose middle is then dx's plane.
  func col2im(_ g: ConvGeometry, col: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
    if g.patchIsWholeImage {
      transposeImages(g, col: col, dx: dx)
      return
    }
    let (C, H, W, k) = (g.inChannels, g.height, g.width, g.kernel)
    let P = g.outHeight * g.outWidth
    let columns = g.batch * P
    let offsets = PatchOffsets(g)
    defer { offsets.deallocate() }
    forEachImage(g, work: columns * C * k * k) { n in
      offsets.withPaddedPlane { padded in
        for c in 0..<C {
          padded.update(repeating: 0, count: offsets.paddedCount)
          for ij in 0..<(k * k) {
            let source = col + (c * k * k + ij) * columns + n * P
            let table = offsets.table + ij * P
            for p in 0..<P { padded[Int(table[p])] += source[p] }
          }
          offsets.extract(padded, into: dx + (n * C + c) * H * W)
        }
      }
    }
  }

  // When the kernel covers the whole image and there is no padding (chapter 6's 64 → 128, k7
  // layer on 7x7 images, and the transposed one that mirrors it), the output is 1x1, each image
  // has one patch, and its patch is the image itself: col[(c, i, j), n] = x[n, c, i, j]. col is
  // then x transposed, (N, C·H·W) → (C·H·W, N), and col2im is the transpose back. The general
  // loops copy such a col one float per row of col, every one on a new cache line (0.5-0.6 G
  // floats a second); the transpose moves 8x8 blocks through registers (transposeRows, the
  // GEMM's packing), reading 32 bytes of 8 images' rows and writing 32 bytes of 8 of col's.

  /// col = x viewed as (N, C·H·W), transposed.
  func transposeImages(_ g: ConvGeometry, x: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>)
  {
    transposeInParallel(
      x, rows: g.batch, columns: g.inChannels * g.height * g.width, into: col, chunk: 64)
  }

  /// dx = col transposed back, (C·H·W, N) → (N, C·H·W): each pixel of dx is in exactly one
  /// patch, so the adjoint's sum has one term.
  func transposeImages(
    _ g: ConvGeometry, col: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>
  ) {
    transposeInParallel(
      col, rows: g.inChannels * g.height * g.width, columns: g.batch, into: dx, chunk: 8)
  }

  /// dst (columns, rows) = src (rows, columns) transposed, `chunk` of dst's rows at a time
  /// shared out between the threads.
  func transposeInParallel(
    _ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>,
    chunk: Int
  ) {
    let chunks = (columns + chunk - 1) / chunk
    let (workers, _) = split(work: rows * columns, threshold: Self.elementwiseParallelCount)
    parallelFor(chunks: chunks, threads: workers) { c in
      let first = c * chunk
      Self.transposeRows(
        from: src + first, stride: columns, rows: rows, length: min(chunk, columns - first),
        paddedRows: rows, into: dst + first * rows)
    }
  }

  /// dy (N, O, P) → (O, N·P): the gradient laid out like the forward product.
  func channelsByPixel(
    _ g: ConvGeometry, _ dy: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    let (O, P) = (g.outChannels, g.outHeight * g.outWidth)
    let columns = g.batch * P
    forEachImage(g, work: O * columns) { n in
      for o in 0..<O {
        (out + o * columns + n * P).update(from: dy + (n * O + o) * P, count: P)
      }
    }
  }

  /// Runs body(n) for every image n, split over the threads when the work is large enough.
  func forEachImage(_ g: ConvGeometry, work: Int, _ body: (Int) -> Void) {
    let (workers, _) = split(work: work, threshold: Self.elementwiseParallelCount)
    parallelFor(chunks: g.batch, threads: workers, body)
  }

  /// A scratch buffer of `count` floats from the pool, for the duration of `body`.
  func withBuffer<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
    let buffer = BufferPool.shared.take(count)
    defer { BufferPool.shared.giveBack(buffer) }
    return body(buffer.pointer)
  }
}

/// Where each entry of a k x k patch lies in a zero-bordered input plane: for kernel offset
/// (i, j) and output pixel (a, b), table[(i·k + j)·OH·OW + a·OW + b] = (a·s + i)·(W + 2p) + b·s + j.
/// Shared by the threads of one im2col or col2im call (read only).
struct PatchOffsets {
  let table: UnsafeMutablePointer<Int32>
  let height: Int, width: Int, padding: Int
  let paddedWidth: Int, paddedCount: Int

  init(_ g: ConvGeometry) {
    let (k, s, OH, OW) = (g.kernel, g.stride, g.outHeight, g.outWidth)
    height = g.height
    width = g.width
    padding = g.padding
    paddedWidth = g.width + 2 * g.padding
    paddedCount = (g.height + 2 * g.padding) * paddedWidth
    precondition(paddedCount < Int(Int32.max), "PatchOffsets: plane too large")
    table = .allocate(capacity: max(1, k * k * OH * OW))
    for i in 0..<k {
      for j in 0..<k {
        for a in 0..<OH {
          for b in 0..<OW {
            table[((i * k + j) * OH + a) * OW + b] = Int32((a * s + i) * paddedWidth + b * s + j)
          }
        }
      }
    }
  }

  func deallocate() { table.deallocate() }

  /// A zero-filled scratch plane of `paddedCount` floats for one thread.
  func withPaddedPlane(_ body: (UnsafeMutablePointer<Float>) -> Void) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedCount) { buffer in
      buffer.initialize(repeating: 0)
      body(buffer.baseAddress!)
    }
  }

  /// Copies an H x W plane into the middle of `padded` (whose border stays zero).
  func fill(_ padded: UnsafeMutablePointer<Float>, from plane: UnsafePointer<Float>) {
    for h in 0..<height {
      (padded + (h + padding) * paddedWidth + padding).update(from: plane + h * width, count: width)
    }
  }

  /// Copies the middle of `padded` out to an H x W plane.
  func extract(_ padded: UnsafePointer<Float>, into plane: UnsafeMutablePointer<Float>) {
    for h in 0..<height {
      (plane + h * width).update(from: padded + (h + padding) * paddedWidth + padding, count: width)
    }
  }
}
