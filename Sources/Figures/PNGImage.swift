import TensorCore

// An 8-bit image in memory, grey or RGB: what the grid and colour-map code build and what the PNG
// reader and writer (PNGImage+File.swift) move to and from disk.

/// An 8-bit image: `height` rows of `width` pixels, top row first, each pixel `channels` bytes
/// (1: grey, 3: red green blue).
public struct PNGImage: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// 1 for grey, 3 for RGB.
  public let channels: Int
  /// height * width * channels bytes, row-major, channels interleaved (R G B R G B ...).
  public var pixels: [UInt8]

  public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
    check(width >= 0 && height >= 0, "PNGImage: negative size \(width)x\(height)")
    check(
      channels == 1 || channels == 3, "PNGImage: channels must be 1 or 3, not \(channels)")
    check(
      pixels.count == width * height * channels,
      "PNGImage: \(width)x\(height)x\(channels) needs \(width * height * channels) bytes, "
        + "got \(pixels.count)")
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }

  /// An image filled with one colour; `channels` 1 stores the colour's luma.
  public init(width: Int, height: Int, channels: Int, fill: RGB) {
    let pixel = channels == 1 ? [fill.luma] : [fill.r, fill.g, fill.b]
    let count = max(width, 0) * max(height, 0)
    self.init(
      width: width, height: height, channels: channels,
      pixels: [[UInt8]](repeating: pixel, count: count).flatMap { $0 })
  }

  /// The pixel at column `x`, row `y` (0, 0 is the top left). A grey pixel reads as r = g = b;
  /// writing a colour into a grey image stores its luma.
  public subscript(x: Int, y: Int) -> RGB {
    get {
      let i = index(x, y)
      return channels == 1 ? RGB(grey: pixels[i]) : RGB(pixels[i], pixels[i + 1], pixels[i + 2])
    }
    set {
      let i = index(x, y)
      if channels == 1 {
        pixels[i] = newValue.luma
      } else {
        pixels[i] = newValue.r
        pixels[i + 1] = newValue.g
        pixels[i + 2] = newValue.b
      }
    }
  }

  /// The byte offset of pixel (x, y).
  private func index(_ x: Int, _ y: Int) -> Int {
    check(
      x >= 0 && x < width && y >= 0 && y < height,
      "PNGImage: pixel (\(x), \(y)) is outside the \(width)x\(height) image")
    return (y * width + x) * channels
  }

  /// The same image with 3 channels (a grey image has its level copied into r, g and b).
  public func rgb() -> PNGImage {
    if channels == 3 { return self }
    var out = [UInt8]()
    out.reserveCapacity(pixels.count * 3)
    for level in pixels { out += [level, level, level] }
    return PNGImage(width: width, height: height, channels: 3, pixels: out)
  }
}
