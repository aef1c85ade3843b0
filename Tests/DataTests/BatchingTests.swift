import TensorCore
import Testing

@testable import Data

@Suite struct BatchingTests {
  /// 5 images of 2 × 2 with pixels 0, 51, 102, ... and labels 0, 1, 2, 0, 1.
  let data = ImageDataset(
    images: (0..<20).map { UInt8(($0 * 51) % 256) }, labels: [0, 1, 2, 0, 1], rows: 2, cols: 2,
    classNames: ["a", "b", "c"])

  @Test func batchScalesPixelsToTheUnitInterval() {
    let x = data.batch([4, 0])
    #expect(x.shape == [2, 4])
    let expected = ([16, 17, 18, 19] + [0, 1, 2, 3]).map { Float(($0 * 51) % 256) / 255 }
    #expect(x.scalars == expected)
    #expect(data.labels(for: [4, 0]) == [1, 0])
  }

  @Test func everyByteValueBecomesItsValueOver255() {
    // Images 27 pixels wide, every byte value 0...255 somewhere: the 16-pixel vector loop and
    // the pixel-by-pixel tail must both give exactly Float(byte) / 255 (255 exactly 1).
    let bytes = (0..<(27 * 20)).map { UInt8(($0 * 7) % 256) }
    let wide = ImageDataset(
      images: bytes, labels: [UInt8](repeating: 0, count: 20), rows: 3, cols: 9,
      classNames: ["a"])
    let order = [19, 0, 7, 7, 3]
    let x = wide.batch(order)
    let expected = order.flatMap { i in bytes[(i * 27)..<((i + 1) * 27)].map { Float($0) / 255 } }
    #expect(x.shape == [5, 27])
    #expect(x.scalars == expected)
    #expect(Set(bytes).count == 256)
  }

  @Test func wholeSetAsOneTensor() {
    let x = data.tensor()
    #expect(x.shape == [5, 4])
    #expect(x.scalars.min() == 0 && x.scalars.max() == 1)  // 255 maps to exactly 1
    #expect(data.allLabels() == [0, 1, 2, 0, 1])
  }

  @Test func sequentialBatchesKeepOrDropTheLastPartialBatch() {
    #expect(BatchSchedule.sequential(count: 7, batchSize: 3) == [[0, 1, 2], [3, 4, 5], [6]])
    #expect(
      BatchSchedule.sequential(count: 7, batchSize: 3, dropLast: true) == [[0, 1, 2], [3, 4, 5]])
    #expect(BatchSchedule.sequential(count: 6, batchSize: 3, dropLast: true).count == 2)
    #expect(BatchSchedule.sequential(count: 0, batchSize: 3).isEmpty)
    #expect(data.batches(batchSize: 2) == [[0, 1], [2, 3], [4]])
  }

  @Test func shuffledBatchesCoverEveryIndexOncePerEpoch() {
    var rng = RandomGenerator(seed: 42)
    for _ in 0..<3 {  // three epochs from one generator
      let epoch = BatchSchedule.shuffled(count: 1003, batchSize: 64, using: &rng)
      #expect(epoch.count == 16)
      #expect(epoch.dropLast().allSatisfy { $0.count == 64 })
      #expect(epoch.last?.count == 1003 - 15 * 64)
      #expect(epoch.flatMap { $0 }.sorted() == Array(0..<1003))
    }
  }

  @Test func droppingTheLastBatchKeepsFullBatchesOfDistinctIndices() {
    var rng = RandomGenerator(seed: 1)
    let epoch = BatchSchedule.shuffled(count: 1003, batchSize: 64, dropLast: true, using: &rng)
    #expect(epoch.count == 15 && epoch.allSatisfy { $0.count == 64 })
    #expect(Set(epoch.flatMap { $0 }).count == 15 * 64)
  }

  @Test func theSameSeedGivesTheSameBatches() {
    var a = RandomGenerator(seed: 2024)
    var b = RandomGenerator(seed: 2024)
    var c = RandomGenerator(seed: 2025)
    let first = data.batches(batchSize: 2, using: &a)
    #expect(first == data.batches(batchSize: 2, using: &b))
    #expect(
      BatchSchedule.shuffled(count: 500, batchSize: 50, using: &a)
        == BatchSchedule.shuffled(count: 500, batchSize: 50, using: &b))
    #expect(
      BatchSchedule.shuffled(count: 500, batchSize: 50, using: &a)
        != BatchSchedule.shuffled(count: 500, batchSize: 50, using: &c))
    // Successive epochs from one generator are different orders.
    #expect(
      BatchSchedule.shuffled(count: 500, batchSize: 50, using: &a)
        != BatchSchedule.shuffled(count: 500, batchSize: 50, using: &a))
  }

  @Test func subsetCopiesTheChosenImages() {
    let picked = data.subset([3, 1])
    #expect(picked.count == 2)
    #expect(picked.labels == [0, 1])
    #expect(picked.batch([0, 1]) == data.batch([3, 1]))
  }

  @Test func stratifiedSubsetTakesTheFirstOfEachClassInOrder() {
    #expect(data.subset(perClass: 1).labels == [0, 1, 2])
    #expect(data.subset(perClass: 1).images == Array(data.images[0..<12]))
    // Class 2 has a single image: it gives what it has.
    #expect(data.subset(perClass: 2).classCounts == [2, 2, 1])
    // total 2 over 3 classes: one each for the first two classes.
    #expect(data.subset(total: 2).labels == [0, 1])
  }
}
