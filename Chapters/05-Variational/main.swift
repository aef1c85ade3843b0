/*:
 # Chapter 5 · The variational autoencoder

 Run it:  `swift run -c release vae`   (a little over a minute on a 2-core AVX-512 Zen 5;
 `--quick` for a smoke run).

 ## What you will learn
 - How an autoencoder becomes a generative model: a code that is a distribution, a prior to
   sample from, and a loss that is a bound on the log-likelihood of the data.
 - The reparameterisation trick, and why sampling z directly would stop the gradient.
 - The loss's scale, exactly: nats per image, summed over pixels and latent units, and what the
   most common bug (averaging one term but not the other) does.
 - How to look at a latent space: samples, the 2-D manifold, interpolation.
 - β, posterior collapse and its two classic cures, and a tighter bound than the ELBO.

 References: D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014;
 I. Higgins et al., "β-VAE: Learning Basic Visual Concepts with a Constrained Variational
 Framework", ICLR 2017; S. R. Bowman et al., "Generating Sentences from a Continuous Space",
 CoNLL 2016 (KL annealing); D. P. Kingma et al., "Improved Variational Inference with Inverse
 Autoregressive Flow", NeurIPS 2016 (free bits); Y. Burda, R. Grosse and R. Salakhutdinov,
 "Importance Weighted Autoencoders", ICLR 2016 (the k-sample bound, active units).

 ## The idea
 Chapter 1's autoencoder maps each image to a point. Decode a point that no image was mapped to
 and you get whatever the decoder happens to do there: the code space has holes, and there is
 no rule for picking a point to decode. A VAE fixes both with probability:

 - a **prior** p(z) = N(0, I) over a `latent`-dimensional code (20 here),
 - a **decoder** p(x|z): for each of the 784 pixels a Bernoulli probability sigmoid(logit),
 - an **encoder** q(z|x) = N(μ(x), diag σ²(x)) that guesses which codes could have made x.

 We would like to maximise log p(x) = log ∫ p(x|z) p(z) dz, which has no closed form. For any q,

     log p(x) ≥ E_q[log p(x|z)] − KL(q(z|x) ‖ p(z)) = ELBO(x),

 the evidence lower bound, and the gap is KL(q(z|x) ‖ p(z|x)): the better the encoder guesses
 the true posterior, the tighter the bound. We minimise −ELBO, which has two terms:

 - **reconstruction**, E_q[−log p(x|z)]: the binary cross-entropy between x and the decoder's
   probabilities, *summed* over the 784 pixels, estimated with one z per image;
 - **KL**, in closed form for two Gaussians (Kingma & Welling, appendix B):
   KL = −½ Σ_u (1 + log σ_u² − μ_u² − σ_u²), *summed* over the latent units.

 Both are in nats for one image, and the loss is their sum, averaged over the batch. The KL
 pulls every q(z|x) towards the prior, so the codes of all images crowd into one Gaussian-shaped
 region with no holes, and any z from the prior decodes to something plausible.

 **The reparameterisation trick.** The reconstruction term needs a z ~ q(z|x), and its gradient
 with respect to μ and σ. A sample drawn directly from N(μ, σ²) is just a number: nothing in it
 says how it would move if μ moved, so backpropagation stops there. Write it instead as
 z = μ + σ ⊙ ε with ε ~ N(0, I) drawn from the seeded generator: ε is a constant, z is a
 differentiable function of μ and σ (∂z/∂μ = 1, ∂z/∂σ = ε), and the gradient flows to the
 encoder. (Sources/Layers/VariationalAutoencoder.swift, `reparameterize`.)

 **Grey pixels, not binarised.** Fashion-MNIST's pixels are grey levels in [0, 1]; we use them
 as Bernoulli targets as they are, as the PyTorch example does. The cross-entropy of a grey
 target y is then at least its entropy H(y) > 0, so the reconstruction term cannot reach 0 and
 the "nats per image" are not the log-likelihood of a discrete distribution. Papers on
 *binarised* MNIST (each pixel set to 0 or 1 at random with probability y) report numbers such
 as −log p(x) ≈ 85–100 nats: ours are on another scale and must not be compared with them.
 The chapter prints the entropy floor so you can see how much of our number is that floor.
 */

import Bottleneck
import Foundation

