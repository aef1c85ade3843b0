/*:
 # Chapter 1 · The vanilla autoencoder

 Run it:  `swift run -c release vanilla`   (a little over a minute; add `--quick` for a few-second smoke run,
 `--kernels naive --quick` to feel how slow the textbook loops are, `--help` for every flag).

 ## What you will learn
 - What an autoencoder is: an encoder that squeezes an image into a few numbers (the *code*), a
   decoder that rebuilds the image from them, and a loss that compares the two.
 - Why the squeeze (the *bottleneck*) is the point: with a code narrower than the input, the
   network has to find what images have in common.
 - How it compares with the classic linear answer to the same question, PCA, and why a linear
   autoencoder ends up where PCA is.
 - What a 2-D code looks like, and what goes wrong when the code is wider than the input.

 Reference: G. E. Hinton and R. R. Salakhutdinov, "Reducing the Dimensionality of Data with Neural
 Networks", Science 313 (2006). They showed deep autoencoders beating PCA at the same code size on
 MNIST; this chapter repeats the comparison on Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017).

 ## The idea
 An image x is 784 numbers in [0, 1] (28 × 28 pixels). The encoder f maps it to a code z = f(x) of
 d numbers, here d = 32. The decoder g maps the code back to an image x̂ = g(z). Training asks
 for x̂ ≈ x, measured by the mean squared error per pixel over a batch of B images,

     L = 1/(B·784) · Σ_b Σ_i (x̂_bi − x_bi)²,

 and Adam follows −∂L/∂θ for every weight θ. Nothing tells the network *what* to put in z:
 whatever lets the decoder rebuild the image best ends up there. That is why autoencoders are
 called unsupervised: the labels are never used for training (we use them only to colour plots).

 The model is the one Hinton & Salakhutdinov's shape suggests, scaled to this data:

     784 → 256 → 128 → 32 → 128 → 256 → 784
          ReLU   ReLU  (code) ReLU   ReLU  sigmoid

 The code layer has no activation (any real number can be a code); the last layer has a sigmoid,
 so every output pixel is in (0, 1) like the input.
 */

import Bottleneck
import Foundation

/*:
 ## The code

 ### The models
 Everything is built from the library's `Linear` layers and activations (Sources/Layers). An
 `Autoencoder` is just an encoder and a decoder; `Sequential(mlp:)` stacks Linear layers with the
 given widths and puts `hidden` between them and `output` after the last.
 */

// The deep, nonlinear autoencoder with a code of `code` numbers, `Autoencoder.deep(code:rng:)`.
// Later chapters compare themselves with it, so it lives in the library
// (Sources/Layers/Autoencoder+Deep.swift):
//
//     encoder  Linear(784, 256) ReLU  Linear(256, 128) ReLU  Linear(128, code)
//     decoder  Linear(code, 128) ReLU  Linear(128, 256) ReLU  Linear(256, 784) sigmoid

/// The linear autoencoder: one Linear layer each way and no activation at all, x̂ = W₂(W₁x + b₁) + b₂.
/// Whatever its weights, it can only reach a d-dimensional plane through the data: the best such
/// plane is exactly what PCA finds (Baldi & Hornik, 1989), so training should bring it to PCA's error.
func linearAutoencoder(code: Int, rng: inout RandomGenerator) -> Autoencoder {
  Autoencoder(
    encoder: Linear(784, code, init: .xavier, rng: &rng),
    decoder: Linear(code, 784, init: .xavier, rng: &rng))
}

/// An overcomplete autoencoder: the code (1024) is wider than the image (784). Nothing forces it
/// to compress, so it can learn to pass pixels through: see "Pitfalls" below.
func overcompleteAutoencoder(rng: inout RandomGenerator) -> Autoencoder {
  Autoencoder(
    encoder: Sequential(mlp: [784, 1024], hidden: .relu, output: .relu, rng: &rng),
    decoder: Sequential(mlp: [1024, 784], output: .sigmoid, rng: &rng))
}

