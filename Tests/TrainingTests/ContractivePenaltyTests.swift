import Autodiff
import Foundation
import Kernels
import Testing

@testable import Layers
@testable import TensorCore
@testable import Training

/// A random 5-unit, 7-input sigmoid encoder: a Linear layer with a non-zero bias (Linear starts
/// with b = 0, which would leave that part of the gradient untested).
private func encoder() -> Linear {
  var rng = RandomGenerator(seed: 401)
  let layer = Linear(7, 5, init: .xavier, rng: &rng)
  layer.bias.value = random([5], seed: 402, low: -0.5, high: 0.5)
  return layer
}

/// h = σ(x·Wᵀ + b) for one input x of shape (d), as plain tensors: the function whose Jacobian the
/// penalty measures.
private func encode(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
  let z = Tensor.matmul(x.reshaped([1, -1]), weight, transposeB: true) + bias
  return z.applying(.sigmoid).reshaped([-1])
}

@Suite("Contractive penalty: closed form, Jacobian and gradients")
struct ContractivePenaltyTests {
  /// (1) P = (1/B) Σ_b ‖J_f(x_b)‖_F², with each Jacobian built column by column by central
  /// differences of x ↦ σ(Wx + b) (step 1e-3, in Float). Each entry of such a Jacobian is right
  /// to a few 1e-5 (Float rounding / 2h); squared and summed over 35 entries of size ~0.1, the
  /// penalty agrees to better than 1e-3 relative, which is the tolerance.
  @Test func closedFormEqualsTheFiniteDifferenceJacobian() {
    let layer = encoder()
    let x = random([3, 7], seed: 403)
    let h = layer(Variable(x)).sigmoid()
    let penalty = Double(contractivePenalty(code: h, weight: layer.weight).value.scalar)

    var mean = 0.0
    for b in 0..<3 {
      let j = jacobianByFiniteDifferences(
        of: {
          encode($0, weight: layer.weight.value, bias: layer.bias.value)
        }, at: x.rows(b..<(b + 1)).reshaped([7]))
      #expect(j.shape == [5, 7])
      let norm = frobeniusNorm(j)
      mean += norm * norm / 3
    }
    #expect(penalty > 0.01)
    #expect(Swift.abs(penalty - mean) <= 1e-3 * mean, "closed form \(penalty), differences \(mean)")
  }

  /// (2) The gradient of the whole expression P(σ(x·Wᵀ + b), W) with respect to W and b: the
  /// penalty's own ∂P/∂W plus ∂P/∂h carried back through the sigmoid and the layer. Relative
  /// tolerance 1e-3 (the measure of `GradientCheckResult`, ε = 1e-3, differences in Double).
  @Test(arguments: ["naive", "tiled"]) func gradientWithRespectToWeightAndBias(kernels: String)
    throws
  {
    let set = try Kernels.named(kernels)
    let layer = encoder()
    let x = Variable(random([3, 7], seed: 404, low: -2, high: 2))
    // The checked inputs are the layer's weight and bias, used exactly as Linear uses them.
    let expression: ([Variable]) -> Variable = { v in
      let code = (Variable.matmul(x, v[0], transposeB: true) + v[1]).sigmoid()
      return contractivePenalty(code: code, weight: v[0]) * 10
    }
    #expect(
      expression([layer.weight, layer.bias]).value
        == (contractivePenalty(code: layer(x).sigmoid(), weight: layer.weight) * 10).value)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [layer.weight.value, layer.bias.value], expression)
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  /// The op's gradient with respect to the code alone (W held constant), and the known value of a
  /// hand-made case: h = (0.5, 0.5) gives a = 0.25 for both units, W rows of squared norm 1 and 4:
  /// P = 0.0625 · (1 + 4) = 0.3125; ∂P/∂h = 0 (1 − 2h = 0); ∂P/∂W = 2 · 0.0625 · W.
  @Test func valueAndGradientOfAHandMadeCase() {
    let h = Variable(Tensor(shape: [1, 2], scalars: [0.5, 0.5]), requiresGrad: true)
    let w = Variable(Tensor(shape: [2, 2], scalars: [1, 0, 0, -2]), requiresGrad: true)
    let p = contractivePenalty(code: h, weight: w)
    #expect(p.value.scalar == 0.3125)
    p.backward()
    #expect(h.grad!.scalars == [0, 0])
    #expect(w.grad!.scalars == [0.125, 0, 0, -0.25])

    let r = checkGradients(at: [random([4, 5], seed: 405, low: 0.05, high: 0.95)]) { v in
      contractivePenalty(code: v[0], weight: Variable(random([5, 3], seed: 406))) * 10
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  /// (3) The library's reverse-mode `jacobian(of:at:)` on the same encoder is diag(h(1 − h)) W to
  /// 1e-5, and for a batch of one its squared Frobenius norm is the penalty. The layer's own
  /// gradients are left as they were.
  @Test func reverseModeJacobianIsDiagonalTimesWeight() {
    let layer = encoder()
    let x = random([1, 7], seed: 407)
    let j = jacobian(of: { layer($0).sigmoid() }, at: x)
    #expect(j.shape == [5, 7])
    #expect(layer.weight.grad == nil && layer.bias.grad == nil)

    let h = layer(Variable(x)).sigmoid()
    let w = layer.weight.value
    var worst: Float = 0
    for k in 0..<5 {
      let a = h.value.scalars[k] * (1 - h.value.scalars[k])
      for i in 0..<7 { worst = Swift.max(worst, Swift.abs(j[k, i] - a * w[k, i])) }
    }
    #expect(worst <= 1e-5, "largest difference from diag(h(1 − h))W: \(worst)")

    let penalty = Double(contractivePenalty(code: h, weight: layer.weight).value.scalar)
    let norm = frobeniusNorm(j)
    #expect(Swift.abs(norm * norm - penalty) <= 1e-5 * penalty, "‖J‖² \(norm * norm), P \(penalty)")
  }

  @Test func rejectsMismatchedShapes() async {
    await #expect(processExitsWith: .failure) {
      let h = Variable(Tensor(zeros: [2, 4]))
      let w = Variable(Tensor(zeros: [5, 3]))
      _ = contractivePenalty(code: h, weight: w)
    }
  }
}
