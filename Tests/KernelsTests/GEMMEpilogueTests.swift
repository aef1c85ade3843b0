import Testing

@testable import Kernels

// The GEMM's epilogue (GEMMEpilogue.swift): c = f(c + bias) applied by the tiled GEMM to each
// block of rows as it finishes must give the same bits as the plain GEMM followed by the two
// separate kernels, on every tile, both ways round, over several k-blocks and width blocks.

/// The product, then c = f(c + bias), through the epilogue or as three separate kernels.
func gemm(
  _ kernels: any KernelSet, m: Int, n: Int, k: Int, _ a: [Float], transposeA: Bool, _ b: [Float],
  transposeB: Bool, into c: [Float], accumulate: Bool, bias: [Float]?, activation: UnaryOp?,
  fused: Bool
) -> [Float] {
  var c = c
  a.withUnsafeBufferPointer { a in
    b.withUnsafeBufferPointer { b in
      c.withUnsafeMutableBufferPointer { c in
        func run(_ bias: UnsafePointer<Float>?) {
          let epilogue = GEMMEpilogue(bias: bias, activation: activation)
          if fused {
            kernels.gemm(
              m: m, n: n, k: k, a: a.baseAddress!, transposeA: transposeA, b: b.baseAddress!,
              transposeB: transposeB, c: c.baseAddress!, accumulate: accumulate,
              epilogue: epilogue)
          } else {
            kernels.gemm(
              m: m, n: n, k: k, a: a.baseAddress!, transposeA: transposeA, b: b.baseAddress!,
              transposeB: transposeB, c: c.baseAddress!, accumulate: accumulate)
            kernels.applyEpilogue(epilogue, to: c.baseAddress!, rows: m, columns: n)
          }
        }
        if let bias { bias.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
      }
    }
  }
  return c
}

/// Where two results differ, in a line short enough to read ("3 of 1000 floats differ, first at
/// 17"), or nil when they are the same bits: a failed comparison of whole arrays would print
/// them all.
private func difference(_ x: [UInt32], _ y: [UInt32]) -> String? {
  guard x != y else { return nil }
  guard x.count == y.count else { return "\(x.count) floats against \(y.count)" }
  let differing = zip(x, y).enumerated().filter { $0.element.0 != $0.element.1 }
  return "\(differing.count) of \(x.count) floats differ, first at \(differing[0].offset)"
}

@Suite("GEMM epilogue: bias and activation applied by the GEMM")
struct GEMMEpilogueTests {
  /// Odd shapes (edge strips both ways), chapter 1's forward products, and ones deep and wide
  /// enough for several k-blocks and width blocks with the small blocks below.
  static let shapes = [
    (1, 1, 1), (3, 5, 7), (37, 203, 77), (128, 256, 784), (128, 784, 256), (128, 32, 128),
    (70, 130, 300),
  ]

  static let epilogues: [(bias: Bool, activation: UnaryOp?)] = [
    (true, nil), (false, .relu), (true, .relu), (true, .leakyRelu(slope: 0.2)), (true, .sigmoid),
    (true, .tanh), (true, .square),
  ]

  @Test(
    "every tile, both ways round, 1 and 2 threads: the same bits as the separate kernels",
    arguments: GEMMTile.allCases)
  func sameBitsAsSeparateKernels(_ tile: GEMMTile) {
    var random = TestRandom(seed: 41)
    // The tile's own blocks, and small ones: k in blocks of 64, c in width blocks of 2 strips.
    let blockings = [
      GEMMBlocking(tile: tile),
      GEMMBlocking(maxDepth: 64, maxWidth: 2 * tile.columns, sweepWidth: tile.columns),
    ]
    for (m, n, k) in Self.shapes {
      let a = random.array(m * k)
      let b = random.array(k * n)
      let start = random.array(m * n)
      let bias = random.array(n)
      for (transposeA, transposeB) in everyTranspose {
        for orientation in [GEMMBlocking.Orientation.asWritten, .transposed] {
          for (index, blocking) in blockings.enumerated() {
            for threads in [1, 2] {
              var blocks = blocking
              blocks.orientation = orientation
              let kernels = TiledKernels(threads: threads, tile: tile, blocking: blocks)
              for epilogue in Self.epilogues {
                let accumulate = epilogue.activation == .relu
                func run(fused: Bool) -> [UInt32] {
                  gemm(
                    kernels, m: m, n: n, k: k, a, transposeA: transposeA, b,
                    transposeB: transposeB, into: start, accumulate: accumulate,
                    bias: epilogue.bias ? bias : nil, activation: epilogue.activation,
                    fused: fused
                  ).map(\.bitPattern)
                }
                let label =
                  "\(tile) \(m)x\(n)x\(k) aᵀ=\(transposeA) bᵀ=\(transposeB) \(orientation) "
                  + "blocks \(index) \(threads) thread(s) bias=\(epilogue.bias) "
                  + "f=\(String(describing: epilogue.activation)) acc=\(accumulate)"
                #expect(difference(run(fused: true), run(fused: false)) == nil, "\(label)")
              }
            }
          }
        }
      }
    }
  }

  @Test("agrees with the naive kernels, and with k = 0 gives f(bias) (or f(c + bias))")
  func matchesNaive() {
    var random = TestRandom(seed: 43)
    for (m, n, k) in Self.shapes + [(5, 9, 0)] {
      let a = random.array(m * k)
      let b = random.array(k * n)
      let start = random.array(m * n)
      let bias = random.array(n)
      for accumulate in [false, true] {
        func run(_ kernels: any KernelSet) -> [Float] {
          gemm(
            kernels, m: m, n: n, k: k, a, transposeA: false, b, transposeB: true, into: start,
            accumulate: accumulate, bias: bias, activation: .sigmoid, fused: true)
        }
        let naive = run(NaiveKernels())
        let tiled = run(TiledKernels(threads: 2))
        let worst = zip(naive, tiled).map { Swift.abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "\(m)x\(n)x\(k) acc=\(accumulate): max difference \(worst)")
        if k == 0 {
          for i in 0..<m {
            for j in 0..<n {
              let h = (accumulate ? start[i * n + j] : 0) + bias[j]
              #expect(naive[i * n + j] == logistic(h), "k = 0, (\(i), \(j))")
            }
          }
        }
      }
    }
  }

  @Test("the profiling kernel set passes the epilogue on and times it as one GEMM")
  func profiling() {
    var random = TestRandom(seed: 47)
    let (m, n, k) = (37, 203, 77)
    let a = random.array(m * k)
    let b = random.array(k * n)
    let bias = random.array(n)
    let profiling = ProfilingKernels(TiledKernels(threads: 2))
    let zeros = [Float](repeating: 0, count: m * n)
    func run(_ kernels: any KernelSet) -> [UInt32] {
      gemm(
        kernels, m: m, n: n, k: k, a, transposeA: false, b, transposeB: true, into: zeros,
        accumulate: false, bias: bias, activation: .relu, fused: true
      ).map(\.bitPattern)
    }
    #expect(difference(run(profiling), run(TiledKernels(threads: 2))) == nil)
    let kinds = profiling.tally.sorted.map(\.kind)
    #expect(kinds == ["gemm"])
    #expect(profiling.tally.sorted.first?.entry.calls == 1)
  }
}
