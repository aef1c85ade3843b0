import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where `Progress` writes, and whether that place is a terminal.
///
/// On a terminal, a progress bar can be redrawn in place with a carriage return (`\r`); in a log
/// file or a pipe every `\r` redraw would become one more line of clutter, so `Progress` writes one
/// plain line per epoch there instead. Tests pass their own `write` closure to capture the text.
public struct ProgressOutput {
  /// Whether this is an interactive terminal (redraws allowed).
  public var isTerminal: Bool
  /// The terminal's width in characters, if known: the live line is cut to fit, because a line
  /// that wraps cannot be redrawn with `\r` (it returns only to the start of the last row).
  public var columns: Int?
  /// Writes text as is; `Progress` supplies the newlines and carriage returns.
  public var write: (String) -> Void

  public init(isTerminal: Bool, columns: Int? = nil, write: @escaping (String) -> Void) {
    self.isTerminal = isTerminal
    self.columns = columns
    self.write = write
  }

  /// Standard output: a terminal when `isatty(1)` says so.
  ///
  /// Text goes through `print` and is flushed at once, so it stays in order with the chapter's
  /// own `print`s (which share the same buffer) and shows up immediately even when stdout is a
  /// pipe, which the C library would otherwise buffer in 4 KiB blocks.
  public static var standardOutput: ProgressOutput {
    let terminal = isatty(1) == 1
    return ProgressOutput(isTerminal: terminal, columns: terminal ? terminalColumns() : nil) {
      text in
      print(text, terminator: "")
      fflush(nil)  // nil flushes every output stream, stdout included
    }
  }

  /// The width of the terminal on standard output: `ioctl(TIOCGWINSZ)`, else $COLUMNS, else nil.
  static func terminalColumns() -> Int? {
    #if os(Linux) || os(macOS)
      var size = winsize()
      if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
    #endif
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text),
      columns > 0
    {
      return columns
    }
    return nil
  }
}

extension ProgressOutput {
  /// Writes nothing: for a training run inside a measurement (a linear probe) whose epochs would
  /// only clutter the chapter's output.
  public static var silent: ProgressOutput { ProgressOutput(isTerminal: false) { _ in } }
}
