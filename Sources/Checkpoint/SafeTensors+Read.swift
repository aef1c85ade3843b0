import Foundation
import TensorCore

extension SafeTensors {
  /// Loads every tensor and the metadata from the safetensors file at `url`.
  ///
  /// The whole layout is checked before any data is read: header length within the file, header a
  /// JSON object, every dtype F32, every tensor's bytes inside the data buffer and matching its
  /// shape, and the tensors tiling the buffer without gaps or overlaps. Any problem throws a
  /// `CheckpointError` that says what is wrong; a corrupt file never crashes the program.
  public static func read(from url: URL) throws -> Contents {
    guard FileManager.default.fileExists(atPath: url.path) else {
      throw CheckpointError.fileMissing(path: url.path)
    }
    let bytes: [UInt8]
    do {
      bytes = [UInt8](try Data(contentsOf: url, options: .mappedIfSafe))
    } catch {
      throw CheckpointError.ioFailed(path: url.path, reason: error.localizedDescription)
    }
    return try read(bytes: bytes, path: url.path)
  }

  /// Where one tensor's bytes are, as promised by the header (not yet checked against the others).
  struct Entry {
    var name: String
    var shape: [Int]
    var begin: Int
    var end: Int
  }

  /// Loads every tensor and the metadata from a whole safetensors file's `bytes`, checked as by
  /// `read(from:)`, which reads the file and calls this. `path` only goes into error messages.
  public static func read(bytes: [UInt8], path: String) throws -> Contents {
    // 1. The header length: the first 8 bytes, a little-endian UInt64.
    guard bytes.count >= 8 else {
      throw CheckpointError.fileTooShort(path: path, byteCount: bytes.count)
    }
    var headerLength: UInt64 = 0
    for i in (0..<8).reversed() { headerLength = headerLength << 8 | UInt64(bytes[i]) }
    // Compare as UInt64 first: a corrupt length can be far larger than any Int.
    guard headerLength <= UInt64(bytes.count - 8) else {
      throw CheckpointError.headerTooLong(
        path: path, headerLength: headerLength, fileSize: bytes.count)
    }
    let dataStart = 8 + Int(headerLength)
    let bufferLength = bytes.count - dataStart

    // 2. The header: a JSON object of tensor entries, plus optional metadata.
    let json: Any
    do {
      json = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart]))
    } catch {
      throw CheckpointError.invalidHeader(path: path, reason: "it is not valid UTF-8 JSON")
    }
    guard let object = json as? [String: Any] else {
      throw CheckpointError.invalidHeader(path: path, reason: "it is JSON but not an object")
    }
    var metadata: [String: String] = [:]
    var entries: [Entry] = []
    for (name, value) in object {
      if name == metadataKey {
        guard let strings = value as? [String: String] else {
          throw CheckpointError.invalidHeader(
            path: path, reason: "\(metadataKey) must map strings to strings")
        }
        metadata = strings
      } else {
        entries.append(try parseEntry(name, value, bufferLength: bufferLength, path: path))
      }
    }

    // 3. The layout: sorted by position, each tensor must start where the previous one ended,
    // the first at 0 and the last ending at the end of the file.
    entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
    var expectedBegin = 0
    for entry in entries {
      if entry.begin < expectedBegin {
        throw CheckpointError.badOffsets(
          path: path, tensor: entry.name,
          reason: "[\(entry.begin), \(entry.end)) overlaps the tensor before it, which ends at"
            + " \(expectedBegin)")
      }
      if entry.begin > expectedBegin {
        throw CheckpointError.badOffsets(
          path: path, tensor: entry.name,
          reason: "it starts at \(entry.begin), leaving a gap after byte \(expectedBegin)")
      }
      expectedBegin = entry.end
    }
    if expectedBegin != bufferLength {
      if let last = entries.last {
        throw CheckpointError.badOffsets(
          path: path, tensor: last.name,
          reason: "the last tensor ends at \(expectedBegin) but the data buffer holds"
            + " \(bufferLength) bytes")
      }
      throw CheckpointError.invalidHeader(
        path: path, reason: "it lists no tensors but \(bufferLength) data bytes follow it")
    }

    // 4. The data: every range is now known to be inside the buffer.
    var tensors: [String: Tensor] = [:]
    for entry in entries {
      let count = (entry.end - entry.begin) / 4
      let start = dataStart + entry.begin
      let scalars = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
        for i in 0..<count {
          let p = start + 4 * i
          let word =
            UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16
            | UInt32(bytes[p + 3]) << 24
          buffer[i] = Float(bitPattern: word)
        }
        initialized = count
      }
      tensors[entry.name] = Tensor(shape: entry.shape, scalars: scalars)
    }
    return Contents(tensors: tensors, names: entries.map(\.name), metadata: metadata)
  }

  /// One header entry, `{"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}`, checked on
  /// its own: known dtype, non-negative sizes, range inside the buffer and of the right length.
  static func parseEntry(_ name: String, _ value: Any, bufferLength: Int, path: String) throws
    -> Entry
  {
    func invalid(_ reason: String) -> CheckpointError {
      .invalidHeader(path: path, reason: "tensor '\(name)' \(reason)")
    }
    guard let fields = value as? [String: Any] else { throw invalid("is not a JSON object") }
    guard let dtype = fields["dtype"] as? String else { throw invalid("has no dtype string") }
    guard dtype == "F32" else {
      throw CheckpointError.unsupportedDType(path: path, tensor: name, dtype: dtype)
    }
    guard let shape = naturalNumbers(fields["shape"]) else {
      throw invalid("has no shape, or one that is not a list of non-negative integers")
    }
    guard let offsets = naturalNumbers(fields["data_offsets"]), offsets.count == 2 else {
      throw invalid("has no data_offsets, or not a list of two non-negative integers")
    }
    let (begin, end) = (offsets[0], offsets[1])
    func bad(_ reason: String) -> CheckpointError {
      .badOffsets(path: path, tensor: name, reason: reason)
    }
    guard begin <= end else { throw bad("begin \(begin) is after end \(end)") }
    guard end <= bufferLength else {
      throw bad("[\(begin), \(end)) is past the end of the \(bufferLength)-byte data buffer")
    }
    // shape-product × 4, refusing sizes that overflow Int (a corrupt shape can be anything). A 0
    // in the shape does not excuse the other sizes: [0, 2^62, 2^62] holds no bytes, but the row
    // size 2^62 × 2^62 would trap in any tensor code that computes it (a sum over axis 0, say).
    var nonZeroProduct = MemoryLayout<Float>.size
    for size in shape where size != 0 {
      let (product, overflow) = nonZeroProduct.multipliedReportingOverflow(by: size)
      guard !overflow else { throw invalid("has an impossibly large shape \(shape)") }
      nonZeroProduct = product
    }
    let byteCount = shape.contains(0) ? 0 : nonZeroProduct
    guard end - begin == byteCount else {
      throw bad(
        "[\(begin), \(end)) holds \(end - begin) bytes but shape \(shape) needs \(byteCount)")
    }
    return Entry(name: name, shape: shape, begin: begin, end: end)
  }

  /// `value` as a list of integers ≥ 0, or nil if it is anything else.
  ///
  /// JSONSerialization hands back every JSON number and boolean as an NSNumber, and `as? Int` would
  /// turn `true` into 1 and `2.0` into 2. The NSNumber's `objCType` tells them apart: "c" is a
  /// boolean, "d" and "f" are floating point; anything else is an integer.
  static func naturalNumbers(_ value: Any?) -> [Int]? {
    guard let list = value as? [Any] else { return nil }
    var numbers: [Int] = []
    for item in list {
      guard let number = item as? NSNumber,
        !["c", "d", "f"].contains(String(cString: number.objCType)),
        let integer = item as? Int, integer >= 0
      else { return nil }
      numbers.append(integer)
    }
    return numbers
  }
}
