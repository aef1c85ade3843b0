import Checkpoint
import Figures
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A chapter started in the background, for tests that signal or kill it part-way.
final class RunningChapter {
  let process = Process()
  let standardOutput: URL
  let standardError: URL

  init(_ product: String, _ arguments: [String], scratch: URL) throws {
    standardOutput = scratch.appendingPathComponent("stdout-\(UUID().uuidString).txt")
    standardError = scratch.appendingPathComponent("stderr-\(UUID().uuidString).txt")
    _ = FileManager.default.createFile(atPath: standardOutput.path, contents: nil)
    _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
    process.executableURL = ChapterProcess.executable(product)
    process.arguments = arguments
    process.standardOutput = try FileHandle(forWritingTo: standardOutput)
    process.standardError = try FileHandle(forWritingTo: standardError)
    try process.run()
  }

  var output: String { (try? String(contentsOf: standardOutput, encoding: .utf8)) ?? "" }
  var errors: String { (try? String(contentsOf: standardError, encoding: .utf8)) ?? "" }

  /// Waits (polling every 5 ms) until the chapter has printed `text`, or `timeout` seconds.
  /// Returns whether it did.
  @discardableResult
  func waitFor(_ text: String, timeout: Double = 120) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if output.contains(text) { return true }
      if !process.isRunning { return output.contains(text) }
      usleep(5_000)
    }
    return false
  }

  func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

  /// Waits for the end and returns the exit status (128 + n if a signal ended it).
  func finish() -> Int32 {
    process.waitUntilExit()
    return process.terminationReason == .uncaughtSignal
      ? 128 + process.terminationStatus : process.terminationStatus
  }
}

/// metrics.json without the numbers that measure time or memory, which no two runs share.
func resultsWithoutTimes(in folder: URL) throws -> NSDictionary {
  let data = try Data(contentsOf: folder.appendingPathComponent("metrics.json"))
  let json = try JSONSerialization.jsonObject(with: data)
  func strip(_ value: Any) -> Any {
    if let group = value as? [String: Any] {
      return group.filter { key, _ in
        !["seconds", "wall", "peak_memory", "per_second", "img_per"].contains { key.contains($0) }
      }.mapValues(strip)
    }
    if let list = value as? [Any] { return list.map(strip) }
    return value
  }
  return try #require(strip(json) as? [String: Any]) as NSDictionary
}

/// Checks that every file in `folder` and its subfolders is complete: PNGs decode with libpng,
/// JSON parses, safetensors files pass the reader's checks, and text files are whole UTF-8.
/// Hidden files (a writer's temporary `.name.tmp-…`, removed by the next run) are skipped.
/// Returns how many files were checked.
@discardableResult
func expectEveryFileComplete(in folder: URL) -> Int {
  guard
    let walker = FileManager.default.enumerator(
      at: folder, includingPropertiesForKeys: [.isRegularFileKey],
      options: [.skipsHiddenFiles])
  else { return 0 }
  var checked = 0
  for case let url as URL in walker {
    guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else {
      continue
    }
    checked += 1
    switch url.pathExtension {
    case "png":
      #expect(throws: Never.self, "\(url.lastPathComponent)") { _ = try PNGImage.read(from: url) }
    case "json":
      #expect(throws: Never.self, "\(url.lastPathComponent)") {
        _ = try JSONSerialization.jsonObject(with: Data(contentsOf: url))
      }
    case "safetensors":
      #expect(throws: Never.self, "\(url.lastPathComponent)") {
        _ = try SafeTensors.read(from: url)
      }
    default:
      let text = try? String(contentsOf: url, encoding: .utf8)
      #expect(text != nil, "\(url.lastPathComponent) is not UTF-8 text")
    }
  }
  return checked
}
