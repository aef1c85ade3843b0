/*:
 # The kernel lab: from a triple loop to a fast matrix multiply

 Run it:  `swift run -c release kernels`   (about two minutes; `--quick` for a few seconds,
 `--threads 1` for one core, `--no-numpy` and `--no-torch` to skip the NumPy and PyTorch
 yardsticks, `--help` for every flag).
 It prints its tables and writes `metrics.json`, `gemm.png` and `gemm-fast.png` into
 output/kernels/.

 ## What you will learn
 - Why the textbook triple loop uses about 1% of one core, and what the memory hierarchy
   (registers, L1, L2, L3, memory) has to do with it.
 - What each step of a fast matrix multiply (GEMM) buys, measured one step at a time: loop
   order, bounds checks and copy-on-write, cache blocking and packing, register blocking with
   SIMD fused multiply-adds, threads.
 - The compiler settings that matter (release, `-O` vs `-Ounchecked`, `-march=native`), and what
   denormal numbers cost.
 - How to measure honestly: check against a reference first, warm up, take medians, let
   contenders take turns, and compare with a yardstick (NumPy, which calls OpenBLAS).
 - How a convolution becomes the same GEMM (im2col), what that copy costs, and what PyTorch's
   direct kernels do with the same layers (ConvolutionLab.swift).

 Every autoencoder in this book spends most of its time in three matrix multiplies per Linear
 layer (forward, and two in backward), and the rest in elementwise maps and sums. This lab is
 where those kernels (Sources/Kernels) are explained and measured; chapter 6's convolutions run
 on the same GEMM, and the lab's last section measures them. It follows the classic
 derivation in K. Goto and R. van de Geijn, "Anatomy of High-Performance Matrix Multiplication",
 ACM TOMS 34(3), 2008, as refined in BLIS (F. Van Zee and R. van de Geijn, ACM TOMS 41(3), 2015).

 ## The idea
 C = A·B with A (m, k) and B (k, n) takes m·n·k multiply-adds: 2mnk floating-point operations
 (FLOPs), 2.1 billion for n = 1024. Speed is reported as GFLOP/s = 2mnk / seconds / 10⁹.

 What can one core do? A vector instruction works on several floats at once: 16 with AVX-512
 (server Intel parts), 8 with AVX2 (most laptops and AMD servers), 4 with arm64's NEON. A *fused
 multiply-add* (FMA) computes a·b + c in one step with one rounding, and a core has two FMA
 units, each starting one FMA every cycle: 2 units x 16 lanes x 2 FLOPs = **64 FLOP per cycle**
 with AVX-512 (about 170 GFLOP/s at 2.7 GHz), 32 with AVX2. The lab measures what your core
 really does (PeakFLOPS.swift): 90–96 GFLOP/s on one core of the AMD EPYC it was last run on.
 The naive loop reaches 1–2, and 0.3–0.5 at n = 1024.

 The gap is memory. Each multiply-add needs an a and a b; at 32 FMAs per cycle that would be 64
 floats, 256 bytes, per cycle. The L1 cache (48 KB per core here) delivers at most 128 bytes per
 cycle, the L2 (2 MB per core) about half that, the shared L3 and main memory a few bytes per
 cycle per core. So a fast kernel must *reuse* what it loads: keep a block of C in registers and
 use each loaded float for many FMAs, and arrange for the floats it loads to come from L1 or L2.
 Each step below improves one level of that, and the tables show by how much.

 The steps (their code and prose are in GEMMSteps.swift, and Sources/Kernels for 1, 5 and 6):
   1. naive: `NaiveKernels().gemm`, the i-j-p loop as the formula reads.
   2. loop-order: i-p-j, so the inner loop walks rows of B and C; plain Swift arrays.
   3. unsafe: the same over pointers: no bounds checks, no copy-on-write test.
   4. blocked: blocks of B packed to fit L2; still scalar source code.
   5. simd-1-thread: `TiledKernels(threads: 1)`, a register tile of SIMD FMAs made for this
      CPU's registers: 8x32 on AVX-512, 6x16 on AVX2, 8x12 on NEON (TileComparison.swift).
   6. tiled: `TiledKernels()` on every core, the set the chapters use by default.
 */

import Bottleneck
import Foundation

/*:
 ## The code

 ### The steps as contenders
 Each step is called through the same signature, on a `GEMMProblem` (its shape and its two
 input matrices), writing its own C. Steps 2–4 know only the plain row-major case; steps 1, 5
 and 6 are the production kernels, which also take the transpose flags the chapters need.
 */

/// One multiply to time: C(m, n) = op(A)·op(B) with op(A) (m, k) and op(B) (k, n).
struct GEMMShape {
  /// "square" or the chapter's name for it.
  var label: String
  var m: Int, n: Int, k: Int
  var transposeA = false, transposeB = false

  static func square(_ n: Int) -> GEMMShape { GEMMShape(label: "square", m: n, n: n, k: n) }

  /// The three multiplies of Linear(784 → 256) on a batch of 128, the first layer of chapter 1:
  /// x (128, 784), W (256, 784), dy (128, 256).
  static let chapterShapes = [
    GEMMShape(label: "forward y = x·Wᵀ", m: 128, n: 256, k: 784, transposeB: true),
    GEMMShape(label: "backward dW = dyᵀ·x", m: 256, n: 784, k: 128, transposeA: true),
    GEMMShape(label: "backward dx = dy·W", m: 128, n: 784, k: 256),
  ]

  var isTransposed: Bool { transposeA || transposeB }
  var flops: Double { 2 * Double(m) * Double(n) * Double(k) }
  var text: String { "\(m) x \(n) x \(k)" }
}

/// A shape with its inputs: a is stored (m, k), or (k, m) when transposed; b (k, n) or (n, k).
final class GEMMProblem {
  let shape: GEMMShape
  let a: [Float]
  let b: [Float]

  init(_ shape: GEMMShape, seed: UInt64) {
    self.shape = shape
    a = randomFloats(shape.m * shape.k, seed: seed)
    b = randomFloats(shape.k * shape.n, seed: seed &+ 1)
  }

  /// c = op(a)·op(b) with a production kernel set, which takes the transpose flags.
  func multiply(with kernels: any KernelSet, into c: inout [Float]) {
    let s = shape
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          kernels.gemm(
            m: s.m, n: s.n, k: s.k, a: a.baseAddress!, transposeA: s.transposeA,
            b: b.baseAddress!, transposeB: s.transposeB, c: c.baseAddress!, accumulate: false)
        }
      }
    }
  }

  /// c = a·b with one of the lab's pointer steps (plain row-major only).
  func multiply(with step: PointerGEMM, into c: inout [Float]) {
    precondition(!shape.isTransposed, "the lab's own steps do not take transposes")
    let s = shape
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          step(s.m, s.n, s.k, a.baseAddress!, b.baseAddress!, c.baseAddress!)
        }
      }
    }
  }
}

/// The signature of the lab's own steps 3 and 4: a (m, k), b (k, n), c (m, n), all row-major.
typealias PointerGEMM = (
  _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
  _ c: UnsafeMutablePointer<Float>
) -> Void

/// One step of the walk.
struct GEMMStep {
  /// Its name in tables and metrics.json: "naive", "loop-order", "unsafe", "blocked",
  /// "simd-1-thread", "tiled".
  let name: String
  /// Too slow for big sizes: timed only up to `slowLimit` multiply-adds (1024³).
  let slow: Bool
  /// Takes the transpose flags (the production kernels do; the lab's own steps do not).
  let takesTransposes: Bool
  let multiply: (GEMMProblem, inout [Float]) -> Void

  /// The largest m·n·k a slow step is timed on: 1024³, a few seconds for naive.
  static let slowLimit = 1 << 30

  func applies(to shape: GEMMShape) -> Bool {
    (takesTransposes || !shape.isTransposed)
      && (!slow || shape.m * shape.n * shape.k <= Self.slowLimit)
  }

  /// The six steps, the last with `threads` threads.
  static func walk(threads: Int, tile: GEMMTile) -> [GEMMStep] {
    let naive = NaiveKernels()
    let simd = TiledKernels(threads: 1, tile: tile)
    let tiled = TiledKernels(threads: threads, tile: tile)
    return [
      GEMMStep(name: "naive", slow: true, takesTransposes: true) {
        $0.multiply(with: naive, into: &$1)
      },
      GEMMStep(name: "loop-order", slow: true, takesTransposes: false) { problem, c in
        let s = problem.shape
        gemmLoopOrder(m: s.m, n: s.n, k: s.k, a: problem.a, b: problem.b, c: &c)
      },
      GEMMStep(name: "unsafe", slow: true, takesTransposes: false) {
        $0.multiply(with: gemmUnsafe(m:n:k:a:b:c:), into: &$1)
      },
      GEMMStep(name: "blocked", slow: false, takesTransposes: false) {
        $0.multiply(with: gemmBlocked(m:n:k:a:b:c:), into: &$1)
      },
      GEMMStep(name: "simd-1-thread", slow: false, takesTransposes: true) {
        $0.multiply(with: simd, into: &$1)
      },
      GEMMStep(name: "tiled", slow: false, takesTransposes: true) {
        $0.multiply(with: tiled, into: &$1)
      },
    ]
  }
}

/// A step's output matrix, kept between runs (a class, so closures can write into it in place).
final class OutputMatrix {
  var c: [Float]
  init(count: Int) { c = [Float](repeating: 0, count: count) }
}

/*:
 ### First, are they right?
 A fast kernel that is wrong is worthless, and the bugs of blocked code hide at the edges: a
 block that is not full, a tile with 3 rows left, k = 1. So every step is compared with naive on
 small, odd shapes before anything is timed (different shapes from the timed ones, on purpose:
 the timed squares are powers of two, where edge cases never happen). "max |diff|" is the largest
 |C − C_naive| over all elements. Steps 2 to 4 add the same products in the same order as naive
 and should match it exactly (0); steps 5 and 6 use FMAs (one rounding instead of two) and a
 blocked order, so they differ in the last bits: around 10⁻⁶ for sums of this size.
 */

/// The correctness shapes: tiny, odd, and one that crosses step 4's block edges (k > 256,
/// n > 512).
func validationShapes() -> [GEMMShape] {
  let sizes = [(1, 1, 1), (3, 5, 7), (33, 17, 65), (127, 129, 65), (70, 530, 300)]
  return sizes.map { GEMMShape(label: "check", m: $0.0, n: $0.1, k: $0.2) }
}

/// A step that disagrees with naive beyond rounding: the lab stops, nothing after it would mean
/// anything.
struct StepDisagrees: Error, CustomStringConvertible {
  let step: String
  let shape: GEMMShape
  let difference: Double
  var description: String {
    "step '\(step)' differs from naive by \(difference) on \(shape.text): a kernel is wrong "
      + "(if you changed one, compare it with naive on this shape)"
  }
}

func validate(_ steps: [GEMMStep], on shapes: [GEMMShape]) throws -> [ValidationRow] {
  var rows: [ValidationRow] = []
  var table = TextTable(["m x n x k"] + steps.dropFirst().map(\.name))
  for (index, shape) in shapes.enumerated() {
    let problem = GEMMProblem(shape, seed: 1000 + UInt64(index))
    var reference = [Float](repeating: 0, count: shape.m * shape.n)
    steps[0].multiply(problem, &reference)
    var cells = [shape.text]
    for step in steps.dropFirst() {
      // Start from garbage, so a step that forgets to write an element is caught.
      var c = [Float](repeating: .nan, count: shape.m * shape.n)
      step.multiply(problem, &c)
      let difference = maxAbsDifference(c, reference)
      // Sums of k products of numbers in [-1, 1): a few float roundings of ~6e-8 each, times k.
      let tolerance = 1e-6 * Double(shape.k)
      if !(difference <= tolerance) {
        throw StepDisagrees(step: step.name, shape: shape, difference: difference)
      }
      rows.append(
        ValidationRow(
          variant: step.name, m: shape.m, n: shape.n, k: shape.k, maxAbsDiff: difference))
      cells.append(differenceText(difference))
    }
    table.add(cells)
  }
  print("\nCorrectness: max |C − C_naive| on small odd shapes (inputs uniform in [-1, 1))")
  print(table.text)
  return rows
}

/*:
 ### Then, how fast?
 Each shape gets fresh random inputs, then every step that applies is timed with
 `timeInterleaved` (Benchmark.swift): one warm-up run each (first touch of the output's memory,
 the thread pool started, caches filled), then the steps take turns in five rounds until each has
 spent about a second, and the median run counts. Between turns the lab rests 20 ms, so that the
 helper threads of the last contender, ours or OpenBLAS's, which spin for a moment waiting for
 more work, have gone idle before the next one starts. The median ignores the odd slow run (another
 program, the machine switching speed); taking turns makes a slow minute hit every step alike.
 A run that takes over half a second is measured once (naive at 1024). NumPy's runs, when there
 is NumPy, take turns with the Swift ones in the same rounds.
 */

