import Foundation
import Testing

@testable import Data

@Suite struct IDXFileTests {
  /// A valid 2 × 3 × 2 ubyte file's bytes.
  let sample = IDXFile(dims: [2, 3, 2], bytes: Array(0..<12))

  @Test func encodingFollowsTheFormat() {
    #expect(
      sample.encoded() == [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2] + Array(0..<12))
  }

  @Test(arguments: [false, true])
  func writeThenReadRoundTrips(compressed: Bool) throws {
    try withTemporaryDirectory { folder in
      let url = folder.appendingPathComponent("sample-idx3-ubyte")
      try sample.write(to: url, compressed: compressed)
      let raw = [UInt8](try Data(contentsOf: url))
      #expect(Gzip.isCompressed(raw) == compressed)
      #expect(try IDXFile.read(from: url) == sample)
      // The atomic write leaves no temporary file behind.
      #expect(
        try FileManager.default.contentsOfDirectory(atPath: folder.path) == [url.lastPathComponent])
    }
  }

  @Test func largeSizesAreBigEndian() throws {
    let file = IDXFile(dims: [70_000], bytes: [UInt8](repeating: 9, count: 70_000))
    #expect(Array(file.encoded().prefix(8)) == [0, 0, 8, 1, 0x00, 0x01, 0x11, 0x70])
    #expect(try IDXFile.decode(file.encoded(), file: URL(fileURLWithPath: "x")) == file)
  }

  @Test(arguments: [false, true])
  func wrongMagicIsReported(gzip: Bool) throws {
    try withTemporaryDirectory { folder in
      let url = try writeRaw(
        [0x50, 0x4b, 0x03, 0x04, 1, 2, 3], "zip-not-idx", in: folder, gzip: gzip)
      let error = dataError { _ = try IDXFile.read(from: url) }
      #expect(error == .badMagic(url, found: [0x50, 0x4b, 0x03, 0x04]))
      #expect(error?.description.contains("zip-not-idx") == true)
      #expect(error?.description.contains("not an IDX file") == true)
    }
  }

  @Test func zeroDimensionsOrUnknownTypeIsBadMagic() {
    let url = URL(fileURLWithPath: "f")
    #expect(
      dataError { _ = try IDXFile.decode([0, 0, 8, 0], file: url) }
        == .badMagic(url, found: [0, 0, 8, 0]))
    #expect(
      dataError { _ = try IDXFile.decode([0, 0, 7, 1], file: url) }
        == .badMagic(url, found: [0, 0, 7, 1]))
    #expect(
      dataError { _ = try IDXFile.decode([0, 0], file: url) } == .badMagic(url, found: [0, 0]))
  }

  @Test(arguments: [false, true])
  func otherElementTypesAreUnsupported(gzip: Bool) throws {
    try withTemporaryDirectory { folder in
      // A valid Float32 IDX file: one dimension of size 1, then one float.
      let url = try writeRaw(
        [0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3f, 0x80, 0, 0], "floats", in: folder, gzip: gzip)
      let error = dataError { _ = try IDXFile.read(from: url) }
      #expect(error == .unsupportedElementType(url, code: 0x0D))
      #expect(error?.description.contains("0x0d is not supported") == true)
    }
  }

  @Test(arguments: [false, true])
  func truncatedDataIsReported(gzip: Bool) throws {
    try withTemporaryDirectory { folder in
      let bytes = sample.encoded()
      let url = try writeRaw(Array(bytes.dropLast(5)), "short", in: folder, gzip: gzip)
      let error = dataError { _ = try IDXFile.read(from: url) }
      #expect(error == .truncated(url, expectedBytes: 28, actualBytes: 23))
      #expect(error?.description.contains("short: truncated") == true)
    }
  }

  @Test func truncatedHeaderIsReported() {
    let url = URL(fileURLWithPath: "f")
    // Three dimensions promised, only one size present.
    #expect(
      dataError { _ = try IDXFile.decode([0, 0, 8, 3, 0, 0, 0, 2], file: url) }
        == .truncated(url, expectedBytes: 16, actualBytes: 8))
  }

  @Test func absurdSizesAreTruncatedNotACrash() {
    let url = URL(fileURLWithPath: "f")
    let header: [UInt8] = [0, 0, 8, 4] + [UInt8](repeating: 0xff, count: 16)
    guard case .truncated = dataError({ _ = try IDXFile.decode(header, file: url) }) else {
      Issue.record("expected truncated")
      return
    }
  }

  @Test(arguments: [false, true])
  func extraBytesAreReported(gzip: Bool) throws {
    try withTemporaryDirectory { folder in
      let url = try writeRaw(sample.encoded() + [1, 2, 3], "long", in: folder, gzip: gzip)
      let error = dataError { _ = try IDXFile.read(from: url) }
      #expect(error == .extraBytes(url, expectedBytes: 28, actualBytes: 31))
      #expect(error?.description.contains("disagrees with the header") == true)
    }
  }

  @Test func corruptGzipFileIsReported() throws {
    try withTemporaryDirectory { folder in
      var packed = Gzip.compress(sample.encoded())
      packed[packed.count - 7] ^= 0x55  // damage the CRC-32
      let url = try writeRaw(packed, "damaged.gz", in: folder)
      guard case .corruptGzip(let reported, _) = dataError({ _ = try IDXFile.read(from: url) })
      else {
        Issue.record("expected corruptGzip")
        return
      }
      #expect(reported == url)
    }
  }

  @Test func writingIntoAMissingFolderThrows() {
    let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/file")
    guard case .unwritable(let reported, _) = dataError({ try sample.write(to: url) }) else {
      Issue.record("expected unwritable")
      return
    }
    #expect(reported == url)
  }
}
