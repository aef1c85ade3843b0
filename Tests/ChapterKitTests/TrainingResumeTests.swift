import AtomicWrites
import Autodiff
import Checkpoint
import Foundation
import Layers
import TensorCore
import Testing
import Training

@testable import ChapterKit

#if canImport(Glibc)
  import Glibc
#endif

/// A small model and loop whose every step depends on the shuffle, on a random draw inside the
/// loss and on Adam's moments: if any of those were not restored, the numbers would differ.
private struct Setup {
  let model: Sequential
  let adam: Adam
  var rng: RandomGenerator
  let data: Tensor

  init(hidden: Int = 5) {
    var rng = RandomGenerator(seed: 11)
    data = Tensor.uniform([40, 3], using: &rng)
    model = Sequential(mlp: [3, hidden, 3], hidden: .sigmoid, rng: &rng)
    adam = Adam(parameters: model.parameters, learningRate: 0.02)
    self.rng = rng
  }

  /// 3 epochs of 6 batches (the last one of 4 samples); `stopAt`: raise a stop request in the
  /// loss of that global step.
  func loop(stop: StopRequest, stopAt: Int? = nil, checkpoint: TrainingCheckpoint?) -> TrainingLoop
  {
    let (model, data) = (self.model, self.data)
    var loop = TrainingLoop(
      sampleCount: 40, batchSize: 7, epochs: 3,
      phase: TrainingPhase("mse", optimizer: adam) { batch, rng in
        if batch.step == stopAt { stop.request(SIGINT) }
        let x = Variable(data.gatherRows(batch.indices))
        let noisy = Variable(x.value + Tensor.normal(x.shape, std: 0.1, using: &rng))
        let mse = mseLoss(model(noisy), x)
        return StepLoss(mse, parts: [("half", mse * 0.5)])
      },
      evaluate: { _ in
        [("test_mse", Double(mseLoss(model(Variable(data)), Variable(data)).value.scalar))]
      })
    loop.output = .silent
    loop.stop = stop
    loop.checkpoint = checkpoint
    return loop
  }

  var weights: [[Float]] { model.parameters.map(\.value.scalars) }
}

private func folder(_ url: URL, resume: Bool, seed: String = "1") throws -> CheckpointFolder {
  try CheckpointFolder(in: url, identity: [("chapter", "test"), ("seed", seed)], resume: resume)
}

/// Trains `Setup`'s loop uninterrupted, with its checkpoint in `scratch`.
private func trainToTheEnd(in scratch: URL) throws {
  var setup = Setup()
  let checkpoint = try folder(scratch, resume: false).next(name: "toy")
  _ = try setup.loop(stop: StopRequest(), checkpoint: checkpoint).run(using: &setup.rng)
}

@Suite("Stopping and resuming a training loop")
struct TrainingResumeTests {
  /// Every value of every name, and the names: what a chapter prints and writes.
  private func same(_ a: TrainingHistory, _ b: TrainingHistory) -> Bool {
    a.names == b.names && a.names.allSatisfy { a[$0].map(\.bitPattern) == b[$0].map(\.bitPattern) }
  }

  @Test(arguments: [3, 6, 8, 12, 18])
  func stoppedAndResumedEqualsUninterrupted(stopAt step: Int) throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    // The run nobody stopped.
    var plain = Setup()
    let expected = try plain.loop(stop: StopRequest(), checkpoint: nil).run(using: &plain.rng)

