import ArgumentParser
import Foundation
import Kernels
import Testing

@testable import ChapterKit

@Test func defaultsWithNoFlags() throws {
  let options = try ChapterOptions.parse([])
  #expect(options.epochs == nil)
  #expect(options.batchSize == 128)
  #expect(options.learningRate == nil)
  #expect(options.latent == nil)
  #expect(options.seed == 42)
  #expect(options.kernels == "tiled")
  #expect(options.threads == nil)
  #expect(options.dataDir == nil)
  #expect(options.output == nil)
  #expect(!options.quick)
  #expect(options.plots)
  #expect(options.epochs(default: 10) == 10)
  #expect(options.learningRate(default: 0.001) == 0.001)
  #expect(options.latent(default: 32) == 32)
  #expect(options.trainingLimit == nil && options.testLimit == nil)
  #expect(options.threadCount == TiledKernels.defaultThreads)
  let cwd = FileManager.default.currentDirectoryPath
  #expect(options.outputDirectory(chapter: "vanilla").path == cwd + "/output/vanilla")
}

@Test func everyFlagIsParsed() throws {
  let options = try ChapterOptions.parse([
    "--epochs", "7", "--batch-size", "64", "--learning-rate", "0.01", "--latent", "16",
    "--seed", "18446744073709551615", "--kernels", "naive", "--threads", "3",
    "--data-dir", "/data/fm", "--output", "/tmp/out", "--quick", "--no-plots",
  ])
  #expect(options.epochs == 7)
  #expect(options.batchSize == 64)
  #expect(options.learningRate == 0.01)
  #expect(options.latent == 16)
  #expect(options.seed == UInt64.max)
  #expect(options.kernels == "naive")
  #expect(options.threads == 3)
  #expect(options.dataDirectory(environment: [:]).path == "/data/fm")
  #expect(options.outputDirectory(chapter: "vanilla").path == "/tmp/out")
  #expect(options.quick)
  #expect(!options.plots)
  #expect(options.epochs(default: 10) == 7)  // an explicit --epochs wins over --quick
  #expect(options.learningRate(default: 0.001) == 0.01)
  #expect(options.latent(default: 32) == 16)
  #expect(options.threadCount == 1)  // naive kernels are single-threaded
}

@Test func dataDirectoryFallsBackToEnvironmentThenDefault() throws {
  let options = try ChapterOptions.parse([])
  #expect(
    options.dataDirectory(environment: ["BOTTLENECK_DATA_DIR": "/srv/fashion"]).path
      == "/srv/fashion")
  #expect(
    options.dataDirectory(environment: ["BOTTLENECK_DATA_DIR": ""]).path
      == "/usr/share/datasets/fashion-mnist")
  #expect(options.dataDirectory(environment: [:]).path == "/usr/share/datasets/fashion-mnist")
}

@Test func quickModeCapsTheDefaultEpochsAndSetsSubsetSizes() throws {
  let options = try ChapterOptions.parse(["--quick"])
  #expect(options.epochs(default: 10) == ChapterOptions.quickEpochs)
  #expect(options.epochs(default: 1) == 1)
  #expect(options.trainingLimit == ChapterOptions.quickTrainingImages)
  #expect(options.testLimit == ChapterOptions.quickTestImages)
}

@Test func unknownKernelNameIsAValidationErrorNamingTheValidOnes() throws {
  do {
    _ = try ChapterOptions.parse(["--kernels", "fast"])
    Issue.record("--kernels fast was accepted")
  } catch {
    // ArgumentParser wraps a ValidationError from validate(); its message and exit code remain.
    #expect(ChapterOptions.exitCode(for: error) == .validationFailure)
    let message = ChapterOptions.message(for: error)
    #expect(message == "unknown kernel set 'fast' for --kernels: use one of naive, tiled.")
    #expect(ChapterOptions.fullMessage(for: error).contains("Usage:"))
  }
  // Case does not matter.
  #expect(try ChapterOptions.parse(["--kernels", "NAIVE"]).kernelSet().name == "naive")
}

@Test(arguments: [
  (["--threads", "0"], "--threads"),
  (["--threads=-2"], "--threads"),
  (["--batch-size", "0"], "--batch-size"),
  (["--epochs", "0"], "--epochs"),
  (["--learning-rate", "0"], "--learning-rate"),
  (["--learning-rate", "nan"], "--learning-rate"),
  (["--latent", "0"], "--latent"),
  (["--output", ""], "--output"),
  (["--tile", "4x4"], "unknown tile '4x4' for --tile"),
])
func badValuesAreRejectedNamingTheFlag(arguments: [String], flag: String) throws {
  do {
    _ = try ChapterOptions.parse(arguments)
    Issue.record("\(arguments) was accepted")
  } catch {
    #expect(ChapterOptions.exitCode(for: error) == .validationFailure)
    #expect(ChapterOptions.message(for: error).hasPrefix(flag))
  }
}

@Test func validationRunsWhenTheOptionsAreAnOptionGroup() throws {
  #expect(throws: (any Error).self) { try DemoChapter.parse(["--threads", "0"]) }
  let chapter = try DemoChapter.parse(["--kernels", "naive", "--epochs", "3"])
  #expect(chapter.options.kernels == "naive")
  #expect(chapter.options.epochs(default: 10) == 3)
}

@Test func kernelSetFollowsTheFlags() throws {
  let tiled = try ChapterOptions.parse(["--threads", "1"]).kernelSet()
  #expect(tiled.name == "tiled")
  #expect((tiled as? TiledKernels)?.threads == 1)
  let naive = try ChapterOptions.parse(["--kernels", "naive"])
  let name = try naive.withKernels { Kernels.current.name }
  #expect(name == "naive")
}

@Test func tileFlagPicksTheGEMMTileAndMetricsRecordIt() throws {
  let forced = try ChapterOptions.parse(["--tile", "8x32"])
  #expect((try forced.kernelSet() as? TiledKernels)?.tile == .avx512)
  #expect(try forced.cpuMetrics()["tile"] == .text("8x32"))
  #expect(try forced.cpuMetrics()["isa"] == .text(VectorISA.usable.description))
  // auto is the best tile for this CPU and build; naive has no tile.
  #expect(
    (try ChapterOptions.parse(["--tile", "auto"]).kernelSet() as? TiledKernels)?.tile
      == GEMMTile.best)
  #expect(try ChapterOptions.parse(["--kernels", "naive"]).cpuMetrics()["tile"] == .null)
}

@Test func helpTextExplainsEachOptionAndItsDefault() {
  let help = DemoChapter.helpMessage(columns: 100)
  for flag in [
    "--epochs", "--batch-size", "--learning-rate", "--latent", "--seed", "--kernels",
    "--threads", "--tile", "--data-dir", "--output", "--quick", "--no-plots",
  ] {
    #expect(help.contains(flag), "help lacks \(flag)")
  }
  #expect(help.contains("(default: 128)"))
  #expect(help.contains("(default: tiled)"))
  #expect(help.contains("(default: all cores)"))
  #expect(help.contains("naive|tiled"))
  #expect(help.contains("BOTTLENECK_DATA_DIR"))
  #expect(help.contains("output/<chapter>/"))
}
