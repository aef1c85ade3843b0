import Autodiff
import Layers
import TensorCore
import Training

/// How much of the labels a code makes *linearly* readable: a multinomial logistic regression
/// (one Linear layer to the classes, softmax cross-entropy) trained on frozen codes of the
/// training set, scored by accuracy on the test set's codes. The code's model never sees a label
/// and is not changed; only the probe's weights learn.
///
/// The codes are standardised first (each feature minus its training mean, over its training
/// standard deviation), so that a code whose numbers happen to be large (PCA's first components,
/// an unnormalised encoder) is not favoured or hurt by the optimiser's step size.
///
///   train is (n, d), test is (m, d); labels in 0..<classes.
public struct LinearProbe: Sendable {
  /// Accuracy on the codes it was trained on.
  public let trainAccuracy: Double
  /// Accuracy on the test codes: the number to compare between codes.
  public let testAccuracy: Double
  /// Epochs the probe trained.
  public let epochs: Int

  /// Trains the probe with Adam (mini-batches of `batchSize`, shuffled from `rng`) and scores it.
  public static func fit(
    train: Tensor, trainLabels: [Int], test: Tensor, testLabels: [Int], classes: Int,
    epochs: Int = 10, batchSize: Int = 256, learningRate: Float = 3e-3,
    rng: inout RandomGenerator
  ) throws -> LinearProbe {
    check(
      train.rank == 2 && test.rank == 2 && train.shape[1] == test.shape[1],
      "LinearProbe: train codes \(train.shape) and test codes \(test.shape) must be (n, d), same d")
    check(
      trainLabels.count == train.shape[0] && testLabels.count == test.shape[0],
      "LinearProbe: one label per code")
    let (mean, scale) = standardisation(of: train)
    let x = standardised(train, mean: mean, scale: scale)
    let d = train.shape[1]
    let probe = Linear(d, classes, init: .xavier, rng: &rng)
    let adam = Adam(parameters: probe.parameters, learningRate: learningRate)
    var loop = TrainingLoop(
      sampleCount: train.shape[0], batchSize: batchSize, epochs: epochs,
      phase: TrainingPhase("cross_entropy", optimizer: adam) { batch, _ in
        let codes = Variable(x.gatherRows(batch.indices))
        return StepLoss(
          softmaxCrossEntropy(logits: probe(codes), labels: batch.indices.map { trainLabels[$0] }))
      })
    loop.output = .silent
    _ = try loop.run(using: &rng)
    let (trainAccuracy, testAccuracy) = inference {
      (
        accuracy(logits: probe(Variable(x)).value, labels: trainLabels),
        // The test codes are standardised a block at a time, so that their standardised copy
        // (41 MB for chapter 3's 10,000 codes of 1,024 units) is never held whole.
        accuracy(
          logits: inferenceInBlocks(test) {
            probe(Variable(standardised($0.value, mean: mean, scale: scale)))
          },
          labels: testLabels)
      )
    }
    return LinearProbe(trainAccuracy: trainAccuracy, testAccuracy: testAccuracy, epochs: epochs)
  }

  /// Each column's mean and 1/standard deviation (1 for a constant column).
  static func standardisation(of x: Tensor) -> (mean: [Float], scale: [Float]) {
    let (mean, variance) = x.columnMoments()
    let scale = variance.map { $0 > 1e-12 ? Float(1 / $0.squareRoot()) : 1 }
    return (mean.map { Float($0) }, scale)
  }

  static func standardised(_ x: Tensor, mean: [Float], scale: [Float]) -> Tensor {
    let (n, d) = (x.shape[0], x.shape[1])
    return x.withUnsafePointer { p in
      Tensor(
        shape: [n, d],
        unsafeUninitialized: { out in
          for i in 0..<n {
            for j in 0..<d { out[i * d + j] = (p[i * d + j] - mean[j]) * scale[j] }
          }
        })
    }
  }
}
