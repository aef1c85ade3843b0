import Foundation
import Testing

@testable import ChapterKit

@Test func nonTerminalOutputIsOnePlainLinePerEpoch() throws {
  let capture = Capture()
  let clock = FakeClock()
  let progress = Progress(
    epochs: 2, batchesPerEpoch: 4, batchSize: 5_000,
    output: capture.output(isTerminal: false), clock: clock.read)

  clock.now = 10
  progress.startEpoch(1)
  for batch in 1...4 {
    clock.now += 0.5
    try progress.update(batch: batch, loss: 0.03)
  }
  #expect(capture.writes.isEmpty)  // nothing per batch in a log
  let first = progress.endEpoch(metrics: [("train_loss", 0.0213), ("test_loss", 0.022)])
  #expect(first.seconds == 2 && first.images == 20_000 && first.imagesPerSecond == 10_000)
  #expect(first.meanBatchLoss == 0.03)

  progress.startEpoch(2)
  for batch in 1...4 {
    clock.now += 1
    try progress.update(batch: batch, loss: 0.02, images: batch == 4 ? 1_000 : nil)
  }
  progress.endEpoch(metrics: [("train_loss", 0.02)])

  #expect(
    capture.writes == [
      "epoch 1/2  train_loss 0.02130  test_loss 0.02200  2.0 s  10,000 img/s\n",
      "epoch 2/2  train_loss 0.02000  4.0 s  4,000 img/s\n",
    ])
  #expect(progress.epochSeconds == [2, 4])
  #expect(progress.medianEpochSeconds == 3)
  #expect(progress.summaries.map(\.epoch) == [1, 2])
}

@Test func terminalOutputRedrawsOneLineAtMostTenTimesASecond() throws {
  let capture = Capture()
  let clock = FakeClock()
  let progress = Progress(
    epochs: 3, batchesPerEpoch: 10, batchSize: 100,
    output: capture.output(isTerminal: true), clock: clock.read)

  progress.startEpoch(1)
  for batch in 1...10 {
    clock.now += 0.03  // 0.3 s in all: about three redraws are due, plus the final batch
    try progress.update(batch: batch, loss: 0.5)
  }
  let redraws = capture.writes
  #expect(redraws.count >= 3 && redraws.count <= 5)
  #expect(
    redraws.allSatisfy { $0.hasPrefix("\r") && $0.hasSuffix("\u{1B}[K") && !$0.contains("\n") })
  #expect(
    redraws.first
      == "\repoch 1/3 [#.........] 1/10  loss 0.5000  3,333 img/s  elapsed 0:00  eta 0:00\u{1B}[K")
  #expect(redraws.last?.contains("[##########] 10/10") == true)

  capture.writes = []
  progress.endEpoch(metrics: [("train_loss", 0.5)])
  #expect(capture.writes == ["\r\u{1B}[Kepoch 1/3  train_loss 0.5000  0.30 s  3,333 img/s\n"])
}

@Test func liveLineShowsProgressRateAndTimes() throws {
  let capture = Capture()
  let clock = FakeClock()
  let progress = Progress(
    epochs: 10, batchesPerEpoch: 469, batchSize: 128,
    output: capture.output(isTerminal: true), clock: clock.read)
  progress.startEpoch(3)
  for batch in 1...230 {
    clock.now = Double(batch) * 12 / 230
    try progress.update(batch: batch, loss: batch.isMultiple(of: 2) ? 0.0203 : 0.0223)
  }
  let line = progress.liveLine(elapsed: 12)
  #expect(line.hasPrefix("epoch 3/10 [####......] 230/469  loss 0.02130"))
  #expect(line.hasSuffix("2,453 img/s  elapsed 0:12  eta 0:12"))
}

@Test func liveLineIsCutToTheTerminalWidth() throws {
  let capture = Capture()
  let progress = Progress(
    epochs: 1, batchesPerEpoch: 2, batchSize: 1,
    output: capture.output(isTerminal: true, columns: 40), clock: FakeClock().read)
  progress.startEpoch(1)
  try progress.update(batch: 1, loss: 1)
  let visible = try #require(capture.writes.first)
    .replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\u{1B}[K", with: "")
  #expect(visible.count == 39)
}

@Test func nonFiniteLossStopsWithEpochAndBatch() throws {
  let progress = Progress(
    epochs: 5, batchesPerEpoch: 10, batchSize: 8,
    output: Capture().output(isTerminal: false), clock: FakeClock().read)
  progress.startEpoch(2)
  try progress.update(batch: 1, loss: 0.1)
  let error = #expect(throws: ChapterError.self) { try progress.update(batch: 2, loss: .nan) }
  guard case .nonFiniteLoss(let epoch, let batch, let loss)? = error else {
    Issue.record("unexpected error \(String(describing: error))")
    return
  }
  #expect(epoch == 2 && batch == 2 && loss.isNaN)
  #expect(error?.description.contains("epoch 2, batch 2") == true)
  #expect(error?.description.contains("--learning-rate") == true)
  #expect(throws: ChapterError.self) { try progress.update(batch: 3, loss: .infinity) }
}
