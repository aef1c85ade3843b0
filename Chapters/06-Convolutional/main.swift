/*:
 # Chapter 6 · Convolutional autoencoders

 Run it:  `swift run -c release conv`   (about a minute on the Zen 5 of "What you should see",
 four on an AVX2 EPYC on 2 December 2026; `--quick` for a smoke run).

 ## What you will learn
 - What a convolution computes, its shapes, and why its transpose is the way back up.
 - How the library runs both on the same GEMM as every other layer (im2col), and how fast.
 - That a convolutional autoencoder is only an autoencoder if its code is small: the seed
   texts' model is not, and the copying test shows it.
 - What weight sharing buys at a fixed code size, and a convolutional VAE.
 - What the first layer's filters and the feature maps look like.

 References: J. Masci, U. Meier, D. Cireşan and J. Schmidhuber, "Stacked Convolutional
 Auto-Encoders for Hierarchical Feature Extraction", ICANN 2011; V. Dumoulin and F. Visin, "A
 guide to convolution arithmetic for deep learning", 2016 (the shapes); K. Chellapilla, S. Puri
 and P. Simard, "High Performance Convolutional Neural Networks for Document Processing", 2006
 (im2col).

 ## The idea
 A Linear layer from a 28 × 28 image connects every pixel to every unit: 784 weights per unit,
 and nothing in it knows that neighbouring pixels belong together. A convolution slides one
 small kernel (3 × 3, say) over the image and computes the same weighted sum at every position:

     y[n, o, a, b] = bias[o] + Σ_c Σ_i Σ_j  x[n, c, a·s − p + i, b·s − p + j] · w[o, c, i, j]

 for each output channel o, with stride s and zero padding p. The output is
 ⌊(H + 2p − k)/s⌋ + 1 pixels a side (Dumoulin & Visin): 28 → 14 → 7 with k = 3, s = 2, p = 1.
 Its gradient with respect to x sends each output's gradient back to the pixels it read: the
 same sum read backwards. That backward map, used as a layer of its own, is the **transposed
 convolution**, which takes 7 → 14 → 28 (with an output padding of 1 to pick 14 rather than
 13). The library implements it exactly once: `ConvTranspose2D`'s forward pass *is* the
 convolution's input-gradient kernel (Sources/Autodiff/Variable+Convolution.swift).

 **How it runs.** Sources/Kernels has both versions, as for every hot loop: `naive` is the
 formula above as seven nested loops; `tiled` copies every patch the kernel visits into one
 column of a matrix (im2col), so the convolution of a whole batch is one matrix product on the
 packed, register-tiled GEMM (Sources/Kernels/TiledKernels+Conv.swift). The kernel lab times
 both on this chapter's layers.
 */

import Bottleneck
import Foundation

/*:
 ## The code
 The models are in Models.swift next to this file: the seed texts' conv AE, the same
 convolutions around a 32-number Linear bottleneck, and the seed's conv VAE. All train through
 the library loop (`ChapterRun.trainReconstruction`, `ChapterRun.trainVAE`), as in chapters 1
 and 5.
 */

/// One autoencoder of the comparison: trained, then measured on the test set.
struct AutoencoderResult {
  let key: String
  let title: String
  let model: Autoencoder
  let history: TrainingHistory
  let codeSize: Int
  let noiseCorrelation: Double

  var testMSE: Double { history.last("test_mse") }
  var secondsPerEpoch: Double { median(history.epochSeconds) ?? .nan }

  var metrics: MetricValue {
    [
      "title": .text(title), "parameters": MetricValue(model.parameterCount),
      "code_size": MetricValue(codeSize), "test_mse_per_pixel": MetricValue(testMSE),
      "noise_correlation": MetricValue(noiseCorrelation),
      "seconds_per_epoch": MetricValue(secondsPerEpoch), "training": history.metrics,
    ]
  }
}

/*:
 ### The lesson, step by step
 */

