import Foundation
import Testing

/// The load test: every chapter's `--quick` run many times in a row into the same output folder,
/// as a learner re-running a chapter would. Every run must write the same numbers, and the peak
/// memory must not grow from run to run (old checkpoints, figures and temporary files in the
/// folder must not pile up into the run).
///
/// It takes many minutes, so it runs only when asked:
///
///     BOTTLENECK_SOAK_RUNS=10 swift test --filter Soak
@Suite(
  "Soak: the same quick run again and again",
  .enabled(
    if: fashionMNISTInstalled && soakRuns > 0,
    "set BOTTLENECK_SOAK_RUNS=10 to run it; needs dataset-fashion-mnist"))
struct SoakTests {
  @Test(arguments: ["vanilla", "denoising", "sparse", "contractive", "vae", "conv"])
  func sameNumbersAndNoGrowth(chapter: String) throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent(chapter)
    var first: NSDictionary?
    var peaks: [Double] = []
    for run in 1...soakRuns {
      let result = try ChapterProcess.run(
        chapter, ["--quick", "--no-plots", "--output", out.path], scratch: tmp.url)
      #expect(result.status == 0, "run \(run): \(result.standardError)")
      let results = try resultsWithoutTimes(in: out)
      if let first {
        #expect(results == first, "run \(run) of \(chapter) wrote other numbers")
      } else {
        first = results
      }
      let data = try Data(contentsOf: out.appendingPathComponent("metrics.json"))
      let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
      peaks.append(json?["peak_memory_mib"] as? Double ?? .nan)
    }
    print(
      "soak \(chapter): \(soakRuns) runs, identical metrics; peak memory MiB first "
        + "\(peaks.first!), last \(peaks.last!), max \(peaks.max()!)")
    #expect(peaks.last! <= peaks.first! * 1.1 + 5, "peak memory grew: \(peaks)")
  }
}

/// How many runs the soak makes (0: it is skipped).
let soakRuns = Int(ProcessInfo.processInfo.environment["BOTTLENECK_SOAK_RUNS"] ?? "") ?? 0
