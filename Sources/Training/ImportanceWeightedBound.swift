import Autodiff
import Foundation
import Layers
import TensorCore

/// The importance-weighted bound of Burda, Grosse & Salakhutdinov (ICLR 2016), per image, as a
/// negative log-likelihood bound in nats (an upper bound on −log p(x): lower is tighter).
///
/// For z_1 … z_k drawn from q(z|x), the weights w_i = p(x|z_i) p(z_i) / q(z_i|x) have mean p(x),
/// so by Jensen's inequality
///
///     log p(x) ≥ L_k = E[ log (1/k) Σ_i w_i ] ≥ L_1 = ELBO,
///
/// and L_k rises towards log p(x) as k grows (Burda et al., theorem 1). Here each term is
///
///     log w_i = −BCE(x, decoder(z_i))                    log p(x|z_i), Bernoulli pixels
///             + Σ_u −½ (log 2π + z_iu²)                  log p(z_i), the N(0, I) prior
///             − Σ_u −½ (log 2π + log σ_u² + ε_iu²)       log q(z_i|x), with z_i = μ + σ ⊙ ε_i
///
/// and log Σ_i w_i is a `logSumExp` (the log-weights are hundreds of nats below zero).
/// Returns −L_k for each row of `images` (rows, pixels), from one estimate with k samples each.
/// With k = 1 this is a one-sample estimate of −ELBO (the KL sampled, not in closed form).
public func importanceWeightedBound(
  _ model: VariationalAutoencoder, images: Tensor, samples k: Int,
  using rng: inout RandomGenerator
) -> [Double] {
  check(k >= 1, "importanceWeightedBound: needs at least one sample per image, got \(k)")
  check(images.shape.count == 2, "importanceWeightedBound: images must be (rows, pixels)")
  let (rows, pixels) = (images.shape[0], images.shape[1])
  let d = model.latent
  let halfLog2Pi = 0.5 * Foundation.log(2 * Double.pi)
  // Decode about 2,000 codes at a time: a block of images, each with its k samples.
  let block = max(1, 2000 / k)
  var bounds: [Double] = []
  bounds.reserveCapacity(rows)
  inference {
    for start in stride(from: 0, to: rows, by: block) {
      let end = min(rows, start + block)
      let n = end - start
      let x = images.rows(start..<end)
      let (meanV, logVarV) = model.encode(Variable(x))
      let (mean, logVar) = (meanV.value.scalars, logVarV.value.scalars)
      let noise = Tensor.standardNormal([n * k, d], using: &rng).scalars
      var z = [Float](repeating: 0, count: n * k * d)
      var logPrior = [Double](repeating: 0, count: n * k)
      var logPosterior = [Double](repeating: 0, count: n * k)
      for i in 0..<n {
        for s in 0..<k {
          let row = i * k + s
          var prior = 0.0
          var posterior = 0.0
          for u in 0..<d {
            let (m, lv, e) = (mean[i * d + u], logVar[i * d + u], noise[row * d + u])
            let value = m + Foundation.exp(0.5 * lv) * e
            z[row * d + u] = value
            prior += -halfLog2Pi - 0.5 * Double(value) * Double(value)
            posterior += -halfLog2Pi - 0.5 * Double(lv) - 0.5 * Double(e) * Double(e)
          }
          logPrior[row] = prior
          logPosterior[row] = posterior
        }
      }
      let logits = model.decodeLogits(Variable(Tensor(shape: [n * k, d], scalars: z))).value
      // Each image repeated k times, as the targets of its k decodings.
      let targets = Tensor(
        shape: [n * k, pixels],
        unsafeUninitialized: { p in
          x.withUnsafePointer { source in
            for i in 0..<n {
              for s in 0..<k {
                (p + (i * k + s) * pixels).update(from: source + i * pixels, count: pixels)
              }
            }
          }
        })
      let nll = bernoulliNegativeLogLikelihoodPerRow(logits: logits, targets: targets)
      for i in 0..<n {
        let logWeights = (0..<k).map { s in
          let row = i * k + s
          return -nll[row] + logPrior[row] - logPosterior[row]
        }
        bounds.append(-(logSumExp(logWeights) - Foundation.log(Double(k))))
      }
    }
  }
  return bounds
}
