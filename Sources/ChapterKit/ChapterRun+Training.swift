import Autodiff
import Layers
import TensorCore
import Training

extension ChapterRun {
  /// Trains an autoencoder to rebuild the training images, the way chapters 1–4 all do: MSE per
  /// pixel against the clean image, Adam, `--batch-size` images per batch, one `TrainingLoop`
  /// phase named "mse" (printed `train_mse`), and after each epoch the test set's MSE
  /// (`test_mse`) unless `evaluate` says otherwise.
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
    evaluate: ((Int) throws -> [(String, Double)])? = nil
  ) throws -> TrainingHistory {
    let adam = Adam(parameters: model.parameters, learningRate: learningRate)
    let images = train
    let phase = TrainingPhase("mse", optimizer: adam) { batch, rng in
      let clean = images.batch(batch.indices)  // (batch, 784), pixels in [0, 1]
      let input = corrupt.map { $0(clean, &rng) } ?? clean
      return StepLoss(mseLoss(model(Variable(input)), Variable(clean)))
    }
    let test = self.test
    let loop = TrainingLoop(
      sampleCount: train.count, batchSize: options.batchSize, epochs: epochs, phase: phase,
      evaluate: evaluate ?? { _ in [("test_mse", test.reconstructionMSE { model($0) })] })
    print(
      "\n\(name): \(model.parameterCount) parameters, \(epochs) epoch\(epochs == 1 ? "" : "s"),"
        + " Adam lr \(learningRate)")
    return try loop.run(using: &rng)
  }
}
