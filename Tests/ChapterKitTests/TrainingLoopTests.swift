import Autodiff
import ChapterKit
import Layers
import TensorCore
import Testing
import Training

/// A parameter holding `values`, named for messages.
private func parameter(_ values: [Float], name: String) -> Variable {
  Variable(Tensor(shape: [values.count], scalars: values), requiresGrad: true, name: name)
}

/// Σ (w − target)² / n: a loss whose gradient is known by hand, 2(w − target)/n.
private func squaredDistance(_ w: Variable, to target: [Float]) -> Variable {
  mseLoss(w, Variable(Tensor(shape: [target.count], scalars: target)))
}

@Suite("TrainingLoop: the one loop every chapter trains with")
struct TrainingLoopTests {
  @Test func learnsAndReportsEveryEpoch() throws {
    // Fit y = 3x − 1 on 50 points with one Linear layer.
    var rng = RandomGenerator(seed: 7)
    let xs = (0..<50).map { Float($0) / 50 }
    let model = Linear(1, 1, init: .xavier, rng: &rng)
    let adam = Adam(parameters: model.parameters, learningRate: 0.05)
    let capture = Capture()
    var loop = TrainingLoop(
      sampleCount: 50, batchSize: 8, epochs: 30,
      phase: TrainingPhase("mse", optimizer: adam) { batch, _ in
        let x = Tensor(shape: [batch.count, 1], scalars: batch.indices.map { xs[$0] })
        let y = Tensor(shape: [batch.count, 1], scalars: batch.indices.map { 3 * xs[$0] - 1 })
        return StepLoss(mseLoss(model(Variable(x)), Variable(y)))
      },
      evaluate: { epoch in [("epoch_seen", Double(epoch))] })
    loop.output = capture.output(isTerminal: false)
    let history = try loop.run(using: &rng)
    #expect(history.names == ["mse", "epoch_seen"])
    #expect(history["mse"].count == 30 && history.epochSeconds.count == 30)
    #expect(history["epoch_seen"] == (1...30).map(Double.init))
    #expect(history["mse"].last! < history["mse"].first! / 100)
    #expect(history.last("mse") < 5e-3)
    let lines = capture.text.split(separator: "\n")
    #expect(lines.count == 30)
    #expect(lines[0].hasPrefix("epoch 1/30  train_mse "))
    // A whole number (a count) prints without decimals; a loss with four significant digits.
    #expect(lines[0].contains("  epoch_seen 1  "))
  }

  @Test func sameSeedSameRun() throws {
    func run() throws -> (TrainingHistory, [Float]) {
      var rng = RandomGenerator(seed: 3)
      let w = parameter([0, 0, 0], name: "w")
      let sgd = SGD(parameters: [w], learningRate: 0.1)
      var loop = TrainingLoop(
        sampleCount: 10, batchSize: 3, epochs: 4,
        phase: TrainingPhase("loss", optimizer: sgd) { batch, rng in
          // The loss depends on the shuffled order and on a random draw: both from the seed.
          let target = [Float(batch.indices[0]), rng.uniform(), Float(batch.step)]
          return StepLoss(squaredDistance(w, to: target))
        })
      loop.output = .silent
      return (try loop.run(using: &rng), w.value.scalars)
    }
    let (a, wa) = try run()
    let (b, wb) = try run()
    #expect(a["loss"] == b["loss"])
    #expect(wa == wb)
  }

