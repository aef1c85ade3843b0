// What the lab's two yardsticks (NumPy's matmul, PyTorch's conv2d) share: one long-running
// python3 script that reads a request per line on its standard input and answers a line on its
// standard output, usually the seconds one call took (timed in Python, so the pipe is not).

import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

final class PythonProcess {
  private let process = Process()
  private let input: FileHandle
  private let output: FileHandle
  private var pending = Foundation.Data()
  /// Why the process stopped answering, once it has.
  private(set) var failure: String?

  /// The process's id (its CPU time is the lab's, not another program's).
  var processIdentifier: Int32 { process.processIdentifier }

  /// Starts `python3 -c script arguments...` with `environment`. Throws the launch error.
  init(script: String, arguments: [String] = [], environment: [String: String]) throws {
    // Writing to a pipe whose reader has died raises SIGPIPE, which would end the lab; ignored,
    // the write fails with an error instead, and the worker reports it.
    signal(SIGPIPE, SIG_IGN)
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    process.environment = environment
    let toPython = Pipe()
    let fromPython = Pipe()
    process.standardInput = toPython
    process.standardOutput = fromPython
    process.standardError = FileHandle.nullDevice
    input = toPython.fileHandleForWriting
    output = fromPython.fileHandleForReading
    try process.run()
  }

  /// Sends one request line and reads its answer as seconds; nil (and `failure` set) once the
  /// process fails.
  func seconds(for request: String) -> Double? {
    guard failure == nil else { return nil }
    do {
      try input.write(contentsOf: Foundation.Data((request + "\n").utf8))
    } catch {
      failure = "could not send a request to python3 (\(error))"
      return nil
    }
    guard let answer = readLine(), let seconds = Double(answer) else {
      failure = "python3 stopped answering"
      return nil
    }
    return seconds
  }

  /// Ends the Python process (closing its input ends its loop) and waits for it.
  func close() {
    try? input.close()
    if process.isRunning { process.waitUntilExit() }
  }

  /// The next line Python printed, without its newline; nil at the end of its output.
  func readLine() -> String? {
    while true {
      if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
        pending.removeSubrange(pending.startIndex...newline)
        return line
      }
      let chunk = output.availableData
      if chunk.isEmpty { return nil }
      pending.append(chunk)
    }
  }
}
