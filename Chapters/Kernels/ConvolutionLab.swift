/*:
 # Convolution: the same GEMM, fed by a copy

 Chapter 6's layers are convolutions: a k x k kernel slides over each image with stride s, and
 each output pixel of each output channel is a sum of C·k·k products (ConvGeometry.swift has the
 formula). Its decoders' transposed convolutions are the same products read backwards: a
 ConvTranspose2D's forward pass *is* `conv2dBackwardInput` of the convolution it mirrors. So a
 training step of the chapter runs, per layer, the three products timed here: the forward pass
 y = conv(x, w), the input gradient dx, and the weight gradient dw. Each has as many
 multiply-adds as the forward pass (`ConvGeometry.multiplyAdds`), and the lab reports
 2·multiplyAdds / seconds, GFLOP/s, as for the GEMM.

 **im2col.** The naive kernels (Sources/Kernels/NaiveKernels+Conv.swift) run the formula as
 seven nested loops, with a bounds test on every product for the padding. The tiled ones
 (TiledKernels+Conv.swift) do what Caffe did (K. Chellapilla, S. Puri and P. Simard, "High
 Performance Convolutional Neural Networks for Document Processing", 2006; Y. Jia et al.,
 "Caffe: Convolutional Architecture for Fast Feature Embedding", 2014): they copy every k x k
 patch the kernel visits into one column of a matrix, `col`, and zeros where the patch hangs
 over the edge. Then the whole batch's convolution is one matrix product:

     col  (C·k·k, N·OH·OW)     forward  Y  = w · col          (O, N·OH·OW)
                               input    dcol = wᵀ · dY,  then col2im adds dcol back onto dx
                               weight   dw = dY · colᵀ        (O, C·k·k)

 with w seen as an (O, C·k·k) matrix, which is how PyTorch stores it already. The tiled GEMM
 then runs at the speed the first part of the lab measured, for any channel count and kernel
 size, with no convolution-specific micro-kernel at all. The price is the copy: col holds every
 input pixel k²/s² times over (about 2.25 times for k = 3, s = 2; 4 times for k = 4, s = 2), and
 it is written and then read back once more by the GEMM's packing. So the batch goes through in
 slices, a few images at a time, whose col fits in the L2 cache (`TiledKernels.columnBudget`):
 the write and the read back then stay in L2 instead of going to memory and back.

 **Why this layout**, (C·k·k, N·OH·OW) rather than (N·OH·OW, C·k·k)? In Caffe's layout a row of
 col is one (c, i, j) and runs along output pixels, so im2col fills it with one image's OH·OW
 numbers at a time, gathered from one input plane at offsets that depend on (i, j) only (a table
 made once per call; the plane is first copied into a zero border, so padding needs no test). The product Y comes out (O, N·OH·OW): each output channel's plane for an
 image is one contiguous run, and turning it into NCHW y is OH·OW-long copies. The other layout
 copies k numbers at a time (one patch row) and leaves y channel-last, to be transposed. The
 GEMM does not mind either way: its packing reads both A and B in the order it needs.

 **What the section measures.** For chapter 6's layer shapes on a batch of 128 (batch 8 with
 `--quick`): each product with the naive and the tiled kernels (all threads), and PyTorch's
 conv2d and its two gradients when `import torch` works (oneDNN's JIT-compiled kernels, see
 TorchConvBaseline.swift; `--no-torch` skips it). And im2col alone, whose share of the tiled
 forward time is what a kernel that never builds col would save. Before any of it, tiled is
 checked against naive on every shape, every product, on a batch of 3.
 */

import Bottleneck
import Foundation

/// One layer shape of chapter 6 (a convolution, or the convolution a transposed one mirrors).
struct ConvShape {
  var inChannels: Int
  var outChannels: Int
  var kernel: Int
  var stride: Int
  var padding: Int
  /// The input's height and width (the chapter's images are square).
  var size: Int
  /// Where chapter 6 uses it.
  var use: String

  func geometry(batch: Int) -> ConvGeometry {
    ConvGeometry(
      batch: batch, inChannels: inChannels, height: size, width: size, outChannels: outChannels,
      kernel: kernel, stride: stride, padding: padding)
  }

