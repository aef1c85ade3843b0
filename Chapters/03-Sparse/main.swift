/*:
 # Chapter 3 · Sparse autoencoders

 Run it:  `swift run -c release sparse`   (about a minute on a 2-core Zen 5; `--quick` for a smoke
 run, `--full-sweep` to run the trade-off sweep on all 60,000 images, `--help` for every flag).

 ## What you will learn
 - A second cure for the copying of chapter 1's overcomplete model: keep the code wide, but let
   each image use only a few of its units.
 - Three ways to ask for that: an L1 penalty on the code, a KL penalty that holds every unit's
   average activation at a target ρ, and k-sparse coding, which keeps only the k largest units.
 - How to measure sparsity (per image and per unit), dead units, and what sparsity costs in
   reconstruction error.
 - What sparse units learn: parts of garments rather than noise.

 References: A. Ng, "Sparse autoencoder", CS294A lecture notes (Stanford, the UFLDL tutorial);
 A. Makhzani and B. Frey, "k-Sparse Autoencoders", ICLR 2014; Goodfellow, Bengio & Courville,
 *Deep Learning* (2016), section 14.2.1.

 ## The idea
 Chapter 1's 784 → 1024 → 784 autoencoder reached the lowest error of the chapter by passing
 pixels through: uniform noise in, the same noise out (correlation 0.45). A sparse code makes
 that impossible: if an image may switch on only a few dozen of the 1024 units, they cannot carry
 784 independent pixels, so they have to stand for things that many images share.

 **L1.** With a ReLU code h = max(0, W_e x + b_e), add λ times the mean over the batch of
 Σ_j |h_j|. Its gradient, λ·sign(h_j)/B, pushes every active unit towards 0 by the same amount,
 so small activations die and only the useful ones stay.

 **KL-ρ** (Ng). With a sigmoid code, let ρ̂_j be unit j's mean activation over the batch, and ask
 it to be a small ρ (0.05 here) with the penalty

     β · Σ_j KL(ρ ‖ ρ̂_j) = β · Σ_j [ ρ log(ρ/ρ̂_j) + (1 − ρ) log((1 − ρ)/(1 − ρ̂_j)) ],

 the KL divergence between two coin flips with heads probabilities ρ and ρ̂_j. It is 0 when
 ρ̂_j = ρ and grows fast as ρ̂_j moves away. Since ρ̂_j = (1/B) Σ_b h_bj, the gradient that
 reaches each activation is

     ∂/∂h_bj = (β/B) · ( −ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j) ),

 negative (push up) for a unit that fires too rarely, positive (push down) for one that fires
 too often. This asks each unit to be *lifetime* sparse: on about 5% of images.

 **k-sparse** (Makhzani & Frey). No penalty at all: a linear code z = W_e x + b_e, of which the
 k largest entries per image are kept and the rest set to 0. The gradient flows through the kept
 units only. This is *population* sparsity by construction: exactly k units per image.

 All three are graph ops in Sources/Training/SparsityPenalties.swift, each with its gradient next
 to its forward pass and a finite-difference check in the tests.

 **Why 784 → 1024 → 784?** It is chapter 1's overcomplete model, the one that copied, so every
 number here can be set against that one. A deep encoder would hide the effect of the penalty
 behind its other layers; with one layer each way, the first-layer filters *are* the code's units.
 */

import Bottleneck
import Foundation

/*:
 ## The code

 The model, the penalties and what we measure are in SparseAutoencoder.swift next to this
 file. Training is the library's loop (`ChapterRun.train`) with a loss of two parts, the
 reconstruction MSE and the penalty, both printed per epoch.
 */

func trainVariant(
  _ variant: Variant, epochs: Int, learningRate: Float, images: ImageDataset? = nil,
  run: ChapterRun, rng: inout RandomGenerator
) throws -> (SparseAutoencoder, TrainingHistory) {
  let model = SparseAutoencoder(code: variant.code, rng: &rng)
  let batches = ((images ?? run.train).count + run.options.batchSize - 1) / run.options.batchSize
  let history = try run.train(
    model, name: variant.title, epochs: epochs, learningRate: learningRate, images: images,
    lossName: "loss", rng: &rng,
    loss: { batch, clean, _ in
      let x = Variable(clean)
      let h = model.encode(
        x, keep: model.scheduledK(step: batch.step, totalSteps: epochs * batches))
      let mse = mseLoss(model.decode(h), x)
      guard let penalty = variant.penalty.value(h) else { return StepLoss(mse) }
      return StepLoss(mse + penalty, parts: [("mse", mse), ("penalty", penalty)])
    },
    evaluate: nil)
  return (model, history)
}

