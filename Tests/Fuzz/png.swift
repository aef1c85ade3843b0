// libFuzzer harness for the PNG reader: `PNGImage.read(bytes:path:)`, libpng through the C shim
// reading from memory, which shares all of its code with `PNGImage.read(from:)` but the source of
// the bytes. Built and run by fuzz.sh; not one of the package's targets.
//
// A FigureError (not a PNG, a damaged PNG, one too large) is a correct answer to any input. A
// finding is a crash, a hang, a leak, an allocation over libFuzzer's limit (a tiny file claiming
// a huge image must be refused before the pixels are allocated), another kind of error, or an
// image whose size disagrees with its pixels.
//
// libpng checks every chunk's CRC, so most mutations would only ever test the CRC check. Each
// input that has a wrong CRC is therefore read twice: as it is, and with its CRCs recomputed, which
// takes the mutated chunk into libpng's parsers.

import CZlib
import Figures
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNGReader(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
  let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))
  read(bytes)
  let repaired = withRecomputedCRCs(bytes)
  if repaired != bytes { read(repaired) }
  return 0
}

private func read(_ bytes: [UInt8]) {
  do {
    let image = try PNGImage.read(bytes: bytes, path: "/fuzz/input.png")
    precondition(image.width > 0 && image.height > 0)
    precondition(image.channels == 1 || image.channels == 3)
    precondition(image.pixels.count == image.width * image.height * image.channels)
  } catch let error as FigureError {
    switch error {
    case .notPNG, .damagedPNG, .pngTooLarge: precondition(!error.description.isEmpty)
    default: fatalError("reading from memory threw \(error)")
    }
  } catch {
    fatalError("PNGImage.read threw \(type(of: error)), not a FigureError: \(error)")
  }
}

/// `bytes` with the CRC of every whole chunk after the 8-byte signature set to the right value
/// (CRC-32 of the chunk's type and data), up to the first chunk that runs past the end.
private func withRecomputedCRCs(_ bytes: [UInt8]) -> [UInt8] {
  var out = bytes
  var position = 8
  while position + 12 <= out.count {
    let length = out[position..<(position + 4)].reduce(0) { $0 << 8 | Int($1) }
    let end = position + 8 + length  // where the CRC starts
    guard length <= Int(Int32.max), end + 4 <= out.count else { break }
    let typeAndData = Array(out[(position + 4)..<end])
    let crc = typeAndData.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) }
    for i in 0..<4 { out[end + i] = UInt8(truncatingIfNeeded: crc >> (24 - 8 * UInt(i))) }
    position = end + 4
  }
  return out
}