  /// "Conv(32→64, k3, s2, p1) on 14x14"
  var text: String {
    let padded = padding > 0 ? ", p\(padding)" : ""
    let strided = stride > 1 ? ", s\(stride)" : ""
    return "Conv(\(inChannels)→\(outChannels), k\(kernel)\(strided)\(padded)) on \(size)x\(size)"
  }

  /// Every convolution of chapter 6's models (Chapters/06-Convolutional/Models.swift). The
  /// decoders' ConvTranspose2D layers run the backward-input product of the one they mirror.
  static let chapterShapes = [
    ConvShape(
      inChannels: 1, outChannels: 32, kernel: 3, stride: 2, padding: 1, size: 28,
      use: "conv AEs' first layer; backward input = their last ConvTranspose"),
    ConvShape(
      inChannels: 32, outChannels: 64, kernel: 3, stride: 2, padding: 1, size: 14,
      use: "conv AEs' second layer; backward input = their first ConvTranspose"),
    ConvShape(
      inChannels: 1, outChannels: 32, kernel: 4, stride: 2, padding: 1, size: 28,
      use: "conv VAE's first layer; backward input = its last ConvTranspose"),
    ConvShape(
      inChannels: 32, outChannels: 64, kernel: 4, stride: 2, padding: 1, size: 14,
      use: "conv VAE's second layer; backward input = its second ConvTranspose"),
    ConvShape(
      inChannels: 64, outChannels: 128, kernel: 7, stride: 1, padding: 0, size: 7,
      use: "conv VAE's third layer (7x7 → 1x1); backward input = its first ConvTranspose"),
  ]
}

/// The three products of a convolution layer.
enum ConvProduct: String, CaseIterable {
  case forward = "forward"
  case input = "backward input"
  case weight = "backward weight"

  /// The name the PyTorch worker takes.
  var torchName: String {
    switch self {
    case .forward: "forward"
    case .input: "input"
    case .weight: "weight"
    }
  }

  /// How many products each output element sums: its rounding grows with it. (For the input
  /// gradient an upper bound: with stride s only about 1/s² of the O·k·k terms land on a pixel.)
  func terms(_ g: ConvGeometry) -> Int {
    switch self {
    case .forward: g.inChannels * g.kernel * g.kernel
    case .input: g.outChannels * g.kernel * g.kernel
    case .weight: g.batch * g.outHeight * g.outWidth
    }
  }

  /// The number of floats the product writes.
  func outputCount(_ g: ConvGeometry) -> Int {
    switch self {
    case .forward: g.outputCount
    case .input: g.inputCount
    case .weight: g.weightCount
    }
  }
}

/// A geometry with its inputs: x, the weight and bias, and an upstream gradient dy, all uniform
/// in [-1, 1) from a seed.
final class ConvProblem {
  let geometry: ConvGeometry
  let x: [Float]
  let weight: [Float]
  let bias: [Float]
  let dy: [Float]

  init(_ geometry: ConvGeometry, seed: UInt64) {
    self.geometry = geometry
    x = randomFloats(geometry.inputCount, seed: seed)
    weight = randomFloats(geometry.weightCount, seed: seed &+ 1)
    bias = randomFloats(geometry.outChannels, seed: seed &+ 2)
    dy = randomFloats(geometry.outputCount, seed: seed &+ 3)
  }

  /// Runs `product` with `kernels`, overwriting `output` (forward: y; input: dx; weight: dw).
  func run(_ product: ConvProduct, with kernels: any KernelSet, into output: OutputMatrix) {
    let g = geometry
    precondition(output.c.count == product.outputCount(g), "ConvProblem: wrong output size")
    x.withUnsafeBufferPointer { x in
      weight.withUnsafeBufferPointer { w in
        bias.withUnsafeBufferPointer { b in
          dy.withUnsafeBufferPointer { dy in
            output.c.withUnsafeMutableBufferPointer { out in
              switch product {
              case .forward:
                kernels.conv2d(
                  g, x: x.baseAddress!, weight: w.baseAddress!, bias: b.baseAddress!,
                  y: out.baseAddress!)
              case .input:
                kernels.conv2dBackwardInput(
                  g, dy: dy.baseAddress!, weight: w.baseAddress!, dx: out.baseAddress!)
              case .weight:
                kernels.conv2dBackwardWeight(
                  g, x: x.baseAddress!, dy: dy.baseAddress!, dWeight: out.baseAddress!)
              }
            }
          }
        }
      }
    }
  }
}