/// A linear probe on the codes of 10,000 training images (stratified) and the 10,000 test
/// images. (1024 numbers per image for 60,000 images would be 245 MB.)
func probeAccuracy(
  _ encode: (Tensor) -> Tensor, probeTrain: ImageDataset, run: ChapterRun,
  rng: inout RandomGenerator
) throws -> Double {
  // A thousand images at a time: the 10,000 training and 10,000 test images are never all
  // held as floats at once (31 MB each), only their codes.
  let trainCodes = probeTrain.map { Variable(encode($0.value)) }
  let testCodes = run.test.map { Variable(encode($0.value)) }
  return try LinearProbe.fit(
    train: trainCodes, trainLabels: probeTrain.allLabels(), test: testCodes,
    testLabels: run.test.allLabels(), classes: run.test.classCount, epochs: 30, rng: &rng
  ).testAccuracy
}

/// The model's codes of a batch of images, 1,000 at a time.
func codes(_ model: SparseAutoencoder) -> (Tensor) -> Tensor {
  { inferenceInBlocks($0) { model.encode($0) } }
}

/*:
 ### The lesson, step by step
 */

func lesson(_ options: ChapterOptions, fullSweep: Bool) throws {
  let epochs = options.epochs(default: 5)
  let learningRate = options.learningRate(default: 5e-4)
  let run = try ChapterRun(chapter: "sparse", options: options, epochs: epochs)
  var rng = RandomGenerator(seed: options.seed)
  let rho: Float = 0.05
  let lambda: Float = 1e-4
  let beta: Float = 2e-3
  let k = 25

  /*:
   **Step 1: the four models**, 5 epochs each on all 60,000 images at Adam 5e-4 (chapter 1's
   overcomplete model's settings, so the dense model here is that model again). λ = 1e-4 and
   β = 2e-3 come from the sweep below: the smallest λ that halves the copying, and a β close to
   Ng's β = 3 in our units (see Pitfalls) that brings 95.3% of the units to within 25% of ρ. The
   k-sparse model's k starts at 4k and comes down to k over the first half of training (see
   `scheduledK` in SparseAutoencoder.swift).
   */
  let variants = [
    Variant(key: "dense", title: "dense 1024 (no penalty)", code: .relu, penalty: .none),
    Variant(key: "l1", title: "L1, λ = \(lambda)", code: .relu, penalty: .l1(lambda: lambda)),
    Variant(
      key: "kl", title: "KL, ρ = \(rho), β = \(beta)", code: .sigmoid,
      penalty: .kl(beta: beta, rho: rho)),
    Variant(key: "ksparse", title: "k-sparse, k = \(k)", code: .topK(k), penalty: .none),
  ]
  var models: [String: SparseAutoencoder] = [:]
  var histories: [String: TrainingHistory] = [:]
  for variant in variants {
    let (model, history) = try trainVariant(
      variant, epochs: epochs, learningRate: learningRate, run: run, rng: &rng)
    models[variant.key] = model
    histories[variant.key] = history
  }

  /*:
   **Step 2: measure every code on the test set**: error, sparsity per image, each unit's mean
   activation, dead units, the copying test of chapter 1, and a linear probe.
   */
  var noiseRNG = RandomGenerator(seed: options.seed &+ 1000)
  let noise = Tensor.uniform([12, 784], using: &noiseRNG)  // chapter 1's noise images
  let probeTrain = run.train.subset(total: min(10_000, run.train.count))
  var reports: [String: CodeReport] = [:]
  var table: [String: MetricValue] = [:]
  print("\nThe four codes on the \(Format.grouped(run.test.count)) test images:")
  print(
    "  model                        test MSE   zero per image   dead units   noise corr.   probe")
  for variant in variants {
    let model = models[variant.key]!
    let report = CodeReport(model, test: run.test)
    let copied = correlation(noise, inference { model(Variable(noise)).value })
    let probe = try probeAccuracy(codes(model), probeTrain: probeTrain, run: run, rng: &rng)
    reports[variant.key] = report
    var entry: [String: MetricValue] = [
      "test_mse_per_pixel": MetricValue(report.testMSE),
      "population_sparsity": MetricValue(report.populationSparsity),
      "dead_units": MetricValue(report.deadUnits),
      "noise_correlation": MetricValue(copied),
      "probe_accuracy": MetricValue(probe),
      "mean_unit_activation": MetricValue(report.lifetime.reduce(0, +) / 1024),
    ]
    if case .kl(_, let rho) = variant.penalty {
      let within = fractionWithin(report.lifetime, relative: 0.25, of: Double(rho))
      entry["rho"] = MetricValue(rho)
      entry["units_within_25_percent_of_rho"] = MetricValue(within)
    }
    entry["training"] = histories[variant.key]!.metrics
    table[variant.key] = .group(entry)
    print(
      "  " + variant.title.padding(toLength: 28, withPad: " ", startingAt: 0)
        + Format.fixed(report.testMSE).leftPadded(to: 9)
        + Format.percent(report.populationSparsity).leftPadded(to: 17)
        + String(report.deadUnits).leftPadded(to: 13)
        + Format.fixed(copied, digits: 3).leftPadded(to: 14)
        + Format.percent(probe).leftPadded(to: 8))
  }
  let klWithin = fractionWithin(reports["kl"]!.lifetime, relative: 0.25, of: Double(rho))
  print(
    "KL model: \(Format.percent(klWithin)) of its units have a mean test activation within ±25%"
      + " of ρ = \(rho)")

  /*:
   **Step 3: the references**: PCA-32's codes through the same probe, and chapter 1's 32-d
   autoencoder's probe accuracy as chapter 2 measured it (read from output/denoising/metrics.json
   when chapter 2 has run; chapter 2 probes on all 60,000 training codes, 10 epochs).
   */
  let pca = PCA.fit(
    rowCount: run.train.count, dimension: run.train.pixelsPerImage, components: 32
  ) { run.train.batch(Array($0)) }
  let pcaProbe = try probeAccuracy({ pca.encode($0) }, probeTrain: probeTrain, run: run, rng: &rng)
  let chapter2 = options.outputDirectory(chapter: "denoising").appendingPathComponent(
    "metrics.json")
  let ae32Probe = (try? Data(contentsOf: chapter2))
    .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
    .flatMap { ($0["results"] as? [String: Any])?["probe_accuracy_ae"] as? Double }
  print(
    "probe accuracy, PCA-32 codes: \(Format.percent(pcaProbe));"
      + " chapter 1's AE-32 codes: "
      + (ae32Probe.map { "\(Format.percent($0)) (chapter 2's last run)" }
        ?? "run `swift run -c release denoising` to measure it"))

  /*:
   **Step 4: the trade-off.** Five values of λ and of β, and k ∈ {10, 25, 40}: each model trained
   3 epochs on a stratified 10,000-image subset by default (13 models, 14 s of epochs in the
   run below; they are less trained than the four above, so compare them with each other), all
   60,000 images for as many epochs as the main models with `--full-sweep`.
   */
  let sweepImages = fullSweep ? nil : run.train.subset(total: min(10_000, run.train.count))
  let sweepEpochs = fullSweep ? epochs : min(epochs, 3)
  let lambdas: [Float] = [1e-6, 3e-6, 1e-5, 3e-5, 1e-4]
  let betas: [Float] = [3e-5, 1e-4, 3e-4, 1e-3, 3e-3]
  let ks = [10, 25, 40]
  let sweepVariants =
    lambdas.map {
      Variant(key: "l1", title: "sweep: L1, λ = \($0)", code: .relu, penalty: .l1(lambda: $0))
    }
    + betas.map {
      Variant(
        key: "kl", title: "sweep: KL, β = \($0)", code: .sigmoid, penalty: .kl(beta: $0, rho: rho))
    }
    + ks.map {
      Variant(key: "ksparse", title: "sweep: k-sparse, k = \($0)", code: .topK($0), penalty: .none)
    }
  var sweep: [String: [(setting: Double, mse: Double, sparsity: Double)]] = [:]
  for variant in sweepVariants {
    let (model, _) = try trainVariant(
      variant, epochs: sweepEpochs, learningRate: learningRate, images: sweepImages, run: run,
      rng: &rng)
    let report = CodeReport(model, test: run.test)
    let setting: Double =
      switch variant.penalty {
      case .l1(let lambda): Double(lambda)
      case .kl(let beta, _): Double(beta)
      case .none: if case .topK(let k) = variant.code { Double(k) } else { 0 }
      }
    sweep[variant.key, default: []].append((setting, report.testMSE, report.populationSparsity))
  }
  print(
    "\nThe trade-off (\(sweepEpochs) epochs on \(Format.grouped(sweepImages?.count ?? run.train.count)) images each):"
  )
  for (key, name) in [("l1", "λ"), ("kl", "β"), ("ksparse", "k")] {
    for point in sweep[key]! {
      print(
        "  \(key.padding(toLength: 8, withPad: " ", startingAt: 0)) \(name) = \(Format.significant(point.setting, trimZeros: true))"
          .padding(toLength: 26, withPad: " ", startingAt: 0)
          + "test MSE \(Format.fixed(point.mse))   zero per image \(Format.percent(point.sparsity))"
      )
    }
  }

  /*:
   ### The figures
   */
  try saveFigures(
    run: run, variants: variants, models: models, histories: histories, reports: reports,
    sweep: sweep, epochs: epochs)

  /*:
   ### The numbers
   */
  run.metrics["models"] = .group(table)
  run.metrics["sweep"] = .sweep(
    sweep.mapValues { $0.map { ($0.setting, $0.mse, $0.sparsity) } }, measure: "population_sparsity"
  )
  run.metrics["sweep_epochs"] = MetricValue(sweepEpochs)
  run.metrics["sweep_images"] = MetricValue(sweepImages?.count ?? run.train.count)
  run.metrics["probe_accuracy_pca32"] = MetricValue(pcaProbe)
  run.metrics["probe_accuracy_ae32_chapter2"] = MetricValue(orNull: ae32Probe)
  run.metrics["rho"] = MetricValue(rho)
  run.metrics["lambda"] = MetricValue(lambda)
  run.metrics["beta"] = MetricValue(beta)
  run.metrics["k"] = MetricValue(k)
  run.metrics["learning_rate"] = MetricValue(learningRate)
  try run.finish(epochSeconds: histories["dense"]!.epochSeconds)
}