/*:
 ### The training loop
 One epoch visits the 60,000 training images once, in a fresh random order, in mini-batches of 128.
 For each batch: forward pass, loss, backward pass (fills every weight's `grad`), Adam step (uses
 and clears the grads). After each epoch we measure the same loss on the 10,000 test images, which
 the model never trains on, in `inference` mode (no graph is recorded). Every chapter trains this
 way, so the loop lives in the library (Sources/ChapterKit/TrainingLoop.swift, with
 `trainReconstruction` in ChapterRun+Training.swift); its heart is these lines:

     for (b, indices) in BatchSchedule.shuffled(count: 60_000, batchSize: 128, using: &rng)
       .enumerated()
     {
       let x = Variable(train.batch(indices))  // (128, 784), pixels in [0, 1]
       let loss = mseLoss(model(x), x)         // the target is the input itself
       guard loss.value.scalar.isFinite else { throw ... }  // a NaN stops the run at once
       loss.backward()                         // ∂loss/∂θ into every weight's grad
       adam.step()                             // θ ← θ − lr·m̂/(√v̂ + ε), grads cleared
     }

 Later chapters hand the same loop other losses (a KL term, a penalty), noise to put on the
 input, or several optimizers that take turns on each batch.

 After every epoch the loop also saves a checkpoint (output/vanilla/checkpoints/): the weights,
 Adam's two moment tensors and step count, the random generator's state and the history. Press
 Ctrl-C and it finishes the batch, saves, and prints the command that goes on (`--resume`);
 the resumed run prints the same numbers as one nobody stopped. Weights alone would not do:
 Adam restarted with zero moments and t = 0 takes different steps, and a generator restarted
 from the seed would shuffle the epoch and draw the noise differently.
 (Sources/ChapterKit/TrainingCheckpoint.swift)
 */

/*:
 ### The lesson, step by step
 */

