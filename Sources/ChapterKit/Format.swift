import Foundation
import TensorCore

/// How ChapterKit prints numbers for people (files keep full precision; see `MetricsFile`).
public enum Format {
  /// `x` with exactly `digits` digits after the point: fixed(0.0088531, digits: 5) -> "0.00885".
  public static func fixed<F: BinaryFloatingPoint>(_ x: F, digits: Int = 5) -> String {
    String(format: "%.\(max(0, digits))f", Double(x))
  }

  /// A fraction as a percentage with one decimal: percent(0.4154) -> "41.5%".
  public static func percent<F: BinaryFloatingPoint>(_ x: F) -> String {
    String(format: "%.1f%%", 100 * Double(x))
  }

  /// `x` with `digits` significant digits: 0.021300001 -> "0.02130" (4 digits), 1234.5 -> "1235".
  /// Very large or very small magnitudes switch to exponent form ("1.235e+07", "3.000e-06").
  /// With `trimZeros`, trailing zeros after the point go: "0.0213", "4.1", "12".
  public static func significant(_ x: Double, digits: Int = 4, trimZeros: Bool = false) -> String {
    check(digits >= 1, "Format.significant: digits must be at least 1")
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    if x == 0 { return "0" }
    let magnitude = Int(log10(Swift.abs(x)).rounded(.down))
    var text: String
    if magnitude < -4 || magnitude >= digits + 2 {
      text = String(format: "%.\(digits - 1)e", x)
      if trimZeros, let e = text.firstIndex(of: "e") {
        text = trimmingZeros(String(text[..<e])) + String(text[e...])
      }
      return text
    }
    text = String(format: "%.\(max(0, digits - 1 - magnitude))f", x)
    return trimZeros ? trimmingZeros(text) : text
  }

  /// An integer with thousands separators: 14630 -> "14,630".
  public static func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var result = ""
    for (i, digit) in digits.enumerated() {
      if i > 0 && (digits.count - i) % 3 == 0 { result.append(",") }
      result.append(digit)
    }
    return n < 0 ? "-" + result : result
  }

  /// A duration in seconds for a log line: one decimal ("4.1", "123.4"), or two significant
  /// digits below a second ("0.35") so that short quick-mode epochs do not all read "0.0".
  public static func seconds(_ seconds: Double) -> String {
    guard seconds.isFinite else { return significant(seconds) }
    return Swift.abs(seconds) < 1
      ? significant(seconds, digits: 2) : String(format: "%.1f", seconds)
  }

  /// A duration as a clock: 12 -> "0:12", 754 -> "12:34", 3723 -> "1:02:03".
  public static func clock(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?:??" }
    let total = Int(max(0, seconds).rounded())
    let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
    let twoDigits = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
    if hours > 0 { return "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" }
    return "\(minutes):\(twoDigits(secs))"
  }

  /// "0.021300" -> "0.0213", "4.000" -> "4": drops zeros after the point, then a bare point.
  private static func trimmingZeros(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var trimmed = Substring(text)
    while trimmed.last == "0" { trimmed.removeLast() }
    if trimmed.last == "." { trimmed.removeLast() }
    return String(trimmed)
  }
}

extension String {
  /// The string with spaces in front, `width` characters in all (unchanged if already longer):
  /// for right-aligned columns of numbers.
  public func leftPadded(to width: Int) -> String {
    String(repeating: " ", count: Swift.max(0, width - count)) + self
  }
}
