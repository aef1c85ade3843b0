import Autodiff
import Data
import Layers
import TensorCore
import Training

/// The training loop every chapter uses, written once.
///
///     let adam = Adam(parameters: model.parameters, learningRate: 1e-3)
///     let loop = TrainingLoop(
///       sampleCount: run.train.count, batchSize: 128, epochs: 20,
///       phase: TrainingPhase("mse", optimizer: adam) { batch, rng in
///         let x = Variable(run.train.batch(batch.indices))
///         return StepLoss(mseLoss(model(x), x))
///       },
///       evaluate: { _ in [("test_mse", run.test.reconstructionMSE { model($0) })] })
///     let history = try loop.run(using: &rng)
///
/// Each epoch: a fresh shuffle of 0..<sampleCount from `rng`, cut into batches; for each batch and
/// each phase in order: the loss, a NaN/infinity check, backward, the optimizer's step. Then
/// `evaluate` (in inference mode: no graph, no dropout) and one summary line per epoch:
///
///     epoch 3/20  train_mse 0.01010  test_mse 0.009991  2.4 s  25,210 img/s
///
/// Chapter 1 writes this loop out by hand as the worked example; it is the same loop, step for
/// step, so it prints the same numbers.
///
/// Several phases (two optimizers, alternating): before each phase every parameter of every
/// phase's optimizer has its gradient cleared, so a phase's step sees only its own loss's
/// gradient. (Without that, the discriminator's loss in an adversarial autoencoder would leave
/// gradients on the encoder that the encoder's optimizer would then follow.)
public struct TrainingLoop {
  public var sampleCount: Int
  public var batchSize: Int
  public var epochs: Int
  public var phases: [TrainingPhase]
  /// Leaves out each epoch's last, smaller batch (see `BatchSchedule`).
  public var dropLast = false
  /// After each epoch, its metrics ("test_mse", ...), printed after the training losses.
  public var evaluate: ((Int) throws -> [(String, Double)])?
  /// Before each epoch (e.g. to set a learning rate from a schedule).
  public var beforeEpoch: ((Int) -> Void)?
  /// Where the progress bar and epoch lines go (`ProgressOutput.silent` for none).
  public var output: ProgressOutput = .standardOutput

  public init(
    sampleCount: Int, batchSize: Int, epochs: Int, phases: [TrainingPhase],
    evaluate: ((Int) throws -> [(String, Double)])? = nil
  ) {
    check(sampleCount > 0, "TrainingLoop: there are no training samples")
    check(batchSize > 0 && epochs > 0, "TrainingLoop: batch size and epochs must be positive")
    check(!phases.isEmpty, "TrainingLoop: give at least one phase (a loss and its optimizer)")
    self.sampleCount = sampleCount
    self.batchSize = batchSize
    self.epochs = epochs
    self.phases = phases
    self.evaluate = evaluate
  }

  /// The usual case: one loss, one optimizer.
  public init(
    sampleCount: Int, batchSize: Int, epochs: Int, phase: TrainingPhase,
    evaluate: ((Int) throws -> [(String, Double)])? = nil
  ) {
    self.init(
      sampleCount: sampleCount, batchSize: batchSize, epochs: epochs, phases: [phase],
      evaluate: evaluate)
  }

  /// Batches per epoch.
  public var batchesPerEpoch: Int {
    dropLast ? max(1, sampleCount / batchSize) : (sampleCount + batchSize - 1) / batchSize
  }

  /// Trains for `epochs` epochs, drawing shuffles (and whatever the losses draw) from `rng`.
  /// Throws `ChapterError.nonFiniteLoss` as soon as a loss is NaN or infinite, before that
  /// loss's gradient reaches any weight, and rethrows what a loss or `evaluate` throws.
  public func run(using rng: inout RandomGenerator) throws -> TrainingHistory {
    let progress = Progress(
      epochs: epochs, batchesPerEpoch: batchesPerEpoch, batchSize: batchSize, output: output)
    let everyParameter = phases.flatMap(\.optimizer.parameters)
    var history = TrainingHistory()
    var step = 0
    for epoch in 1...epochs {
      beforeEpoch?(epoch)
      progress.startEpoch(epoch)
      var sums = WeightedSums()
      let schedule = BatchSchedule.shuffled(
        count: sampleCount, batchSize: batchSize, dropLast: dropLast, using: &rng)
      for (b, indices) in schedule.enumerated() {
        step += 1
        let batch = TrainingBatch(indices: indices, epoch: epoch, number: b + 1, step: step)
        var shownLoss = 0.0
        for (p, phase) in phases.enumerated() {
          for parameter in everyParameter { parameter.grad = nil }
          let loss = try phase.loss(batch, &rng)
          let value = Double(loss.total.value.scalar)
          guard value.isFinite else {
            throw ChapterError.nonFiniteLoss(epoch: epoch, batch: b + 1, loss: value)
          }
          loss.total.backward()
          phase.optimizer.step()
          if p == 0 { shownLoss = value }
          sums.add(phase.name, value, weight: indices.count)
          for part in loss.parts { sums.add(part.name, part.value, weight: indices.count) }
        }
        try progress.update(batch: b + 1, loss: shownLoss, images: indices.count)
      }
      var line: [(String, Double)] = []
      for (name, mean) in sums.means {
        history.append(name, mean)
        line.append(("train_" + name, mean))
      }
      if let evaluate {
        for (name, value) in try inference({ try evaluate(epoch) }) {
          history.append(name, value)
          line.append((name, value))
        }
      }
      progress.endEpoch(metrics: line)
    }
    history.epochSeconds = progress.epochSeconds
    return history
  }
}

/// Per-name sums of values weighted by batch size, kept in the order names first appear: the
/// epoch's mean loss is Σ loss·batch / Σ batch, which counts every sample once.
struct WeightedSums {
  private var names: [String] = []
  private var sums: [String: (total: Double, weight: Int)] = [:]

  mutating func add(_ name: String, _ value: Double, weight: Int) {
    if sums[name] == nil { names.append(name) }
    let old = sums[name] ?? (0, 0)
    sums[name] = (old.total + value * Double(weight), old.weight + weight)
  }

  var means: [(String, Double)] {
    names.map { name in
      let s = sums[name]!
      return (name, s.total / Double(max(s.weight, 1)))
    }
  }
}