/// The NumPy contenders: "numpy" with the lab's thread count, and "numpy-1-thread" next to
/// simd-1-thread when that count is above 1.
struct NumPyBaseline {
  var workers: [(name: String, worker: NumPyWorker)] = []

  func contenders(for shape: GEMMShape) -> [Contender] {
    workers.map { entry in
      Contender(name: entry.name) {
        entry.worker.time(
          m: shape.m, n: shape.n, k: shape.k, transposeA: shape.transposeA,
          transposeB: shape.transposeB)
      }
    }
  }
}

/// Times every step that applies to `shape` (and NumPy), and checks each against naive where
/// naive ran.
func timeGEMM(
  _ shape: GEMMShape, steps: [GEMMStep], numpy: NumPyBaseline, threads: Int, policy: TimingPolicy,
  seed: UInt64
) -> [GEMMRow] {
  let problem = GEMMProblem(shape, seed: seed)
  let applicable = steps.filter { $0.applies(to: shape) }
  let outputs = applicable.map { _ in OutputMatrix(count: shape.m * shape.n) }
  var contenders = zip(applicable, outputs).map { step, output in
    Contender(name: step.name) { seconds { step.multiply(problem, &output.c) } }
  }
  contenders += numpy.contenders(for: shape)
  let watch = Stopwatch()
  let timings = timeInterleaved(contenders, policy: policy)

  let reference = zip(applicable, outputs).first { $0.0.name == "naive" }?.1.c
  var rows: [GEMMRow] = []
  for contender in contenders {
    guard let timing = timings[contender.name] else { continue }
    let output = zip(applicable, outputs).first { $0.0.name == contender.name }?.1
    let difference = reference.flatMap { reference in
      output.map { maxAbsDifference($0.c, reference) }
    }
    let isNumPy = contender.name.hasPrefix("numpy")
    rows.append(
      GEMMRow(
        variant: contender.name, shape: shape.label, m: shape.m, n: shape.n, k: shape.k,
        transposeA: shape.transposeA, transposeB: shape.transposeB,
        threads: threadCount(of: contender.name, threads: threads),
        seconds: timing.seconds, runs: timing.runs, maxAbsDiff: isNumPy ? nil : difference))
  }
  print("  \(shape.label) \(shape.text): \(Format.seconds(watch.seconds)) s")
  return rows
}

/// The threads a contender runs on: "tiled" and "numpy" use the lab's count, every other one 1.
func threadCount(of contender: String, threads: Int) -> Int {
  contender == "tiled" || contender == "numpy" ? threads : 1
}

/// The measurement of `variant` on `shape`, if it ran.
func measurement(in rows: [GEMMRow], variant: String, shape: GEMMShape) -> GEMMRow? {
  rows.first {
    $0.variant == variant && $0.m == shape.m && $0.n == shape.n && $0.k == shape.k
      && $0.shape == shape.label
  }
}

/// The GFLOP/s table: a row per shape, a column per variant; "skipped" where a slow step was
/// not run, "-" where a step does not apply.
func gemmTable(_ rows: [GEMMRow], shapes: [GEMMShape], variants: [String], steps: [GEMMStep])
  -> TextTable
{
  var table = TextTable(["shape", "m x n x k"] + variants)
  for shape in shapes {
    var cells = [shape.label, shape.text]
    for variant in variants {
      let row = measurement(in: rows, variant: variant, shape: shape)
      if let row {
        cells.append(gflopsText(row.gflops))
      } else if let step = steps.first(where: { $0.name == variant }),
        step.takesTransposes || !shape.isTransposed
      {
        cells.append("skipped")
      } else {
        cells.append("-")
      }
    }
    table.add(cells)
  }
  return table
}

/// The max |C − C_naive| table for the same rows (NumPy's C is not compared).
func differenceTable(_ rows: [GEMMRow], shapes: [GEMMShape], variants: [String]) -> TextTable {
  var table = TextTable(["shape", "m x n x k"] + variants)
  for shape in shapes {
    var cells = [shape.label, shape.text]
    for variant in variants {
      let row = measurement(in: rows, variant: variant, shape: shape)
      cells.append(differenceText(row?.maxAbsDiff))
    }
    table.add(cells)
  }
  return table
}

/// Each fast contender as a share of a ceiling for its thread count: the one-thread ones
/// against the 1-thread ceiling, tiled and numpy against the all-threads one. The ceiling is the
/// FMA peak, or (`ofKernelInL1`) our micro-kernel with its strips in L1, which only our own
/// contenders are given against.
func peakTable(
  _ rows: [GEMMRow], shapes: [GEMMShape], peak: MeasuredPeak, ofKernelInL1: Bool = false
) -> TextTable {
  let variants =
    ofKernelInL1
    ? ["simd-1-thread", "tiled"] : ["simd-1-thread", "numpy-1-thread", "tiled", "numpy"]
  var table = TextTable(["shape", "m x n x k"] + variants)
  for shape in shapes {
    var cells = [shape.label, shape.text]
    for variant in variants {
      let oneThread = variant.hasSuffix("1-thread")
      let ceiling =
        ofKernelInL1
        ? (oneThread ? peak.kernelOneThread : peak.kernelAllThreads)
        : (oneThread ? peak.oneThread : peak.allThreads)
      let row = measurement(in: rows, variant: variant, shape: shape)
      cells.append(row.map { Format.percent($0.gflops / ceiling) } ?? "-")
    }
    table.add(cells)
  }
  return table
}

/// The micro-kernel in L1 of one measurement, and its share of that measurement's FMA peak.
func kernelInL1Text(_ peak: MeasuredPeak, tile: GEMMTile) -> String {
  var text =
    "  the \(tile) micro-kernel alone, its strips in L1, in the same turns: "
    + "\(gflopsText(peak.kernelOneThread)) GFLOP/s on 1 thread "
    + "(\(Format.percent(peak.kernelOneThread / peak.oneThread)) of the peak)"
  if peak.threads > 1 {
    text +=
      ", \(gflopsText(peak.kernelAllThreads)) on \(peak.threads) "
      + "(\(Format.percent(peak.kernelAllThreads / peak.allThreads)))"
  }
  return text
}

/*:
 ### The other hot kernels: elementwise maps and sums
 A layer's forward pass also adds a bias (a row repeated down the batch) and applies an
 activation; its backward pass multiplies by the activation's derivative and sums columns for
 the bias gradient. These do one or two operations per float they touch, so no amount of
 arithmetic speed helps: they are limited by how fast memory moves. The honest unit is bytes
 moved per second (GB/s, bytes read plus bytes written), and the yardstick is a plain memory copy
 (`update(from:count:)`, which is memcpy) of the same number of bytes, timed in the same rounds.
 memcpy runs on one thread, so the fair comparison is with simd-1-thread.

 Two sizes: 128 x 784 (one batch of images, 400 KB: fits in L2) and 1024 x 1024 (4 MB, about
 the weights of chapter 1's overcomplete layer, 784 x 1024: past L2). The tiled set splits
 large arrays across threads: above 2¹⁸ elements for maps and sums, and above 2¹⁴ for sigmoid,
 which does arithmetic enough per element (an `exp`) to be worth a second core sooner.
 */

/// One elementwise kernel: what it does with a kernel set, and the bytes it reads and writes.
struct ElementwiseKernel {
  let name: String
  let bytes: Int
  let run: (any KernelSet) -> Void
}

/// `count` floats starting on a 64-byte boundary (free with `deallocate()`).
func cacheLineAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
  UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
    .bindMemory(to: Float.self, capacity: count)
}

/// Times the elementwise kernels and sums on a (rows, columns) array, naive vs tiled (1 thread
/// and `threads`), each next to a memcpy of its bytes.
func timeElementwise(
  rows: Int, columns: Int, threads: Int, policy: TimingPolicy
) -> [ElementwiseRow] {
  let count = rows * columns
  let floats = MemoryLayout<Float>.stride
  // Inputs and outputs, allocated once. x is uniform in [-1, 1); y = relu(x); dy is another draw.
  let x = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let y = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let dy = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let bias = UnsafeMutablePointer<Float>.allocate(capacity: columns)
  let sums = UnsafeMutablePointer<Float>.allocate(capacity: columns)
  // memcpy's source and destination: up to 2·count floats (as many bytes as relu backward moves),
  // both starting on a 64-byte cache line. On the AMD EPYC, glibc 2.36's memcpy (`rep movsb`)
  // copied 400 KB at 4 GB/s instead of 50-70 when the destination began 8 or 16 bytes further
  // into its cache line than the source (a C test, 1 December 2026), and two malloc'ed buffers
  // can land that way: the first version of this table showed memcpy at 3-4 GB/s on the batch.
  let copyFrom = cacheLineAligned(2 * count)
  let copyTo = cacheLineAligned(2 * count)
  defer {
    for buffer in [x, y, dy, out, bias, sums, copyFrom, copyTo] { buffer.deallocate() }
  }
  x.initialize(from: randomFloats(count, seed: 7), count: count)
  dy.initialize(from: randomFloats(count, seed: 8), count: count)
  bias.initialize(from: randomFloats(columns, seed: 9), count: columns)
  for i in 0..<count { y[i] = max(0, x[i]) }
  copyFrom.initialize(repeating: 1, count: 2 * count)
  copyTo.initialize(repeating: 0, count: 2 * count)
  out.initialize(repeating: 0, count: count)
  sums.initialize(repeating: 0, count: columns)

  let kernels = [
    // out = relu(x): read x, write out.
    ElementwiseKernel(name: "relu", bytes: 2 * count * floats) {
      $0.unary(.relu, x, out, count: count)
    },
    ElementwiseKernel(name: "sigmoid", bytes: 2 * count * floats) {
      $0.unary(.sigmoid, x, out, count: count)
    },
    // out = x + bias, the bias row repeated down the rows: read x and bias, write out.
    ElementwiseKernel(name: "bias add", bytes: (2 * count + columns) * floats) {
      $0.binary(.add, x, count: count, bias, bCount: columns, out)
    },
    // dx = dy · relu'(x): read x, y, dy, write dx.
    ElementwiseKernel(name: "relu backward", bytes: 4 * count * floats) {
      $0.unaryBackward(.relu, x: x, y: y, dy: dy, dx: out, count: count)
    },
    // The bias gradient: column sums of a (rows, columns) array.
    ElementwiseKernel(name: "column sums", bytes: (count + columns) * floats) {
      $0.sum(x, outer: 1, n: rows, inner: columns, sums)
    },
    ElementwiseKernel(name: "sum of all", bytes: (count + 1) * floats) {
      $0.sum(x, outer: 1, n: count, inner: 1, sums)
    },
  ]
  let sets: [(String, any KernelSet)] = [
    ("naive", NaiveKernels()), ("simd-1-thread", TiledKernels(threads: 1)),
    ("tiled", TiledKernels(threads: threads)),
  ]
  var results: [ElementwiseRow] = []
  // The last column compares like with like: one thread of the tiled kernel against memcpy,
  // which is one thread too.
  var table = TextTable(
    ["kernel", "bytes/element"] + sets.map(\.0) + ["memcpy", "simd-1-thread/memcpy"])
  for kernel in kernels {
    // memcpy of the same bytes: half of them read, half written.
    let copyCount = kernel.bytes / floats / 2
    var contenders = sets.map { name, set in Contender(name: name) { seconds { kernel.run(set) } } }
    contenders.append(
      Contender(name: "memcpy") { seconds { copyTo.update(from: copyFrom, count: copyCount) } })
    let timings = timeInterleaved(contenders, policy: policy)
    var cells = [
      kernel.name,
      Format.significant(Double(kernel.bytes) / Double(count), digits: 2, trimZeros: true),
    ]
    var rates: [String: Double] = [:]
    for contender in contenders {
      guard let timing = timings[contender.name] else {
        cells.append("-")
        continue
      }
      let row = ElementwiseRow(
        kernel: kernel.name, variant: contender.name, rows: rows, columns: columns,
        bytes: kernel.bytes, seconds: timing.seconds, runs: timing.runs)
      results.append(row)
      rates[contender.name] = row.gigabytesPerSecond
      cells.append(Format.significant(row.gigabytesPerSecond, digits: 3))
    }
    if let oneThread = rates["simd-1-thread"], let copy = rates["memcpy"] {
      cells.append(String(format: "%.0f%%", 100 * oneThread / copy))
    } else {
      cells.append("-")
    }
    table.add(cells)
  }
  print(
    "\nElementwise and sums on \(rows) x \(columns) floats (\(Format.grouped(count)) elements, "
      + "\(Format.significant(Double(count * floats) / 1e6, digits: 3)) MB each): GB/s, median")
  print(table.text)
  return results
}