func lesson(_ options: ChapterOptions) throws {
  let epochs = options.epochs(default: 20)
  let learningRate = options.learningRate(default: 1e-3)
  let code = options.latent(default: 32)
  let run = try ChapterRun(chapter: "vanilla", options: options, epochs: epochs)
  var rng = RandomGenerator(seed: options.seed)

  /*:
   **Step 1: the linear baseline, PCA.** PCA keeps the `code` directions along which the training
   images vary most (the top eigenvectors of their covariance, Sources/Linalg) and reconstructs
   an image as the mean plus its projection onto them. It is the best any *linear* code of that
   size can do, in exactly the MSE we train on.
   */
  // The training set as one (60000, 784) Float tensor would be 188 MB: PCA reads it 4,096
  // images at a time instead, straight from the 8-bit pixels.
  let testPixels = run.test.tensor()  // (10000, 784)
  let (pca, pcaSeconds) = measure {
    PCA.fit(rowCount: run.train.count, dimension: run.train.pixelsPerImage, components: code) {
      run.train.batch(Array($0))
    }
  }
  let pcaTestMSE = Double(pca.reconstructionMSE(testPixels))
  let keptVariance = pca.explainedVarianceRatio.reduce(0, +)
  print(
    "\nPCA-\(code): keeps \(Format.percent(keptVariance)) of the pixel variance;"
      + " test MSE per pixel \(Format.fixed(pcaTestMSE)) (fit in \(Format.fixed(pcaSeconds, digits: 2)) s)"
  )

  /*:
   **Step 2: the deep autoencoder.** Same code size, but the encoder and decoder can bend.
   */
  let model = Autoencoder.deep(code: code, rng: &rng)
  let history = try run.trainReconstruction(
    model, name: "autoencoder \(code)-d", epochs: epochs, learningRate: learningRate, rng: &rng)
  let aeTestMSE = history.last("test_mse")
  let gain = 1 - aeTestMSE / pcaTestMSE
  print(
    "autoencoder-\(code) test MSE per pixel \(Format.fixed(aeTestMSE)) vs PCA-\(code) \(Format.fixed(pcaTestMSE)):"
      + " \(Format.percent(Swift.abs(gain))) \(gain >= 0 ? "lower" : "higher")")

  /*:
   **Step 3: the linear autoencoder.** Take the nonlinearities away and the autoencoder can only
   find a plane, and the best plane is PCA's: its error should approach PCA's from above.
   */
  let linearEpochs = max(1, epochs / 2)
  let linear = linearAutoencoder(code: code, rng: &rng)
  let linearHistory = try run.trainReconstruction(
    linear, name: "linear autoencoder \(code)-d", epochs: linearEpochs,
    learningRate: learningRate, rng: &rng)
  let linearTestMSE = linearHistory.last("test_mse")
  print(
    "linear autoencoder test MSE \(Format.fixed(linearTestMSE)) vs PCA \(Format.fixed(pcaTestMSE))"
      + " (ratio \(Format.fixed(linearTestMSE / pcaTestMSE, digits: 3)))")

  /*:
   **Step 4: a 2-D code, to look at.** With two numbers per image we can draw every test image as
   a point. Colours are the true classes, which the model never saw.
   */
  let model2D = Autoencoder.deep(code: 2, rng: &rng)
  let history2D = try run.trainReconstruction(
    model2D, name: "autoencoder 2-d", epochs: max(1, epochs / 2), learningRate: learningRate,
    rng: &rng)
  let pca2 = pca.truncated(to: 2)  // the same as fitting 2 components
  let latent2D = run.test.map { model2D.encode($0) }  // (10000, 2)
  let pca2Test = pca2.encode(testPixels)  // (10000, 2)
  let pca2TestMSE = Double(pca2.reconstructionMSE(testPixels))

  /*:
   **Step 5: an overcomplete code.** 1024 numbers for a 784-pixel image. Its error will be the
   lowest of all, but has it learned anything about clothes? Feed both models images that are
   not clothes (uniform noise). A model that learned "what clothes look like" turns noise into
   something clothes-like, unrelated to the noise pixel by pixel; a model that learned to copy
   passes the noise through. We measure which by the correlation between the noise and its
   reconstruction, over all pixels (`correlation`, Sources/ChapterKit/Correlation.swift): near 0
   for the first kind, clearly positive for the second.
   (It trains at half the learning rate: with 1024 ReLUs in one layer, Adam at 1e-3 makes the
   loss jump up now and then.)
   */
  let overcomplete = overcompleteAutoencoder(rng: &rng)
  let overHistory = try run.trainReconstruction(
    overcomplete, name: "overcomplete autoencoder 1024-d", epochs: max(1, epochs / 4),
    learningRate: learningRate / 2, rng: &rng)
  var noiseRNG = RandomGenerator(seed: options.seed &+ 1000)
  let noise = Tensor.uniform([12, 784], using: &noiseRNG)
  let deepOnNoise = inference { model(Variable(noise)).value }
  let overOnNoise = inference { overcomplete(Variable(noise)).value }
  let noiseCorrelationDeep = correlation(noise, deepOnNoise)
  let noiseCorrelationOver = correlation(noise, overOnNoise)
  print(
    "noise in, reconstruction out: correlation \(Format.fixed(noiseCorrelationDeep, digits: 3)) for the 32-d"
      + " autoencoder, \(Format.fixed(noiseCorrelationOver, digits: 3)) for the overcomplete one")

  /*:
   ### The figures
   */
  // One test image of each class, then two more: the same images in every row.
  let shown = (0..<10).map { c in run.test.allLabels().firstIndex(of: c) ?? 0 } + [10, 11]
  let originals = run.test.batch(shown)
  let rows = inference {
    [
      originals,
      model(Variable(originals)).value,
      linear(Variable(originals)).value,
      pca.decode(pca.encode(originals)),
      model2D(Variable(originals)).value,
    ]
  }
  try run.save(
    ImageGrid(rows: rows), as: "reconstructions",
    caption: "rows: test images; autoencoder-\(code); linear AE-\(code); PCA-\(code); autoencoder-2"
  )

  let overRows = inference {
    [originals, overcomplete(Variable(originals)).value, noise, deepOnNoise, overOnNoise]
  }
  try run.save(
    ImageGrid(rows: overRows), as: "overcomplete",
    caption:
      "rows: test images; overcomplete AE; uniform noise; 32-d AE on noise; overcomplete AE on noise"
  )

  // The first layer's weights: each of the 256 units looks at the image through a 28×28 template.
  let firstLayer = ((model.encoder as! Sequential).layers[0] as! Linear).weight.value
  try run.save(
    ImageGrid.filters(firstLayer.rows(0..<64), columns: 16, sharedScale: false), as: "filters",
    caption: "64 of the 256 first-layer weight templates (red positive, blue negative)")

  let epochAxis = (1...epochs).map(Double.init)
  try run.save(
    LinePlot(
      title: "Fashion-MNIST reconstruction error, \(code)-d code", xLabel: "epoch",
      yLabel: "MSE per pixel",
      series: [
        .init("autoencoder, train", x: epochAxis, y: history["mse"]),
        .init("autoencoder, test", x: epochAxis, y: history["test_mse"]),
        .init(
          "linear autoencoder, test", x: (1...linearEpochs).map(Double.init),
          y: linearHistory["test_mse"]),
        .init("PCA-\(code), test", x: epochAxis, y: Array(repeating: pcaTestMSE, count: epochs)),
      ]), as: "loss",
    caption: "train and test MSE per epoch, with PCA's as a flat line")

  try run.save(
    ScatterPlot(
      title: "10,000 test images in two dimensions (colour = class, never seen in training)",
      panels: [
        .init(
          title: "autoencoder 2-d code", xLabel: "z1", yLabel: "z2", points: latent2D,
          labels: run.test.allLabels()),
        .init(
          title: "PCA, first two components", xLabel: "pc1", yLabel: "pc2", points: pca2Test,
          labels: run.test.allLabels()),
      ], classNames: run.test.classNames), as: "latent2d",
    caption: "2-D codes: autoencoder (left) vs PCA (right)")

  /*:
   ### The numbers
   Everything the prose below quotes is printed here and written to metrics.json.
   */
  run.metrics["test_mse_per_pixel"] = MetricValue(aeTestMSE)
  run.metrics["train_mse_per_pixel"] = MetricValue(history.last("mse"))
  run.metrics["train_mse_per_epoch"] = .list(history["mse"].map { MetricValue($0) })
  run.metrics["test_mse_per_epoch"] = .list(history["test_mse"].map { MetricValue($0) })
  run.metrics["pca_test_mse_per_pixel"] = MetricValue(pcaTestMSE)
  run.metrics["pca_explained_variance"] = MetricValue(Double(keptVariance))
  run.metrics["ae_improvement_over_pca"] = MetricValue(gain)
  run.metrics["linear_ae_test_mse_per_pixel"] = MetricValue(linearTestMSE)
  run.metrics["linear_ae_epochs"] = MetricValue(linearEpochs)
  run.metrics["ae2d_test_mse_per_pixel"] = MetricValue(history2D.last("test_mse"))
  run.metrics["pca2_test_mse_per_pixel"] = MetricValue(pca2TestMSE)
  run.metrics["overcomplete_test_mse_per_pixel"] = MetricValue(overHistory.last("test_mse"))
  run.metrics["overcomplete_train_mse_per_pixel"] = MetricValue(overHistory.last("mse"))
  run.metrics["noise_correlation_ae32"] = MetricValue(noiseCorrelationDeep)
  run.metrics["noise_correlation_overcomplete"] = MetricValue(noiseCorrelationOver)
  run.metrics["code_size"] = MetricValue(code)
  run.metrics["learning_rate"] = MetricValue(Double(learningRate))
  run.metrics["pca_fit_seconds"] = MetricValue(pcaSeconds)
  try run.finish(epochSeconds: history.epochSeconds)
}

