import Autodiff
import Foundation
import Layers
import TensorCore
import Testing
import Training

@testable import ChapterKit

#if canImport(Glibc)
  import Glibc
#endif

/// A model with a BatchNorm2D, whose test loss is computed with the running statistics: a
/// resumed run that lost them would print other test losses.
private struct BatchNormSetup {
  let model: Sequential
  let adam: Adam
  var rng: RandomGenerator
  let data: Tensor

  init() {
    var rng = RandomGenerator(seed: 12)
    data = Tensor.uniform([40, 4], using: &rng) * 3 + 2
    model = Sequential([
      Unflatten(4, 1, 1), BatchNorm2D(4), Flatten(), Linear(4, 4, init: .xavier, rng: &rng),
    ])
    adam = Adam(parameters: model.parameters, learningRate: 0.02)
    self.rng = rng
  }

  func loop(stop: StopRequest, stopAt: Int? = nil, checkpoint: TrainingCheckpoint?) -> TrainingLoop
  {
    let (model, data) = (self.model, self.data)
    var loop = TrainingLoop(
      sampleCount: 40, batchSize: 8, epochs: 3,
      phase: TrainingPhase("mse", optimizer: adam) { batch, _ in
        if batch.step == stopAt { stop.request(SIGINT) }
        let x = Variable(data.gatherRows(batch.indices))
        return StepLoss(mseLoss(model(x), x))
      },
      evaluate: { _ in
        [("test_mse", Double(mseLoss(model(Variable(data)), Variable(data)).value.scalar))]
      })
    loop.output = .silent
    loop.stop = stop
    loop.checkpoint = checkpoint
    loop.buffers = model.buffers
    return loop
  }
}

@Suite("Resuming a model with buffers")
struct BufferResumeTests {
  @Test(arguments: [3, 5, 7])
  func batchNormStatisticsAreResumedToo(stopAt step: Int) throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    var plain = BatchNormSetup()
    let expected = try plain.loop(stop: StopRequest(), checkpoint: nil).run(using: &plain.rng)
    let folder = { (resume: Bool) in
      try CheckpointFolder(in: scratch, identity: [("chapter", "test")], resume: resume)
    }

    var first = BatchNormSetup()
    let stop = StopRequest()
    #expect(throws: ChapterError.self) {
      _ = try first.loop(stop: stop, stopAt: step, checkpoint: folder(false).next(name: "bn"))
        .run(using: &first.rng)
    }
    var second = BatchNormSetup()
    let resumed = try second.loop(stop: StopRequest(), checkpoint: folder(true).next(name: "bn"))
      .run(using: &second.rng)
    #expect(resumed["test_mse"].map(\.bitPattern) == expected["test_mse"].map(\.bitPattern))
    #expect(second.model.buffers.map(\.value) == plain.model.buffers.map(\.value))
    #expect(second.model.buffers[0].value.scalars != [0, 0, 0, 0])
  }

  @Test func aCheckpointWithoutTheBuffersIsRefused() throws {
    let scratch = try makeScratchFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    var first = BatchNormSetup()
    var writing = first.loop(
      stop: StopRequest(),
      checkpoint: try CheckpointFolder(in: scratch, identity: [("chapter", "test")], resume: false)
        .next(name: "bn"))
    writing.buffers = []  // as a loop that was not told about them would save
    _ = try writing.run(using: &first.rng)
    var second = BatchNormSetup()
    let reading = second.loop(
      stop: StopRequest(),
      checkpoint: try CheckpointFolder(in: scratch, identity: [("chapter", "test")], resume: true)
        .next(name: "bn"))
    #expect {
      _ = try reading.run(using: &second.rng)
    } throws: { error in
      "\(error)".contains("buffer 0")
    }
  }
}
