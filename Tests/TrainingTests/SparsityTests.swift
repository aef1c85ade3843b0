import Autodiff
import Foundation
import Kernels
import Testing

@testable import TensorCore
@testable import Training

private func tensor(_ rows: [[Float]]) -> Tensor {
  Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0 })
}

/// The gradient of a penalty with respect to h, from one backward pass.
private func gradient(_ h: Tensor, _ f: (Variable) -> Variable) -> [Float] {
  let v = Variable(h, requiresGrad: true)
  f(v).backward()
  return v.grad!.scalars
}

private func close(_ a: [Float], _ b: [Float], _ tolerance: Float) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

private func close(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance }
}

/// topK by the definition: sort each row's columns by (value descending, column ascending), keep
/// the first k. The reference the quickselect version must match exactly.
private func topKBySorting(_ h: Tensor, k: Int) -> [Float] {
  let (batch, units) = (h.shape[0], h.shape[1])
  var out = [Float](repeating: 0, count: h.count)
  for b in 0..<batch {
    let row = Array(h.scalars[(b * units)..<((b + 1) * units)])
    let order = (0..<units).sorted { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }
    for j in order.prefix(k) { out[b * units + j] = row[j] }
  }
  return out
}

@Suite("Sparsity: penalties, top-k and measures")
struct SparsityTests {
  // MARK: L1

  @Test func l1OfKnownValues() {
    // Σ|h| = (1 + 2 + 0) + (0.5 + 0 + 0.5) = 4 over a batch of 2: 2.
    let h = tensor([[1, -2, 0], [0.5, 0, -0.5]])
    #expect(l1Penalty(Variable(h)).value.scalar == 2)
    // sign(h)/B, with 0 at 0.
    #expect(gradient(h) { l1Penalty($0) } == [0.5, -0.5, 0, 0.5, 0, -0.5])
  }

  @Test(arguments: ["naive", "tiled"]) func l1Gradient(kernels: String) throws {
    let set = try Kernels.named(kernels)
    // Magnitudes in [0.1, 1] with random signs: far from the kink at 0 compared with ε = 1e-3.
    var rng = RandomGenerator(seed: 31)
    let h = Tensor(
      shape: [4, 6],
      scalars: (0..<24).map { _ in
        rng.uniform(0.1, 1) * (rng.uniform() < 0.5 ? -1 : 1)
      })
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [h]) { v in l1Penalty(v[0]) * 3 }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  // MARK: KL

  @Test func klIsZeroWhenEveryUnitAveragesRho() {
    // ρ̂ = (0.25, 0.25) exactly (binary fractions), so both logs are log 1 = 0.
    let h = tensor([[0.125, 0.375], [0.375, 0.125]])
    #expect(klSparsityPenalty(Variable(h), rho: 0.25).value.scalar == 0)
    #expect(gradient(h) { klSparsityPenalty($0, rho: 0.25) } == [0, 0, 0, 0])
    // Any other code is penalised.
    for seed: UInt64 in 40..<45 {
      let other = random([8, 5], seed: seed, low: 0.05, high: 0.95)
      #expect(klSparsityPenalty(Variable(other), rho: 0.25).value.scalar > 0)
    }
  }

  @Test func klOfAKnownTwoByTwoCode() {
    // ρ = 0.2; ρ̂ = ((0.1 + 0.3)/2, (0.3 + 0.5)/2) = (0.2, 0.4). The first unit costs 0; the second
    //   0.2 log(0.2/0.4) + 0.8 log(0.8/0.6) = −0.1386294 + 0.2301457 = 0.0915162.
    let h = tensor([[0.1, 0.3], [0.3, 0.5]])
    let penalty = klSparsityPenalty(Variable(h), rho: 0.2).value.scalar
    #expect(Swift.abs(penalty - 0.0915162) < 1e-6)
    // ∂/∂h_bj = (1/2)(−ρ/ρ̂_j + (1 − ρ)/(1 − ρ̂_j)): 0 for the first column, and
    // (1/2)(−0.5 + 1.3333333) = 0.4166667 for the second, in both rows.
    let g = gradient(h) { klSparsityPenalty($0, rho: 0.2) }
    #expect(close(g, [0, 0.4166667, 0, 0.4166667], 1e-5), "\(g)")
  }

