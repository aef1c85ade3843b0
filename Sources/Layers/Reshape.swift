import Autodiff
import TensorCore

/// (batch, d₁, d₂, …) → (batch, d₁·d₂·…): each example's numbers in one row, in row-major order.
/// What goes between a convolutional encoder, (batch, 64, 7, 7), and a Linear layer, (batch, 3136),
/// as PyTorch's `nn.Flatten()`. No parameters; no copy of the numbers either, only a new shape, and
/// the gradient goes back unchanged, viewed with the input's shape.
public struct Flatten: Module {
  public init() {}

  public func callAsFunction(_ x: Variable) -> Variable {
    check(
      x.shape.count >= 2,
      "Flatten: input shape \(x.shape) should be (batch, ...) with at least two dimensions")
    return x.reshaped([x.shape[0], x.shape.dropFirst().reduce(1, *)])
  }

  public var namedParameters: [(name: String, variable: Variable)] { [] }
}

/// (batch, n) → (batch, shape…), with n the product of `shape`: Flatten's inverse, e.g.
/// `Unflatten(64, 7, 7)` turns a Linear layer's (batch, 3136) into (batch, 64, 7, 7) images for
/// a convolutional decoder, as PyTorch's `nn.Unflatten(1, (64, 7, 7))`. No parameters.
public struct Unflatten: Module {
  /// The shape of one example after unflattening, e.g. [64, 7, 7].
  public let unflattenedShape: [Int]

  /// `Unflatten(64, 7, 7)`.
  public init(_ shape: Int...) { self.init(shape: shape) }

  /// `Unflatten(shape: [64, 7, 7])`.
  public init(shape: [Int]) {
    check(
      !shape.isEmpty && shape.allSatisfy { $0 > 0 },
      "Unflatten: the shape of one example must be non-empty and positive, got \(shape)")
    unflattenedShape = shape
  }

  /// How many numbers one example has: the product of `unflattenedShape`.
  public var features: Int { unflattenedShape.reduce(1, *) }

  public func callAsFunction(_ x: Variable) -> Variable {
    check(
      x.shape.count == 2 && x.shape[1] == features,
      "Unflatten(\(unflattenedShape.map(String.init).joined(separator: ", "))): input shape"
        + " \(x.shape) should be (batch, \(features)), \(features) = product of \(unflattenedShape)"
    )
    return x.reshaped([x.shape[0]] + unflattenedShape)
  }

  public var namedParameters: [(name: String, variable: Variable)] { [] }
}
