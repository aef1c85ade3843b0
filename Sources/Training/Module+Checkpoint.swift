import Checkpoint
import Foundation
import Layers
import TensorCore

extension Module {
  /// Saves every parameter and buffer under its dotted name in a safetensors file (written
  /// atomically), which Python opens with `safetensors.numpy.load_file(path)` or a few lines of
  /// numpy. Like PyTorch's `state_dict`: "0.weight", ..., "1.running_mean".
  public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
    try SafeTensors.write(
      namedParameters.map { ($0.name, $0.variable.value) }
        + namedBuffers.map { ($0.name, $0.buffer.value) }, metadata: metadata, to: url)
  }

  /// Loads parameters and buffers saved by `saveCheckpoint` into this module. Every one must be
  /// in the file with the same shape; otherwise nothing is changed and the error names the tensor.
  public func loadCheckpoint(from url: URL) throws {
    let parameters = namedParameters
    let buffers = namedBuffers
    let tensors = try SafeTensors.load(
      from: url,
      expecting: parameters.map { ($0.name, $0.variable.shape) }
        + buffers.map { ($0.name, $0.buffer.shape) })
    for (p, t) in zip(parameters, tensors) { p.variable.value = t }
    for (b, t) in zip(buffers, tensors.dropFirst(parameters.count)) { b.buffer.value = t }
  }
}
