import Autodiff
import Layers
import TensorCore

/// A VAE measured on a set of images (a test set), in nats per image:
/// −ELBO = reconstruction + KL with one z per image (the KL in closed form), each unit's KL,
/// which units are active, and the per-pixel MSE of the mean reconstruction decode(μ).
public struct VAEEvaluation: Sendable {
  /// E_q[−log p(x|z)], one z per image: nats per image.
  public let reconstruction: Double
  /// KL(q(z|x) ‖ N(0, I)): nats per image.
  public let kl: Double
  /// The mean KL of each latent unit (sums to `kl`).
  public let klPerUnit: [Double]
  /// Var_x of each unit's posterior mean, and how many exceed 0.01.
  public let activeUnits: ActiveUnits
  /// MSE per pixel between the images and decode(μ): comparable with chapter 1's autoencoders.
  public let meanReconstructionMSE: Double
  public let images: Int

  /// −ELBO per image (one z per image): the VAE's loss, an upper bound on −log p(x).
  public var loss: Double { reconstruction + kl }

  /// `images` is (n, pixels) with pixels in [0, 1]; ε for the one z per image comes from a
  /// generator seeded with `seed`, so every epoch and every model sees the same draws.
  public init(
    _ model: VariationalAutoencoder, images x: Tensor, seed: UInt64, blockSize: Int = 1000
  ) {
    let (n, pixels) = (x.shape[0], x.shape[1])
    var rng = RandomGenerator(seed: seed)
    var reconstruction = 0.0
    var kl = 0.0
    var perUnit = [Double](repeating: 0, count: model.latent)
    var squaredError = 0.0
    var means = Tensor(zeros: [n, model.latent])
    inference {
      for start in stride(from: 0, to: n, by: blockSize) {
        let end = Swift.min(start + blockSize, n)
        let block = x.rows(start..<end)
        let (mean, logVariance) = model.encode(Variable(block))
        let noise = Tensor.standardNormal(mean.shape, using: &rng)
        let z = model.reparameterize(mean: mean, logVariance: logVariance, noise: noise)
        let logits = model.decodeLogits(z).value
        reconstruction += bernoulliNegativeLogLikelihoodPerRow(logits: logits, targets: block)
          .reduce(0, +)
        kl += gaussianKLPerRow(mean: mean.value, logVariance: logVariance.value).reduce(0, +)
        let units = gaussianKLPerUnit(mean: mean, logVariance: logVariance).value.scalars
        for u in 0..<units.count { perUnit[u] += Double(units[u]) * Double(end - start) }
        let decoded = model.decode(mean).value
        squaredError += decoded.sumOfSquaredDifferences(block)
        means.withUnsafeMutablePointer { out in
          mean.value.withUnsafePointer {
            (out + start * model.latent).update(from: $0, count: mean.value.count)
          }
        }
      }
    }
    self.reconstruction = reconstruction / Double(n)
    self.kl = kl / Double(n)
    self.klPerUnit = perUnit.map { $0 / Double(n) }
    self.activeUnits = ActiveUnits(means: means)
    self.meanReconstructionMSE = squaredError / Double(n * pixels)
    self.images = n
  }
}
