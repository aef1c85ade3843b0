/*:
 # A whole training step's multiplies

 The three shapes above are chapter 1's first layer; a training step of its 32-d autoencoder
 multiplies 17 times, most of them much smaller. Per layer Linear(in → out) on a batch of 128,
 with x (128, in), W (out, in) and dy the gradient of the layer's output (128, out):

     forward   y  = x·Wᵀ     128 x out x in
     backward  dx = dy·W     128 x in x out    (not for the first layer: its x is the images)
     backward  dW = dyᵀ·x    out x in x 128

 over the six layers 784 → 256 → 128 → 32 → 128 → 256 → 784. Half of them move fewer than 10
 million floating-point operations and take tens of microseconds, where a fixed cost per call
 (packing, waking the second core) weighs as much as the arithmetic. This section times the 17 in
 turn, as one contender, against NumPy doing the same 17: the number chapter 1's epoch time is
 made of (469 steps an epoch, plus the optimizer and the elementwise kernels).
 */

import Bottleneck

/// The 17 GEMMs of one training step of chapter 1's 32-d autoencoder on a batch of 128.
func chapterOneStep() -> [GEMMShape] {
  let widths = [784, 256, 128, 32, 128, 256, 784]
  var shapes: [GEMMShape] = []
  for layer in 0..<6 {
    let (input, output) = (widths[layer], widths[layer + 1])
    let name = "\(input)→\(output)"
    shapes.append(
      GEMMShape(label: "\(name) forward", m: 128, n: output, k: input, transposeB: true))
    if layer > 0 {
      shapes.append(GEMMShape(label: "\(name) dx", m: 128, n: input, k: output))
    }
    shapes.append(
      GEMMShape(label: "\(name) dW", m: output, n: input, k: 128, transposeA: true))
  }
  return shapes
}

/// One contender's time for the whole step: the sum of its 17 multiplies, the median of its runs.
struct StepRow {
  var variant: String
  var threads: Int
  var seconds: Double
  var runs: Int

  var metric: MetricValue {
    [
      "variant": .text(variant), "threads": .integer(threads), "seconds": .number(seconds),
      "runs": .integer(runs),
    ]
  }
}

/// Times the step's 17 multiplies with the production kernels (simd-1-thread and tiled) and
/// NumPy's workers, taking turns like every other measurement in the lab.
func timeTrainingStep(
  steps: [GEMMStep], numpy: NumPyBaseline, threads: Int, policy: TimingPolicy
) -> [StepRow] {
  let shapes = chapterOneStep()
  let problems = shapes.enumerated().map { GEMMProblem($1, seed: 200 + UInt64($0)) }
  let outputs = shapes.map { OutputMatrix(count: $0.m * $0.n) }
  var contenders: [Contender] = steps.filter { $0.name == "simd-1-thread" || $0.name == "tiled" }
    .map { step in
      Contender(name: step.name) {
        var total = 0.0
        for (problem, output) in zip(problems, outputs) {
          total += seconds { step.multiply(problem, &output.c) }
        }
        return total
      }
    }
  for entry in numpy.workers {
    contenders.append(
      Contender(name: entry.name) {
        var total = 0.0
        for s in shapes {
          guard
            let time = entry.worker.time(
              m: s.m, n: s.n, k: s.k, transposeA: s.transposeA, transposeB: s.transposeB)
          else { return nil }
          total += time
        }
        return total
      })
  }
  let timings = timeInterleaved(contenders, policy: policy)
  return contenders.compactMap { contender in
    timings[contender.name].map {
      StepRow(
        variant: contender.name,
        threads: threadCount(of: contender.name, threads: threads),
        seconds: $0.seconds, runs: $0.runs)
    }
  }
}

/// The step's times side by side, with Swift over NumPy at the same thread count.
func stepTable(_ rows: [StepRow]) -> TextTable {
  var table = TextTable([
    "contender", "threads", "ms per step", "s per epoch (469 steps)", "vs NumPy",
  ])
  func seconds(_ variant: String) -> Double? { rows.first { $0.variant == variant }?.seconds }
  let yardstick = ["tiled": "numpy", "simd-1-thread": "numpy-1-thread"]
  for row in rows {
    var ratio = "-"
    if let other = yardstick[row.variant], let numpy = seconds(other) {
      // Above 1: Swift is faster (NumPy's time over Swift's, like the GFLOP/s ratios above).
      ratio = Format.significant(numpy / row.seconds, digits: 2)
    }
    table.add([
      row.variant, "\(row.threads)", Format.significant(row.seconds * 1000, digits: 3),
      Format.significant(row.seconds * 469, digits: 3), ratio,
    ])
  }
  return table
}
