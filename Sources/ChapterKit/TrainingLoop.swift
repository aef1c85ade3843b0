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

  /// Where the loop saves itself after every epoch and when asked to stop, and what it resumes
  /// from (nil: no checkpoints, as in a test or a probe). See `TrainingCheckpoint`.
  public var checkpoint: TrainingCheckpoint?
  /// Whether the last checkpoint keeps the optimizers' state too. Only needed when the same
  /// optimizer trains on in a later loop; `ChapterRun.train` makes a fresh Adam per loop, so it
  /// saves the finished weights alone (a chapter 3 sweep of 1024-d models: 6 MB a model, not 19).
  public var keepsOptimizersWhenFinished = true
  /// The model's buffers (`model.buffers`: BatchNorm2D's running statistics), which are not
  /// parameters of any optimizer but must be saved and restored with them, or a resumed run
  /// would evaluate with fresh statistics. `ChapterRun.train` sets them from the model.
  public var buffers: [Buffer] = []
  /// Asked after every batch whether Ctrl-C or SIGTERM came (a test passes its own).
  public var stop: StopRequest = .shared

  /// Every parameter the phases' optimizers train, each once, in the order they first appear
  /// (an adversarial autoencoder's encoder is in two optimizers).
  public var parameters: [Variable] {
    var seen = Set<ObjectIdentifier>()
    return phases.flatMap(\.optimizer.parameters).filter {
      seen.insert(ObjectIdentifier($0)).inserted
    }
  }

  /// Trains for `epochs` epochs, drawing shuffles (and whatever the losses draw) from `rng`.
  /// Throws `ChapterError.nonFiniteLoss` as soon as a loss is NaN or infinite, before that
  /// loss's gradient reaches any weight, and rethrows what a loss or `evaluate` throws.
  ///
  /// With a `checkpoint`: saves after every epoch; on a stop request saves after the batch under
  /// way and throws `ChapterError.interrupted`; and when resuming, restores the weights, the
  /// optimizers, `rng` and the history, reprints the finished epochs' lines, and goes on from the
  /// batch after the last one saved, so that every number is the uninterrupted run's.
  public func run(using rng: inout RandomGenerator) throws -> TrainingHistory {
    let progress = Progress(
      epochs: epochs, batchesPerEpoch: batchesPerEpoch, batchSize: batchSize, output: output)
    let parameters = self.parameters
    let optimizers = phases.map(\.optimizer)
    var history = TrainingHistory()
    var step = 0
    var resumed: TrainingState?
    if let checkpoint,
      let state = try checkpoint.restore(
        parameters: parameters, buffers: buffers, optimizers: optimizers, epochs: epochs)
    {
      try verify(state, against: checkpoint)
      resumed = state
      history = state.trainingHistory
      step = state.step
      output.write(
        "  resuming from \(checkpoint.url.lastPathComponent): \(state.epochsDone) of \(epochs)"
          + " epochs done"
          + (state.batchesDone > 0
            ? ", and \(state.batchesDone) of"
              + " \(batchesPerEpoch) batches of epoch \(state.epochsDone + 1)" : "") + "\n")
      for summary in state.epochSummaries { progress.replay(summary) }
      rng = RandomGenerator(seed: state.generator.pattern)
      if state.epochsDone == epochs { return history }
    }
    let firstEpoch = (resumed?.epochsDone ?? 0) + 1
    // Only a loop that can save itself waits for the batch to end; a signal during one without
    // a checkpoint (a probe) stops the program at once, as outside training.
    return try stop.duringTraining(if: checkpoint != nil) {
      for epoch in firstEpoch...epochs {
        beforeEpoch?(epoch)
        progress.startEpoch(epoch)
        var sums = WeightedSums()
        var skip = 0
        if let state = resumed, epoch == firstEpoch, state.batchesDone > 0 {
          rng = RandomGenerator(seed: state.generatorBeforeShuffle.pattern)
          sums = state.weightedSums
          skip = state.batchesDone
        }
        let beforeShuffle = rng.state
        let schedule = BatchSchedule.shuffled(
          count: sampleCount, batchSize: batchSize, dropLast: dropLast, using: &rng)
        if skip > 0, let state = resumed { rng = RandomGenerator(seed: state.generator.pattern) }
        for (b, indices) in schedule.enumerated() where b >= skip {
          step += 1
          let batch = TrainingBatch(indices: indices, epoch: epoch, number: b + 1, step: step)
          var shownLoss = 0.0
          for (p, phase) in phases.enumerated() {
            for parameter in parameters { parameter.grad = nil }
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
          if let signal = stop.requested, b + 1 < schedule.count, let checkpoint {
            try checkpoint.save(
              parameters: parameters, buffers: buffers, optimizers: optimizers,
              state: TrainingState(
                epochsDone: epoch - 1, batchesDone: b + 1, step: step, generator: rng.state,
                generatorBeforeShuffle: beforeShuffle, sums: sums, history: history,
                summaries: progress.summaries))
            output.write("\n")
            throw ChapterError.interrupted(
              signal: signal,
              place:
                "'\(checkpoint.name)' in epoch \(epoch), after batch \(b + 1) of \(schedule.count)",
              checkpoint: checkpoint.url.path)
          }
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
        history.epochSeconds = progress.epochSeconds
        if let checkpoint {
          let finished = epoch == epochs && !keepsOptimizersWhenFinished
          try checkpoint.save(
            parameters: parameters, buffers: buffers, optimizers: finished ? nil : optimizers,
            state: TrainingState(
              epochsDone: epoch, batchesDone: 0, step: step, generator: rng.state,
              generatorBeforeShuffle: rng.state, sums: WeightedSums(), history: history,
              summaries: progress.summaries))
          if let signal = stop.requested {
            throw ChapterError.interrupted(
              signal: signal,
              place: "'\(checkpoint.name)' after epoch \(epoch) of \(epochs)",
              checkpoint: checkpoint.url.path)
          }
        }
      }
      history.epochSeconds = progress.epochSeconds
      return history
    }
  }

  /// A saved state must fit this loop: the same epochs, batches and samples.
  private func verify(_ state: TrainingState, against checkpoint: TrainingCheckpoint) throws {
    guard state.epochsDone <= epochs, state.batchesDone < batchesPerEpoch, state.epochsDone >= 0
    else {
      throw ChapterError.checkpointMismatch(
        path: checkpoint.url.path,
        detail: "it is \(state.epochsDone) epochs and \(state.batchesDone) batches in, which"
          + " does not fit \(epochs) epochs of \(batchesPerEpoch) batches")
    }
  }
}

/// Per-name sums of values weighted by batch size, kept in the order names first appear: the
/// epoch's mean loss is Σ loss·batch / Σ batch, which counts every sample once.
struct WeightedSums {
  private var names: [String] = []
  private var sums: [String: (total: Double, weight: Int)] = [:]

  /// The sums so far, in order (for a checkpoint).
  var entries: [(name: String, total: Double, weight: Int)] {
    names.map { (name: $0, total: sums[$0]!.total, weight: sums[$0]!.weight) }
  }

  /// Puts back a sum saved from `entries`.
  mutating func restore(_ name: String, total: Double, weight: Int) {
    if sums[name] == nil { names.append(name) }
    sums[name] = (total, weight)
  }

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
