import Foundation

@testable import Data

/// A fresh, empty folder for one test, removed when `body` returns. Tests run in parallel, so
/// each gets its own.
func withTemporaryDirectory<R>(_ body: (URL) throws -> R) throws -> R {
  let folder = FileManager.default.temporaryDirectory
    .appendingPathComponent("DataTests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  return try body(folder)
}

/// Writes raw bytes to `name` in `folder`, gzip-compressed if asked; returns the file's URL.
@discardableResult
func writeRaw(_ bytes: [UInt8], _ name: String, in folder: URL, gzip: Bool = false) throws -> URL {
  let url = folder.appendingPathComponent(name)
  try Data(gzip ? Gzip.compress(bytes) : bytes).write(to: url)
  return url
}

/// A tiny synthetic split: `count` images of rows × cols whose pixels are (image + pixel) % 256,
/// and labels i % classes. Written under the standard names for `split`.
func writeSplit(
  _ split: Split, count: Int, rows: Int = 3, cols: Int = 2, classes: Int = 10, in folder: URL,
  gzip: Bool = false
) throws {
  let pixels = (0..<(count * rows * cols)).map { UInt8(($0 / (rows * cols) + $0) % 256) }
  let labels = (0..<count).map { UInt8($0 % classes) }
  let suffix = gzip ? ".gz" : ""
  try IDXFile(dims: [count, rows, cols], bytes: pixels)
    .write(to: folder.appendingPathComponent(split.imagesFileName + suffix), compressed: gzip)
  try IDXFile(dims: [count], bytes: labels)
    .write(to: folder.appendingPathComponent(split.labelsFileName + suffix), compressed: gzip)
}

/// The error `body` throws, as a DataError (nil if it throws nothing or something else).
func dataError(_ body: () throws -> Void) -> DataError? {
  do {
    try body()
    return nil
  } catch {
    return error as? DataError
  }
}
