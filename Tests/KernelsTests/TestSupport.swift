import Kernels

// Shared pieces of the kernel tests: a seeded generator for inputs, the kernel sets under test,
// and array wrappers around the raw-pointer kernels.

/// A tiny seeded generator (64-bit LCG, top bits), so every run tests the same numbers.
/// Kernels' tests cannot use TensorCore's RandomGenerator: Kernels sits below TensorCore.
struct TestRandom {
  var state: UInt64

  init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1 }

  /// Uniform in [low, high).
  mutating func uniform(_ low: Float, _ high: Float) -> Float {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return low + (high - low) * Float(state >> 40) / Float(1 << 24)
  }

  mutating func array(_ count: Int, _ low: Float = -1, _ high: Float = 1) -> [Float] {
    (0..<count).map { _ in uniform(low, high) }
  }
}

/// The kernel sets a test runs over: the reference, and the tiled set with 1, 2 and 3 threads
/// (3 threads on a 2-core machine still has to give the same answer).
enum KernelChoice: String, CaseIterable, Sendable, CustomStringConvertible {
  case naive, tiled1, tiled2, tiled3

  var kernels: any KernelSet {
    switch self {
    case .naive: return NaiveKernels()
    case .tiled1: return TiledKernels(threads: 1)
    case .tiled2: return TiledKernels(threads: 2)
    case .tiled3: return TiledKernels(threads: 3)
    }
  }

  static let tiled: [KernelChoice] = [.tiled1, .tiled2, .tiled3]

  var description: String { rawValue }
}

// Array versions of the kernels, so tests read like the math.

func gemm(
  _ kernels: any KernelSet, m: Int, n: Int, k: Int, _ a: [Float], transposeA: Bool = false,
  _ b: [Float], transposeB: Bool = false, into c: [Float], accumulate: Bool = false
) -> [Float] {
  var c = c
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        kernels.gemm(
          m: m, n: n, k: k, a: a.baseAddress!, transposeA: transposeA, b: b.baseAddress!,
          transposeB: transposeB, c: c.baseAddress!, accumulate: accumulate)
      }
    }
  }
  return c
}

func unary(_ kernels: any KernelSet, _ op: UnaryOp, _ x: [Float]) -> [Float] {
  var y = [Float](repeating: .nan, count: x.count)
  x.withUnsafeBufferPointer { x in
    y.withUnsafeMutableBufferPointer { y in
      kernels.unary(op, x.baseAddress!, y.baseAddress!, count: x.count)
    }
  }
  return y
}

func unaryBackward(
  _ kernels: any KernelSet, _ op: UnaryOp, x: [Float], y: [Float], dy: [Float]
) -> [Float] {
  var dx = [Float](repeating: .nan, count: x.count)
  x.withUnsafeBufferPointer { x in
    y.withUnsafeBufferPointer { y in
      dy.withUnsafeBufferPointer { dy in
        dx.withUnsafeMutableBufferPointer { dx in
          kernels.unaryBackward(
            op, x: x.baseAddress!, y: y.baseAddress!, dy: dy.baseAddress!, dx: dx.baseAddress!,
            count: x.count)
        }
      }
    }
  }
  return dx
}

func binary(_ kernels: any KernelSet, _ op: BinaryOp, _ a: [Float], _ b: [Float]) -> [Float] {
  var out = [Float](repeating: .nan, count: a.count)
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      out.withUnsafeMutableBufferPointer { out in
        kernels.binary(
          op, a.baseAddress!, count: a.count, b.baseAddress!, bCount: b.count, out.baseAddress!)
      }
    }
  }
  return out
}

func sum(_ kernels: any KernelSet, _ x: [Float], outer: Int, n: Int, inner: Int) -> [Float] {
  var out = [Float](repeating: .nan, count: outer * inner)
  x.withUnsafeBufferPointer { x in
    out.withUnsafeMutableBufferPointer { out in
      // x may be empty (n = 0): pass a valid pointer anyway.
      kernels.sum(
        x.baseAddress ?? UnsafePointer(out.baseAddress!), outer: outer, n: n, inner: inner,
        out.baseAddress!)
    }
  }
  return out
}

/// The largest amount by which |actual[i] − expected[i]| exceeds its allowance
/// `tolerance(i)`, as a ratio: ≤ 1 means every element is within tolerance. NaN counts as failure.
func worstRatio(_ actual: [Float], _ expected: [Float], tolerance: (Int) -> Float) -> Float {
  precondition(actual.count == expected.count)
  var worst: Float = 0
  for i in actual.indices {
    let ratio = Swift.abs(actual[i] - expected[i]) / tolerance(i)
    if ratio.isNaN { return .infinity }
    worst = max(worst, ratio)
  }
  return worst
}

/// (transposeA, transposeB): every way the GEMM can be asked to read its operands.
let everyTranspose: [(Bool, Bool)] = [(false, false), (true, false), (false, true), (true, true)]
