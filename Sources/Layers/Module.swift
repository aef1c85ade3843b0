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
}

/// A module that keeps buffers (state that is kept but not trained, `Buffer`): BatchNorm2D, and
/// every module made of other modules, which must list its parts' buffers as it lists their
/// parameters, or a checkpoint would leave them out.
///
/// A protocol of its own rather than a requirement of `Module`: most modules have no buffers,
/// and adding a requirement to `Module` changes the table of every conforming type, which an
/// incremental build does not always recompile (a chapter's model, built before the change,
/// crashed with a bad pointer after it until its build folder was removed).
public protocol BufferedModule: Module {
  /// This module's buffers, its parts' included, with dotted names ("1.running_mean"), in a
  /// fixed order.
  var ownNamedBuffers: [(name: String, buffer: Buffer)] { get }
}

extension Module {
  /// The parameters without their names.
  public var parameters: [Variable] { namedParameters.map(\.variable) }

  /// Every buffer with a dotted name ("encoder.1.running_mean"): a `BufferedModule`'s own, none
  /// for any other module.
  public var namedBuffers: [(name: String, buffer: Buffer)] {
    (self as? any BufferedModule)?.ownNamedBuffers ?? []
  }

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
