import Foundation

// gnuplot is a small, old, dependable plotting program that reads a text script. We write the
// script and its data as files the learner can read, edit and re-run (`gnuplot loss.gp`), and run
// it for them when it is installed. This file holds how we find and run it, and how text and
// numbers are spelled inside a script.

/// Finding and running the `gnuplot` program, and spelling values for its scripts.
public enum Gnuplot {
  /// The `gnuplot` executable on `searchPath` (a PATH-style list of folders), or nil.
  public static func find(
    searchPath: String? = ProcessInfo.processInfo.environment["PATH"]
  ) -> URL? {
    for folder in (searchPath ?? "").split(separator: ":") {
      let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("gnuplot")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return nil
  }

  /// Runs `executable` on `script` (a file name inside `folder`) with `folder` as the working
  /// directory, so the script's relative file names work. `variables` are set first with -e,
  /// e.g. ["outfile": "x.png"]. A non-zero exit throws with gnuplot's stderr.
  public static func run(
    _ executable: URL, script: String, in folder: URL, variables: [String: String] = [:]
  ) throws {
    let process = Process()
    process.executableURL = executable
    process.currentDirectoryURL = folder
    var arguments: [String] = []
    for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
      arguments += ["-e", "\(name) = \(quote(value))"]
    }
    process.arguments = arguments + [script]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      throw FigureError.gnuplotFailed(
        script: script, folder: folder.path, status: -1,
        message: "could not start \(executable.path): \(error)")
    }
    // Read stderr to the end before waiting, so a chatty gnuplot cannot fill the pipe and stall.
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    if process.terminationStatus != 0 {
      throw FigureError.gnuplotFailed(
        script: script, folder: folder.path, status: process.terminationStatus,
        message: String(decoding: message, as: UTF8.self))
    }
  }

  /// `text` as a gnuplot string literal. Single quotes, because inside double quotes gnuplot
  /// would run `backquoted` text as a shell command and read backslash escapes; inside single
  /// quotes the only special character is the quote itself, written twice. Line breaks and
  /// other control characters become spaces (a script line cannot hold them).
  public static func quote(_ text: String) -> String {
    let clean = String(
      text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    return "'" + clean.replacingOccurrences(of: "'", with: "''") + "'"
  }

  /// A number as a data file or script spells it: up to 8 significant digits, C locale
  /// (always a decimal point), "nan" for NaN (gnuplot skips such points).
  public static func number(_ value: Double) -> String {
    if value.isNaN { return "nan" }
    if value.isInfinite { return value > 0 ? "inf" : "-inf" }
    return String(format: "%.8g", value)
  }

  /// Prints the "gnuplot not found" line to stderr the first time it is called in this process.
  static func reportMissing(script: String, dataFiles: [String], folder: URL) {
    guard missingReported.claim() else { return }
    let written = ([script] + dataFiles).joined(separator: " and ")
    let line =
      "gnuplot not found: wrote \(written) in \(folder.path); install gnuplot "
      + "(Debian/Ubuntu: sudo apt-get install gnuplot-nox; macOS: brew install gnuplot) "
      + "and run `gnuplot \(script)` there (later plots are written as scripts too).\n"
    FileHandle.standardError.write(Data(line.utf8))
  }

  private static let missingReported = OnceFlag()
}

/// True the first time `claim()` is called, false after: a thread-safe "only once".
final class OnceFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var claimed = false

  func claim() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    if claimed { return false }
    claimed = true
    return true
  }
}
