import AtomicWrites
import Foundation
import TensorCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension SafeTensors {
  /// Saves `tensors`, in the order given, and `metadata` to a safetensors file at `url`.
  ///
  /// The write is atomic: the bytes go to a temporary file in the same folder, which is then renamed
  /// over `url`. A crash or a full disk halfway through leaves the previous checkpoint intact,
  /// never a half-written one. Throws `CheckpointError.invalidName` for a repeated name or the
  /// reserved name `__metadata__`, and `CheckpointError.ioFailed` if the file cannot be written.
  public static func write(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:], to url: URL
  ) throws {
    let bytes = try encode(tensors, metadata: metadata)
    try writeAtomically(bytes, to: url)
  }

  /// The whole file as bytes: header length, header, data buffer.
  static func encode(
    _ tensors: [(name: String, tensor: Tensor)], metadata: [String: String]
  ) throws -> Data {
    // The header: one JSON entry per tensor, in the order given, each pointing at its bytes.
    var seen = Set<String>()
    var entries: [String] = []
    var offset = 0
    for (name, tensor) in tensors {
      if name == metadataKey {
        throw CheckpointError.invalidName(
          name: name, reason: "the name is reserved for the metadata; rename the tensor")
      }
      if !seen.insert(name).inserted {
        throw CheckpointError.invalidName(
          name: name, reason: "two tensors have this name; every name must be unique")
      }
      let end = offset + tensor.count * MemoryLayout<Float>.size
      let shape = tensor.shape.map(String.init).joined(separator: ",")
      entries.append(
        "\(jsonQuoted(name)):{\"dtype\":\"F32\",\"shape\":[\(shape)],"
          + "\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    if !metadata.isEmpty {
      // Sorted keys, so that the same metadata always gives the same bytes.
      let pairs = metadata.sorted { $0.key < $1.key }
        .map { "\(jsonQuoted($0.key)):\(jsonQuoted($0.value))" }
      entries.append("\(jsonQuoted(metadataKey)):{\(pairs.joined(separator: ","))}")
    }
    var header = Array("{\(entries.joined(separator: ","))}".utf8)
    // Pad with spaces (which JSON ignores) so that the data buffer starts 8-byte aligned.
    while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

    var file = Data(capacity: 8 + header.count + offset)
    withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: header)
    // The data buffer: each tensor's elements as little-endian 32-bit patterns, back to back.
    for (_, tensor) in tensors {
      let words = tensor.scalars.map { $0.bitPattern.littleEndian }
      words.withUnsafeBufferPointer { file.append($0) }
    }
    return file
  }

  /// `text` as a JSON string literal: quoted, with quotes, backslashes and control characters
  /// escaped. Everything else, including non-ASCII letters, stays as UTF-8.
  static func jsonQuoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where scalar.value < 0x20:
        out +=
          "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
          + String(scalar.value, radix: 16)
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }

  /// Writes `data` atomically (see AtomicFile), as a checkpoint error on failure.
  static func writeAtomically(_ data: Data, to url: URL) throws {
    do {
      try AtomicFile.write(data, to: url)
    } catch {
      throw CheckpointError.ioFailed(path: url.path, reason: error.reason)
    }
  }
}
