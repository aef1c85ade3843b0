import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Chapter 1 stopped the ways a learner stops it (Ctrl-C, SIGTERM, twice Ctrl-C, kill -9) and
/// resumed: nothing half-written, and the resumed run's numbers are the uninterrupted run's.
@Suite(
  "Stopping and resuming a chapter", .serialized,
  .enabled(if: fashionMNISTInstalled, "needs dataset-fashion-mnist"))
struct StopAndResumeTests {
  /// A run with several training loops (four models) that takes a few seconds.
  static let flags = ["--quick", "--no-plots", "--epochs", "3"]

  private func uninterrupted(_ chapter: String, _ flags: [String], scratch: URL) throws
    -> NSDictionary
  {
    let out = scratch.appendingPathComponent("uninterrupted")
    let result = try ChapterProcess.run(chapter, flags + ["--output", out.path], scratch: scratch)
    #expect(result.status == 0, "stderr: \(result.standardError)")
    return try resultsWithoutTimes(in: out)
  }

  /// Every chapter stopped by Ctrl-C, and chapter 1 by SIGTERM too.
  static let stops: [(chapter: String, signal: Int32)] =
    [("vanilla", SIGINT), ("vanilla", SIGTERM)]
    + ["denoising", "sparse", "contractive", "vae", "conv"].map { ($0, SIGINT) }

  @Test(arguments: stops)
  func signalledThenResumedGivesTheUninterruptedNumbers(chapter: String, signal: Int32) throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let base = chapter == "vanilla" ? Self.flags : ["--quick", "--no-plots"]
    let expected = try uninterrupted(chapter, base, scratch: tmp.url)

    let out = tmp.url.appendingPathComponent("stopped")
    let flags = base + ["--output", out.path]
    let running = try RunningChapter(chapter, flags, scratch: tmp.url)
    // After the first model's first epoch (so a checkpoint exists), and a little more, so that
    // the signal usually lands inside epoch 2 (wherever it lands, the numbers must not change).
    #expect(running.waitFor("epoch 1/"))
    usleep(40_000)
    running.send(signal)
    let status = running.finish()
    #expect(status == 128 + signal, "stderr: \(running.errors)")
    let name = signal == SIGINT ? "Ctrl-C" : "SIGTERM"
    #expect(running.errors.contains("\(name): stopped"), "stderr: \(running.errors)")
    #expect(
      running.errors.contains(
        "Resume with: swift run -c release \(chapter) \(flags.joined(separator: " ")) --resume"),
      "stderr: \(running.errors)")
    #expect(
      !FileManager.default.fileExists(atPath: out.appendingPathComponent("metrics.json").path))
    expectEveryFileComplete(in: out)

    let resumed = try ChapterProcess.run(chapter, flags + ["--resume"], scratch: tmp.url)
    #expect(resumed.status == 0, "stderr: \(resumed.standardError)")
    #expect(resumed.standardOutput.contains("(from checkpoint)"))
    #expect(try resultsWithoutTimes(in: out) == expected)
  }

  @Test func aSecondCtrlCStopsAtOnceLeavingOnlyCompleteFiles() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("twice")
    let chapter = try RunningChapter(
      "vanilla", Self.flags + ["--output", out.path], scratch: tmp.url)
    #expect(chapter.waitFor("epoch 1/3"))
    chapter.send(SIGINT)
    chapter.send(SIGINT)
    #expect(chapter.finish() == 130, "stderr: \(chapter.errors)")
    #expect(chapter.errors.contains("Ctrl-C: stopped"), "stderr: \(chapter.errors)")
    expectEveryFileComplete(in: out)
  }

  /// `kill -9` cannot be caught: only the atomic-write rule protects the files. Killed at moments
  /// spread over the run (after it starts, after PCA, after the first and the last epoch, while
  /// figures are written; each a little later by a seeded delay), every file left must be
  /// complete. (Waiting for what the run prints, not for fixed times, keeps the moments the same
  /// on a loaded CI machine.)
  @Test func killedAtAnyMomentLeavesEveryFileCompleteOrAbsent() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    var checked = 0
    var delays = RandomDelays(seed: 16)
    for (i, mark) in ["vanilla:", "PCA-32", "epoch 1/3", "epoch 3/3", "wrote"].enumerated() {
      let out = tmp.url.appendingPathComponent("killed-\(i)")
      let chapter = try RunningChapter(
        "vanilla", ["--quick", "--epochs", "3", "--output", out.path], scratch: tmp.url)
      #expect(chapter.waitFor(mark), "never printed '\(mark)'")
      usleep(delays.next())
      chapter.send(SIGKILL)
      _ = chapter.finish()
      checked += expectEveryFileComplete(in: out)
    }
    #expect(checked > 0, "the runs were killed before writing anything")
  }

  @Test func resumeWithoutACheckpointStartsNothing() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("never-run")
    let result = try ChapterProcess.run(
      "vanilla", Self.flags + ["--output", out.path, "--resume"], scratch: tmp.url)
    #expect(result.status == 1)
    #expect(result.standardError.contains("--resume: there is no checkpoint"))
    #expect(result.standardOutput.isEmpty || !result.standardOutput.contains("epoch"))
    #expect(
      !FileManager.default.fileExists(atPath: out.appendingPathComponent("metrics.json").path))
  }

  @Test func anotherSeedsOrChaptersCheckpointIsRefused() throws {
    let tmp = try TemporaryFolder()
    defer { tmp.cleanUp() }
    let out = tmp.url.appendingPathComponent("seed-42")
    let first = try ChapterProcess.run(
      "vanilla", ["--quick", "--no-plots", "--epochs", "1", "--output", out.path],
      scratch: tmp.url)
    #expect(first.status == 0, "stderr: \(first.standardError)")
    let seed = try ChapterProcess.run(
      "vanilla",
      [
        "--quick", "--no-plots", "--epochs", "1", "--seed", "7", "--output", out.path,
        "--resume",
      ], scratch: tmp.url)
    #expect(seed.status == 1)
    #expect(
      seed.standardError.contains("its seed is '42' and this run's is '7'"),
      "stderr: \(seed.standardError)")
    let other = try ChapterProcess.run(
      "contractive", ["--quick", "--no-plots", "--epochs", "1", "--output", out.path, "--resume"],
      scratch: tmp.url)
    #expect(other.status == 1)
    #expect(
      other.standardError.contains("its chapter is 'vanilla' and this run's is 'contractive'"),
      "stderr: \(other.standardError)")
  }
}

/// Delays of 0-50 ms from a fixed seed (a linear congruential generator: the test needs no more).
private struct RandomDelays {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt32 {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return UInt32((state >> 33) % 50_000)
  }
}
