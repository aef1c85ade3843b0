import Foundation
import TensorCore
import Testing

@testable import Data

@Suite struct GzipTests {
  let file = URL(fileURLWithPath: "/tmp/example.gz")

  @Test func roundTripRestoresTheBytes() throws {
    var rng = RandomGenerator(seed: 7)
    // Half random, half zeros: both hard and easy data for deflate, and larger than the first
    // output buffer guess would be without the size trailer.
    let bytes = (0..<300_000).map { $0 < 150_000 ? UInt8(truncatingIfNeeded: rng.next()) : 0 }
    let packed = Gzip.compress(bytes)
    #expect(Gzip.isCompressed(packed))
    #expect(try Gzip.decompress(packed, file: file) == bytes)
  }

  @Test func emptyInputRoundTrips() throws {
    #expect(try Gzip.decompress(Gzip.compress([]), file: file) == [])
  }

  @Test func concatenatedMembersDecompressToTheirConcatenation() throws {
    let packed = Gzip.compress([1, 2, 3]) + Gzip.compress([4, 5])
    #expect(try Gzip.decompress(packed, file: file) == [1, 2, 3, 4, 5])
  }

  @Test func highlyCompressibleDataGrowsTheBuffer() throws {
    // Zeros compress about 1000:1, beyond the 256:1 cap on the first output-size guess.
    let bytes = [UInt8](repeating: 0, count: 4_000_000)
    #expect(try Gzip.decompress(Gzip.compress(bytes), file: file) == bytes)
  }

  @Test func plainBytesAreNotCompressed() {
    #expect(!Gzip.isCompressed([0, 0, 8, 3]))
    #expect(!Gzip.isCompressed([0x1f]))
  }

  @Test func truncatedStreamIsReported() throws {
    let packed = Gzip.compress((0..<10_000).map { UInt8($0 % 251) })
    let error = dataError {
      _ = try Gzip.decompress(Array(packed.prefix(packed.count / 2)), file: file)
    }
    guard case .corruptGzip(let url, let detail) = error else {
      Issue.record("expected corruptGzip, got \(String(describing: error))")
      return
    }
    #expect(url == file)
    #expect(detail.contains("truncated"))
    #expect(error!.description.contains("/tmp/example.gz"))
  }

  @Test func damagedDataFailsTheChecksum() throws {
    var packed = Gzip.compress((0..<10_000).map { UInt8($0 % 251) })
    packed[packed.count - 6] ^= 0xff  // inside the CRC-32 of the trailer
    let error = dataError { _ = try Gzip.decompress(packed, file: file) }
    guard case .corruptGzip(_, let detail) = error else {
      Issue.record("expected corruptGzip, got \(String(describing: error))")
      return
    }
    #expect(detail.contains("check"))  // zlib: "incorrect data check"
  }

  @Test func trailingGarbageIsReported() throws {
    let packed = Gzip.compress([1, 2, 3]) + [0x00, 0x01, 0x02, 0x03]
    let error = dataError { _ = try Gzip.decompress(packed, file: file) }
    guard case .corruptGzip = error else {
      Issue.record("expected corruptGzip, got \(String(describing: error))")
      return
    }
  }
}