/*:
 ### Denormals
 Floats smaller than 2⁻¹²⁶ ≈ 1.2·10⁻³⁸ (but not zero) are *subnormal* (denormal): they trade
 precision for range, and most x86 cores handle them in slow microcode, around a hundred cycles
 per instruction instead of one. Training produces them: weights and activations that decay
 towards zero pass through that range. The CPU can be told to treat them as zero instead, with
 two bits of its MXCSR control register: flush-to-zero (results) and denormals-are-zero
 (inputs). Sources/CPUSupport sets both on every thread that runs a tiled kernel: without them,
 this project measured MLP training epochs about 30% slower once the first epoch was over.
 Values that small carry no information a network can use, so results do not change
 measurably.

 The experiment below is the extreme case: step 3 on an A whose every entry is subnormal
 (uniform in [-1, 1) times 2⁻¹²⁶), with the bits off, then on. With them on, every product is
 0. (On the AMD EPYC the lab was last run on, the two came out the same, 19.0 and 19.7 GFLOP/s:
 that core handles subnormal inputs to a multiply at full speed.)
 */

func denormalExperiment(size: Int, policy: TimingPolicy) -> (off: Double, on: Double)? {
  let shape = GEMMShape.square(size)
  var a = randomFloats(size * size, seed: 11)
  // Below the smallest normal float, 2⁻¹²⁶: every entry of a is subnormal. Made with
  // flush-to-zero off: this thread has it on since the first tiled kernel ran, and with it on
  // the multiplication itself would give 0.
  _ = withFlushToZero(false) {
    for i in a.indices { a[i] *= Float.leastNormalMagnitude }
  }
  let b = randomFloats(size * size, seed: 12)
  let c = OutputMatrix(count: size * size)
  func run(flushToZero: Bool) -> Double? {
    var time: Double?
    let switched = withFlushToZero(flushToZero) {
      time = seconds {
        a.withUnsafeBufferPointer { a in
          b.withUnsafeBufferPointer { b in
            c.c.withUnsafeMutableBufferPointer { c in
              gemmUnsafe(
                m: size, n: size, k: size, a: a.baseAddress!, b: b.baseAddress!, c: c.baseAddress!)
            }
          }
        }
      }
    }
    return switched ? time : nil
  }
  let timings = timeInterleaved(
    [
      Contender(name: "off") { run(flushToZero: false) },
      Contender(name: "on") { run(flushToZero: true) },
    ], policy: policy)
  guard let off = timings["off"], let on = timings["on"] else {
    print("\nDenormals: skipped (the lab switches flush-to-zero only on x86-64 Linux)")
    return nil
  }
  let result = (shape.flops / off.seconds / 1e9, shape.flops / on.seconds / 1e9)
  print(
    "\nDenormals: step 3 on \(shape.text) with every entry of A subnormal: "
      + "\(gflopsText(result.0)) GFLOP/s with flush-to-zero off, "
      + "\(gflopsText(result.1)) with it on "
      + "(\(Format.significant(result.1 / result.0, digits: 2))x)")
  return result
}

/*:
 ### The lesson, in order
 */

func lab(_ options: KernelLab) throws {
  let watch = Stopwatch()
  let quick = options.quick
  let threads = options.threads ?? TiledKernels.defaultThreads
  let policy: TimingPolicy = quick ? .quick : .full
  // Checked before anything is measured: a run that cannot save its numbers is a wasted run.
  let folder = try OutputFolder(creating: URL(fileURLWithPath: options.output, isDirectory: true))
  var results = LabResults(quick: quick, threads: threads, machine: .current())
  let othersMeter = OtherProgramsMeter()

  /*:
   **The machine and the build.** The numbers only mean something next to what the machine can
   do: the lab names the CPU, the register tile the tiled kernels chose for it, and a peak it
   measures (PeakFLOPS.swift) rather than one computed from a nominal clock.
   */
  let machine = results.machine
  let tile = try options.gemmTile()
  let blocking = GEMMBlocking(tile: tile)
  print("Kernel lab: C = A·B in single precision, from the naive loop to the tiled kernel.")
  print("CPU: \(machine.cpuModel), \(machine.cores) cores; caches per core: \(machine.cacheText)")
  print(
    "vector instructions: \(VectorISA.cpu) on the CPU, \(VectorISA.compiled) in this build;"
      + " GEMM tile \(tile) (\(tile.registersNeeded) registers, made for \(tile.isa)),"
      + " blocks of depth \(blocking.maxDepth) and width \(blocking.maxWidth),"
      + " swept \(blocking.sweepWidth) columns at a time,"
      + " A read in place up to \(blocking.inPlaceWidth) columns of B,"
      + " B read in place up to \(blocking.inPlaceRowsB) rows of A (one k-block),"
      + " products turned round when that copies fewer floats, weighed by the tile's turn costs"
      + (tile == .best ? "" : "; forced (the best here is \(GEMMTile.best))"))
  var peak = measurePeak(tile: tile, threads: threads, quick: quick)
  results.peak = peak
  results.tile = tile
  print(
    "peak, measured (12 independent \(tile.vectorWidth)-lane FMAs on registers): "
      + "\(gflopsText(peak.oneThread)) GFLOP/s on 1 thread, \(gflopsText(peak.allThreads)) on "
      + "\(threads)")
  print(kernelInL1Text(peak, tile: tile))
  if let perCycle = machine.flopsPerCycle, let mhz = machine.megahertz,
    let nominal = machine.peakGflopsPerCore
  {
    print(
      "  (nominal: \(perCycle) FLOP/cycle x \(Format.significant(mhz / 1000, digits: 3)) GHz = "
        + "\(gflopsText(nominal)) per core; a virtual machine reports its base clock, not the "
        + "one it runs at)")
  }
  print(
    "build: \(BuildFacts.configuration), \(BuildFacts.flags.joined(separator: " ")), Swift "
      + "\(BuildFacts.compiler); tiled uses \(threads) thread(s)"
      + (quick ? "; --quick: small sizes only" : "")
  )
  if let busy = machine.busyBeforeStart, busy > 0.1 {
    print(
      "note: other programs used \(Int((100 * busy).rounded()))% of the CPUs just before the lab "
        + "started: the numbers (multi-threaded ones most) will be low and noisy")
  }
  if BuildFacts.configuration == "debug" {
    print("note: a debug build; `swift run -c release kernels` gives the numbers the prose quotes")
  }

  let steps = GEMMStep.walk(threads: threads, tile: tile)
  results.validation = try validate(steps, on: validationShapes())

  /*:
   **Determinism.** The tiled kernel splits C among threads, never k (see "Threads" below), so
   each element is summed in the same order whatever the thread count: 1 thread and all threads
   give the same bits. The lab checks it.
   */
  let check = GEMMProblem(GEMMShape(label: "check", m: 127, n: 129, k: 300), seed: 99)
  var one = [Float](repeating: 0, count: 127 * 129)
  var all = one
  check.multiply(with: TiledKernels(threads: 1, tile: tile), into: &one)
  check.multiply(with: TiledKernels(threads: max(2, threads), tile: tile), into: &all)
  results.identicalAcrossThreads = one == all
  print(
    "tiled with 1 and \(max(2, threads)) threads on 127 x 129 x 300: "
      + (one == all
        ? "identical bits" : "DIFFERENT (max |diff| \(differenceText(maxAbsDifference(one, all))))")
  )

  /*:
   **The NumPy yardstick**, if python3 and NumPy are installed: one worker with the lab's
   thread count, one with a single thread. OpenBLAS runs the kernels it picks for this CPU, and
   the lab prints their name: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are taken out of NumPy's
   environment, because a machine image may set them for another CPU. (One of ours set
   OPENBLAS_CORETYPE=Haswell on an AVX-512 Zen 5: NumPy ran AVX2 kernels at half speed, and the
   table showed tiled at 1.8x NumPy at 1024³ where the fair figure was 0.94.) `--openblas-core
   Haswell` forces a family on purpose, e.g. to compare an AVX2 build (BOTTLENECK_MARCH) with
   OpenBLAS's AVX2 kernels on the same CPU.
   */
  var numpy = NumPyBaseline()
  if options.noNumpy {
    results.numpy = ["available": false, "reason": "--no-numpy"]
  } else {
    do {
      let core = options.openBLASCore
      let main = try NumPyWorker(threads: threads, core: core)
      numpy.workers.append(("numpy", main))
      if threads > 1 {
        numpy.workers.append(("numpy-1-thread", try NumPyWorker(threads: 1, core: core)))
      }
      let kernels = main.openBLASCore.map { name in
        ", OpenBLAS's kernels for \(name) "
          + (core == nil ? "(its own choice for this CPU)" : "(forced by --openblas-core)")
      }
      print("NumPy \(main.version)\(kernels ?? ""), timed in the same rounds")
      let overrides = NumPyWorker.overridesInEnvironment
      if core == nil, !overrides.isEmpty {
        print(
          "  (set aside for NumPy: \(overrides.joined(separator: ", ")) from the environment, "
            + "which would make OpenBLAS run another CPU's kernels or blocks; "
            + "--openblas-core NAME forces a CPU's kernels)")
      }
      results.numpy = [
        "available": true, "version": .text(main.version),
        "openblas_core": main.openBLASCore.map(MetricValue.text) ?? .null,
        "openblas_core_forced": .flag(core != nil),
      ]
    } catch {
      print("NumPy baseline skipped: \(error)")
      results.numpy = ["available": false, "reason": .text("\(error)")]
    }
  }
  defer { for entry in numpy.workers { entry.worker.close() } }
  let variants = steps.map(\.name) + numpy.workers.map(\.name)

  /*:
   **GEMM on square matrices.** Powers of two from 256 (everything fits in L2) to 2048 (48 MB for
   A, B and C: only L3 and memory hold it).
   */
  let squares = (quick ? [64, 128, 256] : [256, 512, 1024, 2048]).map(GEMMShape.square)
  print("\nTiming GEMM (each shape: warm-up, then turns; median):")
  for (index, shape) in squares.enumerated() {
    results.gemm += timeGEMM(
      shape, steps: steps, numpy: numpy, threads: threads, policy: policy, seed: UInt64(index))
  }

  /*:
   **GEMM on the chapter's shapes.** The three multiplies of chapter 1's first layer. Two of them
   are transposed, which only the production kernels take; dx = dy·W is plain, so every step runs
   on it. They are small (51 MFLOP each, a quarter of a millisecond tiled), so the fixed costs
   (packing, waking the second thread) weigh more than in a 2048 multiply.
   */
  for (index, shape) in GEMMShape.chapterShapes.enumerated() {
    results.gemm += timeGEMM(
      shape, steps: steps, numpy: numpy, threads: threads, policy: policy,
      seed: 100 + UInt64(index))
  }
  for entry in numpy.workers where entry.worker.failure != nil {
    print("note: the \(entry.name) worker failed: \(entry.worker.failure!)")
  }

  /*:
   **A whole training step** of chapter 1: its 17 multiplies, timed as one (TrainingStep.swift).
   */
  print("  chapter 1's training step, 17 multiplies:", terminator: " ")
  let stepWatch = Stopwatch()
  results.trainingStep = timeTrainingStep(
    steps: steps, numpy: numpy, threads: threads, policy: policy)
  print("\(Format.seconds(stepWatch.seconds)) s")

  /*:
   **Which way round**: a product and its transpose, the same sums, timed in turns
   (TurnedAround.swift).
   */
  print("  which way round, \(TurnedRow.shapes.count) products:", terminator: " ")
  let turnedWatch = Stopwatch()
  results.turned = timeTurnedAround(tile: tile, threads: threads, policy: policy)
  print("\(Format.seconds(turnedWatch.seconds)) s")

  // The peak once more, now that the GEMMs have run: the higher of the two is the ceiling.
  let again = measurePeak(tile: tile, threads: threads, quick: quick)
  peak = peak.adding(again)
  results.peak = peak
  print(
    "\npeak, measured again after the GEMM timings: \(gflopsText(again.oneThread)) GFLOP/s on 1 "
      + "thread, \(gflopsText(again.allThreads)) on \(threads) (the tables use the higher of the two)"
  )
  print(kernelInL1Text(again, tile: tile))

  let allShapes = squares + GEMMShape.chapterShapes
  print("\nGEMM, GFLOP/s (median); 'skipped': too slow at that size; '-': does not take transposes")
  print(gemmTable(results.gemm, shapes: allShapes, variants: variants, steps: steps).text)
  print("\nmax |C − C_naive| at the same sizes ('-': naive skipped, or NumPy)")
  print(
    differenceTable(results.gemm, shapes: allShapes, variants: steps.dropFirst().map(\.name)).text)
  printSpeedups(results.gemm, shapes: allShapes, steps: steps, numpy: numpy)
  print("\nChapter 1's training step: its 17 multiplies, one after another (median of turns)")
  print(stepTable(results.trainingStep).text)
  print(
    "\nWhich way round: c = op(a)·op(b) as written, or turned round as cᵀ = op(b)ᵀ·op(a)ᵀ "
      + "(tiled, \(threads) thread(s); floats copied: packed, plus c written one by one when turned; "
      + "weighed: with the \(tile) tile's costs, \(Format.significant(tile.turnCosts.columnWrite, digits: 2)) "
      + "per float written as a column, \(Format.significant(tile.turnCosts.columnRead, digits: 2)) more "
      + "per float of a read down its columns; the smaller weighed count is chosen)"
  )
  print(turnedTable(results.turned).text)
  print(
    "\nShare of the measured peak (1 thread: \(gflopsText(peak.oneThread)), \(threads): "
      + "\(gflopsText(peak.allThreads)) GFLOP/s)")
  print(peakTable(results.gemm, shapes: allShapes, peak: peak).text)
  print(
    "\nShare of the \(tile) micro-kernel with its strips in L1 (1 thread: "
      + "\(gflopsText(peak.kernelOneThread)), \(threads): \(gflopsText(peak.kernelAllThreads)) "
      + "GFLOP/s): what packing, blocking and the caches below L1 cost")
  print(peakTable(results.gemm, shapes: allShapes, peak: peak, ofKernelInL1: true).text)
  warnIfSIMDIsScalar(results.gemm)

  /*:
   **Every tile on this machine**, one thread each, the chosen one and the three made for other
   register files (TileComparison.swift).
   */
  let tileSize = quick ? 128 : 512
  print("\nTiming every register tile on \(tileSize)³, 1 thread:")
  results.tiles = timeTiles(size: tileSize, policy: policy)
  print(tileTable(results.tiles, chosen: tile, peak: peak).text)

  /*:
   **Elementwise maps and sums**, on a batch and on a large array.
   */
  let elementShapes = quick ? [(128, 784)] : [(128, 784), (1024, 1024)]
  for (rows, columns) in elementShapes {
    results.elementwise += timeElementwise(
      rows: rows, columns: columns, threads: threads, policy: quick ? policy : .elementwise)
  }

  results.denormals = denormalExperiment(size: quick ? 64 : 256, policy: policy)

  /*:
   **Convolution**, last (ConvolutionLab.swift): chapter 6's layers on the same tiled GEMM,
   through im2col, against the naive loops and, if it is installed, PyTorch.
   */
  let torch = try convolutionSection(
    batch: quick ? 8 : 128, threads: threads, tile: tile, noTorch: options.noTorch,
    policy: policy, results: &results)
  defer { torch?.close() }

  /*:
   **The files.** metrics.json holds every number printed above; gemm.png and gemm-fast.png draw
   the square sizes.
   */
  results.wallSeconds = watch.seconds
  results.othersDuringRun = othersMeter.share(
    excluding: numpy.workers.map(\.worker.processIdentifier)
      + (torch.map { [$0.processIdentifier] } ?? []))
  if let share = results.othersDuringRun {
    print(
      "\nOther programs used \(Int((100 * share).rounded()))% of the CPUs while the lab ran"
        + (share > 0.1 ? ": its numbers are lower than this machine can do; run it again" : ""))
  }
  let metricsURL = try folder.write(try results.jsonData(), to: "metrics.json")
  print("\nwrote \(metricsURL.path)")
  if !options.noPlots {
    let plot = results.gemmPlot(variants: variants)
    if let png = try plot.render(named: "gemm", in: folder.url) { print("wrote \(png.path)") }
    let fast = results.fastPlot(variants: variants)
    if let png = try fast.render(named: "gemm-fast", in: folder.url) { print("wrote \(png.path)") }
  }
  print("done in \(Format.clock(watch.seconds))")
}