  @Test func epochMeansWeighEverySampleOnce() throws {
    // 5 samples in batches of 2: sizes 2, 2, 1. A part that reports the batch size has the
    // per-sample mean (2·2 + 2·2 + 1·1) / 5 = 1.8, not the per-batch mean 5/3.
    var rng = RandomGenerator(seed: 1)
    let w = parameter([1], name: "w")
    var seen: [(epoch: Int, number: Int, step: Int)] = []
    var loop = TrainingLoop(
      sampleCount: 5, batchSize: 2, epochs: 2,
      phase: TrainingPhase("loss", optimizer: SGD(parameters: [w], learningRate: 0)) { batch, _ in
        seen.append((batch.epoch, batch.number, batch.step))
        let size = Variable(Tensor(Float(batch.count)))
        return StepLoss(squaredDistance(w, to: [0]), parts: [("batch_size", size)])
      })
    loop.output = .silent
    let history = try loop.run(using: &rng)
    #expect(history["batch_size"] == [1.8, 1.8])
    #expect(history["loss"] == [1, 1])
    #expect(seen.map(\.epoch) == [1, 1, 1, 2, 2, 2])
    #expect(seen.map(\.number) == [1, 2, 3, 1, 2, 3])
    #expect(seen.map(\.step) == [1, 2, 3, 4, 5, 6])
  }

  @Test func nonFiniteLossStopsBeforeTheStep() throws {
    var rng = RandomGenerator(seed: 1)
    let w = parameter([2, -1], name: "w")
    var valuesBeforeBatch3: [Float] = []
    var loop = TrainingLoop(
      sampleCount: 40, batchSize: 10, epochs: 1,
      phase: TrainingPhase("loss", optimizer: SGD(parameters: [w], learningRate: 0.1)) {
        batch, _ in
        if batch.number == 3 {
          valuesBeforeBatch3 = w.value.scalars
          return StepLoss(w.sum() * Float.nan)
        }
        return StepLoss(squaredDistance(w, to: [0, 0]))
      })
    loop.output = .silent
    let error = #expect(throws: ChapterError.self) { try loop.run(using: &rng) }
    guard case .nonFiniteLoss(let epoch, let batch, let loss) = error else {
      Issue.record("expected nonFiniteLoss, got \(String(describing: error))")
      return
    }
    #expect(epoch == 1 && batch == 3 && loss.isNaN)
    #expect(w.value.scalars == valuesBeforeBatch3)
    #expect(w.grad == nil)
  }

  @Test func eachPhaseStepsOnItsOwnGradient() throws {
    // Phase "a" trains u on a loss that also depends on v; phase "b" trains v alone. With plain
    // SGD (lr 1), v must move by phase b's gradient only: v − ∂b/∂v, where v's gradient from
    // phase a (left on v by a's backward) has been cleared.
    var rng = RandomGenerator(seed: 1)
    let u = parameter([1], name: "u")
    let v = parameter([3], name: "v")
    let phaseA = TrainingPhase("a", optimizer: SGD(parameters: [u], learningRate: 1)) { _, _ in
      StepLoss((u * v).sum())  // ∂a/∂v = u: must not reach v's update
    }
    let phaseB = TrainingPhase("b", optimizer: SGD(parameters: [v], learningRate: 1)) { _, _ in
      StepLoss(squaredDistance(v, to: [1]))  // ∂b/∂v = 2(v − 1)
    }
    var loop = TrainingLoop(sampleCount: 1, batchSize: 1, epochs: 1, phases: [phaseA, phaseB])
    loop.output = .silent
    let history = try loop.run(using: &rng)
    #expect(u.value.scalars == [1 - 3])  // u − ∂a/∂u = u − v
    #expect(v.value.scalars == [3 - 2 * (3 - 1)])  // v − 2(v − 1) = −1
    #expect(history.names == ["a", "b"])
    #expect(history["a"] == [3] && history["b"] == [4])
  }

  @Test func historyAsMetrics() {
    var history = TrainingHistory()
    history.append("mse", 0.5)
    history.append("mse", 0.25)
    history.epochSeconds = [1, 2]
    guard case .group(let group) = history.metrics else {
      Issue.record("not a group")
      return
    }
    #expect(group["mse"] == MetricValue(0.25))
    #expect(group["mse_per_epoch"] == .list([MetricValue(0.5), MetricValue(0.25)]))
    #expect(group["epochs"] == MetricValue(2))
    #expect(group["seconds_per_epoch"] == .list([MetricValue(1.0), MetricValue(2.0)]))
    #expect(history.last("absent").isNaN && history["absent"].isEmpty)
  }
}