/*:
 ## What you should see
 From `swift run -c release sparse` with the defaults (seed 42, tiled kernels, 2 threads), on a
 2-core AMD EPYC Zen 5 with AVX-512 (cpu family 26; the first line says `GEMM tile 8x32 on
 avx512`), 3 December 2026: 64.5 s in all, 1.83 s per epoch of the dense 1024-unit model (median
 of 5, 1.67–1.97; 1.67–2.19 s across the four models), peak memory 263 MiB. The losses are the
 same bits on every machine and tile (the k-block depth no longer changes them); since 3 December
 they differ from the 1–2 December runs in the last digits, because the sums' order changed once.
 (Earlier, on a 2-core AMD EPYC with AVX2, `GEMM tile 6x16 on avx2+fma`, 1 December 2026: 209 s
 in all, 196 and 225 s in other runs, 5.9–7.0 s per epoch of a 1024-unit model.)

     The four codes on the 10,000 test images:
       model                        test MSE   zero per image   dead units   noise corr.   probe
       dense 1024 (no penalty)       0.00329             4.9%            1         0.444   82.2%
       L1, λ = 0.0001                0.00808            89.0%          113         0.178   83.5%
       KL, ρ = 0.05, β = 0.002       0.02181            38.7%            0         0.002   81.9%
       k-sparse, k = 25              0.01329            97.6%          635         0.052   82.3%
     KL model: 95.3% of its units have a mean test activation within ±25% of ρ = 0.05
     probe accuracy, PCA-32 codes: 79.6%; ...

 - **The dense model copies, the sparse ones do not.** Uniform noise in, and the dense model's
   output correlates 0.444 with it (chapter 1's overcomplete model: 0.452). L1 brings that down to
   0.178, k-sparse to 0.052, KL to 0.002: a code that may use a few units per image cannot carry
   784 independent pixels, so it draws a garment instead. The price is reconstruction error:
   0.0033 dense, 0.0081 L1, 0.0133 k-sparse, 0.0218 KL (PCA-32 in chapter 1: 0.0151).
 - **Two kinds of sparsity.** L1 leaves 89.0% of the units at 0 for a typical image (population
   sparsity) but kills 113 units outright; k-sparse is 97.6% zeros by construction (25 of 1024)
   and leaves 635 units that never win a place on any test image, even with Makhzani and Frey's
   schedule (4k units per image at first, down to k over the first half of training: without it,
   863 died in a 1 December run, with the older sums). KL-ρ is lifetime sparsity: 95.3% of its
   units fire 5% ± 1.25% of the time on average, as asked, and none is dead; but a sigmoid unit is
   rarely *exactly* off, so by the |h| ≤ 0.01 count only 38.7% of its units are zero per image.
   `activations.png` shows the four shapes: the dense code a broad hump around 1, L1 piled up near
   0 with a tail, KL a spike at its small values, k-sparse's 25 winners spread out to 4 and beyond.
 - **What the units learn** (`filters.png`, the 36 most-used units of each model, each tile in its
   own colour scale; dense top left, L1 top right, KL bottom left, k-sparse bottom right). The
   dense model's filters are speckle: nothing forced them to mean anything. L1's are speckle with
   faint strokes on top (a sleeve edge, a diagonal). KL's are smooth, garment-sized shapes: the
   outline of a shirt's shoulders and sleeves, a trouser's two legs, a hem line, mostly negative
   (blue) around a positive region. k-sparse's are sharper strokes and edges: sleeve and trouser
   outlines, the sole of a shoe, a bag's rectangle. Neither looks like the small pen strokes of
   sparse codes on MNIST digits: on clothes, the parts are sleeves, legs and silhouettes.
 - **`parts.png`**: a T-shirt, its k-sparse reconstruction, and the 25 decoder columns it adds up
   (each scaled by its unit's value). They are not little pieces: each covers most of the garment,
   positive over one region (torso, sleeves, shoulders, neckline) and negative around it, and the
   T-shirt is their sum.
 - **`reconstructions.png`** (rows: test images, dense, L1, KL, k-sparse): the dense model keeps
   everything, the "Lee" logo included; L1 keeps a blurred logo; k-sparse keeps outlines and loses
   texture; KL gives the smoothest, most average garments.
 - **The trade-off** (`tradeoff.png`; 3 epochs on 10,000 images per point, so the errors are higher
   than the four models' above):

     The trade-off (3 epochs on 10,000 images each):
       l1       λ = 1e-06      test MSE 0.01578   zero per image 26.3%
       l1       λ = 3e-06      test MSE 0.01659   zero per image 34.0%
       l1       λ = 1e-05      test MSE 0.01649   zero per image 46.4%
       l1       λ = 3e-05      test MSE 0.01785   zero per image 65.1%
       l1       λ = 1e-04      test MSE 0.02121   zero per image 83.9%
       kl       β = 3e-05      test MSE 0.02586   zero per image 3.4%
       kl       β = 1e-04      test MSE 0.02947   zero per image 12.9%
       kl       β = 0.0003     test MSE 0.03783   zero per image 19.9%
       kl       β = 0.001      test MSE 0.05518   zero per image 24.3%
       kl       β = 0.003      test MSE 0.08648   zero per image 27.4%
       ksparse  k = 10         test MSE 0.03539   zero per image 99.0%
       ksparse  k = 25         test MSE 0.02899   zero per image 97.6%
       ksparse  k = 40         test MSE 0.02551   zero per image 96.1%

   L1 buys sparsity cheaply: from 26% to 84% zeros for 0.0158 → 0.0212. KL's error more than
   triples with β (0.0259 → 0.0865) while its zeros (|h| ≤ 0.01) stay few, 3% to 27%: it makes
   units quiet, not off. k-sparse sits far to the right: 96–99% zeros at 0.026–0.035.
 - **The linear probe** (softmax regression on the codes of 10,000 training images, 30 epochs;
   test accuracy): L1 83.5%, k-sparse 82.3%, dense 82.2%, KL 81.9%, PCA-32 79.6%. The wide codes
   all beat PCA-32 (they have 32 times as many numbers); sparsity moves the probe by at most
   1.3 points (L1 over dense; KL is 0.3 below it), so "sparse codes are better features" is not
   what this run shows.

 ## Pitfalls
 - **A sparsity number needs its threshold.** We count a unit as off when |h| ≤ 0.01. A sigmoid
   unit is never exactly 0, so the KL model's population sparsity depends on that choice more
   than the others'.
 - **Dead units are the price of L1.** A ReLU pushed to 0 on every image gets no gradient and never
   comes back. Count them.
 - **The penalty's scale depends on the loss's.** Our MSE is per pixel (divided by 784), Ng's
   squared error is per image and halved, so his β = 3 is about 3/(2·784) ≈ 2e-3 in our units.

 ## Exercises
 - `--full-sweep`: does the trade-off curve move when every model sees all 60,000 images?
 - Change ρ to 0.01 and 0.2 (in `lesson`): what do the filters look like?
 - Put the L1 penalty on chapter 1's deep 32-d code instead: does sparsity help a narrow code?
 */

struct SparseChapter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sparse",
    abstract: "Chapter 3: sparse autoencoders (L1, KL-ρ, k-sparse) on Fashion-MNIST.",
    discussion: "Writes filters.png, activations.png, tradeoff.png, reconstructions.png,"
      + " parts.png, loss.png and metrics.json into output/sparse/ (or --output).")

  @OptionGroup var options: ChapterOptions

  @Flag(
    help: "Run the trade-off sweep on all training images for as many epochs as the main models.")
  var fullSweep = false

  func run() throws {
    try runChapter { try options.withKernels { try lesson(options, fullSweep: fullSweep) } }
  }
}

SparseChapter.main()
