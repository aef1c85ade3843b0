import Autodiff
import Foundation
import Kernels
import TensorCore

/// Updates parameters from their gradients. Call `step()` after `loss.backward()`, then
/// `zeroGradients()` before the next batch (or let `step` do it: it clears the gradients it used).
public protocol Optimizer: AnyObject {
  var parameters: [Variable] { get }
  var learningRate: Float { get set }
  /// One update of every parameter that has a gradient; clears the gradients afterwards.
  func step()
  /// Everything besides the parameters that the next steps depend on (moments, step count,
  /// learning rate), for a checkpoint: training resumed from it takes exactly the same steps.
  var state: OptimizerState { get }
  /// Puts back a state from `state`; throws `OptimizerState.Mismatch` (and changes nothing) if it
  /// came from another kind of optimizer or other parameter shapes.
  func restore(_ state: OptimizerState) throws
}

extension Optimizer {
  public func zeroGradients() { for p in parameters { p.grad = nil } }
}

/// Stochastic gradient descent with (optional) momentum:
///   v ← μ·v + g,   θ ← θ − lr·v.
public final class SGD: Optimizer {
  public let parameters: [Variable]
  public var learningRate: Float
  public let momentum: Float
  private var velocity: [Tensor]

  public init(parameters: [Variable], learningRate: Float, momentum: Float = 0) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    velocity = parameters.map { Tensor(zeros: $0.shape) }
  }

  public func step() {
    for (i, p) in parameters.enumerated() {
      guard let g = p.grad else { continue }
      let count = p.value.count  // read before the closure below takes exclusive access to p.value
      let lr = learningRate
      let mu = momentum
      g.withUnsafePointer { g in
        velocity[i].withUnsafeMutablePointer { v in
          p.value.withUnsafeMutablePointer { theta in
            for j in 0..<count {
              v[j] = mu * v[j] + g[j]
              theta[j] -= lr * v[j]
            }
          }
        }
      }
      p.grad = nil
    }
  }

  public var state: OptimizerState {
    OptimizerState(
      kind: "sgd", tensors: velocity.enumerated().map { ("velocity.\($0.offset)", $0.element) },
      numbers: ["learning_rate": Double(learningRate), "momentum": Double(momentum)])
  }

  public func restore(_ state: OptimizerState) throws {
    try state.expect(kind: "sgd", shapes: parameters.map(\.shape), prefixes: ["velocity"])
    try state.expect(number: "momentum", equal: Double(momentum))
    velocity = state.tensors(prefix: "velocity", count: parameters.count)
    learningRate = Float(state.numbers["learning_rate"] ?? Double(learningRate))
  }
}

/// Adam (Kingma & Ba 2015), with optional decoupled weight decay (AdamW, Loshchilov & Hutter 2019):
///   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
///   θ ← θ − lr · ( m̂ / (√v̂ + ε) + λθ ),   m̂ = m/(1 − β₁ᵗ),  v̂ = v/(1 − β₂ᵗ)
/// The elementwise update itself is a kernel (`adamUpdate`, formula in Kernels/AdamStep.swift),
/// so it runs as SIMD code on every core with the tiled set.
public final class Adam: Optimizer {
  public let parameters: [Variable]
  public var learningRate: Float
  public let beta1: Float
  public let beta2: Float
  public let epsilon: Float
  public let weightDecay: Float
  /// Updates taken so far (t in the formulas).
  public private(set) var steps = 0
  private var m: [Tensor]
  private var v: [Tensor]
  /// The index of each parameter's first listing: a parameter listed twice is updated once, at
  /// its first place (see `step`).
  private let firstListings: [Int]

  public init(
    parameters: [Variable], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
    epsilon: Float = 1e-8, weightDecay: Float = 0
  ) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    m = parameters.map { Tensor(zeros: $0.shape) }
    v = parameters.map { Tensor(zeros: $0.shape) }
    var seen = Set<ObjectIdentifier>()
    firstListings = parameters.indices.filter {
      seen.insert(ObjectIdentifier(parameters[$0])).inserted
    }
  }

  public func step() {
    steps += 1
    let step = AdamStep(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
      weightDecay: weightDecay,
      correction1: Float(1 - Foundation.pow(Double(beta1), Double(steps))),
      correction2: Float(1 - Foundation.pow(Double(beta2), Double(steps))))
    let kernels = Kernels.current
    let updated = firstListings.filter { parameters[$0].grad != nil }
    for p in updated.map({ parameters[$0] }) {
      let (count, gradientCount) = (p.value.count, p.grad!.count)
      check(
        gradientCount == count,
        "Adam: gradient of '\(p.name)' has \(gradientCount) elements, not \(count)")
    }
    // All the tensors in one kernel call, so that the tiled set spreads them over its threads
    // together (KernelSet.adamUpdate(_:_:)). Their pointers must all be lent at once, and Swift
    // forbids lending one twice, so a parameter listed twice goes once, at its first place (as
    // when each was updated in turn: the first took the gradient and cleared it).
    m.withUnsafeMutableBufferPointer { m in
      v.withUnsafeMutableBufferPointer { v in
        var operands: [AdamOperands] = []
        operands.reserveCapacity(updated.count)
        lend(updated[...], m: m, v: v, &operands) { kernels.adamUpdate(step, $0) }
      }
    }
    for i in updated { parameters[i].grad = nil }
  }

  /// Calls `body` with the pointers of the parameters at `indices` (their values, gradients and
  /// moments), all valid at once: each parameter's closures lend its pointers and call this again
  /// for the rest, one level of nesting per parameter.
  private func lend(
    _ indices: ArraySlice<Int>, m: UnsafeMutableBufferPointer<Tensor>,
    v: UnsafeMutableBufferPointer<Tensor>, _ operands: inout [AdamOperands],
    _ body: ([AdamOperands]) -> Void
  ) {
    guard let i = indices.first else { return body(operands) }
    let p = parameters[i]
    let g = p.grad!
    let count = p.value.count  // read before the closures below take exclusive access
    g.withUnsafePointer { g in
      m[i].withUnsafeMutablePointer { m0 in
        v[i].withUnsafeMutablePointer { v0 in
          p.value.withUnsafeMutablePointer { theta in
            operands.append(AdamOperands(theta: theta, gradient: g, m: m0, v: v0, count: count))
            lend(indices.dropFirst(), m: m, v: v, &operands, body)
          }
        }
      }
    }
  }

  public var state: OptimizerState {
    OptimizerState(
      kind: "adam",
      tensors: m.enumerated().map { ("m.\($0.offset)", $0.element) }
        + v.enumerated().map { ("v.\($0.offset)", $0.element) },
      numbers: [
        "steps": Double(steps), "learning_rate": Double(learningRate), "beta1": Double(beta1),
        "beta2": Double(beta2), "epsilon": Double(epsilon), "weight_decay": Double(weightDecay),
      ])
  }

  public func restore(_ state: OptimizerState) throws {
    try state.expect(kind: "adam", shapes: parameters.map(\.shape), prefixes: ["m", "v"])
    for (name, value) in [
      ("beta1", beta1), ("beta2", beta2), ("epsilon", epsilon), ("weight_decay", weightDecay),
    ] {
      try state.expect(number: name, equal: Double(value))
    }
    m = state.tensors(prefix: "m", count: parameters.count)
    v = state.tensors(prefix: "v", count: parameters.count)
    steps = Int(state.numbers["steps"] ?? 0)
    learningRate = Float(state.numbers["learning_rate"] ?? Double(learningRate))
  }
}
