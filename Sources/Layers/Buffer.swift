import TensorCore

/// State a module keeps from step to step that is not trained: no gradient, no optimizer, but
/// part of what the model is. BatchNorm2D's running mean and variance are the example: training
/// moves them a little every batch, and evaluation uses them instead of the batch's statistics.
/// (PyTorch calls them buffers too, and keeps them in the `state_dict` next to the parameters.)
///
/// A class, like `Variable`, so that a checkpoint can put saved values back into the module that
/// owns them. Modules list theirs in `namedBuffers` (`BufferedModule`); checkpoints (`saveCheckpoint`, the
/// training loop's) store them with the parameters, so a reloaded or resumed model evaluates
/// exactly as the one that was saved.
public final class Buffer {
  public var value: Tensor

  public init(_ value: Tensor) { self.value = value }

  public var shape: [Int] { value.shape }
}
