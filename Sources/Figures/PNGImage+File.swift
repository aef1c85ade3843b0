import AtomicWrites
import Foundation
import PNGShim

// Reading and writing PNG files through libpng. The C functions in PNGShim catch libpng's errors
// (which arrive by longjmp, something Swift cannot catch) and return a code and a message; here we
// turn those into FigureErrors that name the file.

extension PNGImage {
  /// Writes the image as an 8-bit PNG, atomically: into a temporary file in the same folder, then
  /// renamed to `url`, so `url` never holds half an image. On failure no temporary file is left.
  public func write(to url: URL) throws {
    guard width > 0 && height > 0 else {
      throw FigureError.cannotWrite(
        path: url.path, reason: "a PNG needs at least 1x1 pixels, this image is \(width)x\(height)")
    }
    let temporary = AtomicFile.temporaryURL(for: url)
    var message = [CChar](repeating: 0, count: 512)
    let status = pixels.withUnsafeBufferPointer { buffer in
      png_shim_write(
        temporary.path, buffer.baseAddress, UInt32(width), UInt32(height), Int32(channels),
        &message, message.count)
    }
    guard status == PNG_SHIM_OK else {
      try? FileManager.default.removeItem(at: temporary)
      let detail = Self.text(message)
      let reason =
        status == PNG_SHIM_ERR_OPEN ? AtomicFile.reason(writing: url, detail) : "libpng: \(detail)"
      throw FigureError.cannotWrite(path: url.path, reason: reason)
    }
    try FigureError.writing { () throws(AtomicFile.Failure) in
      try AtomicFile.moveIntoPlace(temporary, url)
    }
  }

  /// Reads a PNG file. 8-bit grey and RGB come back as they are; other kinds are converted
  /// (palette to RGB, 16-bit to 8-bit, alpha and transparency dropped). Throws
  /// `FigureError.pngTooLarge` for an image of more than 256 MiB of pixels, and
  /// `FigureError.damagedPNG` for a header claiming more pixels than the file can hold, before
  /// allocating them.
  public static func read(from url: URL) throws -> PNGImage {
    try decoded(path: url.path) { pixels, width, height, channels, message, length in
      png_shim_read(url.path, pixels, width, height, channels, message, length)
    }
  }

  /// Reads a PNG from a whole file's `bytes` in memory, as `read(from:)` reads the file; `path`
  /// only goes into error messages.
  public static func read(bytes: [UInt8], path: String) throws -> PNGImage {
    try bytes.withUnsafeBufferPointer { input in
      try decoded(path: path) { pixels, width, height, channels, message, length in
        png_shim_read_memory(
          input.baseAddress, input.count, pixels, width, height, channels, message, length)
      }
    }
  }

  /// Runs one of the shim's readers (`read` gets its out-parameters and message buffer) and turns
  /// its result into an image or a FigureError naming `path`.
  private static func decoded(
    path: String,
    _ read: (
      UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<UInt32>,
      UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<CChar>, Int
    ) -> Int32
  ) throws -> PNGImage {
    var message = [CChar](repeating: 0, count: 512)
    var buffer: UnsafeMutablePointer<UInt8>? = nil
    var width: UInt32 = 0
    var height: UInt32 = 0
    var channels: Int32 = 0
    let status = message.withUnsafeMutableBufferPointer { text in
      read(&buffer, &width, &height, &channels, text.baseAddress!, text.count)
    }
    defer { png_shim_free(buffer) }
    let detail = text(message)
    switch status {
    case PNG_SHIM_OK:
      break
    case PNG_SHIM_ERR_OPEN:
      throw FigureError.cannotRead(path: path, reason: detail)
    case PNG_SHIM_ERR_NOT_PNG:
      throw FigureError.notPNG(path: path, reason: detail)
    case PNG_SHIM_ERR_TOO_LARGE:
      throw FigureError.pngTooLarge(path: path, reason: detail)
    default:
      throw FigureError.damagedPNG(path: path, reason: detail)
    }
    let count = Int(width) * Int(height) * Int(channels)
    let pixels = Array(UnsafeBufferPointer(start: buffer, count: count))
    return PNGImage(width: Int(width), height: Int(height), channels: Int(channels), pixels: pixels)
  }

  /// The C message buffer as a Swift string.
  private static func text(_ message: [CChar]) -> String {
    message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
  }
}
