import Foundation
import Testing

@testable import Figures

// PNGImage.read(bytes:path:), the reader the fuzz harness (Tests/Fuzz/png.swift) drives, and the
// limits both readers now apply to the size a header claims.

@Test(arguments: [(1, 1), (29, 31), (64, 3)], [1, 3])
func memoryReaderReadsWhatTheWriterWrote(size: (Int, Int), channels: Int) throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let image = patterned(width: size.0, height: size.1, channels: channels)
  let url = folder.file("image.png")
  try image.write(to: url)
  let bytes = [UInt8](try Data(contentsOf: url))
  #expect(try PNGImage.read(bytes: bytes, path: url.path) == image)
  #expect(try PNGImage.read(bytes: bytes, path: url.path) == PNGImage.read(from: url))
}

@Test func memoryReaderConvertsOtherKindsAsTheFileReaderDoes() throws {
  for base64 in [palettePNG, grey16AlphaPNG, grey1BitPNG, paletteWithTransparencyPNG] {
    let bytes = [UInt8](try #require(Data(base64Encoded: base64)))
    let folder = try TestFolder()
    defer { folder.remove() }
    let url = folder.file("kind.png")
    try Data(bytes).write(to: url)
    #expect(try PNGImage.read(bytes: bytes, path: "kind.png") == PNGImage.read(from: url))
  }
}

@Test func memoryReaderReportsNotPNGAndTruncation() throws {
  #expect(
    throws: FigureError.notPNG(
      path: "empty", reason: "not a PNG file (shorter than the 8-byte PNG signature)")
  ) {
    _ = try PNGImage.read(bytes: [], path: "empty")
  }
  #expect {
    _ = try PNGImage.read(bytes: Array("GIF89a, not a PNG".utf8), path: "a.gif")
  } throws: { error in
    guard case FigureError.notPNG(let path, _) = error else { return false }
    return path == "a.gif"
  }
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("image.png")
  try patterned(width: 29, height: 31, channels: 3).write(to: url)
  let bytes = [UInt8](try Data(contentsOf: url))
  for kept in [9, 33, bytes.count / 2, bytes.count - 1] {
    #expect {
      _ = try PNGImage.read(bytes: Array(bytes.prefix(kept)), path: "cut.png")
    } throws: { error in
      guard case FigureError.damagedPNG(let path, let reason) = error else { return false }
      return path == "cut.png" && reason.contains("truncated")
    }
  }
}

// A palette with a tRNS chunk (transparency per palette entry: what image editors write for a
// GIF-like PNG) used to be refused as "damaged": expanding the palette added an alpha channel that
// was not stripped. 4x4, palette black red green blue, entry (x + y) % 4 at (x, y).
let paletteWithTransparencyPNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAMAAACeL25MAAAADFBMVEUAAAD/AAAA/wAAAP+bwBPcAAAAAnRSTlMAgJsrThgAAAAUSURBVHjaY2BgZGIGYwYQzQBiAwABBAAZkq92twAAAABJRU5ErkJggg=="

@Test func paletteWithTransparencyReadsAsRGB() throws {
  let bytes = [UInt8](try #require(Data(base64Encoded: paletteWithTransparencyPNG)))
  let image = try PNGImage.read(bytes: bytes, path: "palette-trns.png")
  #expect(image.width == 4 && image.height == 4 && image.channels == 3)
  let palette = [RGB(0, 0, 0), RGB(255, 0, 0), RGB(0, 255, 0), RGB(0, 0, 255)]
  for y in 0..<4 {
    for x in 0..<4 { #expect(image[x, y] == palette[(x + y) % 4]) }
  }
}

/// A PNG file's bytes: the signature, an IHDR chunk, then an IDAT chunk holding `dataBytes` zero
/// bytes (not valid compressed data: the readers check the header's size before decompressing).
func pngHeader(
  width: UInt32, height: UInt32, bitDepth: UInt8 = 8, colorType: UInt8 = 0, dataBytes: Int = 2
) -> [UInt8] {
  func bigEndian(_ value: UInt32) -> [UInt8] {
    (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
  }
  func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
    let typeAndData = Array(type.utf8) + data
    return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc32(typeAndData))
  }
  let ihdr = bigEndian(width) + bigEndian(height) + [bitDepth, colorType, 0, 0, 0]
  return [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] + chunk("IHDR", ihdr)
    + chunk("IDAT", [UInt8](repeating: 0, count: dataBytes)) + chunk("IEND", [])
}

/// CRC-32 (ISO 3309, as PNG and gzip use), bit by bit: fast enough for a test's few bytes.
func crc32(_ bytes: [UInt8]) -> UInt32 {
  var crc: UInt32 = 0xffff_ffff
  for byte in bytes {
    crc ^= UInt32(byte)
    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xedb8_8320 : crc >> 1 }
  }
  return ~crc
}

/// Both readers (from memory, from a file) refuse `bytes` as a damaged PNG naming the file, with
/// a reason `check` accepts.
private func expectBothReadersRefuse(
  _ bytes: [UInt8], name: String, _ check: @escaping (Error, String) -> Bool
) throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file(name)
  try Data(bytes).write(to: url)
  for read in [
    { try PNGImage.read(bytes: bytes, path: url.path) }, { try PNGImage.read(from: url) },
  ] {
    #expect {
      _ = try read()
    } throws: { error in
      guard case FigureError.damagedPNG(let path, let reason) = error else { return false }
      return path == url.path && check(error, reason)
    }
  }
}

