import TensorCore

/// Reports how training goes, batch by batch and epoch by epoch.
///
///     let progress = Progress(epochs: 10, batchesPerEpoch: 469, batchSize: 128)
///     for epoch in 1...10 {
///       progress.startEpoch(epoch)
///       for (i, batch) in batches.enumerated() {
///         let loss = step(batch)
///         try progress.update(batch: i + 1, loss: Double(loss))
///       }
///       progress.endEpoch(metrics: [("train_loss", trainLoss), ("test_loss", testLoss)])
///     }
///     let secondsPerEpoch = progress.medianEpochSeconds
///
/// On a terminal, one live line is redrawn in place at most ten times a second:
///
///     epoch 3/10 [#####.....] 230/469  loss 0.02130  5,830 img/s  elapsed 0:12  eta 0:09
///
/// and replaced at the end of each epoch by that epoch's summary. When standard output is not a
/// terminal (a CI log, a pipe into a file) only the summaries are written, one line per epoch:
///
///     epoch 3/10  train_loss 0.02130  test_loss 0.02200  4.1 s  14,630 img/s
///
/// Epochs and batches are numbered from 1, as they are shown.
public final class Progress {
  public let epochs: Int
  public let batchesPerEpoch: Int
  public let batchSize: Int
  /// Every finished epoch's summary, in order.
  public private(set) var summaries: [EpochSummary] = []

  private let output: ProgressOutput
  private let clock: () -> Double
  /// The live line is redrawn at most this often (seconds): drawing costs time, and faster
  /// redraws than about ten a second only flicker.
  private let redrawInterval = 0.1

  // State of the epoch under way.
  private var epoch = 0
  private var epochStart = 0.0
  private var lastDraw = -Double.infinity
  private var batchesDone = 0
  private var imagesDone = 0
  private var lossSum = 0.0
  private var lossCount = 0

  /// - Parameters:
  ///   - output: where to write; `.standardOutput` unless a test captures the text.
  ///   - clock: current time in seconds (only differences matter); a test can pass a fake one.
  public init(
    epochs: Int, batchesPerEpoch: Int, batchSize: Int,
    output: ProgressOutput = .standardOutput,
    clock: @escaping () -> Double = Stopwatch.monotonicSeconds
  ) {
    check(
      epochs >= 1 && batchesPerEpoch >= 1 && batchSize >= 1,
      "Progress: epochs, batchesPerEpoch and batchSize must be at least 1")
    self.epochs = epochs
    self.batchesPerEpoch = batchesPerEpoch
    self.batchSize = batchSize
    self.output = output
    self.clock = clock
  }

  /// Seconds each finished epoch took, in order.
  public var epochSeconds: [Double] { summaries.map(\.seconds) }

  /// The median of `epochSeconds` (nil before the first epoch ends).
  public var medianEpochSeconds: Double? { median(epochSeconds) }

  /// Starts timing epoch number `epoch` (1...epochs).
  public func startEpoch(_ epoch: Int) {
    self.epoch = epoch
    epochStart = clock()
    lastDraw = -Double.infinity
    batchesDone = 0
    imagesDone = 0
    lossSum = 0
    lossCount = 0
  }

  /// Records that batch number `batch` (1...batchesPerEpoch) of the current epoch is done with
  /// training loss `loss`. `images` is the batch's size when it differs from `batchSize` (the
  /// last, smaller batch of an epoch).
  ///
  /// Throws `ChapterError.nonFiniteLoss` when `loss` is NaN or infinite: training cannot recover
  /// from that, so it is better to stop at once and say where it happened.
  public func update(batch: Int, loss: Double, images: Int? = nil) throws {
    guard loss.isFinite else {
      throw ChapterError.nonFiniteLoss(epoch: epoch, batch: batch, loss: loss)
    }
    batchesDone = batch
    imagesDone += images ?? batchSize
    lossSum += loss
    lossCount += 1
    guard output.isTerminal else { return }
    let now = clock()
    // Redraw when enough time has passed, and always for the last batch.
    if now - lastDraw >= redrawInterval || batch >= batchesPerEpoch {
      lastDraw = now
      draw(liveLine(elapsed: now - epochStart))
    }
  }

