import Autodiff
import TensorCore

/// Dropout (Srivastava et al. 2014): in training, zero each element with probability p and scale
/// the survivors by 1/(1 − p), so the expected value is unchanged; in evaluation, do nothing.
/// The mask comes from the layer's own seeded generator, so a run is reproducible.
public final class Dropout: Module {
  public let probability: Float
  private var rng: RandomGenerator

  public init(probability: Float, rng: inout RandomGenerator) {
    check(
      probability >= 0 && probability < 1,
      "Dropout: probability must be in [0, 1), got \(probability)")
    self.probability = probability
    self.rng = rng.split()
  }

  public func callAsFunction(_ x: Variable) -> Variable {
    guard LayerMode.isTraining, probability > 0 else { return x }
    let keep = 1 - probability
    var mask = Tensor(zeros: x.shape)
    for i in 0..<mask.count { mask.scalars[i] = rng.uniform() < keep ? 1 / keep : 0 }
    return x * Variable(mask)
  }

  public var namedParameters: [(name: String, variable: Variable)] { [] }
}
