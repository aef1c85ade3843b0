import Foundation
import TensorCore

extension SafeTensors.Contents {
  /// The tensors named in `expected`, in that order, after checking each one is present with the
  /// expected shape: what a model does before copying a checkpoint into its parameters.
  ///
  /// Throws `CheckpointError.missingTensor` for the first name not in the file,
  /// `CheckpointError.shapeMismatch` for the first tensor of another shape, and (unless
  /// `allowingUnexpected`) `CheckpointError.unexpectedTensors` if the file holds tensors not asked
  /// for, which usually means it was saved from another model.
  public func tensors(
    matching expected: [(name: String, shape: [Int])], allowingUnexpected: Bool = false
  ) throws -> [Tensor] {
    let result = try expected.map { name, shape in
      guard let tensor = tensors[name] else {
        throw CheckpointError.missingTensor(name: name, available: names)
      }
      guard tensor.shape == shape else {
        throw CheckpointError.shapeMismatch(name: name, expected: shape, found: tensor.shape)
      }
      return tensor
    }
    if !allowingUnexpected {
      let wanted = Set(expected.map(\.name))
      let extra = names.filter { !wanted.contains($0) }
      if !extra.isEmpty { throw CheckpointError.unexpectedTensors(names: extra) }
    }
    return result
  }
}

extension SafeTensors {
  /// Reads the file at `url` and returns the tensors named in `expected`, in that order, checked as
  /// by `Contents.tensors(matching:allowingUnexpected:)`.
  public static func load(
    from url: URL, expecting expected: [(name: String, shape: [Int])],
    allowingUnexpected: Bool = false
  ) throws -> [Tensor] {
    try read(from: url).tensors(matching: expected, allowingUnexpected: allowingUnexpected)
  }
}
