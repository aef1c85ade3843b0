import Autodiff
import Data
import Layers
import TensorCore
import Training

extension ChapterRun {
  /// Trains `model` on `images` (the training set unless a sweep passes a subset) with Adam,
  /// `--batch-size` images per batch and one `TrainingLoop` phase named `lossName` ("mse",
  /// printed `train_mse`), after printing a header line. `loss` gets the batch (its step, for a
  /// schedule), its clean images (batch, pixels) and the loop's generator, and returns the
  /// step's loss with any parts to report (a penalty, say:
  /// `StepLoss(mse + penalty, parts: [("penalty", penalty)])`).
  public func train(
    _ model: some Module, name: String, epochs: Int, learningRate: Float,
    images: ImageDataset? = nil, lossName: String = "mse", rng: inout RandomGenerator,
    loss: @escaping (TrainingBatch, Tensor, inout RandomGenerator) -> StepLoss,
    evaluate: ((Int) throws -> [(String, Double)])?
  ) throws -> TrainingHistory {
    let images = images ?? train
    let adam = Adam(parameters: model.parameters, learningRate: learningRate)
    let phase = TrainingPhase(lossName, optimizer: adam) { batch, rng in
      loss(batch, images.batch(batch.indices), &rng)  // (batch, 784), pixels in [0, 1]
    }
    var loop = TrainingLoop(
      sampleCount: images.count, batchSize: options.batchSize, epochs: epochs, phase: phase,
      evaluate: evaluate)
    loop.keepsOptimizersWhenFinished = false  // this Adam is not used again
    loop.buffers = model.buffers
    loop.checkpoint = checkpoints.next(
      name: name, details: [("epochs", String(epochs)), ("training_images", String(images.count))])
    print(
      "\n\(name): \(model.parameterCount) parameters, \(epochs) epoch\(epochs == 1 ? "" : "s"),"
        + " Adam lr \(learningRate)"
        + (images.count == train.count ? "" : ", \(Format.grouped(images.count)) training images"))
    return try loop.run(using: &rng)
  }

  /// Trains an autoencoder to rebuild the training images, the way chapters 1–4 all do: MSE per
  /// pixel against the clean image, and after each epoch the test set's MSE (`test_mse`) unless
  /// `evaluate` says otherwise.
  ///
  /// `evaluationBlockSize` test images are rebuilt at a time (a convolutional model's activations
  /// for 1,000 images take about 100 MB, so chapter 6 uses fewer).
  ///
  /// `corrupt` turns each clean batch into the model's input (a denoising autoencoder's noise,
  /// drawn from the loop's generator, so fresh for every batch and the same for the same seed);
  /// without it the input is the clean batch itself.
  ///
  ///     let history = try run.trainReconstruction(
  ///       model, name: "autoencoder 32-d", epochs: 20, learningRate: 1e-3, rng: &rng)
  ///     history.last("test_mse")
  public func trainReconstruction(
    _ model: some Module, name: String, epochs: Int, learningRate: Float,
    rng: inout RandomGenerator,
    corrupt: ((Tensor, inout RandomGenerator) -> Tensor)? = nil,
    evaluationBlockSize: Int = 1000,
    evaluate: ((Int) throws -> [(String, Double)])? = nil
  ) throws -> TrainingHistory {
    let test = self.test
    return try train(
      model, name: name, epochs: epochs, learningRate: learningRate, rng: &rng,
      loss: { _, clean, rng in
        let input = corrupt.map { $0(clean, &rng) } ?? clean
        return StepLoss(mseLoss(model(Variable(input)), Variable(clean)))
      },
      evaluate: evaluate ?? { _ in
        [("test_mse", test.reconstructionMSE(batchSize: evaluationBlockSize) { model($0) })]
      })
  }
}
