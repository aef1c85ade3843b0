import Autodiff
import TensorCore

/// Anything that maps a batch to a batch and may own trainable parameters: a layer, or a whole
/// model built from layers. The same idea as PyTorch's `nn.Module`, minus everything optional.
public protocol Module {
  /// The forward pass. x is (batch, features) for the layers in this file.
  func callAsFunction(_ x: Variable) -> Variable

  /// Every trainable parameter with a dotted name ("encoder.0.weight"), in a fixed order: the
  /// optimizer updates them, a checkpoint stores them under these names.
  var namedParameters: [(name: String, variable: Variable)] { get }

  /// Every buffer (state that is kept but not trained, `Buffer`) with a dotted name
  /// ("encoder.1.running_mean"), in a fixed order. Most layers have none, and the default says
  /// so; a module made of other modules must list its parts' buffers, as it lists their
  /// parameters, or a checkpoint would leave them out.
  var namedBuffers: [(name: String, buffer: Buffer)] { get }
}

extension Module {
  /// The parameters without their names.
  public var parameters: [Variable] { namedParameters.map(\.variable) }

  /// No buffers: the default, for layers that keep no state between steps.
  public var namedBuffers: [(name: String, buffer: Buffer)] { [] }

  /// The buffers without their names.
  public var buffers: [Buffer] { namedBuffers.map(\.buffer) }

  /// The same module's buffers with "prefix." in front of each name.
  public func namedBuffers(prefix: String) -> [(name: String, buffer: Buffer)] {
    namedBuffers.map { (prefix + "." + $0.name, $0.buffer) }
  }

  /// How many numbers the model learns.
  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// The same module's parameters with "prefix." in front of each name.
  public func namedParameters(prefix: String) -> [(name: String, variable: Variable)] {
    namedParameters.map { (prefix + "." + $0.name, $0.variable) }
  }
}

/// Whether layers behave as in training (dropout on) or evaluation (dropout off). Task-local, like
/// the gradient switch: `inference { … }` turns off both, as PyTorch's `model.eval()` together
/// with `torch.no_grad()` would.
public enum LayerMode {
  @TaskLocal public static var isTraining = true
}

/// Runs `body` in evaluation mode without recording gradients: for test losses and figures.
public func inference<R>(_ body: () throws -> R) rethrows -> R {
  try LayerMode.$isTraining.withValue(false) { try withoutGradients(body) }
}