/// Speed-ups that tell the story: each step over the one before it, and the Swift kernels over
/// NumPy's, at every shape where both ran.
func printSpeedups(_ rows: [GEMMRow], shapes: [GEMMShape], steps: [GEMMStep], numpy: NumPyBaseline)
{
  func gflops(_ variant: String, _ shape: GEMMShape) -> Double? {
    measurement(in: rows, variant: variant, shape: shape)?.gflops
  }
  print("\nEach step over the one before it:")
  var table = TextTable(["shape", "m x n x k"] + steps.dropFirst().map { "\($0.name)" })
  for shape in shapes {
    var cells = [shape.label, shape.text]
    for (previous, step) in zip(steps, steps.dropFirst()) {
      if let now = gflops(step.name, shape), let before = gflops(previous.name, shape) {
        cells.append(Format.significant(now / before, digits: 2) + "x")
      } else {
        cells.append("-")
      }
    }
    table.add(cells)
  }
  print(table.text)
  guard !numpy.workers.isEmpty else { return }
  print("\nSwift over NumPy (above 1: Swift is faster)")
  var ratios = TextTable(["shape", "m x n x k", "tiled / numpy", "simd-1-thread / numpy-1-thread"])
  for shape in shapes {
    let pairs = [
      ("tiled", "numpy"), ("simd-1-thread", numpy.workers.count > 1 ? "numpy-1-thread" : "numpy"),
    ]
    var cells = [shape.label, shape.text]
    for (swift, python) in pairs {
      if let s = gflops(swift, shape), let p = gflops(python, shape) {
        cells.append(Format.significant(s / p, digits: 2))
      } else {
        cells.append("-")
      }
    }
    ratios.add(cells)
  }
  print(ratios.text)
}

extension TimingPolicy {
  /// Elementwise kernels take microseconds to a few milliseconds: a third of a second each.
  static let elementwise = TimingPolicy(
    budget: 0.3, minRuns: 5, maxRuns: 2000, longRun: 0.5, rounds: 5)
}

/*:
 ## Why each step is faster

 The numbers quoted here are from the run under "What you should see".

 **Loop order (step 2 over 1): 1.6x, and 11x at 1024.** Naive's inner loop is one chain of
 additions, each waiting for the last: 2 GFLOP/s at 256 and 512. At 1024 its walk down B's
 columns (addresses exactly 4 KB apart, all fighting for the same cache sets) misses the caches
 on nearly every read, and it falls to 0.3. The i-p-j order reads B and C along rows, and its
 iterations do not wait for each other; but with the bounds check in the innermost loop it stays
 scalar, 3.1–3.3 GFLOP/s at every size.

 **Unsafe buffers (3 over 2): 8x.** The same loops with no checks and no copy-on-write test: the
 compiler vectorizes the inner loop (8-float `ymm` multiplies and adds), 26 GFLOP/s. The largest
 single jump of the walk costs nothing but the safety net. At 1024 it drops to 14: B (4 MB) no
 longer fits in the 2 MB L2, and every row of C streams it from L3 again.

 **Blocking and packing (4 over 3): 1.0x where B fits in L2, 1.5x where it does not.** Step 4
 works on 512 KB packed blocks of B that stay in L2, so it holds 22–27 GFLOP/s from 256 to 2048
 (where step 3 would fall further). It is not faster where everything fits anyway: its limit is
 the traffic of C, a load and a store per multiply-add, the same as step 3's.

 **Register blocking and SIMD (5 over 4): 7x on AVX-512, 3x on AVX2.** The micro-kernel keeps
 its tile of C in vector registers for a whole block. On AVX-512 that is an 8x32 tile in 16
 registers: per step along k, 2 vector loads of B, 8 broadcasts of A and 16 FMAs of 16 lanes,
 and no stores at all. On AVX2 it is a 6x16 tile in 12 of the 16 registers: 2 loads, 6
 broadcasts, 12 FMAs of 8 lanes. (Until December 2026 the AVX2 machines ran the 8x32 tile too:
 32 registers' worth of accumulators on a 16-register CPU, spilled to the stack on every step,
 and simd-1-thread sat at 32 GFLOP/s, 0.35 of OpenBLAS. The tile table shows that cost.) It is the first step where the FMA units, not
 the loads and stores, set the pace, and it is written with `SIMD16<Float>` so the 512-bit FMAs
 do not depend on the auto-vectorizer's mood. Two details take it the last stretch on AVX-512.
 Each strip of B it reads (32 KB) comes from L2, not L1, so the loop asks for B's row 8 steps
 ahead with a prefetch instruction; and B is packed row by row across several strips at once
 (see Threads, below). (The AVX2 tile does without the prefetch: on the EPYC, whose hardware
 prefetcher follows the strips by itself, the instruction only took a load slot every step, and
 leaving it out was 5-9% faster at 512³ and 1024³, timed in turns. Each tile carries its own
 setting, RegisterTile.swift.) On the AVX-512 Xeon simd-1-thread reaches 165–175 GFLOP/s, 95–100% of one core's
 peak at the reported 2.7 GHz. On the AVX2 EPYC the 6x16 tile reaches 50–58 GFLOP/s from 512 up
 in the run below, 55–64% of the measured peak, where OpenBLAS reaches 70–78%; but the same
 micro-kernel with its strips in L1 reaches only 70–77% of that peak there, and simd-1-thread is
 at 80–83% of that second ceiling from 1024 up (see What you should see, and Exercise 10).

 **Threads (6 over 5): 1.9x on large matrices, 1.4–1.5x on the chapter's backward shapes.** Two
 cores give nearly twice the speed from 1024 up. (The forward shape's 1.1x in this run is the
 host's doing, see below.) A chapter multiply (51 MFLOP) takes a third of a
 millisecond, and there handing work to the second thread, and packing B, which both threads
 need before they can use it, take a larger share.

 **Against NumPy.** OpenBLAS, hand-written assembly per CPU family, is the yardstick. On one core
 simd-1-thread matches it (1.0–1.2x at the squares, 0.98–1.5x on the chapter's shapes). On two cores
 tiled is level with it or ahead up to 1024³ (1.03 there in this run, 1.0–1.1 in every run of the
 day) and reaches 0.97 of it at 2048³ (0.85–0.98 over the day). It did not always: until the changes
 described under Threads below, tiled reached only 0.89 of NumPy at 1024³, because packing B strip
 by strip was four times slower than it needed to be. (An earlier version of this lab also measured
 tiled too low: after each of its turns, NumPy's idle OpenBLAS threads spun for a tenth of a second,
 waiting for more work, and took a core from the Swift kernels' next turn. The lab now limits that
 spin to what our own helper threads do, see NumPyBaseline.swift, and rests between turns.)

 ## Threads: one phase, helpers that stay awake, and why k is never split
 `TiledKernels.gemm` hands each thread whole rectangles of C's tiles, and each thread runs
 *every* depth block for its rectangle, first to last, so no thread ever waits for another in
 the middle of a call. Each thread packs the strip of A (one tile's rows) it is about to use into a small
 buffer of its own, where it stays hot in L1. (Packing all of A up front would write it out and
 read it back through the memory bus the two cores share.) B is different: every thread reads
 all of it. An earlier version packed all of B first, with both threads, and only then
 multiplied: two parallel phases per call, and a wait for the slower thread between them. Now
 B is packed a few strips at a time by whichever thread first needs them
 (Sources/Kernels/PackedB.swift): the thread claims a group of strips with an atomic flag, packs
 it, and uses it while it is hot in its cache; a thread that needs a group the other is still
 packing waits the few microseconds that takes. Threads that start together start on different
 groups, so they rarely wait at all.

 Packing is a copy, and a copy pays only through reuse: each packed strip of A is read once per
 strip of B it meets. Chapter 1's multiplies are narrow (32 to 256 columns in most of them), so
 a strip of A meets 2 to 16 strips of B and the copy, with its transpose for an A stored (m, k),
 is a large part of what the strip costs. So the GEMM reads a strip of A where it lies when a
 thread's share of B is at most 256 columns wide (`GEMMBlocking.inPlaceWidth`): the micro-kernel
 takes the strip's two strides, and for an A stored (m, k) keeps one pointer per row in the
 general registers, which the vector registers' budget does not count. Same multiply-adds in the
 same order, so the same bits. On the EPYC, timed in turns, chapter 1's 17 multiplies per step
 went from 3.87 to 3.53 ms on two threads (6.20 to 5.74 on one), the 32-column products by up to
 60%; at 784 columns and at 1024³ packing still won (up to 15% at 1024³, where the rows of A, 4 KB
 apart, crowd into the same sets of L1), so wide products pack as before. The lab's last GEMM
 table (chapter 1's training step) shows the result.

 Reading A in place works when B is narrow. When B is wide and A is short, as in dx = dy·W
 (128 x 784, k = 256: W is the wide B), the GEMM can turn the product round and compute
 dxᵀ = Wᵀ·dyᵀ instead: the same sums in the same order, so the same bits, but now the short dy
 is packed and the big W is read in place, at the price of writing the result's tiles as columns,
 one float at a time. `GEMMBlocking.transposes` counts the floats each way copies, weighs them
 by the tile's turn costs (what a float written into a column, or read down one, costs on the
 CPU the tile was measured on) and takes the smaller; the "Which way round" table times both
 ways on chapter 1's three products, the decoder's last one and a convolution's, and
 TurnedAround.swift tells the story: turning dx round won 1.17x on the Zen 3 EPYC and lost 0.7x
 on the Ice Lake Xeon.

 Why groups, and not one strip at a time? One strip's share of a row of B is 128 bytes, and the
 next row's share is a whole row further on: at n = 1024 each of a strip's 256 rows is on a
 different 4 KB memory page, a pattern the CPU's prefetcher does not follow. Packed that way, B
 took 1.4–1.6 ms of a 14 ms single-thread GEMM at 1024³, four times as long as the same copy
 takes on its own. Packing eight strips row by row (a run of 1 KB per row) took 0.42 ms, and
 lifted tiled at 1024³ from about 298 to about 324 GFLOP/s, together with the prefetch in the
 micro-kernel. The same instruction taught the other lesson of this section: `prefetchw`, the
 prefetch *for writing*, claims the cache line for this core alone, and B's lines are read by
 both. Used on B, it made the cores take the lines from each other all the time, and tiled fell
 to 119 GFLOP/s. CPUSupport's `bottleneck_prefetch` asks for reading (exercise 9).

 The threads themselves stay awake between calls (Sources/Kernels/WorkerPool.swift). A training
 step is dozens of kernels, most under a millisecond, and waking a sleeping thread for each costs
 tens of microseconds, far more on a busy virtual machine. Like OpenBLAS's and OpenMP's, our
 helper threads spin for a few milliseconds after a kernel ends, watching for the next one
 (offering their core to any other program that wants it), and only then go to sleep. The
 elementwise kernels cut their work into 4 chunks per thread, so a core that runs faster (or is
 less busy) takes more. On two threads the GEMM gives each thread one band of rows of C: on the
 2-core AVX-512 Xeon (4 December 2026) that made chapter 1's training step 2-6% faster than 4
 tasks per thread, since no last task is left for one thread to finish alone and each task
 streams B once for more rows; with another program spinning on one of the two cores, it was no
 slower, as the system shares the two cores among the three busy threads. On more threads it
 keeps 4 tasks per thread: many-core laptops often mix fast and slow cores (Intel's performance
 and efficient cores, Apple's), and equal bands would make every product wait for a slow one.

 What is never split is k, the sum itself. Splitting it would let two threads each sum half of
 c[i, j] and add the halves: faster for a tall, thin product, but the order of the additions
 would depend on the split, and float addition is not associative, so results would change
 with the thread count. Split over C only, each element is summed in the same order whatever the
 thread count: the same inputs give the same bits on every run, with any number of threads,
 which is what lets the chapters promise "same seed, same numbers" (the lab checks it above).

 ## The compiler settings that matter
 - **Release vs debug.** `swift run` builds debug (`-Onone`): no inlining, every SIMD operation a
   function call, every array access checked. The kernels would be 10–200x slower. Package.swift
   therefore compiles the hot targets (Kernels, TensorCore, …, and this lab) with `-O` even in
   debug builds, and with plain `-O` in release.
 - **`-Ounchecked`** removes the standard library's precondition checks (array bounds, integer
   overflow). Package.swift does not use it. The kernels work on pointers, which have no bounds
   checks to remove, so it would gain next to nothing there. It would also remove the library's
   own shape checks, turning a clear "shapes [128, 784] and [256, 32] do not agree" into a silent
   wrong answer. (The library checks with `check()`, which survives every optimisation level.)
 - **`-Xcc -march=native`**, the one that matters most. Swift's `SIMD16<Float>` is only as fast as
   the instructions the compiler may use. Without a CPU target the compiler must assume a
   baseline x86-64 (SSE2, no FMA), and `SIMD16.addingProduct` (a fused multiply-add) becomes 16
   calls to the C library's scalar `fmaf`: about 1 GFLOP/s, as slow as naive. With
   `-march=native` the Clang importer tells the code generator the build machine's CPU, and the
   micro-kernel becomes pure AVX-512 (or AVX2) FMAs. Package.swift sets it for x86-64 and
   arm64 (BOTTLENECK_MARCH=haswell, say, builds for another CPU instead), so the
   package builds on either (and on anything else without it); the binary is meant for the
   machine that built it (copy it to an older CPU and it may stop with
   "illegal instruction"). The lab warns when simd-1-thread comes out slower than blocked, the
   sign of a build without a CPU target.
 */

