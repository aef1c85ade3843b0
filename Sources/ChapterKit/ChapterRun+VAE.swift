import Autodiff
import Data
import Layers
import TensorCore
import Training

extension ChapterRun {
  /// Trains a variational autoencoder on `images` (the training set unless a sweep passes a
  /// subset) to minimise `objective`, with Adam and `--batch-size` images per batch, through the
  /// same `TrainingLoop` as every chapter.
  ///
  /// Each epoch prints the objective (`train_loss`) and −ELBO's two terms in nats per image
  /// (`train_reconstruction`, `train_kl`: the KL unweighted, whatever β or warm-up the objective
  /// uses), and, when `test` is given, the test set's `test_loss` (−ELBO), `test_reconstruction`,
  /// `test_kl` and `active_units` (one z per test image, the same ε every epoch). The last
  /// epoch's `VAEEvaluation` is returned with the history (nil without `test`), so a chapter
  /// need not evaluate the trained model a second time.
  @discardableResult
  public func trainVAE(
    _ model: VariationalAutoencoder, name: String, objective: VAEObjective = .elbo, epochs: Int,
    learningRate: Float, images: ImageDataset? = nil, test: Tensor?,
    evaluationBlockSize: Int = 1000,
    rng: inout RandomGenerator
  ) throws -> (history: TrainingHistory, evaluation: VAEEvaluation?) {
    let pixels = train.pixelsPerImage
    let seed = vaeEvaluationSeed
    var last: VAEEvaluation?
    let history = try self.train(
      model, name: "\(name) (\(objective))", epochs: epochs, learningRate: learningRate,
      images: images, lossName: "loss", rng: &rng,
      loss: { batch, clean, rng in
        let terms = model.elboTerms(clean, using: &rng)
        return StepLoss(
          objective.loss(terms, step: batch.step, pixels: pixels),
          parts: [("reconstruction", terms.reconstruction), ("kl", terms.kl)])
      },
      evaluate: test.map { test in
        { _ in
          let e = VAEEvaluation(model, images: test, seed: seed, blockSize: evaluationBlockSize)
          last = e
          return [
            ("test_loss", e.loss), ("test_reconstruction", e.reconstruction), ("test_kl", e.kl),
            ("active_units", Double(e.activeUnits.count)),
          ]
        }
      })
    // A run resumed past this model restores its history without evaluating; the evaluation is
    // deterministic (a fixed ε seed), so computing it now gives the numbers the epoch printed.
    if last == nil, let test {
      last = inference {
        VAEEvaluation(model, images: test, seed: seed, blockSize: evaluationBlockSize)
      }
    }
    return (history, last)
  }

  /// The seed of the ε a VAE is evaluated with (one z per test image): the same for every epoch
  /// and every model of a run, so their losses differ by the models only.
  public var vaeEvaluationSeed: UInt64 { options.seed &+ 5000 }
}
