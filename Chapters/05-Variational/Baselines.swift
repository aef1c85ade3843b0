import Bottleneck
import Foundation

/// Two numbers in nats per image that need no training, to read the VAE's against.
struct NatsBaselines {
  /// The lowest reconstruction term any model can reach on these images: Σ_i H(x_i), the
  /// binary entropy of each grey level used as a target, H(y) = −y ln y − (1 − y) ln(1 − y).
  /// With binarised pixels (0 or 1) this floor is 0; with grey levels it is not.
  let entropyFloor: Double
  /// −log p(x) under independent Bernoulli pixels whose probabilities are the training set's
  /// mean image: a "VAE" whose decoder ignores z, which is what a fully collapsed VAE becomes.
  let independentPixels: Double

  init(train: ImageDataset, test: Tensor) {
    let (n, pixels) = (test.shape[0], test.shape[1])
    var entropy = 0.0
    for y in test.scalars where y > 0 && y < 1 {
      let v = Double(y)
      entropy -= v * Foundation.log(v) + (1 - v) * Foundation.log(1 - v)
    }
    entropyFloor = entropy / Double(n)
    // The mean training image, 4,096 images at a time.
    var sum = [Double](repeating: 0, count: pixels)
    for start in stride(from: 0, to: train.count, by: 4096) {
      let block = train.batch(Array(start..<min(start + 4096, train.count)))
      for (i, v) in block.scalars.enumerated() { sum[i % pixels] += Double(v) }
    }
    let logits = sum.map { total -> Float in
      let p = min(max(total / Double(train.count), 1e-4), 1 - 1e-4)
      return Float(Foundation.log(p / (1 - p)))
    }
    let tiled = Tensor(shape: [n, pixels], scalars: Array((0..<n).map { _ in logits }.joined()))
    let nll = bernoulliNegativeLogLikelihoodPerRow(logits: tiled, targets: test)
    independentPixels = nll.reduce(0, +) / Double(n)
  }
}