/*:
 ## First, are they right?
 As for the GEMM: every shape, every product, tiled against naive, before anything is timed, on a
 batch of 3 (an odd number of columns N·OH·OW for the GEMM's edges). Tiled's outputs start as
 NaN, so an element it forgets to write is caught. The tolerance is the GEMM's, 10⁻⁶ times the
 number of products each output sums (C·k·k for y, O·k·k for dx, N·OH·OW for dw).
 */

/// The tiled kernels disagree with naive on a shape: nothing after it would mean anything.
struct ConvDisagrees: Error, CustomStringConvertible {
  let shape: ConvShape
  let product: ConvProduct
  let batch: Int
  let difference: Double
  var description: String {
    "tiled \(product.rawValue) differs from naive by \(difference) on \(shape.text), batch "
      + "\(batch): a convolution kernel is wrong (compare it with naive on this shape)"
  }
}

/// One product on one shape at a small batch: tiled's largest difference from naive.
struct ConvValidationRow {
  var shape: ConvShape
  var product: ConvProduct
  var batch: Int
  var maxAbsDiff: Double

  var metric: MetricValue {
    [
      "shape": .text(shape.text), "product": .text(product.rawValue), "batch": .integer(batch),
      "max_abs_diff": .number(maxAbsDiff),
    ]
  }
}

/// The largest difference `tiled` may have from naive on `product`: rounding, 1e-6 per term.
func convTolerance(_ product: ConvProduct, _ g: ConvGeometry) -> Double {
  1e-6 * Double(max(1, product.terms(g)))
}

func validateConvolution(_ shapes: [ConvShape], tiled: TiledKernels, batch: Int = 3) throws
  -> [ConvValidationRow]
{
  let naive = NaiveKernels()
  var rows: [ConvValidationRow] = []
  var table = TextTable(["shape"] + ConvProduct.allCases.map(\.rawValue))
  for (index, shape) in shapes.enumerated() {
    let g = shape.geometry(batch: batch)
    let problem = ConvProblem(g, seed: 2000 + 10 * UInt64(index))
    var cells = [shape.text]
    for product in ConvProduct.allCases {
      let reference = OutputMatrix(count: product.outputCount(g))
      problem.run(product, with: naive, into: reference)
      let output = OutputMatrix(count: product.outputCount(g))
      output.c = [Float](repeating: .nan, count: output.c.count)
      problem.run(product, with: tiled, into: output)
      let difference = maxAbsDifference(output.c, reference.c)
      if !(difference <= convTolerance(product, g)) {
        throw ConvDisagrees(shape: shape, product: product, batch: batch, difference: difference)
      }
      rows.append(
        ConvValidationRow(shape: shape, product: product, batch: batch, maxAbsDiff: difference))
      cells.append(differenceText(difference))
    }
    table.add(cells)
  }
  print(
    "\nConvolution, correctness: max |tiled − naive| on a batch of \(batch) (inputs uniform in "
      + "[-1, 1))")
  print(table.text)
  return rows
}

/*:
 ## Then, how fast?
 Per shape, one `timeInterleaved` call with every contender: naive, tiled and (if there is
 PyTorch) torch for each of the three products, and im2col alone, all taking turns in the same
 rounds under the lab's timing policy. Naive takes from 30 ms (the single-channel layers) to
 about a second per run at batch 128; a run over half a second is measured once, as for the
 GEMM. Naive runs on the full batch like the others (a smaller batch would fit caches the full
 one does not, and need scaling), so every column of the table is the same work.
 */

/// One product on one shape: a row of metrics.json's `convolution` array.
struct ConvRow {
  var shape: ConvShape
  var product: ConvProduct
  var geometry: ConvGeometry
  var threads: Int
  var naive: Timing?
  var tiled: Timing
  var torch: Timing?
  /// im2col alone on this geometry (all threads).
  var im2col: Timing?
  /// Largest |tiled − naive| over the timed outputs (nil when naive did not run).
  var maxAbsDiff: Double?

