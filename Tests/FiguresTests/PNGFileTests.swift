import Foundation
import Testing

@testable import Figures

/// An image whose every byte differs from its neighbours, so any misplaced byte shows.
func patterned(width: Int, height: Int, channels: Int) -> PNGImage {
  let count = width * height * channels
  return PNGImage(
    width: width, height: height, channels: channels,
    pixels: (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) })
}

@Test(arguments: [(1, 1), (3, 5), (29, 31), (64, 1), (1, 17)], [1, 3])
func pngRoundTripIsExact(size: (Int, Int), channels: Int) throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let image = patterned(width: size.0, height: size.1, channels: channels)
  let url = folder.file("image.png")
  try image.write(to: url)
  let back = try PNGImage.read(from: url)
  #expect(back.width == size.0 && back.height == size.1 && back.channels == channels)
  #expect(back.pixels == image.pixels)
  #expect(try folder.contents() == ["image.png"])  // no temporary file left behind
}

@Test func pngWriteReplacesAnExistingFile() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("image.png")
  try patterned(width: 4, height: 4, channels: 1).write(to: url)
  let second = patterned(width: 2, height: 3, channels: 3)
  try second.write(to: url)
  #expect(try PNGImage.read(from: url) == second)
}

@Test func readingATextFileSaysNotPNG() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("notes.png")
  try Data("this is not a picture\n".utf8).write(to: url)
  #expect {
    _ = try PNGImage.read(from: url)
  } throws: { error in
    guard case FigureError.notPNG(let path, _) = error else { return false }
    return path == url.path && "\(error)".contains("not a PNG")
  }
  // Shorter than the 8-byte signature.
  try Data([0x89, 0x50]).write(to: url)
  #expect(throws: FigureError.self) { _ = try PNGImage.read(from: url) }
}

@Test(arguments: [0.3, 0.6, 0.95])
func readingATruncatedPNGFails(keptFraction: Double) throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("cut.png")
  try patterned(width: 29, height: 31, channels: 3).write(to: url)
  let bytes = try Data(contentsOf: url)
  try bytes.prefix(Int(Double(bytes.count) * keptFraction)).write(to: url)
  #expect {
    _ = try PNGImage.read(from: url)
  } throws: { error in
    guard case FigureError.damagedPNG(let path, let reason) = error else { return false }
    return path == url.path && reason.contains("truncated")
  }
}

@Test func readingACorruptPNGFails() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("corrupt.png")
  try patterned(width: 16, height: 16, channels: 1).write(to: url)
  var bytes = [UInt8](try Data(contentsOf: url))
  for i in 40..<min(60, bytes.count - 12) { bytes[i] ^= 0x5a }  // inside the first data chunk
  try Data(bytes).write(to: url)
  #expect(throws: FigureError.self) { _ = try PNGImage.read(from: url) }
}

@Test func readingAMissingFileSaysCannotRead() throws {
  let url = URL(fileURLWithPath: "/nonexistent-folder-\(UUID().uuidString)/a.png")
  #expect(throws: FigureError.cannotRead(path: url.path, reason: "No such file or directory")) {
    _ = try PNGImage.read(from: url)
  }
}

@Test func readingAFolderSaysCannotRead() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  #expect(throws: FigureError.cannotRead(path: folder.url.path, reason: "Is a directory")) {
    _ = try PNGImage.read(from: folder.url)
  }
}

@Test func writingIntoAMissingFolderFailsCleanly() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let url = folder.file("missing/image.png")
  #expect {
    try patterned(width: 3, height: 3, channels: 1).write(to: url)
  } throws: { error in
    guard case FigureError.cannotWrite(let path, let reason) = error else { return false }
    return path == url.path && reason.contains("does not exist")
  }
  #expect(try folder.contents() == [])
}

@Test func writingWhereTheFolderIsAFileFailsCleanly() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  try Data("x".utf8).write(to: folder.file("plain"))
  let url = folder.file("plain/image.png")
  #expect {
    try patterned(width: 3, height: 3, channels: 3).write(to: url)
  } throws: { error in
    guard case FigureError.cannotWrite(let path, let reason) = error else { return false }
    return path == url.path && reason.contains("not a folder")
  }
  #expect(try folder.contents() == ["plain"])
}

@Test func writingAnEmptyImageFails() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  let empty = PNGImage(width: 0, height: 4, channels: 1, pixels: [])
  #expect(throws: FigureError.self) { try empty.write(to: folder.file("empty.png")) }
  #expect(try folder.contents() == [])
}

// Tiny PNGs of kinds the writer never makes, built by hand (zlib + CRC) to test the conversions.
// 3x2 palette image: red green blue / white red green.
let palettePNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAMAAACqqpYoAAAADFBMVEX/AAAA/wAAAP/////7AGD2AAAAEElEQVR4nGNgYGRi"
  + "YGZgBAAAIgAIZYTRoAAAAABJRU5ErkJggg=="
// 2x1 16-bit grey with alpha: grey 0x0000, grey 0xffff.
let grey16AlphaPNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABEAQAAAAOu2tCAAAAD0lEQVR4nGNgYPgPBA0MABL3BH29jrO5AAAAAElFTkSuQmCC"
// 3x1 1-bit grey: white black white.
let grey1BitPNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAMAAAABAQAAAAAzmykZAAAACklEQVR4nGNYAAAAogCh3I2xzAAAAABJRU5ErkJggg=="

@Test func readerConvertsOtherKinds() throws {
  let folder = try TestFolder()
  defer { folder.remove() }
  func load(_ base64: String) throws -> PNGImage {
    let url = folder.file("kind.png")
    try #require(Data(base64Encoded: base64)).write(to: url)
    return try PNGImage.read(from: url)
  }
  let palette = try load(palettePNG)
  #expect(palette.channels == 3 && palette.width == 3 && palette.height == 2)
  #expect(palette[0, 0] == RGB(255, 0, 0) && palette[2, 0] == RGB(0, 0, 255))
  #expect(palette[0, 1] == .white && palette[2, 1] == RGB(0, 255, 0))

  let grey16 = try load(grey16AlphaPNG)
  #expect(grey16.channels == 1 && grey16.pixels == [0, 255])

  let grey1 = try load(grey1BitPNG)
  #expect(grey1.channels == 1 && grey1.pixels == [255, 0, 255])
}

@Test func errorDescriptionsNameTheFileAndTheFix() {
  let error = FigureError.cannotWrite(
    path: "/out/grid.png", reason: "the folder /out does not exist")
  #expect("\(error)".contains("/out/grid.png"))
  #expect("\(error)".contains("Check that the folder exists"))
}