/// The warning for a build whose SIMD code fell back to scalar `fmaf` calls.
func warnIfSIMDIsScalar(_ rows: [GEMMRow]) {
  let largest = rows.filter { $0.shape == "square" }.map(\.n).max() ?? 0
  guard
    let simd = rows.first(where: {
      $0.variant == "simd-1-thread" && $0.n == largest && $0.shape == "square"
    }),
    let blocked = rows.first(where: {
      $0.variant == "blocked" && $0.n == largest && $0.shape == "square"
    }),
    simd.gflops < blocked.gflops
  else { return }
  print(
    "warning: simd-1-thread (\(gflopsText(simd.gflops)) GFLOP/s) is slower than blocked "
      + "(\(gflopsText(blocked.gflops))): was the lab built without -march=native? "
      + "(see Package.swift)"
  )
}

/*:
 ## What you should see
 Five machines: first the AVX2 one (what most laptops have), then the AVX-512 Xeon the lab was
 first tuned on, an Ice Lake Xeon, a Zen 5 EPYC and a newer Xeon. Each block is one run; read
 its numbers next to each other, not next to another block's. The first three ran before 3
 December 2026, with k-blocks 256 deep; the GEMM now takes them as deep as L1 allows (896 for the
 6x16 tile on a 32 KB L1, 1024 for 8x32 on 48 KB: GEMMBlocking.swift), which only the last two
 blocks measure.

 **AVX2.** A run on 2 December 2026 (`swift run -c release kernels`, 2:03 with the convolution
 section): a 2-core virtual machine reporting an "AMD EPYC" (Zen 3 flags: AVX2 and FMA, no
 AVX-512) at a nominal 2.45 GHz, 32 KB L1d and 512 KB L2 per core; Swift 6.3.1, release build;
 NumPy 2.4.6 with scipy-openblas 0.3.31; other programs used 2% of the CPUs. The lab chose the
 6x16 tile (15 registers) with blocks of depth 256 and width 1024, swept 256 columns at a time
 (half of L2), and measured a peak of 90.9 GFLOP/s on one thread and 177 on two before the GEMM
 timings, 90.6 and 159 after: the tables use 90.9 and 177. The 6x16 micro-kernel alone, its
 strips in L1, ran at 70.2 and 107 in the same turns before, 63.5 and 130 after: 70-82% of the
 peak, the second ceiling (the tables use 70.2 and 130). tiled gave identical bits with 1 and 2
 threads. GFLOP/s, medians:

     shape                    m x n x k  naive  loop  unsafe  blocked  simd-1  tiled  numpy  numpy-1
     square             256 x 256 x 256  0.705  1.35    21.8     18.5    60.8   80.7   92.3     62.7
     square             512 x 512 x 512  0.559  1.28    17.7     18.1    50.2   93.4    112     63.8
     square          1024 x 1024 x 1024  0.376  1.54    16.8     18.5    56.0    107    130     66.6
     square          2048 x 2048 x 2048   skip  skip    skip     19.5    58.0    106    131     70.9
     forward x·Wᵀ       128 x 256 x 784  0.677     -       -        -    51.7   84.6   97.2     66.1
     backward dyᵀ·x     256 x 784 x 128  0.611     -       -        -    48.4   81.7   89.7     61.9
     backward dy·W      128 x 784 x 256  0.640  1.22    18.2     18.5    51.5   95.6   98.6     62.1

 Chapter 1's training step, its 17 multiplies one after another (TrainingStep.swift), in the
 same run:

     contender       threads  ms per step  s per epoch (469 steps)  vs NumPy
     simd-1-thread         1         7.48                     3.51      0.91
     tiled                 2         4.97                     2.33      0.90
     numpy                 2         4.47                     2.10         -
     numpy-1-thread        1         6.83                     3.20         -

 Which way round (TurnedAround.swift), tiled on 2 threads, in the same run:

     shape                m x n x k  copied as written  turned  as written  turned  chosen
     forward x·Wᵀ       128 x 256 x 784         200704  231424        84.2    88.1  as written
     backward dyᵀ·x     256 x 784 x 128         133120  233472        72.9    82.0  as written
     backward dy·W      128 x 784 x 256         233472  133120        69.8    81.5  turned
     conv forward w·col  64 x 441 x 288         145440   74880        68.1    81.5  turned

 Turned round, dx = dy·W and the convolution's product ran 1.2x as fast as written, and the bits
 were the same. The count of copied floats is a rule of thumb, not a law: in this run dW was
 faster turned too, although turning it copies more. Timed in turns outside the lab (Scratch
 runs of the same kernels, 2 December), turning chapter 1's products that have fewer rows than
 columns and k of 128 or more gained 2-24% on two threads (once turned, their c has more rows
 to share out between the threads) but lost up to 12% on one thread, except dx (1.0-1.08);
 products with k = 32 lost a third either way, and the convolutions' products gained 1.07-1.33x
 on one thread and two. The rule turns dx, the decoder's last forward product (the same shape
 with b transposed: 1.19 on two threads, 0.94 on one) and the convolutions.

 Swift over NumPy: 0.81–0.87 on the squares with two threads (0.82 at 1024³), 0.79–0.97 with
 one; 0.87, 0.91 and 0.97 on the chapter's three shapes; 0.90 on the whole step. Two runs a few
 hours earlier, before the turned products, gave 0.91 and 0.82 at 1024³, 0.75 and 0.86 on dx and
 0.96 and 1.0 on the whole step: this host's speed swings by a third between minutes, most of all
 for the two-thread rows, and only numbers taken in turns, side by side, compare. Against the
 first ceiling, tiled at 1024³ is at 60% of the measured peak, NumPy at 74%; simd-1-thread at
 62%, numpy-1-thread at 73%. Against the second, simd-1-thread at 1024³ is at 80% of the
 micro-kernel in L1, tiled at 82%: the loop nest around the kernel loses about a fifth at that
 size, and the kernel itself, in L1, is another 23-30% short of the peak. That last part is the
 host's doing more than the kernel's: timed in turns with the FMA loop, twenty times in a row (an
 earlier probe), the kernel in L1 ran anywhere from 50 to 84 GFLOP/s, flipping between a slow and
 a fast state every fraction of a second, while the register-only loop held at 80–92 in all but
 two of the rounds; one lab measurement reached 88.4, 96% of its run's peak. A loop that loads
 from L1 shares the core with whatever else runs on the host; one that touches no memory does
 not. OpenBLAS's kernel for this CPU (`sgemm_kernel_8x4_haswell_2.c`, read, not run) is ours
 turned by 90°: 16 rows by 6 columns, 12 accumulators, 2 vector loads and 6 broadcasts per 12
 FMAs, its k-loop unrolled 8 times; numpy-1-thread reaching 95% of our kernel-in-L1 figure at
 1024³ says that the gap is in what surrounds the kernel. Before the tiles (the 8x32 tile on
 this CPU), tiled reached 65 GFLOP/s at 1024³, 0.35 of NumPy; before the micro-kernel
 prefetched its rows of c and b's block was swept in L2-sized parts, runs gave 0.77–0.80 at
 1024³ and 0.67–0.92 on the chapter's shapes.

 Every tile on 512³, one thread, in the same run:

     tile  made for  registers needed  GFLOP/s  % of peak
     8x32    avx512                19     26.1      28.7%   spills
     6x16  avx2+fma                15     49.3      54.2%   chosen
     8x12      neon                28     14.8      16.3%   spills
     6x8       sse2                15     30.3      33.3%

 The 8x32 tile needs 38 of AVX2's 16 registers and spills on every step: half the 6x16
 (tile_loops.py counts 25 stores and 25 loads to the stack per 32 FMAs in its loop). The 8x12
 tile, which fits NEON's 32 registers, spills on x86's 16 as well (its 24 accumulators are
 4-lane vectors, one register each: 17 stores and 17 loads per 24 FMAs). The 6x8 tile fits but
 uses half of each register.

 **AVX-512.** A run on 21 November 2026 (`swift run -c release kernels`, 52 s): a 2-core virtual machine
 reporting an "Intel(R) Xeon(R) Processor" at 2.7 GHz with AVX-512, 48 KB L1d and 2 MB L2 per
 core; Swift 6.3.1, release build (`-Xcc -march=native`, `-O`); NumPy 2.4.6 with
 scipy-openblas 0.3.31; other programs used 0% of the CPUs. (The host runs other virtual
 machines, which a guest cannot see; on a busy day every column drops, by as much as half. Read
 each number next to its neighbours, which took turns with it.) Every step agreed with naive on
 the odd shapes (0 for steps 2–4, at most 1.5e-05 for 5–6), and tiled gave identical bits with 1
 and 2 threads. GFLOP/s, medians:

     shape                    m x n x k  naive  loop  unsafe  blocked  simd-1  tiled  numpy  numpy-1
     square             256 x 256 x 256   1.90  3.13    26.2     27.3     175    270    212      151
     square             512 x 512 x 512   1.75  3.21    23.7     23.0     171    313    274      159
     square          1024 x 1024 x 1024  0.306  3.11    14.3     22.4     169    320    311      158
     square          2048 x 2048 x 2048   skip  skip    skip     21.6     166    316    326      164
     forward x·Wᵀ       128 x 256 x 784   2.07     -       -        -     139    147    195      124
     backward dyᵀ·x     256 x 784 x 128   1.73     -       -        -     161    228    163      105
     backward dy·W      128 x 784 x 256   1.98  3.32    25.1     26.6     148    228    239      150

 (loop = loop-order, simd-1 = simd-1-thread, numpy-1 = numpy-1-thread; skip: too slow to time.)

 From naive to tiled: 140x at 256, about 1000x at 1024; 70–130x on the chapter's shapes.
 max |C − C_naive| for tiled grows with k as rounding does: 7.6e-06 at k = 256, 7.6e-05 at
 k = 1024, 3.8e-05 for the forward pass (k = 784).

 The chapter's shapes are the noisiest rows: each call takes a quarter of a millisecond, and a
 moment of another virtual machine's work on one of the two cores costs a call a large share
 of its time. In this run the forward shape's tiled turns came out at 147; in five more runs
 the same day, tiled over NumPy on it was 0.95–1.1, and at 1024³ 1.0–1.1. At 2048³ it was
 0.85–0.98 (exercise 4 looks at what two threads give there).

 **AVX-512 again: an Ice Lake Xeon.** A run on 2 December 2026 (`.build/release/kernels`,
 1:59): a 2-core virtual machine reporting an "Intel(R) Xeon(R) Processor @ 2.60GHz", cpu
 family 6 model 106 (Ice Lake), AVX-512, 48 KB L1d and 1.25 MB L2 per core; Swift 6.3.1,
 release build; NumPy 2.4.6 with scipy-openblas 0.3.31 running OpenBLAS's SkylakeX kernels;
 other programs used 1% of the CPUs. The lab chose the 8x32 tile (depth 256, width 1024, swept
 640 columns at a time) and measured a peak of 157 / 309 GFLOP/s (1 / 2 threads) before the
 GEMM timings and 181 / 301 after (the tables use 181 and 309); the 8x32 micro-kernel in L1
 reached only 90.6-94.1 / 186-194 in the same turns, 52-63% of that peak (143 / 208, 80% and
 58%, in a run an hour earlier). This host is slower than the 21 November one: every column,
 NumPy's included, is about half of that run's. GFLOP/s, medians:

     shape                    m x n x k  naive  loop  unsafe  blocked  simd-1  tiled  numpy  numpy-1
     square             256 x 256 x 256  0.737  1.31    17.3     20.4    93.3    170    150     84.9
     square             512 x 512 x 512  0.470  1.36    14.9     14.9    93.4    166    167     88.2
     square          1024 x 1024 x 1024  0.251  1.56    10.9     17.1    90.8    163    170     90.3
     square          2048 x 2048 x 2048   skip  skip    skip     17.3    84.4    157    184     99.0
     forward x·Wᵀ       128 x 256 x 784  0.838     -       -        -    71.6    129    121     68.8
     backward dyᵀ·x     256 x 784 x 128  0.568     -       -        -    71.7    140    129     80.9
     backward dy·W      128 x 784 x 256  0.487  1.08    14.9     14.9    80.2    155    136     85.4

 Swift over NumPy: 1.1, 0.99, 0.96 and 0.85 on the squares with two threads (1.1 to 0.85 with
 one); 1.1, 1.1 and 1.1 on chapter 1's three shapes; chapter 1's whole step 3.24 ms against
 NumPy's 2.93 (0.90; 0.96 on one thread). A run an hour later, after the convolution change
 below: 167 against 154 at 1024³ (1.1), 1.1 on each of chapter 1's shapes, 1.0 on the step. At 1024³ tiled is at 53% of the measured peak, NumPy
 at 55%, and at 84% and 88% of what the micro-kernel alone reaches in L1: on this host the
 kernel in L1, not the loop nest around it, is what falls short of the register-only peak.

 Which way round, the same run:

     shape                m x n x k  copied: as written  turned  weighed: as written  turned  GFLOP/s: as written  turned  chosen
     forward x·Wᵀ       128 x 256 x 784          200704  231424               200704  296960                  109    84.3  as written
     backward dyᵀ·x     256 x 784 x 128          133120  233472               133120  434176                  135    85.2  as written
     backward dy·W      128 x 784 x 256          233472  133120               233472  384000                  129    91.3  as written
     decoder y = h·Wᵀ   128 x 784 x 256          233472  133120               233472  183296                  126     112  turned
     conv forward w·col  64 x 441 x 288          145440   74880               145440  230112                  103    86.0  as written

 The run an hour before, when the 8x32 tile still used the plain count and so turned dx and the
 convolution's product, had dx at 99.6 GFLOP/s against NumPy's 129 (0.77); the weighed count
 keeps dx as written, 1.1 of NumPy in this run. The decoder's product is the close call: turned
 it was 0.89 of as written here, 0.95-1.1 in turns outside the lab (Scratch runs of the same
 kernels, 25 rounds).

 **And a Zen 5.** The latest run, 3 December 2026 in the evening, inside `bash
 Chapters/run-all.sh` (1:31), on the machine described in the next paragraph, after short
 products began reading b in place (GEMMBlocking.inPlaceRowsB: a product of one k-block with at
 most 256 rows of a copies only a, since each packed float of b would serve just a few strips of
 a). Peak 252 / 501 GFLOP/s before the GEMM timings, 260 / 514 after; the 8x32 micro-kernel in L1
 at 247-257 / 484-492 (98% and 96%). GFLOP/s, medians:

     shape                    m x n x k  naive  loop  unsafe  blocked  simd-1  tiled  numpy  numpy-1
     square             256 x 256 x 256   2.42  3.73    36.2     40.1     237    386    367      225
     square             512 x 512 x 512   1.96  3.75    43.4     46.8     230    449    438      232
     square          1024 x 1024 x 1024  0.761  3.96    45.7     46.8     236    455    437      230
     square          2048 x 2048 x 2048   skip  skip    skip     41.1     230    417    414      225
     forward x·Wᵀ       128 x 256 x 784   2.27     -       -        -     196    322    260      147
     backward dyᵀ·x     256 x 784 x 128   2.27     -       -        -     221    356    345      226
     backward dy·W      128 x 784 x 256   2.87  3.93    60.8     39.2     229    347    328      223

 Swift over NumPy: 1.0 at 1024³ (1.0 on one thread), 1.2, 1.0 and 1.1 on chapter 1's three
 shapes, 1.2 on the whole step (0.801 ms against 0.945); tiled at 88% of the measured peak at
 1024³, NumPy at 85%. The lab alone a few minutes later: 446 against 412 at 1024³ (1.1; 1.0 on
 one thread), 1.3, 1.1 and 1.0 on the shapes, 1.2 on the step, 88% of the peak (NumPy 81%). In
 its "Which way round" table dW as written ran 424-434 GFLOP/s and dx 352-425, where with b
 packed, in a run earlier that evening, they had been 376 and 344. Timed in turns outside the
 lab (Scratch runs, 7 to 20 rounds in shuffled order), reading b in place made chapter 1's
 products with 32 to 256 rows 15-60% faster on two threads (its last layer's dx, 128 x 256 x
 784: 303 -> 461 GFLOP/s), level on one, and its 17-multiply step 11-13% faster; 1024³ keeps
 packing (in place it ran at half speed: b's rows 4 KB apart share a few cache sets), as does
 any b whose rows are a multiple of 2 KB apart.

 The run before it, the same afternoon (`.build/release/kernels`, 1:35): a 2-core virtual
 machine reporting an "AMD EPYC", cpu family 26 (Zen 5), AVX-512, 48 KB L1d and 1 MB L2 per
 core; Swift 6.3.1, release build; NumPy 2.4.6 with scipy-openblas 0.3.31 running OpenBLAS's
 SkylakeX kernels (the environment set `OPENBLAS_CORETYPE=Haswell`, which the lab sets aside:
 NumPyBaseline.swift); other programs used 0% of the CPUs. The lab chose the 8x32 tile with
 blocks of depth 1024 (an 8 x 1024 strip of a, 32 KB, two thirds of L1) and width 1024, swept
 128 columns at a time (half of L2), and measured a peak of 237 / 458 GFLOP/s before the GEMM
 timings, 240 / 474 after (the tables use the latter); the 8x32 micro-kernel in L1 ran at
 230-233 / 404-431 (97% and 88-91% of the peak). GFLOP/s, medians:

     shape                    m x n x k  naive  loop  unsafe  blocked  simd-1  tiled  numpy  numpy-1
     square             256 x 256 x 256   1.65  2.71    31.5     33.8     182    346    315      212
     square             512 x 512 x 512   1.62  3.19    34.8     40.4     199    407    397      208
     square          1024 x 1024 x 1024  0.696  4.22    42.5     40.1     220    422    404      213
     square          2048 x 2048 x 2048   skip  skip    skip     39.7     214    413    418      213
     forward x·Wᵀ       128 x 256 x 784   2.94     -       -        -     210    383    275      148
     backward dyᵀ·x     256 x 784 x 128   1.51     -       -        -     195    353    366      201
     backward dy·W      128 x 784 x 256   2.69  4.60    59.4     36.7     200    346    321      209

 Swift over NumPy: 1.0 at 1024³ (1.0 on one thread), 1.4, 0.97 and 1.1 on chapter 1's three
 shapes, 1.3 on the whole step (0.863 ms against 1.08); tiled at 89% of the measured peak at
 1024³, NumPy at 85%. Three runs an hour earlier, before whole tiles skipped the trip through
 memory (below), one of them inside `bash Chapters/run-all.sh`: 1.0, 0.98 and 1.0 at 1024³
 (1.0, 0.96 and 1.0 on one thread; 92%, 80% and 81% of the peak), 1.3 on the forward shape
 each time, 0.93, 0.80 and 0.92 on dW, 0.77, 0.98 and 0.94 on dx, 1.2, 1.0 and 1.2 on the
 step: on this host a row moves by a tenth or more from one run to the next, the shallow dW
 and dx most.

 What changed that day: the k-blocks went from 256 deep to 1024. The earlier runs, with 256, gave
 0.95 at 1024³ (0.94 on one thread, 82% of the peak) and 1.3, 0.95 and 0.97 on the shapes; timed in
 turns outside the lab, 1024 against 256 was 4-9% faster at 1024³ and 14-22% on the forward x·Wᵀ,
 whose 784 steps become one block instead of four. The depth used to be pinned at 256 because it
 set the order of the sums: a tile summed each k-block from zero and added the sum to c. Now a tile
 that adds to c starts from it (RegisterTile.swift), so each element is one chain of multiply-adds
 along all of k whatever the blocks, and the depth can follow L1 without changing a bit of what the
 chapters print; the tests check the tiled product against that chain written out in Swift, bit for
 bit, for every tile and depth. A whole tile (the micro-kernel's usual case) now also loads c
 straight into its registers and stores them straight back, where an edge tile goes through a copy
 in memory (RegisterTile.swift says why): 3-5% on one thread for dW's 128-step products, timed in
 turns, level elsewhere. Also from that morning: perf on one thread at 1024³ put 11% of the GEMM's
 time in packing, nearly all of packB's share on its first load of each row of b, each a new page
 (TiledKernels+GEMMPacking.swift); asking for the row four rows ahead was 4-7% faster at 512³ and
 1024³ on two threads, timed in turns.

 Which way round, in three lab runs that morning (256-deep blocks): dx turned round ran 0.99, 1.3
 and 1.3 times as fast as written, the convolution's product 0.95, 1.5 and 1.3, which would say
 that the 8x32 tile's weights (measured on the Ice Lake, where turning dx lost) are wrong here.
 Timed in turns outside the lab (Scratch runs of the same kernels, 15 rounds in shuffled order,
 twice), they are not: dx turned was 1.25 and 0.96 of as written on two threads, 0.95 and 0.99 on
 one; the convolution's product 0.96 and 0.92, 0.93 and 0.97. One row of the lab's table is one
 moment of a shared host; a choice needs turns.

 The AVX2 path on the same Zen 5, that evening, with b in place: 240 against OpenBLAS's Haswell
 kernels' 246 at 1024³ (0.97; one thread 122 against 122), 96% of its peak (130 / 250), 0.92,
 0.91 and 0.93 on the three shapes and 0.96 on the step (1.65 ms against 1.59); timed in turns
 outside the lab an hour earlier, the same products were level with OpenBLAS (1024³ 227 against
 225; forward 216 / 210, dW 217 / 218, dx 204 / 195; the 17 multiplies one after another 1.43-1.62
 ms against 1.68). PyTorch's own products run MKL's AVX2 code on this AMD CPU whatever it is told
 (1024³: 206 GFLOP/s, and 212 with `ATEN_CPU_CAPABILITY=avx2`), which makes the AVX2 build
 against PyTorch a fair AVX2 pair: chapter 1's epoch took 0.60-0.62 of PyTorch's time in a calm
 spell, 0.50-0.72 in a slow one (chapter 1's prose has the seconds).

 Earlier that day: built with `BOTTLENECK_MARCH=haswell` (Package.swift) and run
 with `--openblas-core Haswell`, so that both sides use 256-bit AVX2 and FMA only, the lab chose
 the 6x16 tile with 1024-deep blocks (3 Dec 2026, after the change above) and measured a peak
 of 122-123 / 227-249 GFLOP/s, the 6x16 kernel in L1 at 116 / 216-226. Tiled 208 GFLOP/s at
 1024³ against OpenBLAS's Haswell kernels' 213 (0.98; one thread 107 against 108, 0.99), 84% of
 the peak (NumPy 86%); 0.84 and 0.91 on dW and dx, 0.96 on the whole step. The forward shape
 gave 0.65 in that run (117 against 178), but it is the noisiest row: timed in turns outside the
 lab a few minutes later (Scratch, 9 rounds in shuffled order, twice) the same kernels ran it at
 197 and 211 GFLOP/s on two threads, with 1024-deep blocks 13-16% faster than 256-deep ones
 (and 3-7% at 1024³). With 256-deep blocks, that morning, the lab gave 0.96 at 1024³ and 0.79,
 0.89 and 0.94 on the three shapes.

 **And a newer Xeon, which stands in for an Intel laptop.** 4 December 2026: a 2-core virtual
 machine reporting an "Intel(R) Xeon(R) Processor", cpu family 6 model 207 (Emerald Rapids, whose
 Raptor Cove cores are the performance cores of Intel's 13th- and 14th-generation chips, which
 run without AVX-512), AVX-512, 48 KB L1d and 2 MB L2 per core; NumPy 2.4.6 running OpenBLAS's
 SkylakeX kernels (its own choice). In the evening, inside `bash Chapters/run-all.sh` (1:34), the
 lab chose the 8x32 tile with blocks of depth 1024 and width 1024, swept 256 columns at a time,
 and measured a peak of 219 / 445 GFLOP/s before the GEMM timings and 226 / 452 after (the host
 ran faster that evening than in the morning, when it gave 176 / 348); the 8x32 micro-kernel in
 L1 ran at 222 / 439. GFLOP/s, medians:

     shape                    m x n x k  naive  loop  unsafe  blocked  simd-1  tiled  numpy  numpy-1
     square             256 x 256 x 256   1.76  2.73    29.0     26.2     181    326    265      182
     square             512 x 512 x 512   1.67  2.87    24.3     23.4     190    353    316      182
     square          1024 x 1024 x 1024  0.547  2.95    16.8     23.7     190    377    367      191
     square          2048 x 2048 x 2048   skip  skip    skip     22.9     186    352    373      198
     forward x·Wᵀ       128 x 256 x 784   1.87     -       -        -     156    266    206      140
     backward dyᵀ·x     256 x 784 x 128   1.59     -       -        -     159    312    260      178
     backward dy·W      128 x 784 x 256   1.81  2.88    25.2     28.0     156    300    280      180

 Swift over NumPy: 1.0 at 1024³ (0.99 on one thread), 1.3, 1.2 and 1.1 on chapter 1's shapes, 1.3
 on the whole step (1.19 ms against 1.50); tiled at 83% of the measured peak, NumPy at 81%. The
 morning's run, with the code before the changes below and the slower host: 0.86 at 1024³ (245
 against 286; 0.98 on one thread), 1.1, 1.4 and 0.87 on the shapes, 1.4 on the step, 70% of the
 peak (NumPy 82%). This host slows its second core from one second to the next: that morning the
 micro-kernel alone in L1 ran anywhere from 241 to 340 GFLOP/s on two threads across 8 rounds
 (170-172 on one), and every row on two threads moved with it; since then both ceilings are the
 best of their rounds, not the median (PeakFLOPS.swift says why). In a calm spell, in turns,
 tiled ran 295-303 GFLOP/s at 1024³ on two threads against NumPy's 300-303, 151-152 against 153 on
 one; no blocking tried (k-blocks 256 to 1024 deep, sweeps of 128 to 512 columns) beat the default
 by more than the noise.

 The same Xeon built for AVX2 (`BOTTLENECK_MARCH=haswell`, 6x16 tile, `--openblas-core Haswell`)
 is the nearest these pages have come to an Intel laptop: the same cores, AVX-512 left unused.
 The evening's lab, run alone right after the one above: peak 104 / 198, the 6x16 kernel in L1 at
 108 / 195; 1024³ tiled 188 against 192 (0.98; one thread 96.9 against 99.6, 0.97), 1.0, 1.0 and
 1.0 on the three shapes, 1.1 on the step (2.11 ms against 2.28); 95% of the peak, NumPy 97%.
 The morning's, before the changes: 151 against 158 (0.95; one thread 0.97), 0.97, 1.0 and 0.91
 on the shapes, 1.0 on the step, 83% of the peak (NumPy 87%). perf on one thread at 1024³ puts
 91% of the time in the micro-kernel and 4.4% in packing, so inside the GEMM the kernel runs at
 about 95% of its speed in L1: what is left is packing. Tried, timed in turns, all level or
 slower: keeping b's strip in L1 and streaming a's strips past it instead (the loops swapped, with
 k-blocks 256 and 512 deep), prefetching b 8 steps ahead (level at 1024³, 14% slower on dx),
 deeper or shallower k-blocks, wider or narrower sweeps, groups of a's strips up to four times as
 large, a band of rows a little larger for the calling thread (it holds the operands in its
 cache), and small tasks at the end to even out the two threads (17% slower on the step's
 products: each task streams all of b).

 What changed between the two runs, all measured on this machine and timed in turns: the GEMM
 gives each of the two threads one band of rows of C instead of 4 tasks each (a step's 17
 products 2-6% faster, 1024³ 2-3% faster in the AVX2 build); products of 2²⁰ operations or more
 use both threads, not only those of 2²² (chapter 1's six products with a 32-wide side 1.1-1.5
 times as fast in the AVX2 build); relu's backward pass became vector code (below); and the
 elementwise kernels use both threads from 2¹⁶ floats instead of 2¹⁸.

 Elementwise and sums, GB/s (bytes read + written per second), the evening's run:

     128 x 784 (400 KB per array, in L2)     naive  simd-1-thread  tiled  memcpy
     relu                                     3.19      84.9         123    98.7
     sigmoid                                  1.27      14.9        28.2    88.5
     bias add                                 4.27      74.1         111    93.4
     relu backward                            8.51       137         189    90.8
     column sums                              5.81       145         143    88.6
     sum of all                               5.44       145         149    88.5

     1024 x 1024 (4 MB per array)            naive  simd-1-thread  tiled  memcpy
     relu                                     3.12      30.0        60.3    31.5
     sigmoid                                  1.39      15.2        31.0    32.1
     bias add                                 4.68      31.3        63.1    31.6
     relu backward                            9.10      41.2        82.7    31.3
     column sums                              1.22      25.6        61.7    32.0
     sum of all                               5.95      36.8         116    30.2

 - On a batch that sits in L2, relu and the bias add run at 79-86% of memcpy on one thread, and
   two threads (the tiled column; a batch is 100,352 floats, above 2¹⁶) add a half again:
   111-123 GB/s. naive's bias add is slow because of the `i % bCount` division per element.
 - relu backward counts 16 bytes a float (x, y and dy read, dx written; the kernel needs only x
   and dy), so at 137 GB/s it moves 1.5 times what memcpy does. In the morning's run it managed
   41.8: the compiler had left two lanes of every 16 to an out-of-line call of the derivative
   (perf annotate), in the AVX-512 build and the AVX2 one alike. The four activations whose
   derivative is a comparison (relu, leaky relu, abs, clamp) now run it as a vector select
   (Sources/Kernels/LanewiseGradient.swift), with the same bits as naive: 0.56 ns a float
   before, 0.14 after, in the AVX-512 build, in a benchmark outside the lab.
 - sigmoid needs an `exp` per element. naive calls the formula one float at a time; the tiled
   kernels run the same formula (Sources/Kernels/Exponential.swift: range reduction, a degree-5
   polynomial, and the integer in the float's exponent bits) on 16 floats at once. Calling the C
   library's `expf` instead, as an earlier version did, ran at 1.3 GB/s on one thread or two: on
   chapter 1's output layer that cost more than the layer's matrix multiply. Now simd-1-thread
   runs it at 14.9 GB/s, 12 times naive, and it took an epoch of chapter 1 from 1.6 s to 1.25 s
   (on the 21 November Xeon). It is limited by arithmetic, not memory, so two threads nearly
   double it (28.2 GB/s).
 - The tiled sums stay on one thread below 2¹⁸ floats. An earlier version used two threads above
   2¹⁶ floats, and on a batch of 100,352 floats that lost: 49–54 GB/s against 89–95 on one
   thread. The whole sum takes about 4 µs, as long as waking the other thread. (Exercise 7.)
 - At 4 MB per array (past L2) one thread moves what memcpy moves, 28–30 GB/s, for every cheap
   kernel but the column sums: memory sets the pace. Two threads reach 33–115 (two L2 caches,
   twice the misses in flight), more than a one-thread memcpy. Naive's column sum, walking down
   columns 4 KB apart, is the GEMM's cache-set trap again: 0.61 GB/s.

 Denormals: step 3 on 256 x 256 x 256 with every entry of A subnormal ran at 0.470 GFLOP/s with
 flush-to-zero off and 27.4 with it on, 58x. A real network has far fewer subnormals than this;
 the 30% slower MLP epochs measured without flush-to-zero are the everyday version.

 The plots: gemm.png shows every step against n on log-log axes (naive's fall at 1024, step 3's
 dip where B leaves L2, the flat blocked line, the fast cluster near the top); gemm-fast.png
 shows simd-1-thread, tiled and NumPy on a linear axis under the two ceilings, each for 1 and 2
 threads: the measured FMA peak and, below it, the micro-kernel alone in L1.

 **Convolution** (on the AVX2 machine; the section is newer than the AVX-512 run). A run on
 1 December 2026 (`swift run -c release kernels`, 1:58 in all, about 45 s of it in this
 section; other programs used 3% of the CPUs) on the 2-core AMD EPYC (AVX2+FMA) above, against
 PyTorch 2.15.0 (its CPU convolutions go to oneDNN 3.13.3) on 2 threads with flush-to-zero on.
 Tiled agreed with naive on every product of every shape first: at most 8.0e-05 on a batch of
 3, and at most 8.2e-04 on the timed batch (the weight gradient of the VAE's first layer, each a
 sum of 25,088 products). GFLOP/s on a batch of 128, medians; every contender, naive included,
 ran on the full batch (naive: 31 ms to 1.1 s per run, one run where it took over half a
 second). dx and dw are the input and weight gradients; torch is PyTorch; im2col is im2col's
 share of the tiled time of the product (forward, dw) that starts with it. The tiled products
 run in slices of the batch whose col fits in L2 (128 Ki floats here), each slice start to
 finish on one thread when there are at least two slices per thread; dw adds the slices'
 partial sums in slice order.

     shape                          product  naive  tiled  tiled/naive  torch  tiled/torch  im2col
     Conv(1→32, k3, s2, p1) 28x28   forward  0.313   14.4          46x   24.6         0.58   21.7%
                                    dx       0.307   6.09          20x   2.41          2.5       -
                                    dw       0.463   10.8          23x   4.88          2.2   16.3%
     Conv(32→64, k3, s2, p1) 14x14  forward  0.302   56.7         188x   59.5         0.95   39.0%
                                    dx       0.355   55.4         156x   48.6          1.1       -
                                    dw       0.370   58.4         158x   57.4          1.0   40.1%
     Conv(1→32, k4, s2, p1) 28x28   forward  0.350   24.0          68x   37.0         0.65   31.1%
                                    dx       0.370   22.1          60x   3.47          6.4       -
                                    dw       0.426   16.4          38x   6.32          2.6   21.3%
     Conv(32→64, k4, s2, p1) 14x14  forward  0.369   56.8         154x   68.0         0.84   38.9%
                                    dx       0.417   48.5         116x   62.2         0.78       -
                                    dw       0.392   55.5         142x   69.3         0.80   38.1%
     Conv(64→128, k7) 7x7           forward  0.423   22.6          53x   28.1         0.81   58.1%
                                    dx       0.397   17.3          44x   19.6         0.88       -
                                    dw       0.137   25.9         189x   17.1          1.5   66.6%

 - Naive runs at 0.14–0.46 GFLOP/s on every shape: one chain of additions per output, a bounds
   test per product. (0.137 is the 7x7 layer's weight gradient, whose three inner loops run over
   a single output pixel per image.) Tiled is 20–189 times faster.
 - Tiled is still short of the GEMM's speed: 49–58 GFLOP/s on the 32 → 64 layers, 6–26 on the
   others, where the GEMM on chapter 1's shapes ran at 66–78 in the same run. The first layers
   are small (7–13 million multiply-adds, about a millisecond) with GEMMs of awkward shapes: 32
   rows and a depth of 9 or 16 for the forward pass, 9 or 16 rows for the input gradient.
 - im2col is the rest of the gap. It copies 4.1–4.8 GB of col per second on the strided layers
   (memcpy moved 44–58 on one thread in the same run): every float is one gathered load and one
   store. On the 7x7 layer, whose output is 1x1, it reaches 0.61 GB/s: each image puts one float
   into each of col's 3,136 rows, a transpose that touches a new cache line per float. (Since
   2 December, im2col treats such a layer, a kernel as large as the image and no padding, as
   the transpose it is, 8x8 blocks through registers; on the Ice Lake Xeon that took its share
   of the layer's products from 46-54% to 9%, and the layer from 23-37 GFLOP/s to 69-77:
   tiled/PyTorch 0.30-0.58 before, 0.85-1.3 after, lab runs of the same day.) It takes
   16–31% of the tiled time on the first layers, 38–40% on the 32 → 64 ones and 58–67% on the
   7x7 one. Take it away and the rest of the forward pass (the GEMM and the reordering of Y into
   y) runs at 93 GFLOP/s on both 32 → 64 layers and 54 on the 7x7 one: 2·multiply-adds over
   (tiled − im2col) seconds.
 - Against PyTorch: level on the 3x3 32 → 64 layer (0.95, 1.1 and 1.0 for the three products),
   0.78–0.84 on the 4x4 one, 0.81–0.88 on the 7x7 layer's forward pass and input gradient and
   ahead on its weight gradient (1.5). On the single-channel first layers oneDNN's forward pass
   is 1.5–1.7 times tiled's, but it manages only 2.4–3.5 GFLOP/s for the input gradient, under
   half of tiled's, and 5–6 for the weight gradient. (`ONEDNN_VERBOSE=1` shows what it runs:
   JIT-compiled AVX2 kernels, direct ones and, for the strided input gradients, "brgconv", on
   layouts that block the channels by 8, one vector; PyTorch's NCHW tensors are reordered into
   and out of them on every call, inside the times above. A one-channel dx fills one lane of the
   eight, which is likely the reason; the lab does not test it. The input gradient of a first
   layer is the forward pass of its decoder's last ConvTranspose2D.)
 - A second run of the whole lab, after the GEMM's micro-kernel began prefetching its rows of c,
   gave the same picture: 50–62 GFLOP/s on the 32 → 64 layers, 0.83–1.1 of PyTorch's, and
   tiled/PyTorch 0.61–0.73 on the first layers' forward pass, 0.77–1.6 on the 7x7 layer.
 - After the forward and weight-gradient products were turned round (Which way round, above),
   the 2 December run whose GEMM tables are quoted above gave 60.4 / 54.6 / 55.9 GFLOP/s on the
   3x3 32 → 64 layer against PyTorch's 56.1 / 49.1 / 51.0 (1.1 each), 63.5 / 57.4 / 63.8 on the
   4x4 one (0.89 / 0.88 / 0.96 of PyTorch) and 1.1 / 1.6 / 1.4 of PyTorch on the 7x7 layer;
   im2col then takes 10–44% of the tiled time on the strided layers and 70–86% on the 7x7 one.
 - What the slices changed. An earlier run of this table (same machine and day, one col for the
   whole batch, 7-13 MB, and the weight gradient's slices one after another) gave 35–48 GFLOP/s
   on the 32 → 64 layers (0.49–0.91 of PyTorch); the products there now run 1.0–1.6 times
   faster. Chapter 6 trains its two small conv AEs a little faster per epoch than PyTorch since
   (see its "Speed" paragraph).

 What a direct kernel would save: the im2col share is the most that a convolution which never
 builds col could gain at the same GEMM speed: 1/(1 − share), 1.2–1.5x on the first layers'
 forward pass, 1.6x on the 32 → 64 ones and 2.4x on the 7x7 one. Packing im2col straight into
 the GEMM's panel format, so that the patches are gathered from x into the packed strips of B
 (PackedB.swift) that the micro-kernel reads, keeps the GEMM as it is and saves a smaller part:
 col is no longer written out and read back by the packing (with L2-sized slices that round
 trip stays in L2). The gather itself stays, so it would help most where writing col is the
 cost, and least on the 7x7 layer, whose gather is the slow part. The weight gradient builds the
 same col (the table gives its share too); the input gradient runs the mirror image, col2im,
 which adds dcol back into dx and is not timed on its own.

 These are one run's medians on a host that swings by a third between runs, and the small
 products (a millisecond) swing most: read each ratio as a range. PyTorch's worker keeps the
 memory it frees (see TorchConvBaseline.swift): without that, the same call ran 5–8 times
 slower in one Python process than in the next, page-faulting its result in afresh.

 ## Pitfalls
 - **Timing a debug build.** `swift run kernels` without `-c release` is a debug build.
   Package.swift compiles the kernels with `-O` even then, so the GEMM comes out about the same,
   but not everything does: on this machine relu ran at 4 GB/s in debug against 78 in release.
 - **Timing once.** The first run of anything is slow (page faults, thread start, cold caches),
   and this machine's speed drifts between two modes over minutes. Warm up, take medians, and
   compare two things only side by side in one run.
 - **Trusting a fast kernel you have not checked.** Every step here is compared with naive on
   odd shapes first; a wrong kernel is easy to make fast.
 - **Comparing powers of two only.** 1024 has no edge cases and, for the unpacked steps, the
   worst cache behaviour (rows exactly 4 KB apart); the chapter's shapes (784, 128, 256) are the
   ones that matter for training.
 - **Reading GFLOP/s for elementwise kernels.** They do one FLOP per 8 bytes; GB/s against a
   memcpy is the right yardstick.

 ## Exercises
 1. Bounds checks: copy `gemmLoopOrder` into a file of its own with `c[i * n + j]` instead of
    `c[checked: i * n + j]`, and compile it with `swiftc -O` and with `swiftc -Ounchecked`
    (plus `-Xcc -march=native`). How far apart are they, and how close is `-O` to step 2?
 2. Change `blockWidth` in GEMMSteps.swift to 128 and to 4096, and `blockDepth` to 64. Which
    sizes change, and can you explain it from the cache sizes printed at the top?
 3. Remove `-Xcc -march=native` from Package.swift's `nativeCPU` (do not commit it) and run the
    lab again: what happens to simd-1-thread and tiled, and to step 3?
 4. `--threads 1`: tiled becomes simd-1-thread. How much do two threads give on the chapter's
    forward shape, and on 2048?
 5. Write step 4½: step 4 with 4 rows of C at a time (four `cRow`s sharing each `bRow[j]` load).
    How close does it get to step 5, and why not all the way?
 6. Set `WorkerPool.spinDuration` (Sources/Kernels/WorkerPool.swift) to 0, so helper threads go
    to sleep as soon as a kernel ends, and run the lab and `vanilla --epochs 2` again. How much
    slower are the chapter's shapes, and an epoch? What does that say about the cost of waking a
    thread on your machine?
 7. The tiled sums go parallel above `sumParallelCount` = 2¹⁸ floats
    (Sources/Kernels/TiledKernels+Reduction.swift). Time column sums of (rows, 784) for rows from
    64 to 4096 with 1 and 2 threads: where do two threads start to win on your machine?
 8. Exponential.swift's polynomial has six coefficients. Drop the first (1.987569150e-4) and
    run `swift test --filter Exponential`: how many units in the last place does exp lose? Is
    that still good enough for a sigmoid feeding a mean squared error?
 9. Prefetching. Delete the `bottleneck_prefetch` loop in the micro-kernel
    (Sources/Kernels/RegisterTile.swift) and run the lab: what happens at 1024 with
    one thread, and with two? Then put them back, change `bottleneck_prefetch` in
    Sources/CPUSupport/include/cpu_support.h to prefetch for writing (`__builtin_prefetch(address,
    1, 3)`) and run it again. Why does only tiled collapse?
 10. Tiles. Run `swift run -c release kernels --tile 8x32` on an AVX2 machine (or `--tile 6x16`
    on an AVX-512 one): every fast row now uses the other tile. Then try a tile that is not in
    the list: add a case to GEMMTile (GEMMTile.swift) and to the switch in RegisterTile.swift,
    say 4x24 (`RegisterTile<4, 3, SIMD8<Float>, 0>`: 12 accumulators, 3 loads of B and only 4
    broadcasts of A per 12 FMAs, 16 registers in all). On AMD's Zen cores a broadcast from
    memory may compete with the FMAs for the same two pipes; if so, fewer broadcasts per FMA
    should win. Does it? Check its inner loop first: `python3 Chapters/Kernels/tile_loops.py`
    after a release build must say "in registers" for it. Then time it in L1 as well as in the
    GEMM (`MicroKernelInL1` takes any tile).
 11. im2col's loop order. `TiledKernels.im2col` (Sources/Kernels/TiledKernels+Conv.swift) walks
    each image's (c, i, j) rows, so on the 7x7 layer each image writes one float into each of
    3,136 rows. Write a version in this folder that takes a block of 16 images and, for each
    (c, i, j), writes their 16 floats side by side (one cache line), and time it on
    `ConvShape.chapterShapes[4]` against the library's: how much of the 7x7 layer's 65% goes?
 12. Where packing starts to pay. Build `TiledKernels(blocking: GEMMBlocking(maxDepth: 256,
    maxWidth: 1024, sweepWidth: ..., inPlaceWidth: w))` for w = 0 (always pack A), 256 (the
    default) and 1 << 20 (never pack a full strip), and time `chapterOneStep()` and the squares
    with each, in turns. At how many columns does the packed strip's reuse beat the copy on your
    machine? Then try n = 1024 with k = 1000 and with k = 1024: the second puts A's rows exactly
    4 KB apart.
 13. Which way round, for every product. A GEMMBlocking whose `orientation` is `.transposed` turns
    every product round and `.asWritten` none. Time chapter 1's 17 multiplies (TrainingStep.swift)
    with each and with the default, on one thread and on two, in turns, and look at the
    products one by one: which gain from turning, which lose, and why does the answer change
    with the thread count? (Hint: count the row strips each thread gets, as written and turned.)
    Can you make `floatsCopied` predict both?
 */

