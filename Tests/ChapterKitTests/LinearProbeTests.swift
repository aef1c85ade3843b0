import ChapterKit
import TensorCore
import Testing

/// n points in d dimensions around `classes` well-separated centres (centre c has 4 in
/// coordinate c, 0 elsewhere), unit-variance noise; labels cycle through the classes.
private func blobs(_ n: Int, d: Int, classes: Int, scale: Float = 1, seed: UInt64) -> (
  Tensor, [Int]
) {
  var rng = RandomGenerator(seed: seed)
  let labels = (0..<n).map { $0 % classes }
  var scalars: [Float] = []
  for label in labels {
    for j in 0..<d { scalars.append(scale * ((j == label ? 4 : 0) + rng.normal())) }
  }
  return (Tensor(shape: [n, d], scalars: scalars), labels)
}

@Suite("LinearProbe: softmax regression on frozen codes")
struct LinearProbeTests {
  @Test func separatesLinearlySeparableCodes() throws {
    let (train, trainLabels) = blobs(3000, d: 6, classes: 4, seed: 1)
    let (test, testLabels) = blobs(1000, d: 6, classes: 4, seed: 2)
    var rng = RandomGenerator(seed: 3)
    // 3,000 codes are 12 batches an epoch: 60 epochs give the probe about as many steps as 10
    // epochs over 60,000 codes (the chapters' default) would.
    let probe = try LinearProbe.fit(
      train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, classes: 4,
      epochs: 60, rng: &rng)
    // Centres 4√2 apart, unit noise: each pair is confused with probability Φ(−2√2) ≈ 0.23%,
    // so the best linear rule errs on about 0.7% of the points.
    #expect(probe.testAccuracy > 0.97 && probe.trainAccuracy > 0.97, "\(probe)")
    #expect(probe.epochs == 60)
  }

  @Test func labelsThatCodesDoNotPredictGiveChance() throws {
    let (train, _) = blobs(3000, d: 6, classes: 4, seed: 1)
    let (test, _) = blobs(1000, d: 6, classes: 4, seed: 2)
    var labelRNG = RandomGenerator(seed: 9)
    let shuffled = (0..<3000).map { _ in Int(labelRNG.next() % 4) }
    let shuffledTest = (0..<1000).map { _ in Int(labelRNG.next() % 4) }
    var rng = RandomGenerator(seed: 3)
    let probe = try LinearProbe.fit(
      train: train, trainLabels: shuffled, test: test, testLabels: shuffledTest, classes: 4,
      rng: &rng)
    #expect(abs(probe.testAccuracy - 0.25) < 0.06, "\(probe)")
  }

  @Test func theScaleOfTheCodesDoesNotMatter() throws {
    // Standardising first makes codes 1,000 times larger score the same.
    var results: [Double] = []
    for scale: Float in [1, 1000] {
      let (train, trainLabels) = blobs(2000, d: 5, classes: 5, scale: scale, seed: 4)
      let (test, testLabels) = blobs(500, d: 5, classes: 5, scale: scale, seed: 5)
      var rng = RandomGenerator(seed: 6)
      results.append(
        try LinearProbe.fit(
          train: train, trainLabels: trainLabels, test: test, testLabels: testLabels, classes: 5,
          epochs: 5, rng: &rng
        ).testAccuracy)
    }
    #expect(abs(results[0] - results[1]) < 0.01, "\(results)")
  }
}
