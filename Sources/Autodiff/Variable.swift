import TensorCore

/// A node in the computation graph: a tensor value, and how to send gradients back to its inputs.
///
/// Reverse-mode automatic differentiation in three lines: every op computes its output *and*
/// remembers a closure that maps the gradient of the output to the gradients of its inputs (the
/// chain rule for that one op). `backward()` visits the nodes from the loss back to the leaves in
/// reverse topological order, calling those closures and adding up what arrives at each node.
///
/// A `Variable` is a class, not a struct: the graph needs shared identity (the same weight is used
/// by many ops and must collect all their gradients in one place). The tensor it holds is a value.
public final class Variable {
  /// The value computed in the forward pass.
  public var value: Tensor
  /// ∂loss/∂value after `backward()`, for variables that require gradients; nil before.
  public var grad: Tensor?
  /// True for parameters and for every op result that depends on one.
  public let requiresGrad: Bool
  /// A short name for messages ("linear1.weight", "matmul", ...).
  public var name: String

  /// The op's inputs, and the rule mapping ∂loss/∂output to ∂loss/∂input for each of them
  /// (nil where an input needs no gradient).
  let inputs: [Variable]
  let backwardRule: ((Tensor) -> [Tensor?])?

  /// A leaf: a constant (requiresGrad false: data, targets) or a trainable parameter (true).
  public init(_ value: Tensor, requiresGrad: Bool = false, name: String = "") {
    self.value = value
    self.requiresGrad = requiresGrad
    self.name = name
    self.inputs = []
    self.backwardRule = nil
  }

  init(value: Tensor, name: String, inputs: [Variable], backward: @escaping (Tensor) -> [Tensor?]) {
    self.value = value
    self.requiresGrad = true
    self.name = name
    self.inputs = inputs
    self.backwardRule = backward
  }

  public var shape: [Int] { value.shape }

  /// The result of an op: records the backward rule when gradients are on and some input needs one;
  /// otherwise a plain constant (no graph is kept, so inference costs no memory for it).
  public static func record(
    _ value: Tensor, name: String, inputs: [Variable],
    backward: @escaping (Tensor) -> [Tensor?]
  ) -> Variable {
    if GradientMode.isEnabled && inputs.contains(where: \.requiresGrad) {
      return Variable(value: value, name: name, inputs: inputs, backward: backward)
    }
    return Variable(value, name: name)
  }

  /// The same value, cut off from the graph: no gradient flows back through it.
  public func detached() -> Variable { Variable(value, name: name) }

  /// Computes ∂self/∂v for every variable v that self depends on and that requires a gradient,
  /// adding it to `v.grad`. `self` must be a scalar (a loss) unless `seed` gives ∂loss/∂self.
  public func backward(seed: Tensor? = nil) {
    check(
      seed != nil || value.count == 1,
      "backward: '\(name)' has shape \(shape); call it on a scalar loss or pass a seed gradient")
    if let seed {
      check(
        seed.shape == shape, "backward: seed shape \(seed.shape) differs from value shape \(shape)")
    }
    let order = topologicalOrder()
    grad = seed ?? Tensor(repeating: 1, shape: shape)
    for node in order.reversed() {
      guard let rule = node.backwardRule, let upstream = node.grad else { continue }
      let inputGrads = rule(upstream)
      for (input, g) in zip(node.inputs, inputGrads) where input.requiresGrad {
        guard let g else { continue }
        check(
          g.shape == input.shape,
          "backward of '\(node.name)': gradient shape \(g.shape) differs from input shape \(input.shape)"
        )
        input.grad = input.grad.map { $0 + g } ?? g
      }
      // An intermediate result's gradient is not needed once passed on: free it.
      if !node.inputs.isEmpty { node.grad = nil }
    }
  }

  /// Every node this one depends on, each after all of its inputs (iterative depth-first search,
  /// so a deep graph, such as a long unrolled sequence, cannot overflow the stack).
  func topologicalOrder() -> [Variable] {
    var order: [Variable] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(node: Variable, expanded: Bool)] = [(self, false)]
    while let (node, expanded) = stack.popLast() {
      if expanded {
        order.append(node)
        continue
      }
      if !visited.insert(ObjectIdentifier(node)).inserted { continue }
      stack.append((node, true))
      for input in node.inputs where input.requiresGrad && !visited.contains(ObjectIdentifier(input)) {
        stack.append((input, false))
      }
    }
    return order
  }
}

extension Variable: CustomStringConvertible {
  public var description: String { "Variable(\(name.isEmpty ? "" : "\(name), ")\(value))" }
}
