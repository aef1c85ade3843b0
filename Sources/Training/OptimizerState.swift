import TensorCore

/// What an optimizer carries from one step to the next besides the parameters: Adam's two moment
/// tensors per parameter and its step count, SGD's velocity. A checkpoint saves it next to the
/// weights, because weights alone do not resume training: Adam restarted with zero moments and
/// t = 0 takes different (larger, bias-corrected) steps than the run it continues would have.
///
/// Tensors are named `<prefix>.<parameter index>` ("m.0", "v.0", "m.1", ...); numbers hold the
/// scalars (hyperparameters are saved too, so that a checkpoint made with β₂ = 0.99 is not quietly
/// continued with 0.999).
public struct OptimizerState: Sendable {
  /// "adam" or "sgd": a state restores only into the same kind.
  public var kind: String
  public var tensors: [(name: String, tensor: Tensor)]
  public var numbers: [String: Double]

  public init(kind: String, tensors: [(String, Tensor)], numbers: [String: Double]) {
    self.kind = kind
    self.tensors = tensors.map { (name: $0.0, tensor: $0.1) }
    self.numbers = numbers
  }

  /// Why a saved state does not fit the optimizer it is restored into.
  public struct Mismatch: Error, CustomStringConvertible, Sendable {
    public var description: String
  }

  /// Checks the kind, and that `<prefix>.<i>` exists with parameter i's shape for every prefix.
  func expect(kind: String, shapes: [[Int]], prefixes: [String]) throws {
    guard self.kind == kind else {
      throw Mismatch(description: "the saved optimizer is \(self.kind), this one is \(kind)")
    }
    let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    for prefix in prefixes {
      for (i, shape) in shapes.enumerated() {
        guard let t = byName["\(prefix).\(i)"] else {
          throw Mismatch(description: "the saved \(kind) state has no '\(prefix).\(i)'")
        }
        guard t.shape == shape else {
          throw Mismatch(
            description: "the saved \(kind) state's '\(prefix).\(i)' is \(t.shape), "
              + "the parameter is \(shape)")
        }
      }
    }
  }

  /// Checks that the saved hyperparameter `name` equals `value`.
  func expect(number name: String, equal value: Double) throws {
    guard let saved = numbers[name] else { return }
    guard saved == value else {
      throw Mismatch(
        description: "the saved \(kind) state has \(name) \(saved), this optimizer \(value)")
    }
  }

  /// `<prefix>.0` ..< `<prefix>.<count>`, in order (after `expect` said they are there).
  func tensors(prefix: String, count: Int) -> [Tensor] {
    let byName = Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    return (0..<count).map { byName["\(prefix).\($0)"]! }
  }
}
