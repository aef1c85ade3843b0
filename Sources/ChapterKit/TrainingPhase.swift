import Autodiff
import TensorCore
import Training

/// One mini-batch as the training loop hands it to a loss: which samples, and where in training.
public struct TrainingBatch: Sendable {
  /// The samples' indices in the training set, in the shuffled order of this epoch.
  public let indices: [Int]
  /// The epoch, from 1.
  public let epoch: Int
  /// The batch's number within its epoch, from 1.
  public let number: Int
  /// Batches since training began, from 1: what a schedule (KL annealing, say) counts in.
  public let step: Int

  public init(indices: [Int], epoch: Int, number: Int, step: Int) {
    self.indices = indices
    self.epoch = epoch
    self.number = number
    self.step = step
  }

  /// How many samples the batch holds (the last one of an epoch may be smaller).
  public var count: Int { indices.count }
}

/// What a loss closure returns: the scalar to differentiate, and named parts to report.
///
///     StepLoss(reconstruction + kl, parts: [("reconstruction", reconstruction), ("kl", kl)])
///
/// The loop differentiates `total` only; the parts are read as numbers and averaged per epoch, so
/// a chapter can print "train_reconstruction" and "train_kl" next to the total.
public struct StepLoss {
  public let total: Variable
  public let parts: [(name: String, value: Double)]

  public init(_ total: Variable, parts: [(String, Variable)] = []) {
    self.total = total
    self.parts = parts.map { (name: $0.0, value: Double($0.1.value.scalar)) }
  }
}

/// One optimisation step inside a training step: a loss and the optimizer that follows its
/// gradient. Most chapters have one phase. An adversarial autoencoder has three per batch
/// (reconstruction: encoder and decoder; discriminator: the critic; regularisation: the encoder
/// against the critic), each with its own optimizer, taken in order on the same batch.
public struct TrainingPhase {
  /// The name the phase's loss is reported under: "mse" is printed as `train_mse`.
  public let name: String
  /// Updates the parameters this phase trains (and only those: see `TrainingLoop`).
  public let optimizer: any Optimizer
  /// The batch's loss. It may draw from the generator (noise, dropout masks, ε for a VAE):
  /// that is the loop's seeded generator, so a run stays reproducible.
  public let loss: (TrainingBatch, inout RandomGenerator) throws -> StepLoss

  public init(
    _ name: String, optimizer: any Optimizer,
    loss: @escaping (TrainingBatch, inout RandomGenerator) throws -> StepLoss
  ) {
    self.name = name
    self.optimizer = optimizer
    self.loss = loss
  }
}
