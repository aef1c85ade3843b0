// Kernel lab, first cut: how much faster are the tiled kernels than the naive ones?
//
// For square matrices and the shapes the chapters multiply, this times NaiveKernels and
// TiledKernels with 1 and 2 threads on the same inputs and prints GFLOP/s: a multiply of
// (m, k) by (k, n) is 2·m·n·k floating-point operations (a multiply and an add per term), divided
// by the seconds it took, over 10⁹. It also prints the largest difference between the tiled and
// the naive result: they add the same products in a different order, so they differ in the last
// bits, not more.
//
// The machine's speed drifts and other programs share its cores, so the variants run interleaved
// (one run of each per round, after a warm-up) and the tables show medians. Naive runs only up to
// 1024 (at 1024 just once: it takes seconds).
//
// Run: swift run -c release kernels
import Foundation
import Kernels

// MARK: - Helpers

/// A tiny seeded generator (64-bit LCG), so every run multiplies the same numbers.
struct LCG {
  var state: UInt64
  mutating func next() -> Float {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Float(state >> 40) / Float(1 << 24) * 2 - 1  // uniform in [-1, 1)
  }
  mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

/// Seconds that `body` takes, once.
func seconds(_ body: () -> Void) -> Double {
  let start = ContinuousClock.now
  body()
  let elapsed = ContinuousClock.now - start
  return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// `text` right-aligned in `width` characters (left-aligned when `left`).
func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
  let fill = String(repeating: " ", count: max(0, width - text.count))
  return left ? text + fill : fill + text
}

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

// MARK: - GEMM

struct Shape {
  let label: String
  let m: Int, n: Int, k: Int
  var transposeA = false, transposeB = false
}

let shapes: [Shape] = [
  Shape(label: "square", m: 256, n: 256, k: 256),
  Shape(label: "square", m: 512, n: 512, k: 512),
  Shape(label: "square", m: 1024, n: 1024, k: 1024),
  Shape(label: "square", m: 2048, n: 2048, k: 2048),
  // Linear(784 → 256) on a batch of 128: x (128, 784), W (256, 784), dy (128, 256).
  Shape(label: "y = x·Wᵀ", m: 128, n: 256, k: 784, transposeB: true),
  Shape(label: "dW = dyᵀ·x", m: 256, n: 784, k: 128, transposeA: true),
  Shape(label: "dx = dy·W", m: 128, n: 784, k: 256),
  // A small layer: Linear(32 → 128) on a batch of 128.
  Shape(label: "small a·b", m: 128, n: 128, k: 32),
  Shape(label: "small x·Wᵀ", m: 128, n: 128, k: 32, transposeB: true),
]

let naive = NaiveKernels()
let tiled1 = TiledKernels(threads: 1)
let tiled2 = TiledKernels(threads: 2)

print("GEMM, single precision: GFLOP/s (median); speed-up = tiled t=2 over naive;")
print("max |diff| = largest |tiled − naive| over the elements of c.")
print("")
print(
  pad("shape", 12, left: true) + pad("m", 6) + pad("n", 6) + pad("k", 6) + pad("naive", 8)
    + pad("tiled t=1", 11) + pad("tiled t=2", 11) + pad("speed-up", 10) + pad("max |diff|", 12))

var random = LCG(state: 42)
for shape in shapes {
  let (m, n, k) = (shape.m, shape.n, shape.k)
  let a = random.array(m * k)
  let b = random.array(k * n)
  var cNaive = [Float](repeating: 0, count: m * n)
  var cTiled = [Float](repeating: 0, count: m * n)

  func run(_ kernels: any KernelSet, into c: inout [Float]) -> Double {
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { c in
          seconds {
            kernels.gemm(
              m: m, n: n, k: k, a: a.baseAddress!, transposeA: shape.transposeA,
              b: b.baseAddress!, transposeB: shape.transposeB, c: c.baseAddress!,
              accumulate: false)
          }
        }
      }
    }
  }

  // Warm up (first touch of the memory, thread start-up), and use the warm-up run to pick enough
  // rounds for a steady median: about a second of single-thread tiled work, 5 to 500 rounds.
  let estimate = run(tiled1, into: &cTiled)
  _ = run(tiled2, into: &cTiled)
  let rounds = max(5, min(500, Int(1.0 / max(estimate, 1e-6))))
  let naiveRuns = m * n * k > 1 << 30 ? 0 : (m * n * k == 1 << 30 ? 1 : 3)

  var naiveTimes: [Double] = []
  var tiled1Times: [Double] = []
  var tiled2Times: [Double] = []
  for round in 0..<rounds {
    if round < naiveRuns { naiveTimes.append(run(naive, into: &cNaive)) }
    tiled1Times.append(run(tiled1, into: &cTiled))
    tiled2Times.append(run(tiled2, into: &cTiled))
  }
  let flops = 2.0 * Double(m) * Double(n) * Double(k)
  let gflops1 = flops / median(tiled1Times) / 1e9
  let gflops2 = flops / median(tiled2Times) / 1e9

  var line = pad(shape.label, 12, left: true) + pad("\(m)", 6) + pad("\(n)", 6) + pad("\(k)", 6)
  if naiveRuns > 0 {
    let gflopsNaive = flops / median(naiveTimes) / 1e9
    let maxDiff = zip(cNaive, cTiled).map { Swift.abs($0 - $1) }.max() ?? 0
    line += pad(fixed(gflopsNaive, 2), 8) + pad(fixed(gflops1, 1), 11) + pad(fixed(gflops2, 1), 11)
    line += pad(fixed(gflops2 / gflopsNaive, 0) + "x", 10)
    line += pad(String(format: "%.1e", Double(maxDiff)), 12)
  } else {
    line += pad("-", 8) + pad(fixed(gflops1, 1), 11) + pad(fixed(gflops2, 1), 11)
    line += pad("-", 10) + pad("-", 12)
  }
  print(line)
}

