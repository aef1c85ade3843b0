import Testing

@testable import Kernels

/// The lab's second ceiling runs the real micro-kernel: check that what it computes is the
/// product of its two strips, added once per call, for every tile.
@Suite("Micro-kernel in L1")
struct MicroKernelInL1Tests {
  @Test("each call adds a's strip times b's strip to c", arguments: GEMMTile.allCases)
  func addsTheStripProduct(_ tile: GEMMTile) {
    let kernel = MicroKernelInL1(tile: tile, depth: 37)
    #expect(kernel.depth == 37)
    #expect(kernel.flopsPerCall == Double(2 * tile.rows * tile.columns * 37))
    // The strips' product, in Double: c[r, j] = Σ_p a[p·rows + r] · b[p·columns + j].
    var expected = [Double](repeating: 0, count: tile.rows * tile.columns)
    for r in 0..<tile.rows {
      for j in 0..<tile.columns {
        for p in 0..<kernel.depth {
          expected[r * tile.columns + j] +=
            Double(kernel.a[p * tile.rows + r]) * Double(kernel.b[p * tile.columns + j])
        }
      }
    }
    #expect(expected.contains { $0 != 0 }, "the strips must not multiply to zero")
    let calls = 3
    kernel.run(calls: calls)
    for i in 0..<expected.count {
      let want = Double(calls) * expected[i]
      #expect(abs(Double(kernel.c[i]) - want) <= 1e-6 + 1e-4 * abs(want), "\(tile) c[\(i)]")
    }
    let total = expected.reduce(0, +) * Double(calls)
    #expect(abs(Double(kernel.checksum) - total) <= 1e-5 + 1e-3 * abs(total))
  }

  @Test("its depth defaults to the deepest strips that fit L1 together")
  func defaultDepth() {
    for tile in GEMMTile.allCases {
      #expect(MicroKernelInL1(tile: tile).depth == MicroKernelInL1.depthInL1(tile: tile))
    }
    // 48 KB: (8 + 32) x 256 floats take 40 KB, under 85% of it; 16 KB: (6 + 16) x 152 take 13 KB.
    #expect(MicroKernelInL1.depthInL1(tile: .avx512, l1: 48 * 1024) == 256)
    #expect(MicroKernelInL1.depthInL1(tile: .avx2, l1: 16 * 1024) == 152)
  }
}
