/*:
 # The ceiling: a measured peak

 What is the fastest a core can multiply and add? The data sheet's answer, FMA units x lanes x 2
 x clock, needs a clock, and the clock a virtual machine reports is a nominal one: on the AMD
 EPYC this lab was tuned on, /proc/cpuinfo says 2.45 GHz and OpenBLAS ran at 93 GFLOP/s on one
 core, above the "32 FLOP/cycle x 2.45 GHz = 78" that makes. So the lab measures its ceiling
 instead, with a loop that does nothing but FMAs on registers:

     acc[i] = acc[i] + x · y      for i in 0..<12, over and over

 Two facts of the hardware set how it must be written. An FMA's result is ready only about 4
 cycles after it starts (its *latency*), while a core can start 2 every cycle (its
 *throughput*). One accumulator would wait 4 cycles for itself between FMAs and reach an eighth
 of the peak; 8 independent ones (latency x throughput) keep both units busy, and 12 leave a
 margin. 12 accumulators, plus x and y, are 14 registers: they fit AVX2's 16, and the loop never
 touches memory, so it runs at whatever the arithmetic units can do. The vector is the tile's
 own: 16 lanes on AVX-512, 8 on AVX2, 4 on NEON.

 Every GEMM row of the lab is then also given as a percentage of this peak: the single-threaded
 tiled kernel against the 1-thread peak, the multi-threaded one against the all-thread peak. It
 is measured twice, before and after the GEMM timings, and the higher of the two is the peak
 (`MeasuredPeak` says why).

 The micro-kernel cannot reach this ceiling by design: besides its FMAs it loads a row of B and
 broadcasts a value of A's per row of the tile at every step. So, in the same turns as the peak,
 the lab also times the tile's micro-kernel alone on one strip of A and one of B that stay in
 L1 call after call (Sources/Kernels/MicroKernelInL1.swift): the second ceiling, what the
 kernel does when no cache miss gets in its way. A GEMM row as a share of the first says how far
 the machine's arithmetic is from being used; as a share of the second, what the loop nest
 around the kernel (packing, blocking, the caches below L1) costs.
 */

import Bottleneck
import Dispatch
import Foundation

/// The measured FMA ceiling, in GFLOP/s: the best of every time it was measured.
///
/// Why the best and not the last: on a shared virtual machine a whole minute can run slow (on
/// the EPYC one run's peak came out at 67.5 GFLOP/s on one thread, another's at 91 the same
/// day, and in the slow one NumPy ran at 101% of it). A ceiling is what the core can do, so a
/// slow measurement says nothing about it; the lab measures it before and after the GEMM
/// timings and keeps the higher, and metrics.json keeps both.
struct MeasuredPeak {
  /// Each measurement in turn, in GFLOP/s.
  var oneThreadRuns: [Double]
  var allThreadsRuns: [Double]
  /// The micro-kernel with its strips in L1, measured in the same turns, in GFLOP/s.
  var kernelOneThreadRuns: [Double]
  var kernelAllThreadsRuns: [Double]
  var threads: Int

  var oneThread: Double { oneThreadRuns.max() ?? 0 }
  var allThreads: Double { allThreadsRuns.max() ?? 0 }
  var kernelOneThread: Double { kernelOneThreadRuns.max() ?? 0 }
  var kernelAllThreads: Double { kernelAllThreadsRuns.max() ?? 0 }

  /// Both measurements, this one's and `other`'s.
  func adding(_ other: MeasuredPeak) -> MeasuredPeak {
    MeasuredPeak(
      oneThreadRuns: oneThreadRuns + other.oneThreadRuns,
      allThreadsRuns: allThreadsRuns + other.allThreadsRuns,
      kernelOneThreadRuns: kernelOneThreadRuns + other.kernelOneThreadRuns,
      kernelAllThreadsRuns: kernelAllThreadsRuns + other.kernelAllThreadsRuns, threads: threads)
  }
}

/// Runs `iterations` rounds of 12 independent vector FMAs on registers; returns their sum so
/// the compiler cannot drop the loop.
@inline(never)
func fmaLoop<Vector: SIMD>(_: Vector.Type, iterations: Int) -> Float where Vector.Scalar == Float {
  var acc = InlineArray<12, Vector>(repeating: Vector(repeating: 1))
  // x · y + acc with x·y tiny: the accumulators stay near 1, far from overflow and subnormals.
  let x = Vector(repeating: 1e-7)
  let y = Vector(repeating: 1e-7)
  for _ in 0..<iterations {
    for i in 0..<12 { acc[i].addProduct(x, y) }
  }
  var total = Vector()
  for i in 0..<12 { total += acc[i] }
  return total.sum()
}

