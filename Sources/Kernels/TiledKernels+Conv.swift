// The convolution on the tiled GEMM, by im2col (Chellapilla, Puri & Simard 2006): copy every
// k × k patch the kernel visits into one row of a matrix, and the convolution of the whole batch
// becomes one matrix product that the packed, register-tiled GEMM runs at full speed.
//
//   col  (N·OH·OW, C·k·k)   row (n, a, b) holds the patch under output pixel (a, b) of image n,
//                           column (c, i, j) is x[n, c, a·s − p + i, b·s − p + j] (0 off the image)
//   forward          Y  = col · wᵀ        (N·OH·OW, O), then y[n, o, a, b] = Y[(n, a, b), o] + bias[o]
//   input gradient   dcol = dY · w        then col2im: each dcol entry is added back to the x it
//                                         was copied from (patches overlap when s < k)
//   weight gradient  dw = dYᵀ · col       (O, C·k·k)
//
// where dY is dy laid out like Y. Why not a direct blocked loop? The chapter's layers have 1 to
// 128 channels and 1 to 28 pixels a side; one GEMM per batch keeps all of them on the same fast
// kernel, at the cost of the col buffer (k² copies of the input: 7 MB for the 32 → 64 layer of a
// 128-image batch). The kernel lab times this against the naive loops.
// Images are independent, so im2col, col2im and the transposes run in parallel over the batch.

extension TiledKernels {
  public func conv2d(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    let (rows, depth, O, P) = (
      g.batch * g.outHeight * g.outWidth, g.inChannels * g.kernel * g.kernel, g.outChannels,
      g.outHeight * g.outWidth
    )
    guard rows > 0 else { return }
    withBuffer(rows * depth) { col in
      withBuffer(rows * O) { product in
        im2col(g, x: x, col: col)
        gemm(
          m: rows, n: O, k: depth, a: col, transposeA: false, b: w, transposeB: true, c: product,
          accumulate: false)
        // (N·P, O) → (N, O, P), plus the bias.
        forEachImage(g, work: rows * O) { n in
          for o in 0..<O {
            let add = bias?[o] ?? 0
            let out = y + (n * O + o) * P
            let source = product + n * P * O + o
            for p in 0..<P { out[p] = source[p * O] + add }
          }
        }
      }
    }
  }

  public func conv2dBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight w: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
  ) {
    let (rows, depth, O) = (
      g.batch * g.outHeight * g.outWidth, g.inChannels * g.kernel * g.kernel, g.outChannels
    )
    guard rows > 0 else {
      dx.update(repeating: 0, count: g.inputCount)
      return
    }
    withBuffer(rows * O) { dY in
      withBuffer(rows * depth) { dcol in
        rowsByPixel(g, dy, into: dY)
        gemm(
          m: rows, n: depth, k: O, a: dY, transposeA: false, b: w, transposeB: false, c: dcol,
          accumulate: false)
        col2im(g, col: dcol, dx: dx)
      }
    }
  }

  public func conv2dBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dWeight dw: UnsafeMutablePointer<Float>
  ) {
    let (rows, depth, O) = (
      g.batch * g.outHeight * g.outWidth, g.inChannels * g.kernel * g.kernel, g.outChannels
    )
    guard rows > 0 else {
      dw.update(repeating: 0, count: g.weightCount)
      return
    }
    withBuffer(rows * O) { dY in
      withBuffer(rows * depth) { col in
        rowsByPixel(g, dy, into: dY)
        im2col(g, x: x, col: col)
        gemm(
          m: O, n: depth, k: rows, a: dY, transposeA: true, b: col, transposeB: false, c: dw,
          accumulate: false)
      }
    }
  }

  // MARK: the copies around the GEMM

  /// col[(n, a, b), (c, i, j)] = x[n, c, a·s − p + i, b·s − p + j], or 0 off the image.
  func im2col(_ g: ConvGeometry, x: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
    let (C, H, W, k, OH, OW, s, pad) = (
      g.inChannels, g.height, g.width, g.kernel, g.outHeight, g.outWidth, g.stride, g.padding
    )
    let depth = C * k * k
    forEachImage(g, work: g.batch * OH * OW * depth) { n in
      for a in 0..<OH {
        for b in 0..<OW {
          var out = col + ((n * OH + a) * OW + b) * depth
          for c in 0..<C {
            let plane = x + (n * C + c) * H * W
            for i in 0..<k {
              let h = a * s - pad + i
              if h < 0 || h >= H {
                out.update(repeating: 0, count: k)
              } else {
                let row = plane + h * W
                for j in 0..<k {
                  let v = b * s - pad + j
                  out[j] = (v >= 0 && v < W) ? row[v] : 0
                }
              }
              out += k
            }
          }
        }
      }
    }
  }

  /// dx = 0, then dx[n, c, a·s − p + i, b·s − p + j] += col[(n, a, b), (c, i, j)] on the image.
  func col2im(_ g: ConvGeometry, col: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
    let (C, H, W, k, OH, OW, s, pad) = (
      g.inChannels, g.height, g.width, g.kernel, g.outHeight, g.outWidth, g.stride, g.padding
    )
    let depth = C * k * k
    forEachImage(g, work: g.batch * OH * OW * depth) { n in
      let image = dx + n * C * H * W
      image.update(repeating: 0, count: C * H * W)
      for a in 0..<OH {
        for b in 0..<OW {
          var source = col + ((n * OH + a) * OW + b) * depth
          for c in 0..<C {
            let plane = image + c * H * W
            for i in 0..<k {
              let h = a * s - pad + i
              if h >= 0 && h < H {
                let row = plane + h * W
                for j in 0..<k {
                  let v = b * s - pad + j
                  if v >= 0 && v < W { row[v] += source[j] }
                }
              }
              source += k
            }
          }
        }
      }
    }
  }

  /// dy (N, O, P) → (N·P, O): the gradient laid out like the forward product.
  func rowsByPixel(
    _ g: ConvGeometry, _ dy: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>
  ) {
    let (O, P) = (g.outChannels, g.outHeight * g.outWidth)
    forEachImage(g, work: g.batch * O * P) { n in
      for o in 0..<O {
        let source = dy + (n * O + o) * P
        let target = out + n * P * O + o
        for p in 0..<P { target[p * O] = source[p] }
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
