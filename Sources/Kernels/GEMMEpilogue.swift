// What a layer does right after its matrix product: y = f(x·Wᵀ + b). Done as three kernels, the
// bias add and the activation are two more passes over y, each reading and writing every float
// of it, and after a GEMM on two threads each half of y sits in the cache of the core that wrote
// it. An epilogue is the GEMM doing both itself, on each block of rows of c as soon as the
// block's last multiply-add is done, on the thread that computed it, while the block is still in
// that core's cache.
//
// Measured on a 2-core Intel Xeon (cpu family 6 model 207, AVX-512, 4 Dec 2026), chapter 1 with
// `--profile` for 3 epochs: the separate bias adds, ReLUs and sigmoids took 0.43 s of 10.4 s;
// with the epilogue they are gone and the GEMMs took 0.04 s longer. Seconds per epoch, in eight
// back-to-back pairs, came out 0.98 of before (median; from 0.93 to 1.11, on a noisy host). On
// a benchmark that runs the six forward products over and over on the same buffers, everything
// in cache, the epilogue was 1-2% faster on one thread and 4% slower on two: with its data hot,
// a separate pass is cheap, and the epilogue's many short runs of a turned product cost calls.
//
// The epilogue calls the very per-piece loops the two separate kernels run
// (TiledKernels+Elementwise.swift), on the same floats of c, after the same sum: the results are
// the same bits as gemm, then binary(.add), then unary, which is what the naive kernel set does
// and what the tests hold the tiled one to.

/// c = f(c + bias) applied by the GEMM to its result: `bias` (n floats, one per column of c) is
/// added to every row, then `activation` is applied to every element. Either may be absent.
public struct GEMMEpilogue: @unchecked Sendable {
  /// n floats, added to every row of the (m, n) result; nil: no bias.
  public var bias: UnsafePointer<Float>?
  /// Applied elementwise after the bias; nil: none.
  public var activation: UnaryOp?

  public init(bias: UnsafePointer<Float>? = nil, activation: UnaryOp? = nil) {
    self.bias = bias
    self.activation = activation
  }

  /// No bias and no activation: the plain product.
  public static let none = GEMMEpilogue()

  public var isEmpty: Bool { bias == nil && activation == nil }
}

extension KernelSet {
  /// The epilogue as separate kernels: for a kernel set without a fused one (the naive set: the
  /// math as written, and the reference the tiled set is tested against).
  public func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, transposeA: Bool,
    b: UnsafePointer<Float>, transposeB: Bool,
    c: UnsafeMutablePointer<Float>, accumulate: Bool, epilogue: GEMMEpilogue
  ) {
    gemm(
      m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
      accumulate: accumulate)
    applyEpilogue(epilogue, to: c, rows: m, columns: n)
  }

  /// c = f(c + bias) on a whole (rows, columns) matrix, one pass per step.
  public func applyEpilogue(
    _ epilogue: GEMMEpilogue, to c: UnsafeMutablePointer<Float>, rows: Int, columns: Int
  ) {
    guard rows > 0, columns > 0 else { return }
    if let bias = epilogue.bias {
      binary(.add, c, count: rows * columns, bias, bCount: columns, c)
    }
    if let activation = epilogue.activation { unary(activation, c, c, count: rows * columns) }
  }
}
