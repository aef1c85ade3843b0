import Foundation
import TensorCore

// Shared pieces of the Imaging tests: seeded inputs, and a check that a batch call gives each
// image what a call on that image alone gives (so the parallel path cannot mix images up).

/// n images of d pixels, uniform in [0, 1), from a fixed seed.
func randomImages(_ n: Int, _ d: Int, seed: UInt64) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform([n, d], using: &rng)
}

/// A smooth 28x28-style test pattern with structure at several scales, values in [0.1, 0.9].
func patternImage(rows: Int, cols: Int, phase: Double = 0) -> Tensor {
  var pixels = [Float]()
  for r in 0..<rows {
    for c in 0..<cols {
      let value = 0.5 + 0.4 * sin(Double(r) / 2.5 + phase) * cos(Double(c) / 3.5 - phase)
      pixels.append(Float(value))
    }
  }
  return Tensor(shape: [1, rows * cols], scalars: pixels)
}

/// Image i of a batch, as a batch of one.
func image(_ x: Tensor, _ i: Int) -> Tensor { x.rows(i..<i + 1) }