  @Test func klStaysFiniteForDeadAndSaturatedUnits() {
    // ρ̂ = 0 and ρ̂ = 1 are clamped to 1e-6 and 1 − 1e-6 before the logs.
    let h = tensor([[0, 1], [0, 1]])
    let value = klSparsityPenalty(Variable(h), rho: 0.05).value.scalar
    let expected =
      0.05 * log(0.05 / 1e-6) + 0.95 * log(0.95 / (1 - 1e-6))
      + 0.05 * log(0.05 / (1 - 1e-6)) + 0.95 * log(0.95 / 1e-6)
    #expect(value.isFinite && Swift.abs(Double(value) - expected) < 1e-4 * expected)
    let g = gradient(h) { klSparsityPenalty($0, rho: 0.05) }
    // (1/2)(−ρ/ρ̂ + (1 − ρ)/(1 − ρ̂)) at the clamped ρ̂: the dead unit is pushed up (a negative
    // gradient), the saturated one down.
    let dead = 0.5 * (-0.05 / 1e-6 + 0.95 / (1 - 1e-6))
    let saturated = 0.5 * (-0.05 / (1 - 1e-6) + 0.95 / 1e-6)
    #expect(
      close(g.map(Double.init), [dead, saturated, dead, saturated], 1e-4 * saturated), "\(g)")
  }

  @Test(arguments: ["naive", "tiled"], [Float(0.05), 0.2])
  func klGradient(kernels: String, rho: Float) throws {
    let set = try Kernels.named(kernels)
    let h = random([5, 4], seed: 51, low: 0.05, high: 0.95)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [h]) { v in klSparsityPenalty(v[0], rho: rho) * 3 }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  @Test(arguments: ["naive", "tiled"]) func klGradientThroughASigmoid(kernels: String) throws {
    // As the chapter uses it: the penalty on σ(z), so the gradient also crosses the sigmoid.
    let set = try Kernels.named(kernels)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [random([6, 3], seed: 52, low: -2.5, high: 2.5)]) { v in
        klSparsityPenalty(v[0].sigmoid(), rho: 0.05)
      }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  // MARK: top-k

  @Test func topKKeepsTheLargestAndBreaksTiesByLowerColumn() {
    let h = tensor([
      [3, 1, 3, 2],  // two 3s: both kept
      [4, 1, 0, 1],  // the 1s tie for second place: column 1 wins over column 3
      [2, 2, 2, 2],  // all tie: columns 0 and 1
      [-1, -3, -2, -5],  // negative values are kept too
      [.nan, 1, 0.5, 2],  // a NaN is smaller than every number
    ])
    let y = topK(Variable(h), k: 2).value
    #expect(y.shape == [5, 4])
    let expected: [Float] = [
      3, 0, 3, 0,
      4, 1, 0, 0,
      2, 2, 0, 0,
      -1, 0, -2, 0,
      0, 1, 0, 2,
    ]
    #expect(y.scalars == expected, "\(y)")
    // The gradient flows through the kept entries only, ties included.
    let g = gradient(h) { (topK($0, k: 2) * 3).sum() }
    #expect(
      g == [
        3, 0, 3, 0,
        3, 3, 0, 0,
        3, 3, 0, 0,
        3, 0, 3, 0,
        0, 3, 0, 3,
      ])
  }

  @Test func topKWithKEqualToUnitsIsTheIdentity() {
    let h = random([7, 9], seed: 61)
    #expect(topK(Variable(h), k: 9).value == h)
    #expect(gradient(h) { topK($0, k: 9).sum() } == [Float](repeating: 1, count: 63))
    // k = 1 keeps each row's maximum.
    let y = topK(Variable(h), k: 1).value.scalars
    for b in 0..<7 {
      let row = Array(h.scalars[(b * 9)..<((b + 1) * 9)])
      let out = Array(y[(b * 9)..<((b + 1) * 9)])
      #expect(out.filter { $0 != 0 } == [row.max()!])
    }
  }

  @Test(arguments: [1, 7, 32, 511, 512, 1023, 1024])
  func topKMatchesSortingOnWideRowsWithManyTies(k: Int) {
    // Codes as a ReLU layer makes them: about half exact zeros, the rest on a coarse grid of 16
    // values, so almost every threshold is a tie; plus a sorted and a reversed row, the
    // quickselect's classic bad cases.
    var rng = RandomGenerator(seed: 71)
    var scalars = (0..<(14 * 1024)).map { _ in
      Swift.max(0, (rng.uniform(-1, 1) * 16).rounded(.down) / 16)
    }
    scalars += (0..<1024).map { Float($0) }
    scalars += (0..<1024).map { Float(1023 - $0) }
    let h = Tensor(shape: [16, 1024], scalars: scalars)
    #expect(topK(Variable(h), k: k).value.scalars == topKBySorting(h, k: k))
  }

  @Test(arguments: ["naive", "tiled"]) func topKGradient(kernels: String) throws {
    let set = try Kernels.named(kernels)
    // Each row is a shuffle of well-separated values (gaps ≥ 0.2 − 2·0.02), so no ε = 1e-3 step
    // changes which entries are kept.
    var rng = RandomGenerator(seed: 81)
    var scalars: [Float] = []
    for _ in 0..<4 {
      scalars += rng.permutation(8).map { Float($0) * 0.2 - 0.7 + rng.uniform(-0.02, 0.02) }
    }
    let h = Tensor(shape: [4, 8], scalars: scalars)
    let weights = random([4, 8], seed: 82)
    let r = Kernels.$current.withValue(set) {
      checkGradients(at: [h]) { v in
        let y = topK(v[0], k: 3)
        return (y * y * Variable(weights)).sum() + (y * Variable(weights)).sum()
      }
    }
    #expect(r.passes(tolerance: 1e-3), "\(r)")
  }

  // MARK: Measures

  /// 4 images, 5 units. Unit 3 never leaves ±0.01 and unit 4 is always 0: both dead at 1e-2.
  private let codes = tensor([
    [0, 0.5, 0.005, 0, 0],
    [0, 0, 1, 0.01, 0],
    [0.02, 0, -0.01, -0.005, 0],
    [0, 0, 0, 0, 0],
  ])

  @Test func populationSparsityOfKnownCodes() {
    // Near zero at 1e-2 (bounds included): 4, 4, 4 and 5 of 5 units: (0.8 · 3 + 1)/4 = 0.85.
    #expect(Swift.abs(populationSparsity(codes) - 0.85) < 1e-12)
    // At 1e-3: 3, 3, 2 and 5 of 5: (0.6 + 0.6 + 0.4 + 1)/4 = 0.65.
    #expect(Swift.abs(populationSparsity(codes, threshold: 1e-3) - 0.65) < 1e-12)
    #expect(populationSparsity(Tensor(repeating: 0.5, shape: [3, 4])) == 0)
  }

  @Test func lifetimeActivationOfKnownCodes() {
    let means = lifetimeActivation(codes)
    // Column means: 0.02/4, 0.5/4, (0.005 + 1 − 0.01)/4, (0.01 − 0.005)/4, 0.
    #expect(close(means, [0.005, 0.125, 0.24875, 0.00125, 0], 1e-8), "\(means)")
  }

  @Test func deadUnitsOfKnownCodes() {
    #expect(deadUnits(codes) == 2)  // units 3 and 4
    #expect(deadUnits(codes, threshold: 1e-3) == 1)  // unit 4 only
    #expect(deadUnits(codes, threshold: 1) == 5)
  }

  @Test func fractionWithinCountsValuesNearTheTarget() {
    // Within ±50% of 0.25, i.e. [0.125, 0.375] (bounds included): 0.25, 0.125, 0.375, 0.3.
    let values = [0.25, 0.125, 0.375, 0.1, 0.4, 0.3]
    #expect(fractionWithin(values, relative: 0.5, of: 0.25) == 4.0 / 6.0)
    #expect(fractionWithin(values, relative: 0, of: 0.25) == 1.0 / 6.0)
    // The chapter's use: units within 25% of ρ = 0.05, i.e. [0.0375, 0.0625]: 0.05, 0.04, 0.061.
    #expect(fractionWithin([0.05, 0.04, 0.061, 0.2, 0], relative: 0.25, of: 0.05) == 0.6)
  }
}