/*:
 ## The code
 The model is the library's `VariationalAutoencoder.mlp` (Sources/Layers): 784 → 400 (ReLU) →
 40 numbers split into μ and log σ², and 20 → 400 (ReLU) → 784 logits, the shape of the
 well-known PyTorch example (652,824 parameters). The loss (Sources/Training/VAEObjective.swift
 and VariationalLosses.swift), for one batch:

     let (mean, logVariance) = model.encode(x)
     let z = model.reparameterize(mean: mean, logVariance: logVariance, noise: ε)
     let reconstruction = bernoulliNegativeLogLikelihood(logits: model.decodeLogits(z), targets: x)
     let kl = gaussianKL(mean: mean, logVariance: logVariance)
     let loss = reconstruction + β · kl                    // β = 1: −ELBO, nats per image

 `ChapterRun.trainVAE` hands that to the same training loop as every chapter and reports both
 terms per epoch.
 */

/// Trains a fresh VAE with `objective` and measures it on `test` (`VAEEvaluation`): after each
/// epoch when `evaluateEachEpoch`, else once at the end.
func trainVAE(
  latent: Int, objective: VAEObjective = .elbo, name: String, epochs: Int, learningRate: Float,
  images: ImageDataset? = nil, test: Tensor, evaluateEachEpoch: Bool, run: ChapterRun,
  rng: inout RandomGenerator
) throws -> (VariationalAutoencoder, TrainingHistory, VAEEvaluation) {
  let model = VariationalAutoencoder.mlp(latent: latent, rng: &rng)
  let (history, last) = try run.trainVAE(
    model, name: name, objective: objective, epochs: epochs, learningRate: learningRate,
    images: images, test: evaluateEachEpoch ? test : nil, rng: &rng)
  let evaluation = last ?? VAEEvaluation(model, images: test, seed: run.vaeEvaluationSeed)
  return (model, history, evaluation)
}

/// One row of the β and collapse tables.
struct SweepResult {
  let key: String
  let title: String
  let objective: VAEObjective
  let model: VariationalAutoencoder
  let evaluation: VAEEvaluation

  var metrics: MetricValue {
    [
      "title": .text(title), "beta": MetricValue(objective.beta),
      "warm_up_steps": MetricValue(objective.warmUpSteps),
      "free_bits_nats": MetricValue(orNull: objective.freeBits.map(Double.init)),
      "test_loss_nats_per_image": MetricValue(evaluation.loss),
      "test_reconstruction_nats": MetricValue(evaluation.reconstruction),
      "test_kl_nats": MetricValue(evaluation.kl),
      "active_units": MetricValue(evaluation.activeUnits.count),
      "units_above_0_1_nats": MetricValue(informativeUnits),
      "test_mse_per_pixel": MetricValue(evaluation.meanReconstructionMSE),
      "kl_per_unit": .list(evaluation.klPerUnit.map { MetricValue($0) }),
    ]
  }

  /// Units whose KL is above 0.1 nats: a stricter count than "active".
  var informativeUnits: Int { evaluation.klPerUnit.filter { $0 > 0.1 }.count }

  var line: String {
    "  " + title.padding(toLength: 34, withPad: " ", startingAt: 0)
      + Format.fixed(evaluation.reconstruction, digits: 2).leftPadded(to: 9)
      + Format.fixed(evaluation.kl, digits: 2).leftPadded(to: 8)
      + Format.fixed(evaluation.loss, digits: 2).leftPadded(to: 9)
      + "\(evaluation.activeUnits.count)/\(evaluation.klPerUnit.count)".leftPadded(to: 9)
      + "\(informativeUnits)".leftPadded(to: 8)
      + Format.fixed(evaluation.meanReconstructionMSE).leftPadded(to: 10)
  }

  static let header =
    "  model                              recon.     KL   −ELBO   active  KL>0.1  MSE/pixel"
}

/*:
 ### The lesson, step by step
 */

