import ArgumentParser
import ChapterKit
import Foundation

/// A fresh empty folder under the system's temporary directory; the caller removes it.
func makeScratchFolder() throws -> URL {
  let url = FileManager.default.temporaryDirectory
    .appendingPathComponent("chapterkit-tests-\(UUID().uuidString)", isDirectory: true)
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  return url
}

/// The names in a folder, hidden ones included, sorted.
func contents(of folder: URL) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
}

/// A chapter as chapters will be written, to check what ArgumentParser does with the options.
struct DemoChapter: ParsableCommand {
  @OptionGroup var options: ChapterOptions
  func run() throws {}
}

/// Collects what a `ProgressOutput` is given.
final class Capture {
  var writes: [String] = []
  var text: String { writes.joined() }
  func output(isTerminal: Bool, columns: Int? = nil) -> ProgressOutput {
    ProgressOutput(isTerminal: isTerminal, columns: columns) { self.writes.append($0) }
  }
}

/// A clock a test sets by hand.
final class FakeClock {
  var now = 0.0
  var read: () -> Double { { self.now } }
}
