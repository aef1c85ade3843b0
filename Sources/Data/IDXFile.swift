import AtomicWrites
import Foundation
import TensorCore

/// One IDX file: the simple array format of MNIST and Fashion-MNIST (LeCun et al.).
///
/// Layout, all integers big-endian:
///
///     byte 0, 1   0x00 0x00
///     byte 2      element type: 0x08 unsigned byte (the only one MNIST uses), 0x09 signed byte,
///                 0x0B Int16, 0x0C Int32, 0x0D Float32, 0x0E Float64
///     byte 3      number of dimensions d
///     then        d sizes, UInt32 each (e.g. 10000, 28, 28 for the test images)
///     then        the elements in row-major order (10000 × 28 × 28 bytes)
///
/// This reader loads unsigned-byte files, and reports the other types as unsupported. The file may
/// be gzip-compressed; we tell by its first two bytes, not by its name.
public struct IDXFile: Sendable, Equatable {
  /// The size of each dimension, outermost first: [count, rows, cols] for images, [count] for
  /// labels.
  public var dims: [Int]
  /// The elements in row-major order, one byte each.
  public var bytes: [UInt8]

  /// The IDX code for unsigned bytes, the one element type we read and write.
  public static let unsignedByteCode: UInt8 = 0x08
  /// Every element type code the IDX format defines.
  static let knownTypeCodes: Set<UInt8> = [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E]

  /// An IDX array of unsigned bytes. `bytes.count` must equal the product of `dims`.
  public init(dims: [Int], bytes: [UInt8]) {
    check(
      !dims.isEmpty && dims.count <= 255 && dims.allSatisfy { $0 >= 0 && $0 <= UInt32.max },
      "IDXFile: dims \(dims) must be 1 to 255 sizes, each 0...\(UInt32.max)")
    check(
      dims.reduce(1, *) == bytes.count,
      "IDXFile: dims \(dims) hold \(dims.reduce(1, *)) elements but \(bytes.count) bytes were given"
    )
    self.dims = dims
    self.bytes = bytes
  }

  /// Reads the IDX file at `url`, plain or gzip-compressed.
  public static func read(from url: URL) throws -> IDXFile {
    let raw: [UInt8]
    do {
      raw = [UInt8](try Data(contentsOf: url))
    } catch {
      throw DataError.unreadable(url, reason: error.localizedDescription)
    }
    return try read(bytes: raw, file: url)
  }

  /// Reads an IDX file from its bytes as they are stored (plain, or gzip-compressed: we tell by
  /// the first two bytes): what `read(from:)` does once it has the file's bytes. `file` is named in
  /// errors.
  public static func read(bytes raw: [UInt8], file: URL) throws -> IDXFile {
    let contents = Gzip.isCompressed(raw) ? try Gzip.decompress(raw, file: file) : raw
    return try decode(contents, file: file)
  }

  /// Parses the (already decompressed) contents of an IDX file; `file` is named in errors.
  public static func decode(_ contents: [UInt8], file: URL) throws -> IDXFile {
    // The four-byte magic number: 00 00 type d.
    guard contents.count >= 4, contents[0] == 0, contents[1] == 0,
      knownTypeCodes.contains(contents[2]), contents[3] > 0
    else { throw DataError.badMagic(file, found: Array(contents.prefix(4))) }
    guard contents[2] == unsignedByteCode else {
      throw DataError.unsupportedElementType(file, code: contents[2])
    }

    // d big-endian UInt32 sizes.
    let rank = Int(contents[3])
    let headerSize = 4 + 4 * rank
    guard contents.count >= headerSize else {
      throw DataError.truncated(file, expectedBytes: headerSize, actualBytes: contents.count)
    }
    let dims = (0..<rank).map { d in
      contents[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) }
    }

    // The header promises headerSize + product(dims) bytes; the product of four 32-bit sizes can
    // overflow Int, and no file that large exists, so an overflow means "truncated".
    var elementCount = 1
    for size in dims {
      let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
      guard !overflow, product <= Int.max - headerSize else {
        throw DataError.truncated(file, expectedBytes: Int.max, actualBytes: contents.count)
      }
      elementCount = product
    }
    let expected = headerSize + elementCount
    if contents.count < expected {
      throw DataError.truncated(file, expectedBytes: expected, actualBytes: contents.count)
    }
    if contents.count > expected {
      throw DataError.extraBytes(file, expectedBytes: expected, actualBytes: contents.count)
    }
    return IDXFile(dims: dims, bytes: Array(contents[headerSize...]))
  }

  /// The file's bytes: header then elements (uncompressed).
  public func encoded() -> [UInt8] {
    var out: [UInt8] = [0, 0, Self.unsignedByteCode, UInt8(dims.count)]
    out.reserveCapacity(4 + 4 * dims.count + bytes.count)
    for size in dims {
      out += [
        UInt8(size >> 24 & 0xff), UInt8(size >> 16 & 0xff), UInt8(size >> 8 & 0xff),
        UInt8(size & 0xff),
      ]
    }
    out += bytes
    return out
  }

  /// Writes the file to `url`, gzip-compressed if `compressed`. The write is atomic: the bytes go
  /// to a temporary file in the same folder, which is then renamed over `url`, so a reader never
  /// sees half a file.
  public func write(to url: URL, compressed: Bool = false) throws {
    let contents = compressed ? Gzip.compress(encoded()) : encoded()
    do {
      try AtomicFile.write(Data(contents), to: url)
    } catch {
      throw DataError.unwritable(url, reason: error.reason)
    }
  }
}