  var flops: Double { 2 * Double(geometry.multiplyAdds) }
  var naiveGflops: Double? { naive.map { flops / $0.seconds / 1e9 } }
  var tiledGflops: Double { flops / tiled.seconds / 1e9 }
  var torchGflops: Double? { torch.map { flops / $0.seconds / 1e9 } }
  /// im2col's seconds over tiled's, for the two products that build col (forward, weight).
  var im2colShare: Double? {
    guard product != .input, let im2col else { return nil }
    return im2col.seconds / tiled.seconds
  }

  var metric: MetricValue {
    let g = geometry
    return [
      "shape": .text(shape.text), "use": .text(shape.use), "product": .text(product.rawValue),
      "batch": .integer(g.batch), "in_channels": .integer(g.inChannels),
      "out_channels": .integer(g.outChannels), "height": .integer(g.height),
      "width": .integer(g.width), "kernel": .integer(g.kernel), "stride": .integer(g.stride),
      "padding": .integer(g.padding), "out_height": .integer(g.outHeight),
      "out_width": .integer(g.outWidth), "multiply_adds": .integer(g.multiplyAdds),
      "threads": .integer(threads),
      "naive_seconds": MetricValue(orNull: naive?.seconds),
      "naive_runs": naive.map { .integer($0.runs) } ?? .null,
      "naive_gflops": MetricValue(orNull: naiveGflops),
      "tiled_seconds": .number(tiled.seconds), "tiled_runs": .integer(tiled.runs),
      "tiled_gflops": .number(tiledGflops),
      "torch_seconds": MetricValue(orNull: torch?.seconds),
      "torch_runs": torch.map { .integer($0.runs) } ?? .null,
      "torch_gflops": MetricValue(orNull: torchGflops),
      "tiled_over_naive": MetricValue(orNull: naiveGflops.map { tiledGflops / $0 }),
      "tiled_over_torch": MetricValue(orNull: torchGflops.map { tiledGflops / $0 }),
      "im2col_seconds": MetricValue(orNull: im2col?.seconds),
      "im2col_share": MetricValue(orNull: im2colShare),
      "max_abs_diff": MetricValue(orNull: maxAbsDiff),
    ]
  }
}

/// Times the three products of `shape` on `batch` images: naive, tiled (`threads` threads) and
/// torch's, and im2col alone. Throws when the timed tiled outputs disagree with naive's.
func timeConvolution(
  _ shape: ConvShape, batch: Int, tiled: TiledKernels, torch: TorchConvWorker?,
  policy: TimingPolicy, seed: UInt64
) throws -> [ConvRow] {
  let g = shape.geometry(batch: batch)
  let problem = ConvProblem(g, seed: seed)
  let naive = NaiveKernels()
  var outputs: [String: OutputMatrix] = [:]
  var contenders: [Contender] = []
  for product in ConvProduct.allCases {
    for (name, kernels) in [("naive", naive as any KernelSet), ("tiled", tiled)] {
      let output = OutputMatrix(count: product.outputCount(g))
      outputs["\(name) \(product.rawValue)"] = output
      contenders.append(
        Contender(name: "\(name) \(product.rawValue)") {
          seconds { problem.run(product, with: kernels, into: output) }
        })
    }
    if let torch {
      contenders.append(Contender(name: "torch \(product.rawValue)") { torch.time(product, g) })
    }
  }
  // im2col on its own, slice by slice as the products run it: the copy the forward and weight
  // products start with.
  let sliceColumns = tiled.imagesPerSlice(g) * g.outHeight * g.outWidth
  let col = OutputMatrix(count: g.inChannels * g.kernel * g.kernel * sliceColumns)
  let imageSize = g.inChannels * g.height * g.width
  contenders.append(
    Contender(name: "im2col") {
      seconds {
        problem.x.withUnsafeBufferPointer { x in
          col.c.withUnsafeMutableBufferPointer { col in
            tiled.forEachSlice(g) { slice, first in
              tiled.im2col(slice, x: x.baseAddress! + first * imageSize, col: col.baseAddress!)
            }
          }
        }
      }
    })
  let watch = Stopwatch()
  let timings = timeInterleaved(contenders, policy: policy)

  var rows: [ConvRow] = []
  for product in ConvProduct.allCases {
    guard let tiledTiming = timings["tiled \(product.rawValue)"] else { continue }
    let naiveTiming = timings["naive \(product.rawValue)"]
    var difference: Double?
    if naiveTiming != nil, let reference = outputs["naive \(product.rawValue)"],
      let output = outputs["tiled \(product.rawValue)"]
    {
      let measured = maxAbsDifference(output.c, reference.c)
      if !(measured <= convTolerance(product, g)) {
        throw ConvDisagrees(shape: shape, product: product, batch: batch, difference: measured)
      }
      difference = measured
    }
    rows.append(
      ConvRow(
        shape: shape, product: product, geometry: g, threads: tiled.threads, naive: naiveTiming,
        tiled: tiledTiming, torch: timings["torch \(product.rawValue)"],
        im2col: timings["im2col"], maxAbsDiff: difference))
  }
  print("  \(shape.text): \(Format.seconds(watch.seconds)) s")
  return rows
}

