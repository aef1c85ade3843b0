import Autodiff
import Foundation
import TensorCore

/// How to draw a layer's initial weights.
public enum WeightInit: Sendable {
  /// He et al. 2015: N(0, 2 / fanIn). Keeps the signal's variance through ReLU layers.
  case kaiming
  /// Glorot & Bengio 2010: U(−a, a) with a = sqrt(6 / (fanIn + fanOut)). For tanh, sigmoid, linear.
  case xavier
}

/// A fully connected layer: y = x·Wᵀ + b.
///   x is (batch, inFeatures), W is (outFeatures, inFeatures), b is (outFeatures), y is (batch, outFeatures).
/// W is stored (out, in) like PyTorch, so a checkpoint's tensors have the shapes a learner expects.
public struct Linear: Module {
  public let weight: Variable
  public let bias: Variable

  public init(
    _ inFeatures: Int, _ outFeatures: Int, init scheme: WeightInit = .kaiming,
    rng: inout RandomGenerator
  ) {
    check(
      inFeatures > 0 && outFeatures > 0,
      "Linear: sizes must be positive, got \(inFeatures) → \(outFeatures)")
    let w: Tensor
    switch scheme {
    case .kaiming:
      w = Tensor.normal(
        [outFeatures, inFeatures], std: (2 / Float(inFeatures)).squareRoot(), using: &rng)
    case .xavier:
      let a = (6 / Float(inFeatures + outFeatures)).squareRoot()
      w = Tensor.uniform([outFeatures, inFeatures], low: -a, high: a, using: &rng)
    }
    weight = Variable(w, requiresGrad: true, name: "weight")
    bias = Variable(Tensor(zeros: [outFeatures]), requiresGrad: true, name: "bias")
  }

  public var inFeatures: Int { weight.shape[1] }
  public var outFeatures: Int { weight.shape[0] }

  public func callAsFunction(_ x: Variable) -> Variable {
    check(
      x.shape.count == 2 && x.shape[1] == inFeatures,
      "Linear(\(inFeatures) → \(outFeatures)): input shape \(x.shape) should be (batch, \(inFeatures))"
    )
    return Variable.matmul(x, weight, transposeB: true) + bias
  }

  public var namedParameters: [(name: String, variable: Variable)] {
    [("weight", weight), ("bias", bias)]
  }
}
