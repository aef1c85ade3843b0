import Foundation

/// The most memory this process has held at once.
public enum PeakMemory {
  /// The peak resident set size ("high water mark") in MiB, read from the `VmHWM:` line of
  /// `/proc/self/status`, which Linux reports in kB (really KiB). Nil on systems without /proc
  /// or if the line cannot be read.
  public static func mebibytes() -> Double? {
    #if os(Linux)
      guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
        return nil
      }
      return parseHighWaterMark(status)
    #else
      return nil
    #endif
  }

  /// The `VmHWM` value of a /proc status text, converted from KiB to MiB.
  /// A line looks like `VmHWM:     123456 kB`.
  static func parseHighWaterMark(_ status: String) -> Double? {
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      guard fields.count >= 2, let kibibytes = Double(fields[1]) else { return nil }
      return kibibytes / 1024
    }
    return nil
  }
}
