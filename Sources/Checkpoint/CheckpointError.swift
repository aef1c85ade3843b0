import Foundation

/// Everything that can go wrong saving or loading a checkpoint. Each case names the file, the
/// tensor and the numbers involved, and its `description` says what to do about it.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
  /// There is no file at this path.
  case fileMissing(path: String)
  /// The file exists but could not be read, or the checkpoint could not be written.
  case ioFailed(path: String, reason: String)
  /// Fewer than the 8 bytes that hold the header length.
  case fileTooShort(path: String, byteCount: Int)
  /// The header length in the first 8 bytes points past the end of the file.
  case headerTooLong(path: String, headerLength: UInt64, fileSize: Int)
  /// The header is not UTF-8 JSON holding an object, or an entry in it is malformed.
  case invalidHeader(path: String, reason: String)
  /// A tensor stored in a type other than F32.
  case unsupportedDType(path: String, tensor: String, dtype: String)
  /// A tensor's data_offsets fall outside the data buffer, overlap another tensor, leave a gap, or
  /// do not hold shape-product × 4 bytes.
  case badOffsets(path: String, tensor: String, reason: String)
  /// Two tensors with one name, or a tensor named `__metadata__`, handed to `write`.
  case invalidName(name: String, reason: String)
  /// A tensor the caller expected is not in the file.
  case missingTensor(name: String, available: [String])
  /// A tensor is in the file with another shape than the caller expected.
  case shapeMismatch(name: String, expected: [Int], found: [Int])
  /// The file holds tensors the caller did not ask for (only when extra tensors are not allowed).
  case unexpectedTensors(names: [String])

  public var description: String {
    switch self {
    case .fileMissing(let path):
      return "checkpoint: no file at \(path); check the path, or train and save a model first"
    case .ioFailed(let path, let reason):
      return "checkpoint: cannot access \(path): \(reason)"
    case .fileTooShort(let path, let byteCount):
      return "checkpoint: \(path) is \(byteCount) bytes long, shorter than the 8-byte header"
        + " length of a safetensors file; the file is truncated or not a checkpoint"
    case .headerTooLong(let path, let headerLength, let fileSize):
      return "checkpoint: \(path) claims a \(headerLength)-byte header but the file is only"
        + " \(fileSize) bytes; the file is truncated or not a safetensors file"
    case .invalidHeader(let path, let reason):
      return "checkpoint: the header of \(path) is invalid: \(reason); the file is corrupt or"
        + " not a safetensors file"
    case .unsupportedDType(let path, let tensor, let dtype):
      return "checkpoint: tensor '\(tensor)' in \(path) has dtype \(dtype), but only F32 is"
        + " supported; convert the checkpoint to float32 first"
    case .badOffsets(let path, let tensor, let reason):
      return "checkpoint: tensor '\(tensor)' in \(path) has bad data_offsets: \(reason); the file"
        + " is corrupt"
    case .invalidName(let name, let reason):
      return "checkpoint: cannot save a tensor named '\(name)': \(reason)"
    case .missingTensor(let name, let available):
      return "checkpoint: tensor '\(name)' is not in the checkpoint (it holds:"
        + " \(available.joined(separator: ", "))); was it saved from another model?"
    case .shapeMismatch(let name, let expected, let found):
      return "checkpoint: tensor '\(name)' has shape \(found) but the model expects \(expected);"
        + " was it saved from a model with other layer sizes?"
    case .unexpectedTensors(let names):
      return "checkpoint: the file holds tensors the model does not have:"
        + " \(names.joined(separator: ", ")); was it saved from another model?"
    }
  }
}
