import Kernels
import Testing

@testable import Autodiff
@testable import TensorCore

/// Finite-difference checks for every differentiable op, on small random inputs, on both kernel
/// sets. Tolerance: relative error ≤ 1e-2 as defined by `GradientCheckResult` (Float32 forward
/// passes, differences in Double, ε = 1e-3).
private let tolerance = 1e-2

private func random(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform(shape, low: low, high: high, using: &rng)
}

/// Random values kept at least `margin` away from the kinks of relu, abs and clamp, so that the
/// finite difference never straddles a point where the derivative jumps.
private func awayFromKinks(_ shape: [Int], seed: UInt64, kinks: [Float], margin: Float = 0.05)
  -> Tensor
{
  var t = random(shape, seed: seed)
  for i in 0..<t.count {
    for k in kinks where Swift.abs(t.scalars[i] - k) < margin {
      t.scalars[i] = k + (t.scalars[i] < k ? -margin : margin)
    }
  }
  return t
}

/// A weighted sum turns any tensor into a scalar whose gradient is the (non-uniform) weights, so a
/// check also catches gradients that are right only up to a permutation or a constant.
private func weightedSum(_ v: Variable, seed: UInt64 = 99) -> Variable {
  (v * Variable(random(v.shape, seed: seed))).sum()
}

private func check(
  _ kernels: String, _ inputs: [Tensor], sourceLocation: SourceLocation = #_sourceLocation,
  _ f: @escaping ([Variable]) -> Variable
) throws {
  let set = try Kernels.named(kernels, threads: 2)
  let result = Kernels.$current.withValue(set) { checkGradients(at: inputs, f) }
  #expect(result.passes(tolerance: tolerance), "\(result)", sourceLocation: sourceLocation)
}

@Suite("Gradient checks, every op, both kernel sets")
struct GradientCheckTests {
  static let sets = ["naive", "tiled"]

  @Test(arguments: sets) func addSubtractWithBroadcast(kernels: String) throws {
    try check(kernels, [random([3, 4], seed: 1), random([4], seed: 2)]) { v in
      weightedSum(v[0] + v[1]) + weightedSum(v[0] - v[1], seed: 7)
    }
    // A column (3, 1) broadcast across a (3, 4) matrix: the general broadcast path.
    try check(kernels, [random([3, 4], seed: 3), random([3, 1], seed: 4)]) { v in
      weightedSum(v[1] - v[0])
    }
  }

  @Test(arguments: sets) func multiplyDivide(kernels: String) throws {
    try check(kernels, [random([2, 5], seed: 5), random([2, 5], seed: 6, low: 0.5, high: 2)]) { v in
      weightedSum(v[0] * v[1]) + weightedSum(v[0] / v[1], seed: 3)
    }
    try check(kernels, [random([4, 3], seed: 7), random([3], seed: 8, low: 0.5, high: 2)]) { v in
      weightedSum(v[0] / v[1])
    }
  }

  @Test(arguments: sets) func scalarOps(kernels: String) throws {
    try check(kernels, [random([6], seed: 9)]) { v in
      weightedSum(3 * v[0] + 0.5) + weightedSum(-v[0] - 2, seed: 4)
    }
  }

  @Test(arguments: sets) func matmulEveryTransposeCombination(kernels: String) throws {
    for transposeA in [false, true] {
      for transposeB in [false, true] {
        let a = random(transposeA ? [4, 3] : [3, 4], seed: 10)
        let b = random(transposeB ? [5, 4] : [4, 5], seed: 11)
        try check(kernels, [a, b]) { v in
          weightedSum(
            Variable.matmul(v[0], v[1], transposeA: transposeA, transposeB: transposeB))
        }
      }
    }
  }

  @Test(arguments: sets) func activations(kernels: String) throws {
    let x = awayFromKinks([3, 7], seed: 12, kinks: [0])
    try check(kernels, [x]) { v in weightedSum(v[0].relu()) }
    try check(kernels, [x]) { v in weightedSum(v[0].leakyRelu(slope: 0.1)) }
    try check(kernels, [x]) { v in weightedSum(v[0].sigmoid()) }
    try check(kernels, [x]) { v in weightedSum(v[0].tanh()) }
    try check(kernels, [x]) { v in weightedSum(v[0].exp()) }
    try check(kernels, [x]) { v in weightedSum(v[0].square()) }
    try check(kernels, [x]) { v in weightedSum(v[0].abs()) }
    try check(kernels, [random([3, 7], seed: 13, low: 0.2, high: 3)]) { v in
      weightedSum(v[0].log())
    }
    try check(kernels, [awayFromKinks([3, 7], seed: 14, kinks: [-0.5, 0.5])]) { v in
      weightedSum(v[0].clamped(to: -0.5...0.5))
    }
  }

  @Test(arguments: sets) func reductions(kernels: String) throws {
    let x = random([3, 4, 5], seed: 15)
    try check(kernels, [x]) { v in v[0].sum() * v[0].mean() }
    for axis in 0..<3 {
      try check(kernels, [x]) { v in weightedSum(v[0].sum(alongAxis: axis)) }
      try check(kernels, [x]) { v in weightedSum(v[0].mean(alongAxis: axis)) }
    }
  }

  @Test(arguments: sets) func shapeOps(kernels: String) throws {
    let x = random([4, 6], seed: 16)
    try check(kernels, [x]) { v in weightedSum(v[0].reshaped([3, 8])) }
    try check(kernels, [x]) { v in weightedSum(v[0].transposed()) }
    try check(kernels, [x]) { v in weightedSum(v[0].slice(axis: 1, 1..<4)) }
    try check(kernels, [x, random([4, 2], seed: 17)]) { v in
      weightedSum(Variable.concat([v[0], v[1]], axis: 1))
    }
    try check(kernels, [x]) { v in
      let parts = v[0].split(axis: 0, sizes: [1, 3])
      return weightedSum(parts[0]) + weightedSum(parts[1], seed: 5).square()
    }
  }

  @Test func aVariableUsedTwiceGetsBothGradients() {
    // f(x) = x·x + x  ⇒  f'(x) = 2x + 1
    let x = Variable(Tensor(shape: [1], scalars: [3]), requiresGrad: true)
    let y = (x * x + x).sum()
    y.backward()
    #expect(x.grad?.scalars == [7])
  }

  @Test func noGradientModeRecordsNothing() {
    let w = Variable(Tensor(shape: [2], scalars: [1, 2]), requiresGrad: true)
    let y = withoutGradients { (w * w).sum() }
    #expect(!y.requiresGrad)
    #expect(y.value.scalar == 5)
  }

  @Test func checkerCatchesAWrongGradient() {
    // A deliberately wrong op (gradient doubled) must fail the check: the checker itself works.
    let wrong: ([Variable]) -> Variable = { v in
      let x = v[0]
      let out = Variable.record(x.value.applying(.square), name: "wrongSquare", inputs: [x]) { g in
        [g * x.value * 4]
      }
      return out.sum()
    }
    let result = checkGradients(at: [random([5], seed: 18)], wrong)
    #expect(!result.passes(tolerance: tolerance))
  }
}
