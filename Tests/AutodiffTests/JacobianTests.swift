import Kernels
import Testing

@testable import Autodiff
@testable import TensorCore

private func random(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform(shape, low: low, high: high, using: &rng)
}

private func largestDifference(_ a: Tensor, _ b: Tensor) -> Float {
  zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}

@Suite("Jacobian: reverse mode, finite differences, Frobenius norm")
struct JacobianTests {
  /// f(x) = A x for a (4, 6) matrix A: the Jacobian is A itself, for an input of shape (d) or
  /// (1, d), and by finite differences too (a linear map has no truncation error, only rounding).
  @Test(arguments: ["naive", "tiled"]) func jacobianOfALinearMapIsItsMatrix(kernels: String) throws
  {
    let set = try Kernels.named(kernels)
    let a = random([4, 6], seed: 501)
    let matrix = Variable(a)
    let row = random([1, 6], seed: 502)
    Kernels.$current.withValue(set) {
      let j = jacobian(of: { Variable.matmul($0, matrix, transposeB: true) }, at: row)
      #expect(j.shape == [4, 6])
      #expect(largestDifference(j, a) == 0, "\(j)")

      let flat = jacobian(
        of: { Variable.matmul($0.reshaped([1, 6]), matrix, transposeB: true).reshaped([4]) },
        at: row.reshaped([6]))
      #expect(flat == j)

      let numerical = jacobianByFiniteDifferences(
        of: { Tensor.matmul($0, a, transposeB: true) }, at: row)
      #expect(numerical.shape == [4, 6])
      #expect(largestDifference(numerical, a) <= 1e-3, "\(numerical)")
    }
  }

  /// A 2-layer ReLU MLP, 6 → 8 → 3 (with a tanh on top, so the Jacobian is not piecewise
  /// constant): reverse mode matches central differences (step 1e-3 in Float, so each entry is
  /// right to ~1e-4) to 1e-3. No hidden pre-activation is within 0.05 of the ReLU's kink (the bias
  /// moves any that is), so no difference straddles it. The weights are trainable and their gradients
  /// are left untouched by the m backward passes.
  @Test(arguments: ["naive", "tiled"]) func jacobianOfAReLUNetworkMatchesFiniteDifferences(
    kernels: String
  ) throws {
    let set = try Kernels.named(kernels)
    let w1 = Variable(random([8, 6], seed: 503), requiresGrad: true)
    let b1 = Variable(random([8], seed: 504), requiresGrad: true)
    let w2 = Variable(random([3, 8], seed: 505), requiresGrad: true)
    let b2 = Variable(random([3], seed: 506), requiresGrad: true)
    let earlier = Tensor(repeating: 7, shape: [3])
    b2.grad = earlier
    func net(_ x: Variable) -> Variable {
      let hidden = (Variable.matmul(x, w1, transposeB: true) + b1).relu()
      return (Variable.matmul(hidden, w2, transposeB: true) + b2).tanh()
    }
    let x = random([1, 6], seed: 507)
    // Move any hidden unit whose pre-activation is near 0 away from the kink, through its bias.
    for (k, z) in (Tensor.matmul(x, w1.value, transposeB: true) + b1.value).scalars.enumerated()
    where Swift.abs(z) < 0.1 {
      b1.value.scalars[k] += z < 0 ? -0.1 : 0.1
    }
    let preactivation = Tensor.matmul(x, w1.value, transposeB: true) + b1.value
    #expect(preactivation.scalars.allSatisfy { Swift.abs($0) > 0.05 }, "\(preactivation)")
    #expect(preactivation.scalars.contains { $0 < 0 }, "some units should be off")

    Kernels.$current.withValue(set) {
      let j = withoutGradients { jacobian(of: net, at: x) }
      let numerical = jacobianByFiniteDifferences(of: { net(Variable($0)).value }, at: x)
      #expect(j.shape == [3, 6] && numerical.shape == [3, 6])
      #expect(largestDifference(j, numerical) <= 1e-3, "\(j) vs \(numerical)")
      #expect(frobeniusNorm(j) > 0.1)
    }
    #expect(w1.grad == nil && b1.grad == nil && w2.grad == nil)
    #expect(b2.grad == earlier)
  }

  @Test func outputsThatIgnoreTheInputGiveZeroRows() {
    let constant = Variable(Tensor(shape: [2], scalars: [1, 2]))
    let j = jacobian(of: { _ in constant }, at: Tensor(zeros: [3]))
    #expect(j == Tensor(zeros: [2, 3]))
    // The identity: I.
    let id = jacobian(of: { $0 }, at: Tensor(shape: [2], scalars: [5, -1]))
    #expect(id.scalars == [1, 0, 0, 1])
  }

  @Test func frobeniusNormOfKnownValues() {
    #expect(frobeniusNorm(Tensor(shape: [2, 2], scalars: [3, 0, 0, 4])) == 5)
    #expect(frobeniusNorm(Tensor(zeros: [3, 2])) == 0)
  }
}