// A 59-byte file whose header claims 100000 x 100000 RGB used to make the reader ask for 30 GB for
// the pixels before finding out that the data was missing (malloc refused, so the error was "out
// of memory for the pixels"; where it succeeds, a process could die). The header is now checked
// against the file's size first: zlib compresses at most 1032:1, so 59 bytes hold at most 60,888
// bytes of image data.
@Test func tinyFileClaimingAHugeImageIsDamagedNotAnAllocation() throws {
  let bytes = pngHeader(width: 100_000, height: 100_000, colorType: 2)
  #expect(bytes.count == 59)
  try expectBothReadersRefuse(bytes, name: "huge.png") { error, reason in
    reason.contains("100000x100000") && reason.contains("cannot fit in 59 bytes")
      && "\(error)".contains("truncated")
  }
}

// An image that could be in its file but needs more than 256 MiB of pixels is refused as too large,
// before the allocation: 16384 x 16385 grey is 1 row over the limit, and a 300 KB file can hold
// its 268 MB of data at zlib's best ratio (1032:1).
@Test func imageOverThePixelLimitIsTooLarge() throws {
  let bytes = pngHeader(width: 16384, height: 16385, dataBytes: 300_000)
  #expect {
    _ = try PNGImage.read(bytes: bytes, path: "big.png")
  } throws: { error in
    guard case FigureError.pngTooLarge(let path, let reason) = error else { return false }
    return path == "big.png" && reason.contains("16384x16385") && reason.contains("256 MiB")
      && "\(error)".contains("too large")
  }
  // One row fewer is within the limit: the reader gets as far as the (invalid) image data.
  #expect {
    _ = try PNGImage.read(
      bytes: pngHeader(width: 16384, height: 16384, dataBytes: 300_000), path: "ok.png")
  } throws: { error in
    guard case FigureError.damagedPNG = error else { return false }
    return true
  }
}

// The size check must not refuse honest files: a flat 1000 x 1000 grey image compresses to about
// 1 KB (close to the 1032:1 bound), and must read.
@Test func highlyCompressedImagePassesTheSizeCheck() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("flat.png")
  let flat = PNGImage(
    width: 1000, height: 1000, channels: 1, pixels: [UInt8](repeating: 7, count: 1_000_000))
  try flat.write(to: url)
  let bytes = [UInt8](try Data(contentsOf: url))
  #expect(bytes.count < 5000)
  #expect(try PNGImage.read(bytes: bytes, path: url.path) == flat)
  #expect(try PNGImage.read(from: url) == flat)
}

// Fuzz finding (png harness, 1,525,688 executions in): this 214-byte file, a 28 x 28 palette
// image whose IHDR is followed by an sCAL chunk claiming 2,104,532,154 bytes, made libpng allocate
// 2.1 GB for the chunk (release builds of libpng only warn that a chunk is over their 8 MB limit)
// before finding the file too short; under the fuzzer that is an out-of-memory crash. The readers
// now skip every ancillary chunk but tRNS unread. The file is also in the harness's seed corpus
// (Tests/Fuzz/corpus/png), where every fuzz run replays it under libFuzzer's 2 GB malloc limit:
// an allocation this test cannot see.
let hugeSCALChunkPNG =
  "iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAMAAABF0y+mfXCcunNDQUxRPAAAAPZQTFRFc1JHQkRURXNCSVSMI5CKJqeCQT6C"
  + "M7N6Rbxvu7u7u7u7AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIAAAAAAAu7u7u7u7u7u7u7u7"
  + "u7u7u7u7u7u7uz67u7u7u7u7u7u7Xsikz+NRAAAAAAABpM/jUXQlAAAARVh0ZGF0ZTr/////Y3JlYXRlADgwMjYxVDE4gg=="

@Test func chunkClaimingGigabytesIsTruncationNotAnAllocation() throws {
  let bytes = [UInt8](try #require(Data(base64Encoded: hugeSCALChunkPNG)))
  #expect(bytes.count == 214)
  try expectBothReadersRefuse(bytes, name: "scal.png") { _, reason in reason.contains("truncated") }
}

// Skipping the ancillary chunks changes no pixels: a file with gamma, chromaticity, background,
// resolution, time and text chunks (as ImageMagick writes them) and a private chunk prVt still
// reads as the image it is. 2x2 grey: 0 85 / 170 255.
let ancillaryChunksPNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAABGdBTUEAALGPC/xhBQAAACBjSFJNAAB6JgAAgIQAAPoAAACA"
  + "6AAAdTAAAOpgAAA6mAAAF3CculE8AAAAAmJLR0QAgEc1oBIAAAAJcEhZcwAACxMAAAsTAQCanBgAAAAHdElNRQfqDAESAAAZ"
  + "5W8+AAAAInRFWHRDb21tZW50AHdyaXR0ZW4gYnkgaGFuZCBmb3IgYSB0ZXN0ddZ1rAAAAAxwclZ0cHJpdmF0ZSBkYXRhBeUz"
  + "5AAAAA5JREFUeNpjYAhlWPUfAAOtAf96k4R/AAAAAElFTkSuQmCC"

@Test func ancillaryChunksAreSkippedNotRefused() throws {
  let bytes = [UInt8](try #require(Data(base64Encoded: ancillaryChunksPNG)))
  let image = try PNGImage.read(bytes: bytes, path: "ancillary.png")
  #expect(image.width == 2 && image.height == 2 && image.channels == 1)
  #expect(image.pixels == [0, 85, 170, 255])
}
