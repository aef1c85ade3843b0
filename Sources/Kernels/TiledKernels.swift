import Foundation

/// The fast kernels: cache-blocked, SIMD, and split across cores above a size threshold.
/// PLACEHOLDER: until the tiled work lands, every kernel forwards to the naive one.
public struct TiledKernels: KernelSet {
  public var name: String { "tiled" }
  /// Worker threads for large kernels.
  public var threads: Int

  public static var defaultThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

  public init(threads: Int = TiledKernels.defaultThreads) {
    self.threads = max(1, threads)
  }

  public func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool, b: UnsafePointer<Float>,
    transposeB: Bool, c: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    NaiveKernels().gemm(
      m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
      accumulate: accumulate)
  }

  public func unary(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    NaiveKernels().unary(op, x, y, count: count)
  }

  public func unaryBackward(
    _ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    NaiveKernels().unaryBackward(op, x: x, y: y, dy: dy, dx: dx, count: count)
  }

  public func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, count: Int, _ b: UnsafePointer<Float>, bCount: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    NaiveKernels().binary(op, a, count: count, b, bCount: bCount, out)
  }

  public func sum(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    NaiveKernels().sum(x, outer: outer, n: n, inner: inner, out)
  }
}
