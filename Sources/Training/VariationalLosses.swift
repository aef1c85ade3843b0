import Autodiff
import Foundation
import Layers
import TensorCore

// The two terms of a VAE's loss, in nats, with the conventions spelled out: a variational
// autoencoder's loss is −ELBO = E_q[−log p(x|z)] + KL(q(z|x) ‖ p(z)) for ONE image, so both terms
// are summed over that image's pixels and latent units, and only then averaged over the batch.
// (Averaging the first over pixels but not the second is the common bug chapter 5 trains on
// purpose: it weighs the KL 784 times too much.)

/// −log p(x|z) for Bernoulli pixels with logits z and targets x ∈ [0, 1], summed over each image's
/// pixels and averaged over the batch: nats per image. It is `binaryCrossEntropy` (a mean over
/// every element) times the pixel count, so it shares that op's stable formula and gradient.
public func bernoulliNegativeLogLikelihood(logits: Variable, targets: Variable) -> Variable {
  check(
    logits.shape.count == 2,
    "bernoulliNegativeLogLikelihood: logits must be (batch, pixels), got \(logits.shape)")
  return binaryCrossEntropy(logits: logits, targets: targets) * Float(logits.shape[1])
}

/// KL(N(μ, σ²) ‖ N(0, 1)) for each latent unit, averaged over the batch: a (latent) vector whose
/// sum is `gaussianKL`. Free bits and the per-unit KL picture need the units one by one.
public func gaussianKLPerUnit(mean: Variable, logVariance: Variable) -> Variable {
  check(
    mean.shape == logVariance.shape && mean.shape.count == 2,
    "gaussianKLPerUnit: mean \(mean.shape) and logVariance \(logVariance.shape) must both be"
      + " (batch, latent)")
  let perElement = logVariance + 1 - mean.square() - logVariance.exp()
  return perElement.mean(alongAxis: 0) * -0.5
}

/// Free bits (Kingma et al. 2016, "Improved Variational Inference with Inverse Autoregressive
/// Flow"): Σ_u max(KL_u, λ), with KL_u the batch's mean KL of unit u. Below the floor λ a unit's
/// KL gets no gradient, so the optimiser has nothing to gain by squeezing it further towards the
/// prior, and the unit stays free to carry information.
public func freeBitsKL(perUnit: Variable, floor lambda: Float) -> Variable {
  check(lambda >= 0, "freeBitsKL: the floor must be ≥ 0 nats, got \(lambda)")
  return perUnit.clamped(to: lambda...Float.greatestFiniteMagnitude).sum()
}

/// One batch's terms of −ELBO, each in nats per image, as graph nodes.
public struct ELBOTerms {
  /// E_q[−log p(x|z)] estimated with one z per image.
  public let reconstruction: Variable
  /// KL(q(z|x) ‖ N(0, I)), in closed form.
  public let kl: Variable
  /// The KL of each latent unit (latent), which sums to `kl`.
  public let klPerUnit: Variable
  /// The codes z the reconstruction was decoded from (batch, latent).
  public let z: Variable
}

extension VariationalAutoencoder {
  /// −ELBO's two terms on a batch x (batch, pixels) with pixels in [0, 1] as Bernoulli targets:
  /// encode, draw z = μ + σ ⊙ ε with ε from `rng`, decode, and score.
  public func elboTerms(_ x: Tensor, using rng: inout RandomGenerator) -> ELBOTerms {
    let input = Variable(x)
    let (mean, logVariance) = encode(input)
    let noise = Tensor.standardNormal(mean.shape, using: &rng)
    let z = reparameterize(mean: mean, logVariance: logVariance, noise: noise)
    let reconstruction = bernoulliNegativeLogLikelihood(logits: decodeLogits(z), targets: input)
    let perUnit = gaussianKLPerUnit(mean: mean, logVariance: logVariance)
    return ELBOTerms(reconstruction: reconstruction, kl: perUnit.sum(), klPerUnit: perUnit, z: z)
  }
}

/// −log p(x|z) of each row (image), summed over its pixels, from logits z and targets x ∈ [0, 1]:
/// Σ max(z, 0) − z·x + log(1 + e^(−|z|)). No graph: for evaluation.
public func bernoulliNegativeLogLikelihoodPerRow(logits: Tensor, targets: Tensor) -> [Double] {
  rowSums(logits, targets, "bernoulliNegativeLogLikelihoodPerRow: logits and targets") { z, x in
    Double(max(z, 0) - z * x) + Foundation.log1p(Foundation.exp(-Double(abs(z))))
  }
}

/// KL(N(μ, σ²) ‖ N(0, I)) of each row, summed over its units: −½ Σ (1 + log σ² − μ² − σ²).
/// No graph: for evaluation.
public func gaussianKLPerRow(mean: Tensor, logVariance: Tensor) -> [Double] {
  rowSums(mean, logVariance, "gaussianKLPerRow: mean and logVariance") { m, v in
    let (mu, lv) = (Double(m), Double(v))
    return -0.5 * (1 + lv - mu * mu - Foundation.exp(lv))
  }
}

/// Σ_j term(a[r, j], b[r, j]) for each row r of two (rows, columns) tensors, in Double.
private func rowSums(
  _ a: Tensor, _ b: Tensor, _ what: String, term: (Float, Float) -> Double
) -> [Double] {
  check(
    a.shape == b.shape && a.shape.count == 2,
    "\(what) must both be (rows, columns) of one shape, got \(a.shape) and \(b.shape)")
  let (rows, columns) = (a.shape[0], a.shape[1])
  return a.withUnsafePointer { p in
    b.withUnsafePointer { q in
      (0..<rows).map { r in
        var total = 0.0
        for i in (r * columns)..<((r + 1) * columns) { total += term(p[i], q[i]) }
        return total
      }
    }
  }
}
