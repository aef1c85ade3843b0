import Checkpoint
import Foundation
import Layers
import TensorCore

extension Module {
  /// Saves every parameter under its dotted name in a safetensors file (written atomically), which
  /// Python opens with `safetensors.numpy.load_file(path)` or a few lines of numpy.
  public func saveCheckpoint(to url: URL, metadata: [String: String] = [:]) throws {
    try SafeTensors.write(
      namedParameters.map { ($0.name, $0.variable.value) }, metadata: metadata, to: url)
  }

  /// Loads parameters saved by `saveCheckpoint` into this module. Every parameter must be in the file
  /// with the same shape; otherwise nothing is changed and the error names the tensor.
  public func loadCheckpoint(from url: URL) throws {
    let named = namedParameters
    let tensors = try SafeTensors.load(
      from: url, expecting: named.map { ($0.name, $0.variable.shape) })
    for (p, t) in zip(named, tensors) { p.variable.value = t }
  }
}
