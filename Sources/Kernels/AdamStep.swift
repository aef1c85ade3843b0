/// The numbers of one Adam step, shared by every parameter tensor of a model
/// (Kingma & Ba 2015; weight decay decoupled as in AdamW, Loshchilov & Hutter 2019).
public struct AdamStep: Sendable {
  public var learningRate: Float
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  /// 1 − β₁ᵗ and 1 − β₂ᵗ for step t: they undo the moments' bias towards their zero start.
  public var correction1: Float
  public var correction2: Float

  public init(
    learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float,
    correction1: Float, correction2: Float
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.correction1 = correction1
    self.correction2 = correction2
  }

  /// The update of one parameter θ with gradient g and moments m, v:
  ///   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,
  ///   θ ← θ − lr · ( m̂ / (√v̂ + ε) + λθ ),   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ).
  /// Computed as PyTorch does, with the corrections folded into two constants so that each
  /// parameter costs one division and one square root:
  ///   θ ← θ·(1 − lr·λ) − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
  /// Generic over Float and SIMD16 (FloatLanes.swift), so both kernel sets run these exact
  /// operations in this exact order, and agree bit for bit.
  @inlinable @inline(__always)
  public func update<V: FloatLanes>(theta: inout V, g: V, m: inout V, v: inout V) {
    m = V(beta1) * m + V(1 - beta1) * g
    v = V(beta2) * v + V(1 - beta2) * g * g
    let denominator = v.squareRootValue * V(1 / correction2.squareRoot()) + V(epsilon)
    theta =
      theta * V(1 - learningRate * weightDecay) - V(learningRate / correction1) * m / denominator
  }
}