struct KernelLab: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kernels",
    abstract:
      "The kernel lab: from the naive triple loop to a fast GEMM, one measured step at a time.",
    discussion:
      "Prints its tables and writes metrics.json, gemm.png and gemm-fast.png into output/kernels/"
      + " (or --output).")

  @Flag(help: "Small sizes only: a smoke run of a few seconds.")
  var quick = false

  @Option(
    help: ArgumentHelp(
      "Folder for metrics.json and the plots, created if missing.", valueName: "folder"))
  var output = "output/kernels"

  @Option(help: "Threads for the tiled kernels and for NumPy. (default: all cores)")
  var threads: Int?

  @Option(
    help: ArgumentHelp(
      "Register tile of the tiled GEMM: auto, 8x32, 6x16, 8x12 or 6x8. (default: "
        + "$BOTTLENECK_TILE if set, else auto: the one for this CPU)",
      valueName: "tile"))
  var tile: String?

  /// The tile `--tile` names, else $BOTTLENECK_TILE's, else the one for this CPU.
  func gemmTile() throws -> GEMMTile {
    try GEMMTile.resolve(flag: tile)
  }

  @Option(
    name: .customLong("openblas-core"),
    help: ArgumentHelp(
      "Make NumPy's OpenBLAS run the kernels it has for this CPU family (e.g. Haswell, "
        + "SkylakeX, Zen) instead of the ones it picks; OPENBLAS_CORETYPE in the environment is "
        + "set aside unless this is given.", valueName: "name"))
  var openBLASCore: String?

  @Flag(help: "Skip the NumPy (OpenBLAS) baseline even if python3 and numpy are installed.")
  var noNumpy = false

  @Flag(help: "Skip the PyTorch convolution baseline even if python3 can import torch.")
  var noTorch = false

  @Flag(help: "Skip the plots (gemm.png, gemm-fast.png and their gnuplot scripts).")
  var noPlots = false

  func validate() throws {
    if let threads, threads < 1 {
      throw ValidationError("--threads must be at least 1 (got \(threads)).")
    }
    if output.isEmpty { throw ValidationError("--output must not be empty.") }
    if let tile, (try? GEMMTile.named(tile)) == nil {
      throw ValidationError(
        "unknown tile '\(tile)' for --tile: use one of " + GEMMTile.names.joined(separator: ", ")
          + ".")
    }
  }

  func run() throws {
    try runChapter { try lab(self) }
  }
}

KernelLab.main()