// MARK: - Elementwise and sums

// These move memory more than they compute: report 10⁹ elements per second.
print("")
print("Elementwise kernels and sums on 1024 x 1024 floats: 10⁹ elements/s (median of 31).")
print("")
print(pad("kernel", 20, left: true) + pad("naive", 8) + pad("tiled t=1", 11) + pad("tiled t=2", 11))

let count = 1024 * 1024
let x = random.array(count)
let row = random.array(1024)
var out = [Float](repeating: 0, count: count)

/// Median time of `body` over 31 interleaved rounds for each kernel set, as 10⁹ elements/s.
@MainActor
func elementRates(_ body: (any KernelSet, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
  let sets: [any KernelSet] = [naive, tiled1, tiled2]
  var times: [[Double]] = [[], [], []]
  out.withUnsafeMutableBufferPointer { out in
    for index in sets.indices { body(sets[index], out.baseAddress!) }  // warm-up
    for _ in 0..<31 {
      for index in sets.indices {
        times[index].append(seconds { body(sets[index], out.baseAddress!) })
      }
    }
  }
  return times.map { Double(count) / median($0) / 1e9 }
}

x.withUnsafeBufferPointer { xBuffer in
  row.withUnsafeBufferPointer { rowBuffer in
    let x = xBuffer.baseAddress!
    let row = rowBuffer.baseAddress!
    let kernels: [(String, (any KernelSet, UnsafeMutablePointer<Float>) -> Void)] = [
      ("relu", { $0.unary(.relu, x, $1, count: count) }),
      ("sigmoid", { $0.unary(.sigmoid, x, $1, count: count) }),
      ("relu backward", { $0.unaryBackward(.relu, x: x, y: x, dy: x, dx: $1, count: count) }),
      ("add a row (bias)", { $0.binary(.add, x, count: count, row, bCount: 1024, $1) }),
      ("column sums", { $0.sum(x, outer: 1, n: 1024, inner: 1024, $1) }),
      ("row sums", { $0.sum(x, outer: 1024, n: 1024, inner: 1, $1) }),
      ("sum of all", { $0.sum(x, outer: 1, n: count, inner: 1, $1) }),
    ]
    for (label, body) in kernels {
      let rates = elementRates(body)
      print(
        pad(label, 20, left: true) + pad(fixed(rates[0], 2), 8) + pad(fixed(rates[1], 2), 11)
          + pad(fixed(rates[2], 2), 11))
    }
  }
}
