import Foundation

/// A kernel set that times another one: every call is passed on to `base` and its duration added
/// to a tally by kernel kind ("gemm", "unary relu", "binary add", ...).
///
/// This is how a chapter's `--profile` flag answers "where does the time go?": the kernels' share
/// of an epoch, kind by kind, and by subtraction what is left for everything else (allocating
/// tensors, copying, the loss and optimizer loops, building the graph). A profile is only as good
/// as it is cheap: a clock read costs about 25 ns, against microseconds for the smallest kernel.
public struct ProfilingKernels: KernelSet {
  public let base: any KernelSet
  public let tally: KernelTally

  public init(_ base: any KernelSet, tally: KernelTally = KernelTally()) {
    self.base = base
    self.tally = tally
  }

  public var name: String { base.name }

  @inline(__always)
  func timed<R>(_ kind: @autoclosure () -> String, flops: Double, _ body: () -> R) -> R {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = body()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    tally.add(kind(), seconds: seconds, flops: flops)
    return result
  }

  public func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, transposeA: Bool, b: UnsafePointer<Float>,
    transposeB: Bool, c: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    timed("gemm", flops: 2 * Double(m) * Double(n) * Double(k)) {
      base.gemm(
        m: m, n: n, k: k, a: a, transposeA: transposeA, b: b, transposeB: transposeB, c: c,
        accumulate: accumulate)
    }
  }

  public func unary(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int
  ) {
    timed("unary \(op.kindName)", flops: Double(count)) { base.unary(op, x, y, count: count) }
  }

  public func unaryBackward(
    _ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
  ) {
    timed("unary backward \(op.kindName)", flops: Double(count)) {
      base.unaryBackward(op, x: x, y: y, dy: dy, dx: dx, count: count)
    }
  }

  public func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, count: Int, _ b: UnsafePointer<Float>, bCount: Int,
    _ out: UnsafeMutablePointer<Float>
  ) {
    timed("binary \(op)", flops: Double(count)) {
      base.binary(op, a, count: count, b, bCount: bCount, out)
    }
  }

  public func sum(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    timed("sum", flops: Double(outer * n * inner)) {
      base.sum(x, outer: outer, n: n, inner: inner, out)
    }
  }
}

extension ProfilingKernels {
  public func sumOfSquares(_ a: UnsafePointer<Float>, minus b: UnsafePointer<Float>?, count: Int)
    -> Double
  {
    timed("sum of squares", flops: Double((b == nil ? 2 : 3) * count)) {
      base.sumOfSquares(a, minus: b, count: count)
    }
  }

  public func adamUpdate(
    _ step: AdamStep, theta: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int
  ) {
    timed("adam update", flops: 12 * Double(count)) {
      base.adamUpdate(step, theta: theta, gradient: g, m: m, v: v, count: count)
    }
  }

  public func adamUpdate(_ step: AdamStep, _ tensors: [AdamOperands]) {
    timed("adam update", flops: 12 * Double(tensors.reduce(0) { $0 + $1.count })) {
      base.adamUpdate(step, tensors)
    }
  }
}

extension ProfilingKernels {
  public func conv2d(
    _ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    timed("conv2d", flops: 2 * Double(g.multiplyAdds)) {
      base.conv2d(g, x: x, weight: weight, bias: bias, y: y)
    }
  }

  public func conv2dBackwardInput(
    _ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>
  ) {
    timed("conv2d input gradient", flops: 2 * Double(g.multiplyAdds)) {
      base.conv2dBackwardInput(g, dy: dy, weight: weight, dx: dx)
    }
  }

  public func conv2dBackwardWeight(
    _ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dWeight: UnsafeMutablePointer<Float>
  ) {
    timed("conv2d weight gradient", flops: 2 * Double(g.multiplyAdds)) {
      base.conv2dBackwardWeight(g, x: x, dy: dy, dWeight: dWeight)
    }
  }
}

/// Seconds, calls and floating-point operations per kernel kind; safe to share between threads.
public final class KernelTally: @unchecked Sendable {
  public struct Entry: Sendable {
    public var calls = 0
    public var seconds = 0.0
    public var flops = 0.0
  }

  private let lock = NSLock()
  private var entries: [String: Entry] = [:]

  public init() {}

  func add(_ kind: String, seconds: Double, flops: Double) {
    lock.lock()
    defer { lock.unlock() }
    entries[kind, default: Entry()].calls += 1
    entries[kind, default: Entry()].seconds += seconds
    entries[kind, default: Entry()].flops += flops
  }

  /// Every kind with its totals, the most expensive first.
  public var sorted: [(kind: String, entry: Entry)] {
    lock.lock()
    defer { lock.unlock() }
    return entries.map { ($0.key, $0.value) }.sorted { $0.entry.seconds > $1.entry.seconds }
  }

  public var totalSeconds: Double { sorted.reduce(0) { $0 + $1.entry.seconds } }

  public func reset() {
    lock.lock()
    defer { lock.unlock() }
    entries = [:]
  }
}

extension UnaryOp {
  /// The op's name without its parameters ("leakyRelu", not "leakyRelu(slope: 0.2)").
  public var kindName: String {
    switch self {
    case .relu: return "relu"
    case .leakyRelu: return "leakyRelu"
    case .sigmoid: return "sigmoid"
    case .tanh: return "tanh"
    case .exp: return "exp"
    case .log: return "log"
    case .square: return "square"
    case .abs: return "abs"
    case .negate: return "negate"
    case .scale: return "scale"
    case .clamp: return "clamp"
    }
  }
}
