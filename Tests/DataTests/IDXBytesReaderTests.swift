import Foundation
import Testing

@testable import Data

// IDXFile.read(bytes:file:), the entry point the fuzz harness (Tests/Fuzz/idx.swift) drives: what
// read(from:) does once it has the file's bytes.

@Suite struct IDXBytesReaderTests {
  let sample = IDXFile(dims: [3, 4, 2], bytes: (0..<24).map { UInt8($0 * 7 % 256) })
  let url = URL(fileURLWithPath: "/data/sample-idx3-ubyte")

  @Test func plainAndGzipBytesReadLikeTheFile() throws {
    try withTemporaryDirectory { folder in
      for compressed in [false, true] {
        let file = folder.appendingPathComponent("sample-\(compressed)")
        try sample.write(to: file, compressed: compressed)
        let bytes = [UInt8](try Data(contentsOf: file))
        #expect(try IDXFile.read(bytes: bytes, file: file) == IDXFile.read(from: file))
        #expect(try IDXFile.read(bytes: bytes, file: file) == sample)
      }
    }
  }

  @Test func twoGzipMembersReadAsOne() throws {
    let encoded = sample.encoded()
    let twoMembers = Gzip.compress(Array(encoded[..<10])) + Gzip.compress(Array(encoded[10...]))
    #expect(try IDXFile.read(bytes: twoMembers, file: url) == sample)
  }

  @Test func errorsNameTheGivenFile() {
    let encoded = sample.encoded()
    #expect(
      dataError { _ = try IDXFile.read(bytes: Array(encoded.dropLast()), file: url) }
        == .truncated(url, expectedBytes: encoded.count, actualBytes: encoded.count - 1))
    let cut = Gzip.compress(encoded).dropLast(9)
    let error = dataError { _ = try IDXFile.read(bytes: Array(cut), file: url) }
    guard case .corruptGzip(let file, _) = error else {
      Issue.record("expected corruptGzip, got \(String(describing: error))")
      return
    }
    #expect(file == url)
    #expect(dataError { _ = try IDXFile.read(bytes: [], file: url) } == .badMagic(url, found: []))
  }
}