func lesson(_ options: ChapterOptions) throws {
  let epochs = options.epochs(default: 4)
  let learningRate = options.learningRate(default: 1e-3)
  let code = options.latent(default: 32)
  let latent = 20
  // Test images per evaluation block: a conv model's activations for 250 images take about 25 MB.
  let evaluationBlock = 250
  let run = try ChapterRun(chapter: "conv", options: options, epochs: epochs)
  var rng = RandomGenerator(seed: options.seed)
  let testPixels = run.test.tensor()  // (10000, 784)
  var noiseRNG = RandomGenerator(seed: options.seed &+ 1000)
  let noise = Tensor.uniform([12, 784], using: &noiseRNG)  // chapter 1's copying test

  /*:
   **Step 1: three autoencoders.** The seed texts' conv AE (its code is the last feature map,
   64 × 7 × 7 = 3,136 numbers), the same convolutions with a 32-number bottleneck, and chapter
   1's MLP autoencoder with the same 32-number code. The seed model trains for half the epochs:
   it needs no more to show what it does.
   */
  let seedEpochs = max(1, epochs / 2)
  let specs:
    [(
      key: String, title: String, epochs: Int, codeSize: Int,
      make: (inout RandomGenerator) -> Autoencoder
    )] = [
      (
        "seed_conv", "seed conv AE (code 64x7x7)", seedEpochs, 64 * 7 * 7,
        { seedConvAutoencoder(rng: &$0) }
      ),
      (
        "conv32", "conv AE, \(code)-d code", epochs, code,
        { bottleneckConvAutoencoder(code: code, rng: &$0) }
      ),
      (
        "mlp32", "MLP AE, \(code)-d code (chapter 1's)", epochs, code,
        { Autoencoder.deep(code: code, rng: &$0) }
      ),
    ]
  var results: [AutoencoderResult] = []
  for spec in specs {
    let model = spec.make(&rng)
    let history = try run.trainReconstruction(
      model, name: spec.title, epochs: spec.epochs, learningRate: learningRate, rng: &rng,
      evaluationBlockSize: evaluationBlock)
    let onNoise = inference { model(Variable(noise)).value }
    results.append(
      AutoencoderResult(
        key: spec.key, title: spec.title, model: model, history: history, codeSize: spec.codeSize,
        noiseCorrelation: correlation(noise, onNoise)))
  }
  print("\nThe three autoencoders on the \(Format.grouped(run.test.count)) test images:")
  print(
    "  model                                   code   parameters   epochs   test MSE   noise corr.   s/epoch"
  )
  for r in results {
    print(
      "  " + r.title.padding(toLength: 38, withPad: " ", startingAt: 0)
        + "\(r.codeSize)".leftPadded(to: 6)
        + Format.grouped(r.model.parameterCount).leftPadded(to: 13)
        + "\(r.history.epochSeconds.count)".leftPadded(to: 9)
        + Format.fixed(r.testMSE).leftPadded(to: 11)
        + Format.fixed(r.noiseCorrelation, digits: 3).leftPadded(to: 14)
        + Format.fixed(r.secondsPerEpoch, digits: 2).leftPadded(to: 10))
  }

  /*:
   **Step 2: a convolutional VAE**, the seed's shape with a 20-d latent (chapter 5's size, so
   the two VAEs' nats per image compare directly), next to chapter 5's MLP VAE trained here for
   the same epochs.
   */
  let vaeEpochs = max(1, epochs / 2)
  let conv = convVAE(latent: latent, rng: &rng)
  let (convHistory, convEvaluation) = try run.trainVAE(
    conv, name: "conv VAE \(latent)-d", epochs: vaeEpochs, learningRate: learningRate,
    test: testPixels, evaluationBlockSize: evaluationBlock, rng: &rng)
  let mlp = VariationalAutoencoder.mlp(latent: latent, rng: &rng)
  let (mlpHistory, mlpEvaluation) = try run.trainVAE(
    mlp, name: "MLP VAE \(latent)-d (chapter 5's)", epochs: vaeEpochs, learningRate: learningRate,
    test: testPixels, evaluationBlockSize: evaluationBlock, rng: &rng)
  let evaluations = [convEvaluation!, mlpEvaluation!]  // the last epoch's, on the test set
  print("\nThe two VAEs after \(vaeEpochs) epochs, test set, nats per image:")
  print("  model           parameters   −ELBO   recon.     KL   active   s/epoch")
  for (title, model, e, h) in [
    ("conv VAE", conv, evaluations[0], convHistory), ("MLP VAE", mlp, evaluations[1], mlpHistory),
  ] {
    print(
      "  " + title.padding(toLength: 14, withPad: " ", startingAt: 0)
        + Format.grouped(model.parameterCount).leftPadded(to: 12)
        + Format.fixed(e.loss, digits: 2).leftPadded(to: 8)
        + Format.fixed(e.reconstruction, digits: 2).leftPadded(to: 9)
        + Format.fixed(e.kl, digits: 2).leftPadded(to: 7)
        + "\(e.activeUnits.count)".leftPadded(to: 9)
        + Format.fixed((median(h.epochSeconds) ?? .nan), digits: 2).leftPadded(to: 10))
  }

  /*:
   ### The figures
   */
  try saveFigures(
    run: run, results: results, noise: noise, conv: conv, convHistory: convHistory,
    mlpHistory: mlpHistory, seed: options.seed)

  /*:
   ### The numbers
   */
  var models = Dictionary(uniqueKeysWithValues: results.map { ($0.key, $0.metrics) })
  for (key, model, e, h) in [
    ("conv_vae", conv, evaluations[0], convHistory), ("mlp_vae", mlp, evaluations[1], mlpHistory),
  ] {
    models[key] = [
      "parameters": MetricValue(model.parameterCount),
      "test_loss_nats_per_image": MetricValue(e.loss),
      "test_reconstruction_nats": MetricValue(e.reconstruction), "test_kl_nats": MetricValue(e.kl),
      "active_units": MetricValue(e.activeUnits.count),
      "seconds_per_epoch": MetricValue((median(h.epochSeconds) ?? .nan)), "training": h.metrics,
    ]
  }
  run.metrics["models"] = .group(models)
  let byKey = Dictionary(uniqueKeysWithValues: results.map { ($0.key, $0) })
  for key in ["seed_conv", "conv32", "mlp32"] {
    run.metrics["\(key)_test_mse_per_pixel"] = MetricValue(byKey[key]!.testMSE)
    run.metrics["\(key)_parameters"] = MetricValue(byKey[key]!.model.parameterCount)
    run.metrics["\(key)_noise_correlation"] = MetricValue(byKey[key]!.noiseCorrelation)
    run.metrics["\(key)_seconds_per_epoch"] = MetricValue(byKey[key]!.secondsPerEpoch)
  }
  run.metrics["seed_conv_code_size"] = MetricValue(byKey["seed_conv"]!.codeSize)
  run.metrics["conv_vae_test_loss_nats_per_image"] = MetricValue(evaluations[0].loss)
  run.metrics["mlp_vae_test_loss_nats_per_image"] = MetricValue(evaluations[1].loss)
  run.metrics["conv_vae_parameters"] = MetricValue(conv.parameterCount)
  run.metrics["conv_vae_seconds_per_epoch"] = MetricValue(median(convHistory.epochSeconds) ?? .nan)
  try run.finish(epochSeconds: byKey["conv32"]!.history.epochSeconds)
}

