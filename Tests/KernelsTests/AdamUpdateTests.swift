import Testing

@testable import Kernels

@Suite("Adam update kernel")
struct AdamUpdateTests {
  static let step = AdamStep(
    learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01,
    correction1: 1 - 0.9 * 0.9 * 0.9, correction2: 1 - 0.999 * 0.999 * 0.999)

  /// Runs one update with `kernels` on copies of the inputs; returns (theta, m, v).
  static func run(_ kernels: any KernelSet, count: Int) -> ([Float], [Float], [Float]) {
    var rng = TestRandom(seed: UInt64(count))
    var theta = rng.array(count)
    let g = rng.array(count)
    var m = rng.array(count, -0.1, 0.1)
    var v = rng.array(count, 0, 0.01)
    theta.withUnsafeMutableBufferPointer { t in
      m.withUnsafeMutableBufferPointer { mp in
        v.withUnsafeMutableBufferPointer { vp in
          g.withUnsafeBufferPointer { gp in
            kernels.adamUpdate(
              step, theta: t.baseAddress!, gradient: gp.baseAddress!, m: mp.baseAddress!,
              v: vp.baseAddress!, count: count)
          }
        }
      }
    }
    return (theta, m, v)
  }

  /// The SIMD version runs the same operations in the same order as the scalar one (the formula
  /// is one generic function), so the two agree exactly, in the vector body and the scalar tail.
  @Test(arguments: KernelChoice.tiled, [1, 15, 16, 17, 1000, 200_003])
  func tiledEqualsNaiveBitForBit(choice: KernelChoice, count: Int) {
    let reference = Self.run(NaiveKernels(), count: count)
    let tiled = Self.run(choice.kernels, count: count)
    #expect(tiled.0 == reference.0)
    #expect(tiled.1 == reference.1)
    #expect(tiled.2 == reference.2)
  }

  /// Several tensors in one call: the tiled set cuts their joint index space into pieces that
  /// start in one tensor and end in another, and must give each tensor the bits naive gives it
  /// one tensor at a time. Sizes: empty, a single float, a tail only, pieces that straddle
  /// tensors (the large ones go parallel), and chapter 1's biggest layer.
  @Test(arguments: KernelChoice.tiled)
  func severalTensorsInOneCallEqualNaiveOneByOne(choice: KernelChoice) {
    let counts = [0, 1, 15, 200_704, 17, 70_001, 0, 256, 131_073]
    let total = counts.reduce(0, +)
    var rng = TestRandom(seed: 5)
    // θ, m and v of every tensor one after another in one array, g in another, so that every
    // tensor's pointers are valid at once: tensor t's θ starts at the sum of the counts before
    // it, its m `total` floats further on, its v `2·total`.
    let state = rng.array(total) + rng.array(total, -0.1, 0.1) + rng.array(total, 0, 0.01)
    let g = rng.array(total)
    func run(_ kernels: any KernelSet, together: Bool) -> [Float] {
      var state = state
      state.withUnsafeMutableBufferPointer { s in
        g.withUnsafeBufferPointer { g in
          var operands: [AdamOperands] = []
          var at = 0
          for n in counts {
            let theta = s.baseAddress! + at
            operands.append(
              AdamOperands(
                theta: theta, gradient: g.baseAddress! + at, m: theta + total,
                v: theta + 2 * total, count: n))
            at += n
          }
          if together {
            kernels.adamUpdate(Self.step, operands)
          } else {
            for o in operands {
              kernels.adamUpdate(
                Self.step, theta: o.theta, gradient: o.gradient, m: o.m, v: o.v, count: o.count)
            }
          }
        }
      }
      return state
    }
    let reference = run(NaiveKernels(), together: false)
    let tiled = run(choice.kernels, together: true)
    // Counted rather than compared with ==, whose failure report would diff 1.2M floats.
    let wrong = tiled.indices.filter { tiled[$0].bitPattern != reference[$0].bitPattern }
    #expect(
      wrong.isEmpty, "\(wrong.count) of \(tiled.count) floats differ, first at \(wrong.first ?? 0)")
  }

  @Test func oneStepByHand() {
    // m = 0.9·0 + 0.1·2 = 0.2, v = 0.999·0 + 0.001·4 = 0.004; with corrections 0.1 and 0.001
    // m̂ = 2, v̂ = 4, so θ ← 1 − 0.5·(2/(2 + 0) + 0) = 0.5. (In Float, 1 − 0.999 is 0.00100005,
    // so the results are exact only to about 5e-5 relative.)
    let step = AdamStep(
      learningRate: 0.5, beta1: 0.9, beta2: 0.999, epsilon: 0, weightDecay: 0, correction1: 0.1,
      correction2: 0.001)
    var theta: Float = 1
    var m: Float = 0
    var v: Float = 0
    step.update(theta: &theta, g: 2, m: &m, v: &v)
    #expect(Swift.abs(theta - 0.5) < 1e-5)
    #expect(Swift.abs(m - 0.2) < 1e-6)
    #expect(Swift.abs(v - 0.004) < 0.004 * 1e-4)
  }
}