func lesson(_ options: ChapterOptions) throws {
  let epochs = options.epochs(default: 20)
  let learningRate = options.learningRate(default: 1e-3)
  let latent = options.latent(default: 20)
  let run = try ChapterRun(chapter: "vae", options: options, epochs: epochs)
  var rng = RandomGenerator(seed: options.seed)
  let testPixels = run.test.tensor()  // (10000, 784), pixels in [0, 1]
  let pixels = run.train.pixelsPerImage

  /*:
   **Step 1: two numbers that need no training.** The entropy floor of our grey targets, and
   −log p(x) under independent Bernoulli pixels with the training set's mean image as their
   probabilities: a model that ignores z, which a fully collapsed VAE turns into.
   */
  let baselines = NatsBaselines(train: run.train, test: testPixels)
  print(
    "\nOn the \(Format.grouped(run.test.count)) test images, in nats per image:"
      + "\n  the reconstruction term's floor (the grey targets' entropy)  "
      + Format.fixed(baselines.entropyFloor, digits: 2)
      + "\n  independent pixels, p = the mean training image (no z at all)  "
      + Format.fixed(baselines.independentPixels, digits: 2))

  /*:
   **Step 2: the VAE** (20-d latent, 20 epochs, Adam 1e-3, batch 128). Each epoch prints the
   training and test −ELBO split into its two terms, and how many latent units are active.
   */
  let (vae, history, evaluation) = try trainVAE(
    latent: latent, name: "VAE \(latent)-d", epochs: epochs, learningRate: learningRate,
    test: testPixels, evaluateEachEpoch: true, run: run, rng: &rng)
  let pca = PCA.fit(rowCount: run.train.count, dimension: pixels, components: latent) {
    run.train.batch(Array($0))
  }
  let pcaMSE = Double(pca.reconstructionMSE(testPixels))
  print(
    "VAE-\(latent) on the test set: −ELBO \(Format.fixed(evaluation.loss, digits: 2)) nats per image"
      + " = reconstruction \(Format.fixed(evaluation.reconstruction, digits: 2))"
      + " + KL \(Format.fixed(evaluation.kl, digits: 2));"
      + " \(evaluation.activeUnits.count) of \(latent) units active."
      + "\n  Above the entropy floor: \(Format.fixed(evaluation.reconstruction - baselines.entropyFloor, digits: 2)) nats;"
      + " independent pixels: \(Format.fixed(baselines.independentPixels, digits: 2))."
      + "\n  Reconstruction at z = μ, MSE per pixel \(Format.fixed(evaluation.meanReconstructionMSE))"
      + " (PCA-\(latent): \(Format.fixed(pcaMSE))).")

  /*:
   **Step 3: the loss's conventions, on one batch.** The same 128 test images' loss, per pixel,
   per image and per batch. Only "per image" is −ELBO. Dividing the reconstruction by 784 (a
   mean over pixels, what `mse_loss` or `binary_cross_entropy` do by default) but not the KL
   changes their balance by a factor of 784: Step 6 trains a model that way.
   */
  let conventions = inference { () -> (recon: Double, kl: Double) in
    var noise = RandomGenerator(seed: options.seed &+ 6000)
    let terms = vae.elboTerms(testPixels.rows(0..<min(128, run.test.count)), using: &noise)
    return (Double(terms.reconstruction.value.scalar), Double(terms.kl.value.scalar))
  }
  let batch = Double(min(128, run.test.count))
  print("\nThe loss of test images 0–\(Int(batch) - 1), three ways (nats):")
  print("                        reconstruction          KL     share of KL")
  for (label, r, k) in [
    ("per pixel / per unit", conventions.recon / Double(pixels), conventions.kl / Double(latent)),
    ("per image (−ELBO)", conventions.recon, conventions.kl),
    ("per batch (sum)", conventions.recon * batch, conventions.kl * batch),
    ("the bug: recon./784, KL", conventions.recon / Double(pixels), conventions.kl),
  ] {
    print(
      "  " + label.padding(toLength: 24, withPad: " ", startingAt: 0)
        + Format.fixed(r, digits: 3).leftPadded(to: 12)
        + Format.fixed(k, digits: 3).leftPadded(to: 12)
        + Format.percent(k / (r + k)).leftPadded(to: 14))
  }

  /*:
   **Step 4: a tighter bound.** With k samples z_i ~ q(z|x), L_k = log (1/k) Σ p(x, z_i)/q(z_i|x)
   is also a lower bound on log p(x), and it rises with k (Burda et al.): k = 1 is the ELBO.
   The weights are e^(−250) or so, so the mean is taken in log space (`logSumExp`).
   On the first 1,000 test images, as −L_k (nats per image, lower is tighter):
   */
  let iwaeImages = testPixels.rows(0..<min(1000, run.test.count))
  var iwae: [(k: Int, bound: Double)] = []
  for k in [1, 10, 100] {
    var boundRNG = RandomGenerator(seed: options.seed &+ 7000 &+ UInt64(k))
    let bounds = importanceWeightedBound(vae, images: iwaeImages, samples: k, using: &boundRNG)
    iwae.append((k, bounds.reduce(0, +) / Double(bounds.count)))
  }
  print(
    "\nImportance-weighted bound on \(Format.grouped(iwaeImages.shape[0])) test images, −L_k in nats per image:"
  )
  for (k, bound) in iwae {
    print(
      "  k = \(k)".padding(toLength: 10, withPad: " ", startingAt: 0)
        + Format.fixed(bound, digits: 2))
  }
  print(
    "  from k = 1 to k = 100 the bound tightens by \(Format.fixed(iwae[0].bound - iwae[2].bound, digits: 2)) nats"
  )

  /*:
   **Step 5: a 2-D VAE, to look at**, next to chapter 1's 2-D autoencoder (same data, same
   epochs). Two latent units can hold much less than twenty, but they can be drawn.
   */
  let epochs2D = max(1, epochs / 2)
  let (vae2D, history2D, evaluation2D) = try trainVAE(
    latent: 2, name: "VAE 2-d", epochs: epochs2D, learningRate: learningRate, test: testPixels,
    evaluateEachEpoch: false, run: run, rng: &rng)
  let ae2D = Autoencoder.deep(code: 2, rng: &rng)
  let aeHistory = try run.trainReconstruction(
    ae2D, name: "chapter 1's autoencoder, 2-d", epochs: epochs2D, learningRate: learningRate,
    rng: &rng)
  let means2D = inferenceInBlocks(testPixels) { vae2D.encode($0).mean }  // (10000, 2)
  let codes2D = inferenceInBlocks(testPixels) { ae2D.encode($0) }  // (10000, 2)
  let side = 20
  let occupancy = (
    vae: occupiedCellShare(means2D, side: side), ae: occupiedCellShare(codes2D, side: side)
  )
  let moments = means2D.columnMoments()
  print(
    "\nVAE-2: −ELBO \(Format.fixed(evaluation2D.loss, digits: 2)) nats per image"
      + " (reconstruction \(Format.fixed(evaluation2D.reconstruction, digits: 2)) + KL \(Format.fixed(evaluation2D.kl, digits: 2))),"
      + " MSE per pixel at z = μ \(Format.fixed(evaluation2D.meanReconstructionMSE))"
      + " vs the 2-d autoencoder's \(Format.fixed(aeHistory.last("test_mse")))"
      + "\n  its test means μ(x): mean (\(moments.mean.map { Format.fixed($0, digits: 2) }.joined(separator: ", ")))"
      + ", standard deviation (\(moments.variance.map { Format.fixed($0.squareRoot(), digits: 2) }.joined(separator: ", ")))"
      + "\n  share of a \(side)x\(side) grid of equal-count cells holding a test code:"
      + " VAE-2 \(Format.percent(occupancy.vae)), autoencoder-2 \(Format.percent(occupancy.ae))")

  /*:
   **Step 6: β, and the bug.** The same model trained to minimise reconstruction + β·KL for
   several β (Higgins et al.'s β-VAE), each for a few epochs on a 20,000-image subset so that
   the sweep stays short (compare them with each other, not with Step 2). β trades rate (the KL:
   how many nats the code carries about the image) for distortion (the reconstruction). The
   bug of Step 3 is the β = 784 point.
   */
  let sweepImages = run.train.subset(total: min(20_000, run.train.count))
  let sweepEpochs = min(epochs, 5)
  let stepsPerEpoch = (sweepImages.count + options.batchSize - 1) / options.batchSize
  let sweepSteps = sweepEpochs * stepsPerEpoch
  let collapseBeta: Float = 8
  let specs: [(key: String, title: String, objective: VAEObjective)] =
    [0.5, 1, 2, 4, collapseBeta].map { beta in
      (
        "beta_\(String(format: "%g", beta))", "β = \(String(format: "%g", beta))",
        VAEObjective(beta: beta)
      )
    } + [
      ("per_pixel_bug", "the bug: recon./784 + KL", VAEObjective(perPixelReconstruction: true)),
      (
        "annealed", "β = \(String(format: "%g", collapseBeta)), KL warm-up",
        VAEObjective(beta: collapseBeta, warmUpSteps: sweepSteps / 2)
      ),
      (
        "free_bits", "β = \(String(format: "%g", collapseBeta)), free bits 0.5",
        VAEObjective(beta: collapseBeta, freeBits: 0.5)
      ),
    ]
  var sweep: [SweepResult] = []
  for spec in specs {
    let (model, _, evaluation) = try trainVAE(
      latent: latent, objective: spec.objective, name: "sweep", epochs: sweepEpochs,
      learningRate: learningRate, images: sweepImages, test: testPixels, evaluateEachEpoch: false,
      run: run, rng: &rng)
    sweep.append(
      SweepResult(
        key: spec.key, title: spec.title, objective: spec.objective, model: model,
        evaluation: evaluation))
  }
  print(
    "\nThe sweep (\(sweepEpochs) epochs on \(Format.grouped(sweepImages.count)) images each), on the test set,"
      + " nats per image; −ELBO is reconstruction + KL whatever the training objective:")
  print(SweepResult.header)
  for result in sweep { print(result.line) }

  /*:
   **Step 7: posterior collapse and its cures.** At β = 8 most units give up: the KL is cheaper
   to pay by making q(z_u|x) the prior for every x than by carrying information. Such a unit is
   *inactive*: its mean μ_u(x) no longer moves with the image (Burda et al. count unit u as
   active when Var_x(μ_u(x)) > 0.01). Two cures, same budget: **KL annealing** (the KL's weight
   rises linearly from 0 to β over the first half of training, so the units learn to carry
   information before they are charged for it) and **free bits** (each unit's KL below λ = 0.5
   nats is free: Σ_u max(KL_u, λ), so squeezing a unit to the prior gains nothing).
   */
  let byKey = Dictionary(uniqueKeysWithValues: sweep.map { ($0.key, $0) })
  let collapseKeys = [
    "beta_1", "beta_\(String(format: "%g", collapseBeta))", "annealed", "free_bits",
    "per_pixel_bug",
  ]
  print("\nCollapse and cures (from the sweep):")
  print(SweepResult.header)
  for key in collapseKeys { print(byKey[key]!.line) }

  /*:
   ### The figures
   */
  try saveFigures(
    run: run, vae: vae, history: history, vae2D: vae2D, ae2D: ae2D, means2D: means2D,
    codes2D: codes2D, side: side, pca: pca, sweep: sweep, collapseKeys: collapseKeys,
    epochs: epochs, seed: options.seed)

  /*:
   ### The numbers
   */
  var models: [String: MetricValue] = [
    "vae": [
      "latent": MetricValue(latent),
      "parameters": MetricValue(vae.parameterCount),
      "test_loss_nats_per_image": MetricValue(evaluation.loss),
      "test_reconstruction_nats": MetricValue(evaluation.reconstruction),
      "test_kl_nats": MetricValue(evaluation.kl),
      "active_units": MetricValue(evaluation.activeUnits.count),
      "test_mse_per_pixel": MetricValue(evaluation.meanReconstructionMSE),
      "kl_per_unit": .list(evaluation.klPerUnit.map { MetricValue($0) }),
      "training": history.metrics,
    ],
    "vae_2d": [
      "test_loss_nats_per_image": MetricValue(evaluation2D.loss),
      "test_reconstruction_nats": MetricValue(evaluation2D.reconstruction),
      "test_kl_nats": MetricValue(evaluation2D.kl),
      "active_units": MetricValue(evaluation2D.activeUnits.count),
      "test_mse_per_pixel": MetricValue(evaluation2D.meanReconstructionMSE),
      "occupied_cell_share": MetricValue(occupancy.vae),
      "training": history2D.metrics,
    ],
    "autoencoder_2d": [
      "test_mse_per_pixel": MetricValue(aeHistory.last("test_mse")),
      "occupied_cell_share": MetricValue(occupancy.ae),
      "training": aeHistory.metrics,
    ],
    "pca": ["components": MetricValue(latent), "test_mse_per_pixel": MetricValue(pcaMSE)],
  ]
  for result in sweep { models["sweep_" + result.key] = result.metrics }
  run.metrics["models"] = .group(models)
  run.metrics["test_loss_nats_per_image"] = MetricValue(evaluation.loss)
  run.metrics["test_reconstruction_nats"] = MetricValue(evaluation.reconstruction)
  run.metrics["test_kl_nats"] = MetricValue(evaluation.kl)
  run.metrics["active_units"] = MetricValue(evaluation.activeUnits.count)
  run.metrics["iwae_bound_nats"] = .group(
    Dictionary(uniqueKeysWithValues: iwae.map { ("\($0.k)", MetricValue($0.bound)) }))
  run.metrics["iwae_images"] = MetricValue(iwaeImages.shape[0])
  run.metrics["entropy_floor_nats"] = MetricValue(baselines.entropyFloor)
  run.metrics["independent_pixels_nats"] = MetricValue(baselines.independentPixels)
  run.metrics["loss_conventions"] = [
    "reconstruction_per_image": MetricValue(conventions.recon),
    "kl_per_image": MetricValue(conventions.kl),
    "images": MetricValue(Int(batch)),
  ]
  run.metrics["beta"] = .list(
    sweep.filter { $0.key.hasPrefix("beta_") }.map { result in
      [
        "beta": MetricValue(result.objective.beta),
        "rate_kl_nats": MetricValue(result.evaluation.kl),
        "distortion_reconstruction_nats": MetricValue(result.evaluation.reconstruction),
        "active_units": MetricValue(result.evaluation.activeUnits.count),
      ]
    })
  run.metrics["collapse"] = .group(
    Dictionary(uniqueKeysWithValues: collapseKeys.map { ($0, byKey[$0]!.metrics) }))
  run.metrics["sweep_epochs"] = MetricValue(sweepEpochs)
  run.metrics["sweep_images"] = MetricValue(sweepImages.count)
  try run.finish(epochSeconds: history.epochSeconds)
}

