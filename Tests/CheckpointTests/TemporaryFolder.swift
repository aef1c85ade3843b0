import Foundation

/// A fresh folder under the system temporary directory, removed by `remove()`.
struct TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("CheckpointTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func file(_ name: String) -> URL { url.appendingPathComponent(name) }

  func remove() { try? FileManager.default.removeItem(at: url) }

  /// Writes a hand-made safetensors file: the header length (the true one unless `headerLength`
  /// overrides it), the header text, then `data`.
  func writeRaw(
    _ name: String, header: String, data: [UInt8] = [], headerLength: UInt64? = nil
  ) throws -> URL {
    let headerBytes = Array(header.utf8)
    var bytes: [UInt8] = []
    let length = headerLength ?? UInt64(headerBytes.count)
    for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: length >> (8 * UInt64(i)))) }
    bytes += headerBytes + data
    let url = file(name)
    try Data(bytes).write(to: url)
    return url
  }
}