/*:
 ## What you should see
 From `swift run -c release vanilla` with the defaults (seed 42, tiled kernels, 2 threads, all
 60,000 training images, 20 epochs), on a 2-core AMD EPYC Zen 5 with AVX-512 (cpu family 26;
 the first line says `GEMM tile 8x32 on avx512`), 3 December 2026, inside `bash
 Chapters/run-all.sh`. The whole run took 32 s, with a peak of 200 MB of memory:

     PCA-32: keeps 82.6% of the pixel variance; test MSE per pixel 0.01514 (fit in 1.20 s)
     epoch 1/20  train_mse 0.02699  test_mse 0.01666  0.56 s  107,537 img/s
     ...
     epoch 20/20  train_mse 0.008567  test_mse 0.008885  0.67 s  89,927 img/s
     autoencoder-32 test MSE per pixel 0.00888 vs PCA-32 0.01514: 41.3% lower
     linear autoencoder test MSE 0.01529 vs PCA 0.01514 (ratio 1.010)
     noise in, reconstruction out: correlation 0.049 for the 32-d autoencoder, 0.452 for the overcomplete one

 The losses are the same bits on every machine and with every register tile: each element of a
 matrix product is one chain of multiply-adds along k, however the kernel cuts it into blocks.
 (Runs before 3 December printed slightly different last digits, 0.00878 here, because the
 kernel then summed each block on its own; that order changed once.)

 - **The autoencoder beats PCA by 41.3%** at the same 32 numbers per image (0.00888 against
   0.01514). PCA can only add up 32 fixed templates, so every shirt is the mean shirt plus a
   weighted sum of the same 32 patterns. The decoder is nonlinear, so it can bend its 32
   numbers along the curved set of real images. In `reconstructions.png` (rows: test images,
   autoencoder-32, linear AE-32, PCA-32, autoencoder-2), PCA's and the linear AE's rows look
   alike and blurry, while the autoencoder keeps the sandal's thin sole and the sneakers' outlines,
   which PCA smears into grey wedges. Fine print such as the "Lee" logo is lost by all of them:
   32 numbers cannot spend any on it.
 - **The linear autoencoder lands on PCA's error** (ratio 1.010 after 10 epochs), as theory
   says it must. `loss.png` shows its test curve flatten onto PCA's line.
 - **The 2-D code** (test MSE 0.0265, PCA-2 0.0461) is drawn in `latent2d.png`. Trousers, bags,
   sandals, sneakers and ankle boots form their own regions, while the tops (T-shirt, pullover,
   coat, shirt) pile up together. PCA's plane mixes far more.
 - **The overcomplete model** reaches the lowest test error of all (0.00334) by copying.
   Noise goes in and the same noise comes out (correlation 0.452; the 32-d model gives 0.049), as
   the bottom row of `overcomplete.png` shows. The 32-d model draws a vague garment instead.
 - `filters.png` shows 64 of the first layer's 256 weight templates, each in its own colour scale.
   Most look like speckled noise. A few show strokes and edges along garment outlines (a collar,
   a trouser leg, a sole). The layer has more units than 32 numbers need, and after 20 epochs
   nothing has pushed the unused ones to be smooth: chapter 3's sparsity penalty changes that.
 - **Speed**: 0.58 s per epoch with the tiled kernels (median of 20, all between 0.52 and
   0.67 s). PyTorch 2.15 (2 threads, flush-to-zero on) trains the same model with the same batch
   size, optimiser and test pass with `Chapters/Yardsticks/pytorch_epoch.py --flush-denormals
   --threads 2`; three 3-epoch runs of each, one after the other, gave 0.52 / 1.53, 0.63 / 1.57 and
   0.57 / 2.13 s per epoch: 0.34, 0.40 and 0.27 of PyTorch's time (an hour earlier, in a calmer
   spell of the host and before the change to short products below: 0.52 / 1.45, 0.53 / 1.43 and
   0.51 / 1.43, that is 0.36, 0.37 and 0.36). Built for AVX2 only on the same machine
   (`BOTTLENECK_MARCH=haswell`, so the 6x16 tile; Package.swift) against PyTorch told to keep
   to AVX2 (`ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2`):
   0.88 / 1.47, 0.90 / 1.45 and 0.86 / 1.40 s in the calm spell (0.60, 0.62, 0.62), 0.98 / 1.95,
   1.51 / 2.11 and 1.11 / 2.23 in the slow one (0.50, 0.72, 0.50). PyTorch's matrix products run
   MKL's AVX2 code on this AMD CPU whatever it is told (1024³: 206 GFLOP/s, 212 with the
   variables), so that pair is AVX2 against AVX2, the closest this machine comes to a laptop
   without AVX-512. With `--quick` (2,048 images) the tiled kernels take 0.021 s per epoch and
   `--kernels naive` takes 3.1 s: 148 times slower.
   They print nearly the same losses (test MSE 0.05143 against 0.05146): the same formulas in the
   same order, except that the tiled multiplies round once per multiply-add (a fused
   multiply-add) where naive rounds the product and the sum apiece. At that rate one naive epoch
   over the full set would take about 90 s.
 - **What made the last steps faster** (same evening, `--profile` and perf): outside the
   kernels, the loss's sum of squares (one Double add after another, 100K per step), the test
   set's MSE and the conversion of each batch's bytes to floats (a scalar division per pixel)
   took 6.8 of the run's 31 s; as kernels (`sumOfSquares`, 16 pixels at a time) 4.3-4.7.
   Three 3-epoch runs of each build, in turns: 0.59-0.65 s per epoch before, 0.50-0.55 after.
   Then the products with at most 256 rows (dW and dx of the narrow layers) stopped packing b
   (GEMMBlocking.inPlaceRowsB): the step's 17 multiplies, timed in turns, 11-13% faster.
 - **Speed on an Intel Xeon** (cpu family 6 model 207, AVX-512, 4 December 2026 in the evening):
   inside `bash Chapters/run-all.sh` the run took 47 s, its epochs 0.95-1.12 s (median 1.0),
   peak memory 200 MB. Three 3-epoch runs, each followed by PyTorch's: 0.97 / 1.49, 0.96 / 1.39
   and 0.91 / 1.48 s per epoch, 0.65, 0.69 and 0.62 of PyTorch's time. Built for AVX2 against
   PyTorch held to AVX2, as above: 1.35 / 1.84, 1.33 / 1.80 and 1.43 / 1.89, that is 0.73, 0.74
   and 0.76. This Xeon's cores are the performance cores of Intel's 13th- and 14th-generation
   laptop chips, which run without AVX-512, so the AVX2 pair is the nearest to an Intel laptop
   here. That morning the pairs were 0.68-0.70 and, for AVX2, 0.76-0.79; what changed, found with
   `--profile` and perf on the AVX2 build: the matrix products are most of the run (10.6 of 14.9 s
   in 37,000 GEMMs over 3 epochs), but relu's backward pass took 4% of the main thread's time,
   at 0.56 ns a float: the compiler had vectorized 14 of every 16 lanes and called the
   derivative for the other two. Written as a vector select it takes 0.14 ns
   (AVX-512 build), the same bits (Sources/Kernels/LanewiseGradient.swift); elementwise kernels
   use both threads from 2¹⁶ floats; products of 2²⁰ operations use both threads; and the GEMM
   gives each of two threads one band of rows instead of four tasks (the kernel lab's prose has
   the timings). In the AVX2 build an epoch went from 1.67 s (before, in a calm spell) to 1.56-1.57
   (after, in pairs with PyTorch at 2.11-2.12 s, as it was in the morning's).
   What is left on the main thread (AVX2 build, perf): the products 69%, waiting for the other
   thread to finish its band 9%, Adam 7%, elementwise kernels 9%, the batch's bytes to floats 2%.
   (Since then Adam updates all twelve tensors in one kernel call: 0.65 s of a 3-epoch run's
   Adam against 0.72, too little to show in the epoch through this host's noise.)
 - **Speed elsewhere, earlier** (the code has changed since; the kernel lab's prose tells what):
   on a 2-core AVX-512 Xeon (21 November 2026) 1.11 s per epoch against PyTorch's 1.51–1.65 s.
   On a 2-core AMD EPYC with AVX2 and no AVX-512 (2 December 2026; the first line then says
   `GEMM tile 6x16 on avx2+fma`): a full run took 141 s with a median epoch of 3.08 s
   (2.85–3.39), PyTorch 4.39 s right after it (0.70), peak memory 200 MB; three 3-epoch runs,
   each followed by PyTorch's: 3.18 / 4.60, 2.95 / 4.98 and 2.30 / 4.13 s (0.56–0.69). That
   host's speed drifted by a third between minutes and hours (the same run took 120 s a few
   hours earlier), so only the pairs compare. The 8x32 tile, which needs 38 of AVX2's 16
   registers, took 3.50–3.64 s per epoch there.
 - Run it twice: the same seed prints the same numbers, digit for digit.
 - With `--quick` the autoencoder sees 2,048 images twice and is still far behind PCA (test MSE
   0.051 against 0.015): a smoke run checks that everything works, not what the model can learn.

 ## Pitfalls
 - **The test set is for measuring, never for training.** Every number above is on the 10,000
   test images; the training MSE is a little lower (see loss.png) and that gap is overfitting.
 - **A low loss is not a good code.** The overcomplete model has the lowest error of all and the
   least useful code: it copies. Chapters 2–4 add what stops this (noise, sparsity, a penalty on
   the encoder's sensitivity) and chapter 5 what makes the code a distribution.
 - **Sigmoid + MSE saturates.** If outputs stick at 0 or 1 early, gradients vanish; binary
   cross-entropy from logits (Sources/Training/Losses.swift) is the usual alternative.
 - **The 2-D code is not a map of classes.** Classes overlap where the images overlap (shirts,
   pullovers and coats); the autoencoder separates what is visually different, not what is
   labelled differently.

 ## Exercises
 - `--latent 8` and `--latent 64`: how do the autoencoder's and PCA's errors change, and does the
   gap between them grow or shrink?
 - `--epochs 40`: the train and test curves part; by how much?
 - `--learning-rate 1e-2`: faster at first, then? And `--learning-rate 1` (watch for the NaN
   message).
 - `--kernels naive --quick` vs `--quick`: the same numbers (within rounding), and how many times
   slower per epoch? The kernels chapter (`swift run -c release kernels`) shows where the speed-up
   comes from.
 - Change the code layer to have a ReLU (in Sources/Layers/Autoencoder+Deep.swift): what happens to the 2-D plot?
 */

struct Vanilla: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vanilla",
    abstract: "Chapter 1: the vanilla autoencoder vs PCA on Fashion-MNIST.",
    discussion: "Writes reconstructions.png, overcomplete.png, filters.png, loss.png, latent2d.png"
      + " and metrics.json into output/vanilla/ (or --output).")

  @OptionGroup var options: ChapterOptions

  func run() throws {
    try runChapter { try options.withKernels { try lesson(options) } }
  }
}

Vanilla.main()