/// GFLOP/s of `threads` threads each running `work(thread)` at once (`flopsPerThread` each), the
/// best of `rounds`. One thread runs on the calling thread.
///
/// The best, not the median, because this measures a ceiling, and a round can only come out
/// slower than the hardware, never faster: on a 2-core Intel Xeon (4 Dec 2026) whose host slowed
/// its second core from one moment to the next, the micro-kernel in L1 on two threads had
/// medians of 5 calls anywhere from 241 to 338 GFLOP/s and bests from 246 to 340, and a lab run
/// with medians reported the tiled GEMM at 107% of that "ceiling".
func bestGflops(
  threads: Int, rounds: Int, flopsPerThread: Double, _ work: @Sendable (Int) -> Void
) -> Double {
  var samples: [Double] = []
  for _ in 0..<rounds {
    let seconds = measure {
      if threads == 1 {
        work(0)
      } else {
        DispatchQueue.concurrentPerform(iterations: threads) { work($0) }
      }
    }.seconds
    samples.append(flopsPerThread * Double(threads) / seconds / 1e9)
  }
  return samples.max() ?? 0
}

/// GFLOP/s of `threads` threads each running the FMA loop at once, the best of `rounds`.
func measurePeak<Vector: SIMD & SendableMetatype>(
  _ vector: Vector.Type, threads: Int, iterations: Int, rounds: Int
) -> Double where Vector.Scalar == Float {
  bestGflops(
    threads: threads, rounds: rounds,
    flopsPerThread: Double(iterations) * 12 * Double(Vector.scalarCount) * 2
  ) { _ in blackHole(fmaLoop(Vector.self, iterations: iterations)) }
}

/// The peak for the vector width of `tile` (the registers it was made for), on 1 and on
/// `threads` threads.
func measurePeak(tile: GEMMTile, threads: Int, quick: Bool) -> MeasuredPeak {
  let iterations = quick ? 1_000_000 : 4_000_000
  let rounds = quick ? 3 : 7
  func run(_ threads: Int) -> Double {
    switch tile.vectorWidth {
    case 16:
      measurePeak(SIMD16<Float>.self, threads: threads, iterations: iterations, rounds: rounds)
    case 8: measurePeak(SIMD8<Float>.self, threads: threads, iterations: iterations, rounds: rounds)
    default:
      measurePeak(SIMD4<Float>.self, threads: threads, iterations: iterations, rounds: rounds)
    }
  }
  _ = run(1)  // warm-up: the first round also wakes the core's vector unit to full speed
  let one = run(1)
  let kernelOne = measureKernelInL1(tile: tile, threads: 1, iterations: iterations, rounds: rounds)
  // The first round on all threads can find the other cores asleep (one lab run measured 88
  // GFLOP/s on two threads, then 178): a warm-up round for them too.
  if threads > 1 { _ = run(threads) }
  let all = threads > 1 ? run(threads) : one
  let kernelAll =
    threads > 1
    ? measureKernelInL1(tile: tile, threads: threads, iterations: iterations, rounds: rounds)
    : kernelOne
  return MeasuredPeak(
    oneThreadRuns: [one], allThreadsRuns: [all], kernelOneThreadRuns: [kernelOne],
    kernelAllThreadsRuns: [kernelAll], threads: threads)
}

/// GFLOP/s of `tile`'s micro-kernel on strips that stay in L1, `threads` threads each running
/// its own, the best of `rounds`: as many FMAs per round as `iterations` of the peak's loop.
func measureKernelInL1(tile: GEMMTile, threads: Int, iterations: Int, rounds: Int) -> Double {
  let kernels = (0..<threads).map { _ in UncheckedKernel(MicroKernelInL1(tile: tile)) }
  let calls = iterations * 12 * tile.vectorWidth * 2 / Int(kernels[0].kernel.flopsPerCall)
  kernels[0].kernel.run(calls: calls / 10)  // warm-up: its strips into L1
  let gflops = bestGflops(
    threads: threads, rounds: rounds, flopsPerThread: kernels[0].kernel.flopsPerCall * Double(calls)
  ) { kernels[$0].kernel.run(calls: calls) }
  blackHole(kernels.map(\.kernel.checksum).reduce(0, +))
  return gflops
}

/// One thread's micro-kernel workspace, handed to that thread alone by concurrentPerform.
struct UncheckedKernel: @unchecked Sendable {
  let kernel: MicroKernelInL1
  init(_ kernel: MicroKernelInL1) { self.kernel = kernel }
}

/// Keeps a value alive in the optimizer's eyes.
@inline(never)
func blackHole(_ value: Float) {
  if value == 0.123456 { print("") }
}
