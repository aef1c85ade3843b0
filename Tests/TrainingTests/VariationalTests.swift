import Autodiff
import Data
import Foundation
import Kernels
import Layers
import TensorCore
import Testing

@testable import Training

/// Chapter 5's pieces: the VAE's two loss terms, the reparameterisation, the importance-weighted
/// bound and the active-units count.
@Suite("Variational autoencoder")
struct VariationalTests {
  // MARK: the KL term

  @Test func closedFormKLMatchesAMonteCarloEstimate() {
    // KL(q ‖ p) = E_q[log q(z) − log p(z)], estimated from 200,000 draws of z ~ q per row.
    let mean = Tensor(shape: [2, 3], scalars: [0.5, -1.2, 0, 2, 0.1, -0.3])
    let logVariance = Tensor(shape: [2, 3], scalars: [-1, 0.4, 0, -2.5, 1.1, 0.2])
    let closed = gaussianKLPerRow(mean: mean, logVariance: logVariance)
    var rng = RandomGenerator(seed: 7)
    let draws = 200_000
    for row in 0..<2 {
      var total = 0.0
      var squares = 0.0
      let eps = rng.standardNormals(draws * 3)
      for s in 0..<draws {
        var term = 0.0
        for u in 0..<3 {
          let (m, lv) = (Double(mean[row, u]), Double(logVariance[row, u]))
          let e = Double(eps[s * 3 + u])
          let z = m + Foundation.exp(0.5 * lv) * e
          term += (-0.5 * lv - 0.5 * e * e) - (-0.5 * z * z)  // log q − log p; the 2π cancels
        }
        total += term
        squares += term * term
      }
      let estimate = total / Double(draws)
      let standardError = ((squares / Double(draws) - estimate * estimate) / Double(draws))
        .squareRoot()
      #expect(
        Swift.abs(estimate - closed[row]) < 5 * standardError,
        "row \(row): Monte Carlo \(estimate) ± \(standardError), closed form \(closed[row])")
    }
    // The graph op agrees with the per-row function (mean over the rows).
    let graph = gaussianKL(mean: Variable(mean), logVariance: Variable(logVariance)).value.scalar
    #expect(Swift.abs(Double(graph) - (closed[0] + closed[1]) / 2) < 1e-5)
  }

  @Test func klIsZeroOnlyAtThePrior() {
    let zero = Tensor(zeros: [1, 5])
    #expect(gaussianKLPerRow(mean: zero, logVariance: zero) == [0])
    let shifted = Tensor(repeating: 0.1, shape: [1, 5])
    #expect(gaussianKLPerRow(mean: shifted, logVariance: zero)[0] > 0)
    #expect(gaussianKLPerRow(mean: zero, logVariance: shifted)[0] > 0)
  }

  @Test func perUnitKLSumsToTheKLAndHasTheRightGradient() {
    let mean = random([5, 4], seed: 3, low: -2, high: 2)
    let logVariance = random([5, 4], seed: 4, low: -3, high: 1)
    let perUnit = gaussianKLPerUnit(mean: Variable(mean), logVariance: Variable(logVariance))
    #expect(perUnit.shape == [4])
    let total = gaussianKL(mean: Variable(mean), logVariance: Variable(logVariance)).value.scalar
    #expect(Swift.abs(perUnit.value.sum().scalar - total) < 1e-5)
    let r = checkGradients(at: [mean, logVariance]) { v in
      (gaussianKLPerUnit(mean: v[0], logVariance: v[1])
        * Variable(Tensor(shape: [4], scalars: [1, 2, 3, 4]))).sum()
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func freeBitsFloorsEachUnitAndStopsItsGradient() {
    let perUnit = Variable(
      Tensor(shape: [4], scalars: [0.05, 0.3, 1.5, 0.2]), requiresGrad: true, name: "kl")
    let loss = freeBitsKL(perUnit: perUnit, floor: 0.25)
    #expect(Swift.abs(loss.value.scalar - (0.25 + 0.3 + 1.5 + 0.25)) < 1e-6)
    loss.backward()
    #expect(perUnit.grad!.scalars == [0, 1, 1, 0])
  }

  // MARK: the reconstruction term

  @Test func bernoulliTermIsBinaryCrossEntropySummedOverPixels() {
    let logits = random([3, 7], seed: 11, low: -6, high: 6)
    let targets = random([3, 7], seed: 12, low: 0, high: 1)
    let perRow = bernoulliNegativeLogLikelihoodPerRow(logits: logits, targets: targets)
    // Each row by the textbook formula −[x log p + (1 − x) log(1 − p)], p = σ(z), in Double.
    for r in 0..<3 {
      var expected = 0.0
      for i in 0..<7 {
        let p = 1 / (1 + Foundation.exp(-Double(logits[r, i])))
        let x = Double(targets[r, i])
        expected -= x * Foundation.log(p) + (1 - x) * Foundation.log(1 - p)
      }
      #expect(Swift.abs(perRow[r] - expected) < 1e-9 * 7 + 1e-6, "row \(r)")
    }
    let graph = bernoulliNegativeLogLikelihood(logits: Variable(logits), targets: Variable(targets))
    #expect(Swift.abs(Double(graph.value.scalar) - perRow.reduce(0, +) / 3) < 1e-4)
    let r = checkGradients(at: [logits]) { v in
      bernoulliNegativeLogLikelihood(logits: v[0], targets: Variable(targets))
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func bernoulliTermIsStableAtLargeLogits() {
    let logits = Tensor(shape: [1, 4], scalars: [80, -80, 80, -80])
    let targets = Tensor(shape: [1, 4], scalars: [1, 0, 0, 1])
    let nll = bernoulliNegativeLogLikelihoodPerRow(logits: logits, targets: targets)[0]
    // Right with certainty costs ~0 nats; wrong costs 80 nats each.
    #expect(Swift.abs(nll - 160) < 1e-6)
  }

  // MARK: the reparameterisation

  @Test(arguments: ["naive", "tiled"]) func reparameterisedSampleHasTheRightGradient(
    kernels: String
  ) throws {
    // z = μ + exp(½ log σ²) ⊙ ε with a fixed ε: ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε, through a
    // downstream loss that mixes the units.
    var rng = RandomGenerator(seed: 21)
    let model = VariationalAutoencoder.mlp(latent: 3, hidden: 5, pixels: 6, rng: &rng)
    let noise = random([4, 3], seed: 22, low: -2, high: 2)
    let weights = Variable(random([4, 3], seed: 23))
    let set = try Kernels.named(kernels)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [random([4, 3], seed: 24), random([4, 3], seed: 25, low: -2, high: 1)]) {
        v in
        (model.reparameterize(mean: v[0], logVariance: v[1], noise: noise).square() * weights)
          .sum()
      }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test func wholeELBOHasTheRightGradientWithRespectToTheEncodersInput() {
    // Encoder, sampling, decoder, both terms: the noise comes from a generator made inside f.
    // (The image enters as the encoder's input; as the Bernoulli target it is data, with no
    // gradient, so the target is a constant copy.)
    var rng = RandomGenerator(seed: 31)
    let model = VariationalAutoencoder.mlp(latent: 2, hidden: 6, pixels: 5, rng: &rng)
    let x = random([3, 5], seed: 32, low: 0.05, high: 0.95)
    let r = checkGradients(at: [x]) { v in
      var noise = RandomGenerator(seed: 33)
      let (mean, logVariance) = model.encode(v[0])
      let z = model.reparameterize(
        mean: mean, logVariance: logVariance, noise: Tensor.standardNormal([3, 2], using: &noise))
      return bernoulliNegativeLogLikelihood(logits: model.decodeLogits(z), targets: Variable(x))
        + gaussianKL(mean: mean, logVariance: logVariance)
    }
    #expect(r.passes(tolerance: 2e-3), "\(r)")
  }

  @Test func encoderOutputIsSplitIntoMeanAndLogVariance() {
    var rng = RandomGenerator(seed: 41)
    let model = VariationalAutoencoder.mlp(latent: 4, hidden: 8, pixels: 10, rng: &rng)
    let x = Variable(random([3, 10], seed: 42, low: 0, high: 1))
    let h = model.encoder(x).value
    let (mean, logVariance) = model.encode(x)
    #expect(mean.shape == [3, 4] && logVariance.shape == [3, 4])
    #expect(mean.value == h.slice(axis: 1, 0..<4))
    #expect(logVariance.value == h.slice(axis: 1, 4..<8))
    #expect(model(x).shape == [3, 10])
    #expect(model.parameterCount == 10 * 8 + 8 + 8 * 8 + 8 + 4 * 8 + 8 + 8 * 10 + 10)
  }

  // MARK: log-sum-exp and the importance-weighted bound

  @Test func logSumExpIsStableAtLargeMagnitudes() {
    #expect(Swift.abs(logSumExp([-1000, -1000]) - (-1000 + Foundation.log(2))) < 1e-12)
    #expect(Swift.abs(logSumExp([1000, 1000, 1000]) - (1000 + Foundation.log(3))) < 1e-12)
    #expect(Swift.abs(logSumExp([-800, -1e6]) - -800) < 1e-12)
    #expect(Swift.abs(logSumExp([0.5, 1.5]) - Foundation.log(exp(0.5) + exp(1.5))) < 1e-12)
    #expect(logSumExp([]) == -Double.infinity)
    #expect(logSumExp([-Double.infinity, -Double.infinity]) == -Double.infinity)
    #expect(logSumExp([-Double.infinity, 2]) == 2)
    #expect(logSumExp([1, .nan]).isNaN)
  }

  /// A small VAE, a few Adam steps on 256 real Fashion-MNIST images, and 64 test images.
  static func trainedSmallVAE() throws -> (VariationalAutoencoder, Tensor) {
    let train = try ImageDataset.load(split: .train, from: ImageDataset.systemDirectory)
    let test = try ImageDataset.load(split: .test, from: ImageDataset.systemDirectory)
    var rng = RandomGenerator(seed: 51)
    let model = VariationalAutoencoder.mlp(latent: 4, hidden: 32, rng: &rng)
    let adam = Adam(parameters: model.parameters, learningRate: 3e-3)
    let images = train.batch(Array(0..<256))
    for step in 0..<40 {
      let batch = images.rows((step % 4) * 64..<((step % 4) + 1) * 64)
      let terms = model.elboTerms(batch, using: &rng)
      (terms.reconstruction + terms.kl).backward()
      adam.step()
    }
    return (model, test.batch(Array(0..<64)))
  }

  @Test(.enabled(if: FileManager.default.fileExists(atPath: ImageDataset.systemDirectory.path)))
  func importanceWeightedBoundTightensWithMoreSamples() throws {
    let (model, x) = try Self.trainedSmallVAE()
    func mean(_ k: Int, seed: UInt64) -> Double {
      var rng = RandomGenerator(seed: seed)
      let b = importanceWeightedBound(model, images: x, samples: k, using: &rng)
      #expect(b.count == 64 && b.allSatisfy(\.isFinite))
      return b.reduce(0, +) / Double(b.count)
    }
    let (k1, k10, k100) = (mean(1, seed: 1), mean(10, seed: 2), mean(100, seed: 3))
    // −L_k falls with k: L_100 ≥ L_10 ≥ L_1 (these means are over 64 images; the gaps are nats).
    #expect(k10 < k1 && k100 < k10, "−L_1 \(k1), −L_10 \(k10), −L_100 \(k100)")
    // k = 1 estimates −ELBO: its mean over many draws is the closed-form −ELBO's, where the KL is
    // exact and only the reconstruction is sampled.
    var many = 0.0
    for s in 0..<20 { many += mean(1, seed: 100 + UInt64(s)) }
    many /= 20
    var rng = RandomGenerator(seed: 200)
    var elbo = 0.0
    for _ in 0..<20 {
      let terms = inference { model.elboTerms(x, using: &rng) }
      elbo += Double(terms.reconstruction.value.scalar + terms.kl.value.scalar) / 20
    }
    #expect(Swift.abs(many - elbo) < 0.01 * elbo, "sampled −ELBO \(many), closed-form KL \(elbo)")
  }

  @Test func importanceWeightedBoundIsDeterministicAndBlockIndependent() {
    var rng = RandomGenerator(seed: 61)
    let model = VariationalAutoencoder.mlp(latent: 3, hidden: 8, pixels: 12, rng: &rng)
    let x = random([30, 12], seed: 62, low: 0, high: 1)
    var a = RandomGenerator(seed: 9)
    var b = RandomGenerator(seed: 9)
    let first = importanceWeightedBound(model, images: x, samples: 7, using: &a)
    let second = importanceWeightedBound(model, images: x, samples: 7, using: &b)
    #expect(first == second)
  }

  // MARK: the objective and the evaluation

  @Test func objectiveWeighsTheTermsAsDocumented() {
    var rng = RandomGenerator(seed: 71)
    let model = VariationalAutoencoder.mlp(latent: 3, hidden: 8, pixels: 10, rng: &rng)
    let x = random([4, 10], seed: 72, low: 0, high: 1)
    var noise = RandomGenerator(seed: 73)
    let terms = model.elboTerms(x, using: &noise)
    let (r, k) = (terms.reconstruction.value.scalar, terms.kl.value.scalar)
    func value(_ o: VAEObjective, step: Int) -> Float {
      o.loss(terms, step: step, pixels: 10).value.scalar
    }
    #expect(Swift.abs(value(.elbo, step: 1) - (r + k)) < 1e-4)
    #expect(Swift.abs(value(VAEObjective(beta: 4), step: 1) - (r + 4 * k)) < 1e-4)
    // Linear warm-up: weight β·step/warmUp, then β.
    let annealed = VAEObjective(beta: 2, warmUpSteps: 100)
    #expect(annealed.klWeight(step: 25) == 0.5 && annealed.klWeight(step: 100) == 2)
    #expect(annealed.klWeight(step: 1_000) == 2)
    #expect(Swift.abs(value(annealed, step: 50) - (r + k)) < 1e-4)
    // The bug: the reconstruction divided by the pixel count, the KL not.
    let bug = VAEObjective(perPixelReconstruction: true)
    #expect(Swift.abs(value(bug, step: 1) - (r / 10 + k)) < 1e-4)
    // Free bits: each unit's KL floored.
    let floored = terms.klPerUnit.value.scalars.map { max($0, 5) }.reduce(0, +)
    #expect(Swift.abs(value(VAEObjective(freeBits: 5), step: 1) - (r + floored)) < 1e-3)
  }

  @Test func evaluationAddsUpThePerImageTerms() {
    var rng = RandomGenerator(seed: 81)
    let model = VariationalAutoencoder.mlp(latent: 3, hidden: 8, pixels: 12, rng: &rng)
    let x = random([25, 12], seed: 82, low: 0, high: 1)
    // Blocks of 7 rows, and the whole set at once, give the same numbers up to rounding.
    let blocks = VAEEvaluation(model, images: x, seed: 5, blockSize: 7)
    let (mean, logVariance) = inference { model.encode(Variable(x)) }
    let kl = gaussianKLPerRow(mean: mean.value, logVariance: logVariance.value)
    #expect(Swift.abs(blocks.kl - kl.reduce(0, +) / 25) < 1e-9)
    #expect(Swift.abs(blocks.klPerUnit.reduce(0, +) - blocks.kl) < 1e-4)
    #expect(blocks.loss == blocks.reconstruction + blocks.kl)
    #expect(blocks.activeUnits.variances == ActiveUnits(means: mean.value).variances)
    let decoded = inference { model(Variable(x)).value }
    let mse =
      zip(decoded.scalars, x.scalars).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
      / 300
    #expect(Swift.abs(blocks.meanReconstructionMSE - mse) < 1e-7)
    // The same seed gives the same ε, so the same estimate.
    #expect(
      VAEEvaluation(model, images: x, seed: 5, blockSize: 7).reconstruction == blocks.reconstruction
    )
  }

  // MARK: active units

  @Test func activeUnitsCountsUnitsWhoseMeanMovesWithTheImage() {
    // Unit 0 varies a lot, unit 1 a little (variance 0.0025), unit 2 not at all, unit 3 just
    // above the 0.01 threshold (values ±0.11 → variance 0.0121·n/(n−1)).
    let n = 100
    var scalars: [Float] = []
    for i in 0..<n {
      let sign: Float = i % 2 == 0 ? 1 : -1
      scalars += [Float(i) / 10, sign * 0.05, 0.7, sign * 0.11]
    }
    let units = ActiveUnits(means: Tensor(shape: [n, 4], scalars: scalars))
    #expect(units.count == 2)
    #expect(units.variances[2] < 1e-12)
    #expect(Swift.abs(units.variances[1] - 0.0025 * 100 / 99) < 1e-6)
    #expect(units.variances[3] > 0.01)
    #expect(
      ActiveUnits(means: Tensor(shape: [n, 4], scalars: scalars), threshold: 0.001).count == 3)
  }
}