/// The convolution table: a row per shape and product.
func convolutionTable(_ rows: [ConvRow]) -> TextTable {
  var table = TextTable([
    "shape", "product", "naive", "tiled", "tiled/naive", "PyTorch", "tiled/PyTorch",
    "im2col share",
  ])
  func ratio(_ x: Double?) -> String {
    x.map { Format.significant($0, digits: 2) + "x" } ?? "-"
  }
  var previous = ""
  for row in rows {
    let shape = row.shape.text == previous ? "" : row.shape.text
    previous = row.shape.text
    table.add([
      shape, row.product.rawValue, gflopsText(row.naiveGflops), gflopsText(row.tiledGflops),
      ratio(row.naiveGflops.map { row.tiledGflops / $0 }), gflopsText(row.torchGflops),
      row.torchGflops.map { Format.significant(row.tiledGflops / $0, digits: 2) } ?? "-",
      row.im2colShare.map(Format.percent) ?? "-",
    ])
  }
  return table
}

/// The convolution section of the lab: the PyTorch worker started (unless `noTorch`), tiled
/// checked against naive, every shape timed, the table printed. Returns the worker, still running
/// (the lab closes it at the end, after counting its CPU time as its own).
func convolutionSection(
  batch: Int, threads: Int, tile: GEMMTile, noTorch: Bool, policy: TimingPolicy,
  results: inout LabResults
) throws -> TorchConvWorker? {
  let tiled = TiledKernels(threads: threads, tile: tile)
  // Started first, so that torch's import (seconds) runs while the check below does.
  var torch: TorchConvWorker?
  var torchProblem: String?
  if noTorch {
    torchProblem = "--no-torch"
  } else {
    do {
      torch = try TorchConvWorker(threads: threads)
    } catch {
      torchProblem = "\(error)"
    }
  }
  let shapes = ConvShape.chapterShapes
  results.convolutionValidation = try validateConvolution(shapes, tiled: tiled)
  if let worker = torch {
    do {
      try worker.waitUntilReady()
      print(
        "PyTorch \(worker.version), \(threads) thread(s), flush denormals on, timed in the same "
          + "rounds")
    } catch {
      torch = nil
      torchProblem = "\(error)"
    }
  }
  if let torchProblem {
    print(
      torchProblem == "--no-torch"
        ? "PyTorch baseline skipped: --no-torch"
        : "PyTorch not importable (\(torchProblem)): pip install torch to compare")
    results.torch = ["available": false, "reason": .text(torchProblem)]
  } else if let torch {
    results.torch = ["available": true, "version": .text(torch.version)]
  }

  print(
    "\nTiming convolutions on a batch of \(batch), the same batch for every contender (each "
      + "shape: warm-up, then turns; median):")
  for (index, shape) in shapes.enumerated() {
    results.convolution += try timeConvolution(
      shape, batch: batch, tiled: tiled, torch: torch, policy: policy,
      seed: 3000 + 10 * UInt64(index))
  }
  if let failure = torch?.failure { print("note: the PyTorch worker failed: \(failure)") }
  print(
    "\nConvolution on a batch of \(batch), GFLOP/s (2·multiply-adds / median seconds); naive on "
      + "1 thread, \(torch == nil ? "tiled" : "tiled and PyTorch") on \(threads); im2col share: "
      + "im2col alone over the tiled product that starts with it")
  print(convolutionTable(results.convolution).text)
  return torch
}