/*:
 ## What you should see
 From `swift run -c release vae` with the defaults (seed 42, tiled kernels, 2 threads), on a
 2-core AMD EPYC Zen 5 (cpu family 26, AVX-512, `GEMM tile 8x32 on avx512`), 3 December 2026:
 73 s in all (`wall_seconds` 72.67), 1.59 s per epoch of the 20-d VAE (median, training plus the
 test evaluation), peak memory 187.6 MiB. The losses are the same bits on every machine and
 tile (the k-block depth no longer changes them); since 3 December the printed numbers differ
 from the 1–2 December runs in the last digits, because the order of the GEMM's sums changed
 once. (The 1 December run, on a 2-core AMD EPYC with AVX2 + FMA, `GEMM tile 6x16 on
 avx2+fma`, took 210 s in all at 4.18 s per epoch, and printed the older digits.)

     On the 10,000 test images, in nats per image:
       the reconstruction term's floor (the grey targets' entropy)  189.86
       independent pixels, p = the mean training image (no z at all)  385.02

     VAE 20-d (β = 1): 652824 parameters, 20 epochs, Adam lr 0.001
     epoch 1/20  train_loss 280.2  train_reconstruction 263.8  train_kl 16.49  test_loss 260.3  test_reconstruction 242.6  test_kl 17.67  active_units 20  ...
     epoch 5/20  train_loss 247.2  train_reconstruction 229.5  train_kl 17.75  test_loss 248.5  test_reconstruction 231.0  test_kl 17.47  active_units 20  ...
     epoch 10/20  train_loss 243.8  train_reconstruction 226.3  train_kl 17.50  test_loss 245.6  test_reconstruction 228.0  test_kl 17.59  active_units 20  ...
     epoch 15/20  train_loss 242.2  train_reconstruction 224.9  train_kl 17.30  test_loss 244.7  test_reconstruction 225.7  test_kl 19.08  active_units 17  ...
     epoch 20/20  train_loss 241.2  train_reconstruction 224.0  train_kl 17.18  test_loss 243.1  test_reconstruction 225.8  test_kl 17.28  active_units 16  ...
     VAE-20 on the test set: −ELBO 243.11 nats per image = reconstruction 225.83 + KL 17.28; 16 of 20 units active.
       Above the entropy floor: 35.97 nats; independent pixels: 385.02.
       Reconstruction at z = μ, MSE per pixel 0.01244 (PCA-20: 0.01870).

     The loss of test images 0–127, three ways (nats):
                             reconstruction          KL     share of KL
       per pixel / per unit           0.284       0.848         74.9%
       per image (−ELBO)            222.667      16.950          7.1%
       per batch (sum)            28501.330    2169.646          7.1%
       the bug: recon./784, KL        0.284      16.950         98.4%

     Importance-weighted bound on 1,000 test images, −L_k in nats per image:
       k = 1   242.65
       k = 10  240.51
       k = 100 239.77
       from k = 1 to k = 100 the bound tightens by 2.89 nats

     VAE-2: −ELBO 267.29 nats per image (reconstruction 260.92 + KL 6.37), MSE per pixel at z = μ 0.03045 vs the 2-d autoencoder's 0.02641
       its test means μ(x): mean (0.07, 0.41), standard deviation (1.17, 1.18)
       share of a 20x20 grid of equal-count cells holding a test code: VAE-2 89.2%, autoencoder-2 82.0%

     The sweep (5 epochs on 20,000 images each), on the test set, nats per image; −ELBO is reconstruction + KL whatever the training objective:
       model                              recon.     KL   −ELBO   active  KL>0.1  MSE/pixel
       β = 0.5                              230.87   27.74   258.62    20/20      20   0.01481
       β = 1                                237.30   18.44   255.74    20/20      20   0.01651
       β = 2                                248.64   11.21   259.85    20/20      14   0.02169
       β = 4                                258.22    7.29   265.51    20/20      11   0.02576
       β = 8                                274.72    4.42   279.14    16/20       5   0.03090
       the bug: recon./784 + KL             388.43    0.00   388.43     0/20       0   0.11861
       β = 8, KL warm-up                    274.57    4.63   279.20    19/20       6   0.02868
       β = 8, free bits 0.5                 259.93   10.08   270.01    20/20      20   0.02418

 - **The loss and its parts** (`loss.png`). The test −ELBO falls from 260.3 nats per image after
   one epoch to 243.1 after twenty: reconstruction 225.8 + KL 17.3. The KL settles near 17.5
   nats from the second epoch on: the code carries about 17 nats (25 bits) about each image.
   Of the reconstruction's 225.8 nats, 189.9 are the floor no model can go below with grey
   targets: the part the model can still improve is 36.0 nats. A VAE that ignores z
   (independent pixels) scores 385.0. The same model in PyTorch
   (`python3 Chapters/Yardsticks/pytorch_vae.py --epochs 20 --threads 2 --flush-denormals`,
   PyTorch 2.15 from `pip install torch`, not re-run since: on the 2-core AVX2 EPYC on
   1 December 2026, right after that day's run of this chapter) reaches 242.13 nats per image
   after 20 epochs (226.78 + 15.36; its own random draws, so not the same digits), in 4.39 s
   per epoch (median) against our 4.18 on that machine.
 - **Active units fall while the loss improves**: all 20 units are active (Var_x(μ_u) > 0.01)
   for the first eleven epochs, then one after another goes quiet, 16 by epoch 17. Even at β = 1 a
   20-d VAE on these images decides that four units are not worth their KL: the mild
   collapse Burda et al. describe.
 - **Conventions.** Per image, the KL is 7.1% of the loss (17.0 of 239.6 nats on this batch); per
   batch, the same ratio (both are summed over 128 images). Averaging the reconstruction over
   pixels but keeping the KL summed makes the KL 98.4% of the loss. Trained that way (the bug
   row of the sweep), the KL goes to 0.00 nats, no unit is active, and the −ELBO, 388.4, is the
   independent-pixels model's 385.0 plus a little: every image decodes to the same blur. That
   is the bottom row of `beta-samples.png`: twelve copies of one grey, garment-shaped smudge.
 - **Reconstructions** (`reconstructions.png`; rows: test images, VAE-20 at z = μ, VAE-20 at
   one z ~ q(z|x), VAE-2, PCA-20). The VAE's are smooth: shapes right, prints and textures gone
   (the "Lee" letters, the sandal's straps blur). A sampled z gives nearly the same image as μ:
   σ is small compared with the spread of the codes. At z = μ the VAE-20's MSE per pixel is
   0.01244, better than PCA-20's 0.01870 (chapter 1's autoencoders, with no KL to pay, do
   better still at the same size).
 - **Samples** (`samples.png`, 64 codes from N(0, I)): recognisable shirts, pullovers,
   trousers, dresses, sneakers, boots and bags, blurry, with a few ambiguous blends (a shape
   between a bag and a top) and some dim ones.
 - **The 2-D VAE** (`latent2d.png`). Its means fill a round region about ±2.5 wide, centred
   near (0.07, 0.41) with standard deviations 1.17 and 1.18: close to the prior. Trousers,
   dresses and tops sit along the top, footwear along the bottom, bags in the middle; there is
   one empty wedge on the left between trousers and sandals. Chapter 1's 2-D autoencoder, same
   data and epochs, spreads its codes from about −5.5 to 4.5 and −9 to 4, in separate arms with
   empty space between them. On a 20 × 20 grid of equal-count cells, the VAE's codes reach 89.2%
   of the cells, the autoencoder's 82.0%. The price: the VAE-2 rebuilds worse (MSE 0.0304
   against 0.0264).
 - **The manifold** (`manifold.png`, left: the 2-D VAE decoded at z = Φ⁻¹ of 20 quantiles per
   axis; right: the 2-D autoencoder decoded at its own codes' quantiles). Left, every cell is a
   garment and neighbours change gradually: trousers at the top left turn into dresses and
   tops along the top row, footwear fills the bottom rows, sneakers to ankle boots from left to
   right, and faint sandals in the dim middle left. Right, the garments are sharper but jump at
   borders (bags next to pullovers with nothing in between), and a column or two of faint,
   streaked images runs down the lower half of the middle, where the autoencoder put almost no
   codes.
 - **Interpolation** (`interpolation.png`; for each pair the latent path with a blue strip,
   then the pixel blend with a grey one). Through the latent space a T-shirt becomes a pair of
   trousers by narrowing into two legs, a sneaker grows into an ankle boot, a pullover shortens
   into a bag: every step is a plausible garment. The fourth pair is the exception: between a
   sandal and a dress the path passes two dim smudges that are neither. The pixel blend is a
   double exposure: both images at once, fading.
 - **β** (`beta.png`): rate (KL) falls from 27.74 to 4.42 nats as β goes from 0.5 to 8 while
   distortion rises from 230.9 to 274.7: a smooth trade-off curve. Measured as −ELBO (β = 1's
   loss), β = 1 is the best of the sweep (255.7), as it must be: it is the only one that
   minimises that quantity. The samples (`beta-samples.png`, the same 12 codes in every row)
   carry the most detail at β = 0.5 and 1, but are speckled there and many are blends of two
   garments; at β = 2 and 4 they are smoother and most are a clear garment (trousers, a dress,
   sneakers, pullovers); at β = 8 they are blurrier and dimmer, and several are a grey blur.
 - **Collapse and cures** (`collapse.png`). At β = 8 only 5 of the 20 units carry more than 0.1
   nats; by the 0.01 variance test 16 are still "active", a lenient count that the KL panel
   shows up (their means move a little, but carry almost nothing). **KL warm-up** over the
   first half of training hardly helps at β = 8 in this short run: 6 informative units,
   −ELBO 279.2 against 279.1. Annealing helps a model that has not yet learnt to use its code;
   here the final β is so strong that the units it recruited early give up again once the full
   weight applies. **Free bits** at 0.5 nats per unit keep every unit at about the floor
   (KL 0.41–0.56 each, 10.08 in all), all 20 informative, and the −ELBO improves from 279.1 to
   270.0 with a lower reconstruction (259.9 against 274.7): the floor is the cure that works.
 - **A tighter bound**: on 1,000 test images, −L_k falls from 242.65 (k = 1, the ELBO) to
   240.51 (k = 10) and 239.77 (k = 100): the true −log p(x) is at most 239.8 nats, and the ELBO
   was at least 2.9 nats loose. The gap is what q(z|x), a diagonal Gaussian, misses of the true
   posterior.

 ## Pitfalls
 - **Sum, then mean.** −ELBO is for one image: sum the reconstruction over its pixels and the
   KL over its units, then average over the batch. `mean()` over every element of the
   reconstruction divides it by 784 and makes the KL 784 times too strong (Step 6's bug).
 - **The KL's sign.** KL ≥ 0 always; −½ Σ (1 + log σ² − μ² − σ²) is ≥ 0 for every μ and σ.
   A negative KL in your log means a sign slip.
 - **Log-variance, not variance.** The encoder outputs log σ², which may be any real number;
   an encoder that outputs σ² needs a softplus and breaks at 0.
 - **Comparing nats.** Grey-level targets give a positive floor (Step 1); binarised MNIST
   numbers from papers are on another scale.

 ## Exercises
 - Train with `--latent 2` and compare the 2-D VAE above with a 20-d one's test loss.
 - Change the sweep's β to 0.1: is the code still Gaussian-shaped? What do samples look like?
 - Try free bits of 0.1 and 2 nats per unit: how many units are active?
 */

struct VAEChapter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vae",
    abstract: "Chapter 5: the variational autoencoder: ELBO, samples, the 2-D manifold, β,"
      + " collapse and the importance-weighted bound.",
    discussion: "Writes samples.png, manifold.png, latent2d.png, interpolation.png,"
      + " reconstructions.png, beta.png, beta-samples.png, collapse.png, loss.png and metrics.json"
      + " into output/vae/ (or --output).")

  @OptionGroup var options: ChapterOptions

  func run() throws {
    try runChapter { try options.withKernels { try lesson(options) } }
  }
}

VAEChapter.main()
