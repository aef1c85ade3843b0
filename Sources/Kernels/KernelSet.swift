// The hot loops of the library, behind one protocol with two implementations:
//   NaiveKernels  plain loops that read like the math; the reference every test compares against.
//   TiledKernels  cache-blocked, SIMD, split across cores; what the chapters use by default.
// Kernels work on raw buffers in row-major order and know nothing of tensors or gradients, so each
// one can be read, tested and benchmarked on its own. `Kernels.current` says which set the tensor
// library calls; a chapter picks it with `--kernels naive|tiled` at run time, without rebuilding.

/// An elementwise function y = f(x), with its derivative for the backward pass.
public enum UnaryOp: Sendable, Equatable {
  case relu
  /// max(x, slope * x)
  case leakyRelu(slope: Float)
  case sigmoid
  case tanh
  case exp
  /// natural log; x must be > 0
  case log
  case square
  case abs
  case negate
  /// y = scale * x
  case scale(Float)
  /// y = min(max(x, low), high); the gradient passes where low < x < high
  case clamp(low: Float, high: Float)
}

/// An elementwise function of two arguments.
public enum BinaryOp: Sendable, Equatable {
  case add, subtract, multiply, divide
}

public protocol KernelSet: Sendable {
  /// "naive" or "tiled": what a chapter prints and writes into its metrics.
  var name: String { get }

  /// General matrix multiply.
  ///   op(a) is (m, k): `a` is stored (m, k), or (k, m) when `transposeA`.
  ///   op(b) is (k, n): `b` is stored (k, n), or (n, k) when `transposeB`.
  ///   c is (m, n): c = op(a)·op(b), or c += op(a)·op(b) when `accumulate`.
  /// Linear's forward is x·Wᵀ (transposeB), its backward dW = dyᵀ·x (transposeA), dx = dy·W.
  func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, transposeA: Bool,
    b: UnsafePointer<Float>, transposeB: Bool,
    c: UnsafeMutablePointer<Float>, accumulate: Bool)

  /// y[i] = f(x[i]) for i in 0..<count. x and y may be the same buffer.
  func unary(
    _ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int)

  /// dx[i] = dy[i] · f'(x[i]). `y` holds f(x) from the forward pass (sigmoid, tanh and exp use it).
  func unaryBackward(
    _ op: UnaryOp, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
    dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, count: Int)

  /// out[i] = a[i] ∘ b[i % bCount] for i in 0..<count, where bCount divides count: b is the same
  /// size as a (bCount == count), a repeated row such as a bias (count = rows·bCount), or a scalar
  /// (bCount == 1). out may be the same buffer as a.
  func binary(
    _ op: BinaryOp, _ a: UnsafePointer<Float>, count: Int,
    _ b: UnsafePointer<Float>, bCount: Int, _ out: UnsafeMutablePointer<Float>)

  /// x is viewed as (outer, n, inner); out is (outer, inner) with out[o, i] = Σ_j x[o, j, i].
  /// Sum over all: outer = 1, inner = 1. Column sums of a (rows, cols) matrix: outer = 1, n = rows,
  /// inner = cols (the bias gradient). Row sums: outer = rows, n = cols, inner = 1.
  func sum(
    _ x: UnsafePointer<Float>, outer: Int, n: Int, inner: Int, _ out: UnsafeMutablePointer<Float>)

  /// Σ_i (a[i] − b[i])² in Double, each difference rounded to Float first (as `Float(a − b)` is),
  /// or Σ_i a[i]² when b is nil: the numerator of every mean squared error and squared norm. The
  /// order of the sum is fixed by the kernel, not by the thread count: the same inputs give the
  /// same bits on any machine of one kind.
  func sumOfSquares(_ a: UnsafePointer<Float>, minus b: UnsafePointer<Float>?, count: Int)
    -> Double

  /// One Adam (AdamW) update of `count` parameters, elementwise (see `AdamStep.update`).
  /// theta, m and v are updated in place; g is read. It is a kernel because it runs on every
  /// parameter after every batch: as a plain serial loop it took a quarter of chapter 1's time.
  func adamUpdate(
    _ step: AdamStep, theta: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
    m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count: Int)

  /// The same update for every tensor of a model in one call: exactly what `adamUpdate` on each
  /// in turn computes. The tiled set spreads all of them over its threads together, so that the
  /// small ones (biases, narrow layers) do not each run on one thread while the others wait.
  func adamUpdate(_ step: AdamStep, _ tensors: [AdamOperands])

  /// 2-D convolution of an NCHW batch (ConvGeometry.swift has the formula and the shapes):
  /// x (N, C, H, W), weight (O, C, k, k), bias (O) or nil; y (N, O, OH, OW) is overwritten.
  func conv2d(
    _ geometry: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>)
  /// The convolution's gradient with respect to its input: dy (N, O, OH, OW) and the weight give
  /// dx (N, C, H, W), overwritten. This is also a transposed convolution's forward pass, from a
  /// (N, O, OH, OW) input to a (N, C, H, W) output: the same operation, used once for both.
  func conv2dBackwardInput(
    _ geometry: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>)
  /// The convolution's gradient with respect to its weight: x and dy give dWeight (O, C, k, k),
  /// overwritten.
  func conv2dBackwardWeight(
    _ geometry: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dWeight: UnsafeMutablePointer<Float>)
}