  /// Ends the current epoch: writes its summary line (the epoch, each of `metrics` as
  /// `name value`, seconds, images per second) and returns the summary.
  /// `metrics` are the chapter's numbers for the epoch, e.g. `[("train_loss", 0.0213)]`.
  @discardableResult
  public func endEpoch(metrics: [(String, Double)] = []) -> EpochSummary {
    let seconds = max(0, clock() - epochStart)
    let summary = EpochSummary(
      epoch: epoch, seconds: seconds, images: imagesDone,
      meanBatchLoss: lossCount > 0 ? lossSum / Double(lossCount) : nil,
      metrics: metrics.map { (name: $0.0, value: $0.1) })
    summaries.append(summary)
    let line = summaryLine(summary)
    // On a terminal, "\r" + "ESC[K" (erase to end of line) wipes the live line first.
    output.write(output.isTerminal ? "\r\u{1B}[K" + line + "\n" : line + "\n")
    return summary
  }

  /// Writes the summary line of an epoch finished before (a resumed run's, read from its
  /// checkpoint), marked as such, and counts it as finished.
  public func replay(_ summary: EpochSummary) {
    summaries.append(summary)
    output.write(summaryLine(summary) + "  (from checkpoint)\n")
  }

  /// `epoch 3/10  train_loss 0.02130  test_loss 0.02200  4.1 s  14,630 img/s`
  func summaryLine(_ summary: EpochSummary) -> String {
    var parts = ["epoch \(summary.epoch)/\(epochs)"]
    for (name, value) in summary.metrics {
      // A count (active units, dead units) prints as a whole number.
      let isCount = value == value.rounded() && Swift.abs(value) < 1e9
      parts.append("\(name) \(isCount ? String(Int(value)) : Format.significant(value))")
    }
    parts.append("\(Format.seconds(summary.seconds)) s")
    parts.append("\(Format.grouped(Int(summary.imagesPerSecond.rounded()))) img/s")
    return parts.joined(separator: "  ")
  }

  /// `epoch 3/10 [#####.....] 230/469  loss 0.02130  5,830 img/s  elapsed 0:12  eta 0:09`
  /// The loss shown is the mean over this epoch's batches so far, which jitters less than the
  /// latest batch's loss.
  func liveLine(elapsed: Double) -> String {
    let barWidth = 10
    let fraction = min(1, Double(batchesDone) / Double(batchesPerEpoch))
    let filled = Int((fraction * Double(barWidth)).rounded(.down))
    let bar =
      String(repeating: "#", count: filled)
      + String(repeating: ".", count: barWidth - filled)
    let meanLoss = lossCount > 0 ? lossSum / Double(lossCount) : .nan
    let rate = elapsed > 0 ? Double(imagesDone) / elapsed : 0
    let remaining = max(0, batchesPerEpoch - batchesDone)
    let eta = batchesDone > 0 ? elapsed / Double(batchesDone) * Double(remaining) : .nan
    return "epoch \(epoch)/\(epochs) [\(bar)] \(batchesDone)/\(batchesPerEpoch)"
      + "  loss \(Format.significant(meanLoss))"
      + "  \(Format.grouped(Int(rate.rounded()))) img/s"
      + "  elapsed \(Format.clock(elapsed))  eta \(Format.clock(eta))"
  }

  /// Redraws the live line in place, cut to the terminal's width so that it never wraps.
  private func draw(_ line: String) {
    var text = line
    if let columns = output.columns, text.count >= columns {
      text = String(text.prefix(max(0, columns - 1)))
    }
    output.write("\r" + text + "\u{1B}[K")
  }
}

/// What one epoch took and reported.
public struct EpochSummary: Sendable {
  /// The epoch's number, from 1.
  public let epoch: Int
  /// Wall-clock seconds from `startEpoch` to `endEpoch` (evaluation included, if the chapter
  /// evaluates between them).
  public let seconds: Double
  /// Training images processed (the sum of the batches' sizes).
  public let images: Int
  /// The mean of the losses passed to `update` (nil if there were none).
  public let meanBatchLoss: Double?
  /// The chapter's metrics for the epoch, as passed to `endEpoch`.
  public let metrics: [(name: String, value: Double)]

  /// Training throughput over the whole epoch.
  public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }
}
