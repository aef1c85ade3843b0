// A colour as three 8-bit channels, the form PNG files and gnuplot both take.

/// An sRGB colour with 8 bits per channel.
public struct RGB: Sendable, Hashable, CustomStringConvertible {
  public var r: UInt8
  public var g: UInt8
  public var b: UInt8

  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// A grey: r = g = b = `grey`.
  public init(grey: UInt8) { self.init(grey, grey, grey) }

  /// From a 24-bit hex number, e.g. `RGB(hex: 0x1f77b4)`.
  public init(hex: UInt32) {
    self.init(UInt8((hex >> 16) & 0xff), UInt8((hex >> 8) & 0xff), UInt8(hex & 0xff))
  }

  public static let black = RGB(grey: 0)
  public static let white = RGB(grey: 255)

  /// True when the three channels are equal, so a grey image can hold it.
  public var isGrey: Bool { r == g && g == b }

  /// One grey level for the colour (Rec. 601 luma: green counts most, blue least).
  public var luma: UInt8 {
    if isGrey { return r }
    let red: Float = 0.299 * Float(r)
    let green: Float = 0.587 * Float(g)
    let blue: Float = 0.114 * Float(b)
    return UInt8((red + green + blue).rounded())
  }

  /// "#rrggbb", the form gnuplot's `lc rgb '#rrggbb'` takes.
  public var hexString: String {
    let digits = Array("0123456789abcdef")
    var text = "#"
    for channel in [r, g, b] {
      text.append(digits[Int(channel >> 4)])
      text.append(digits[Int(channel & 0xf)])
    }
    return text
  }

  public var description: String { hexString }

  /// The colour a fraction `t` (0...1) of the way from `a` to `b`, channel by channel.
  public static func mix(_ a: RGB, _ b: RGB, _ t: Float) -> RGB {
    func channel(_ x: UInt8, _ y: UInt8) -> UInt8 {
      UInt8((Float(x) + (Float(y) - Float(x)) * t).rounded())
    }
    return RGB(channel(a.r, b.r), channel(a.g, b.g), channel(a.b, b.b))
  }
}
