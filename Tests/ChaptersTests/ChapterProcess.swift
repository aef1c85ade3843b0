import Figures
import Foundation
import Testing

/// Runs a chapter's built executable the way a learner would, and captures what it prints.
///
/// The test target depends on the chapter targets, so SwiftPM builds the executables into the
/// same products folder as the test bundle.
enum ChapterProcess {
  struct Result {
    var status: Int32
    var standardOutput: String
    var standardError: String
  }

  static func executable(_ product: String) -> URL {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidates = [here, here.deletingLastPathComponent()].map {
      $0.appendingPathComponent(product)
    }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
      ?? candidates[0]
  }

  /// Runs `product` with `arguments`; its output goes to files in `scratch` (no pipe can fill up).
  static func run(_ product: String, _ arguments: [String], scratch: URL) throws -> Result {
    let outURL = scratch.appendingPathComponent("stdout-\(UUID().uuidString).txt")
    let errURL = scratch.appendingPathComponent("stderr-\(UUID().uuidString).txt")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL)
    let err = try FileHandle(forWritingTo: errURL)
    let process = Process()
    process.executableURL = executable(product)
    process.arguments = arguments
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    return Result(
      status: process.terminationStatus,
      standardOutput: try String(contentsOf: outURL, encoding: .utf8),
      standardError: try String(contentsOf: errURL, encoding: .utf8))
  }

  /// Runs `product` twice with `arguments` plus `--quick --no-plots --epochs 1`, each into its own
  /// folder, and returns the two runs' metrics.json `results`: the same seed must give the same.
  static func resultsOfTwoQuickRuns(_ product: String, scratch: URL) throws -> [[String: Any]] {
    try ["a", "b"].map { name in
      let out = scratch.appendingPathComponent(name)
      let result = try run(
        product, ["--quick", "--no-plots", "--epochs", "1", "--output", out.path],
        scratch: scratch)
      guard result.status == 0 else {
        throw CocoaError(.executableLoad, userInfo: ["stderr": result.standardError])
      }
      let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
      let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
      return json?["results"] as? [String: Any] ?? [:]
    }
  }
}

/// A fresh temporary folder; remove it with `cleanUp()`.
struct TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "bottleneck-chapter-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func cleanUp() { try? FileManager.default.removeItem(at: url) }
}

/// True when gnuplot is on PATH (the chapters then render their plots to PNG).
var gnuplotInstalled: Bool {
  (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
    FileManager.default.isExecutableFile(atPath: "\($0)/gnuplot")
  }
}

/// True when the Fashion-MNIST package's files are where the chapters look by default.
var fashionMNISTInstalled: Bool {
  FileManager.default.fileExists(
    atPath: "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")
    || ProcessInfo.processInfo.environment["BOTTLENECK_DATA_DIR"] != nil
}

/// Checks that each plot in `names` left its gnuplot script in `folder`, and, when gnuplot is
/// installed, a PNG that libpng reads back at least 640 pixels wide.
func expectPlots(_ names: [String], in folder: URL) throws {
  for name in names {
    #expect(
      FileManager.default.fileExists(atPath: folder.appendingPathComponent(name + ".gp").path))
    if gnuplotInstalled {
      let image = try PNGImage.read(from: folder.appendingPathComponent(name + ".png"))
      #expect(image.width >= 640, "\(name).png is \(image.width) wide")
    }
  }
}