/*:
 ## What you should see
 From `swift run -c release conv` with the defaults (seed 42, tiled kernels, 2 threads), on a
 2-core AMD EPYC Zen 5 with AVX-512 (cpu family 26, `GEMM tile 8x32 on avx512`), 3 December
 2026: 68 s in all, a median epoch of 7.83 s (the 32-d conv AE's), peak memory 199 MB. The
 losses are the same bits on every machine and tile (the k-block depth no longer changes them),
 and since 3 December they differ from the 1–2 December runs' in the last digits: the order of
 the sums changed once.

     The three autoencoders on the 10,000 test images:
       model                                   code   parameters   epochs   test MSE   noise corr.   s/epoch
       seed conv AE (code 64x7x7)              3136       37,569        2    0.00103         0.893      5.09
       conv AE, 32-d code                        32      241,441        4    0.01065         0.061      7.83
       MLP AE, 32-d code (chapter 1's)           32      476,720        4    0.01149         0.047      0.62

     The two VAEs after 2 epochs, test set, nats per image:
       model           parameters   −ELBO   recon.     KL   active   s/epoch
       conv VAE           877,545  250.57   235.29  15.29       20     10.82
       MLP VAE            652,824  254.16   236.35  17.81       20      1.45

 - **The seed model is not a bottleneck.** Its test MSE, 0.00103 per pixel after two epochs, is
   ten times lower than the two 32-number models' beside it and lower even than chapter 1's
   overcomplete model, which copies too; `reconstructions.png` (rows: test images, seed conv AE,
   conv AE-32, MLP AE-32) shows why: its row is the test images, prints, straps and the "Lee"
   letters included. Its code has 3,136 numbers for 784 pixels, and the copying test settles it:
   fed uniform noise, it gives back the noise (correlation 0.893 between noise and output;
   `copying.png`, second row, is noise). The two 32-number models turn the same noise into grey
   blurs (0.061 and 0.047): the MLP's garment-shaped, the conv AE's blotchier.
 - **Weight sharing at the same code size.** With 32 numbers each, the conv AE reaches 0.01065
   after four epochs against the MLP's 0.01149: 7% lower, with half the parameters (241,441
   against 476,720), most of them in the two Linear layers around the code (3136 × 32 each way).
   `loss.png` shows the conv model ahead at every epoch. Both rows in `reconstructions.png` are
   blurry in much the same way: prints and straps gone, outlines kept. But per epoch it costs
   7.83 s against 0.62 s: 12.6 times as long, for 7%.
 - **The conv VAE** beats the MLP VAE after two epochs each: −ELBO 250.57 against 254.16 nats per
   image, with a lower KL (15.29 against 17.81) and a slightly better reconstruction. Its samples
   (`samples.png`) are the same kind of blurry garments as chapter 5's: shirts, trousers,
   shoes, bags, a few shapeless ones. (The
   seed used a 128-d latent; 20 keeps it comparable with chapter 5 in nats per image.)
 - **Filters and feature maps.** The 32 first-layer 3 × 3 kernels (`filters.png`) are small
   signed patterns, several of them edge detectors (a positive side next to a negative one, in
   several orientations), others blobs. The feature maps of the T-shirt (`feature-maps.png`)
   after the first convolution are the shirt seen through those kernels: some keep its whole body,
   some only its left or right edges, its shoulders or its print; after the second, at 7 × 7,
   most maps light up a few cells: a shoulder, a sleeve's end, the hem.
 - **Speed.** Not yet re-timed against PyTorch on the Zen 5 (where the run above took 5.09 and
   7.83 s per epoch for the seed model and the 32-d conv AE): what follows is from the 2-core
   AVX2 EPYC (`GEMM tile 6x16 on avx2+fma`), 1 December 2026. Against PyTorch 2.15 (`python3
   Chapters/Yardsticks/pytorch_conv.py --model seed --epochs 1 --threads 2 --flush-denormals`,
   and `--model conv32`) right after `swift run -c release conv --epochs 1`, three times back to
   back on a quiet machine: the seed model took 18.2, 19.3 and 19.9 s per epoch against
   PyTorch's 19.58, 22.57 and 23.80 (0.84–0.93x), the 32-d conv AE 21.6, 24.1 and 19.9 s against
   25.33, 25.96 and 24.94 (0.80–0.93x). Compare only rows taken back to back: that host's speed
   swings between minutes (the first epochs of its 2 December full run took 18.7 and 19.7 s),
   and PyTorch's two threads, when another program holds a core, wait on each other (one seed
   epoch took 239 s that way).
   Two changes got the kernels there. Each product runs in slices of the batch whose im2col
   matrix fits in L2, and with two threads each slice is run start to finish by one thread
   (one hand-over per slice instead of one for each of its im2col, GEMM and copy); before
   that, the convolutions gained almost nothing from the second core (the seed model: 27.0 s
   per epoch on two threads, 27.3 on one while another program held the other core). And the
   weight gradient, a sum over the whole batch, computes each slice's part into a partial of
   its own, in parallel, and adds the partials in slice order, so that its rounding does not
   depend on the number of threads: on `--quick --profile` it went from 1.6x the forward
   pass's time to level with it. The convolutions still move much more memory than chapter 1's
   matrix products (each im2col matrix is k² copies of its input); the kernel lab's convolution
   section shows where the time goes.

 ## Pitfalls
 - **A conv AE is not a bottleneck by default.** Count the numbers in its code, not its
   channels: 64 × 7 × 7 = 3,136 > 784. Such a model can learn to copy, and its low error says
   nothing about what it learned (the copying test above).
 - **Output padding.** A stride-2 convolution maps both 13 and 14 pixels to 7; the transposed
   convolution must be told which to go back to (`outputPadding: 1` for 14).
 - **Weight layouts.** Conv2D's weight is (out, in, k, k), ConvTranspose2D's (in, out, k, k), as
   in PyTorch: a checkpoint's tensors have the shapes PyTorch would give them.
 - **im2col's memory.** The column matrix holds k² copies of the input: 56 MB for a
   1,000-image block of the 32 → 64 layer if built at once. The tiled kernels build it a few
   images at a time (one L2 cache's worth) and evaluation still runs in blocks of 250 images.

 ## Exercises
 - Give the seed model a stride-2 third convolution (64 → 16 channels, 7 → 4): how small must
   its code get before the copying test stops passing noise?
 - Put `BatchNorm2D` after each convolution of the bottleneck model: does it train faster per
   epoch? (Sources/Layers/BatchNorm2D.swift; remember evaluation uses the running statistics,
   which are buffers, not parameters: `--resume` and `saveCheckpoint` keep them, Buffer.swift.)
 - Train the conv VAE with latent 2 and draw its manifold as in chapter 5.
 */

struct ConvChapter: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "conv",
    abstract: "Chapter 6: convolutional autoencoders: the seed's conv AE, a real bottleneck, a"
      + " conv VAE, filters and feature maps.",
    discussion: "Writes reconstructions.png, copying.png, samples.png, filters.png,"
      + " feature-maps.png, loss.png and metrics.json into output/conv/ (or --output).")

  @OptionGroup var options: ChapterOptions

  func run() throws {
    try runChapter { try options.withKernels { try lesson(options) } }
  }
}

ConvChapter.main()