    // The same run, asked to stop in step `step` (mid-epoch; 6 = the end of epoch 1; 18 = the
    // last step of all), with checkpoints.
    var first = Setup()
    let stop = StopRequest()
    let writer = try folder(scratch, resume: false)
    #expect(throws: ChapterError.self) {
      _ = try first.loop(stop: stop, stopAt: step, checkpoint: writer.next(name: "toy"))
        .run(using: &first.rng)
    }
    #expect(stop.requested == SIGINT)

    // A new process would start from the seed again: fresh model, optimizer and generator.
    var second = Setup()
    let reader = try folder(scratch, resume: true)
    let resumed = try second.loop(stop: StopRequest(), checkpoint: reader.next(name: "toy"))
      .run(using: &second.rng)
    #expect(same(resumed, expected))
    #expect(resumed.names == ["mse", "half", "test_mse"])
    #expect(second.weights == plain.weights)
    #expect(second.rng.state == plain.rng.state)
    #expect(second.adam.steps == plain.adam.steps)
    #expect(resumed.epochSeconds.count == 3)
  }

  @Test func checkpointsAreRefusedWhenTheyDoNotFit() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    try trainToTheEnd(in: scratch)

    func message(_ body: () throws -> Void) -> String {
      do { try body() } catch { return String(describing: error) }
      return "no error"
    }
    // Another model shape.
    var wider = Setup(hidden: 6)
    let shape = message {
      _ = try wider.loop(
        stop: StopRequest(), checkpoint: try folder(scratch, resume: true).next(name: "toy")
      )
      .run(using: &wider.rng)
    }
    #expect(shape.contains("another model shape") && shape.contains("cannot resume"), "\(shape)")
    #expect(wider.weights == Setup(hidden: 6).weights, "nothing was changed")
    // Another seed (any identity field: chapter, kernels, …).
    var other = Setup()
    let seed = message {
      _ = try other.loop(
        stop: StopRequest(),
        checkpoint: try folder(scratch, resume: true, seed: "2").next(name: "toy")
      ).run(using: &other.rng)
    }
    #expect(seed.contains("its seed is '1' and this run's is '2'"), "\(seed)")
    // Another loop in that slot.
    let name = message {
      _ = try other.loop(
        stop: StopRequest(), checkpoint: try folder(scratch, resume: true).next(name: "other")
      )
      .run(using: &other.rng)
    }
    #expect(name.contains("its name is 'toy' and this run's is 'other'"), "\(name)")
    // A newer format.
    let url = try folder(scratch, resume: true).checkpointFiles[0]
    var contents = try SafeTensors.read(from: url)
    contents.metadata["format_version"] = "2"
    try SafeTensors.write(contents.ordered, metadata: contents.metadata, to: url)
    let newer = message {
      _ = try other.loop(
        stop: StopRequest(), checkpoint: try folder(scratch, resume: true).next(name: "toy")
      )
      .run(using: &other.rng)
    }
    #expect(newer.contains("format version 2") && newer.contains("newer"), "\(newer)")
  }

  @Test func aFinishedLoopCanBeSavedWithoutItsOptimizers() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    var first = Setup()
    var loop = first.loop(
      stop: StopRequest(), checkpoint: try folder(scratch, resume: false).next(name: "toy"))
    loop.keepsOptimizersWhenFinished = false
    let expected = try loop.run(using: &first.rng)
    let file = try SafeTensors.read(from: try folder(scratch, resume: true).checkpointFiles[0])
    #expect(file.names == (0..<4).map { "parameter.\($0)" })
    var second = Setup()
    let resumed = try second.loop(
      stop: StopRequest(), checkpoint: try folder(scratch, resume: true).next(name: "toy")
    ).run(using: &second.rng)
    #expect(same(resumed, expected))
    #expect(second.weights == first.weights && second.rng.state == first.rng.state)
  }

  @Test func resumingWithoutACheckpointSaysSo() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    #expect(
      throws: ChapterError.nothingToResume(
        folder: scratch.appendingPathComponent("checkpoints").path)
    ) {
      _ = try folder(scratch, resume: true)
    }
  }

  @Test func aFreshRunForgetsOldCheckpoints() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    try trainToTheEnd(in: scratch)
    #expect(try folder(scratch, resume: true).checkpointFiles.count == 1)
    #expect(try folder(scratch, resume: false).checkpointFiles.isEmpty)
  }

  @Test func adamStateRoundTripsAndRefusesAnotherOptimizer() throws {
    var setup = Setup()
    _ = try setup.loop(stop: StopRequest(), checkpoint: nil).run(using: &setup.rng)
    let saved = setup.adam.state
    let fresh = Adam(parameters: setup.model.parameters, learningRate: 0.5)
    try fresh.restore(saved)
    #expect(fresh.steps == setup.adam.steps && fresh.learningRate == 0.02)
    #expect(fresh.state.tensors.map(\.tensor.scalars) == saved.tensors.map(\.tensor.scalars))
    let sgd = SGD(parameters: setup.model.parameters, learningRate: 0.1)
    #expect(throws: OptimizerState.Mismatch.self) { try sgd.restore(saved) }
    let otherBeta = Adam(parameters: setup.model.parameters, beta2: 0.99)
    #expect(throws: OptimizerState.Mismatch.self) { try otherBeta.restore(saved) }
    #expect(otherBeta.steps == 0, "a refused state changes nothing")
  }

  @Test func trainingStateKeepsEveryBit() throws {
    var history = TrainingHistory()
    for value in [0.1, Double.nan, -0.0, 1e-300, .infinity] { history.append("x", value) }
    history.epochSeconds = [1.5]
    var sums = WeightedSums()
    sums.add("mse", 0.1 + 0.2, weight: 7)
    let state = TrainingState(
      epochsDone: 2, batchesDone: 3, step: 17, generator: .max, generatorBeforeShuffle: 1,
      sums: sums, history: history, summaries: [])
    let back = try TrainingState.decode(try state.json())
    #expect(back == state)
    #expect(back.trainingHistory["x"].map(\.bitPattern) == history["x"].map(\.bitPattern))
    #expect(back.weightedSums.entries.map(\.total) == [(0.1 + 0.2) * 7])
  }

  @Test func abandonedTemporaryFilesAreRemovedAndRealFilesKept() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    // A process that has exited: its pid no longer runs.
    let gone = Process()
    gone.executableURL = URL(fileURLWithPath: "/bin/true")
    try gone.run()
    gone.waitUntilExit()
    let names = [
      ".loss.png.tmp-\(gone.processIdentifier)-123", ".metrics.json.tmp-\(getpid())-9",
      "loss.png", ".hidden",
    ]
    for name in names {
      try Foundation.Data("x".utf8).write(to: scratch.appendingPathComponent(name))
    }
    #expect(AtomicFile.removeAbandonedTemporaries(in: scratch) == 1)
    #expect(
      try contents(of: scratch) == [".hidden", ".metrics.json.tmp-\(getpid())-9", "loss.png"])
  }
}
