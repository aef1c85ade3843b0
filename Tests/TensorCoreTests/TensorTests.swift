import Kernels
import Testing

@testable import TensorCore

@Suite("Tensor values, shapes and randomness")
struct TensorTests {
  @Test func copyOnWriteLeavesTheOriginalAlone() {
    let original = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
    var copy = original
    copy[0, 1] = 42
    copy.withUnsafeMutablePointer { $0[3] = -1 }
    #expect(original.scalars == [1, 2, 3, 4])
    #expect(copy.scalars == [1, 42, 3, -1])
  }

  @Test func reshapeInfersOneDimension() {
    let t = Tensor(zeros: [4, 6]).reshaped([3, -1])
    #expect(t.shape == [3, 8])
  }

  @Test func broadcastingAddsARowToEveryRow() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3], scalars: [10, 20, 30])
    #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
    let column = Tensor(shape: [2, 1], scalars: [100, 200])
    #expect((a + column).scalars == [101, 102, 103, 204, 205, 206])
    #expect((column - a).scalars == [99, 98, 97, 196, 195, 194])
    #expect(Tensor.broadcastShape([5, 1, 3], [4, 1]) == [5, 4, 3])
  }

  @Test func sumToShapeUndoesBroadcast() {
    let g = Tensor(repeating: 1, shape: [4, 3])
    #expect(g.sumToShape([3]).scalars == [4, 4, 4])
    #expect(g.sumToShape([4, 1]).scalars == [3, 3, 3, 3])
    #expect(g.sumToShape([1, 1]).scalars == [12])
  }

  @Test func reductionsAlongEachAxis() {
    let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t.sum(alongAxis: 0).scalars == [5, 7, 9])
    #expect(t.sum(alongAxis: 1).scalars == [6, 15])
    #expect(t.sum().scalar == 21)
    #expect(t.mean().scalar == 3.5)
  }

  @Test func matmulOfKnownMatrices() {
    let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let b = Tensor(shape: [3, 2], scalars: [7, 8, 9, 10, 11, 12])
    #expect(Tensor.matmul(a, b).scalars == [58, 64, 139, 154])
    #expect(Tensor.matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
    #expect(Tensor.matmul(a, a, transposeA: true).shape == [3, 3])
    #expect(a.transposed().scalars == [1, 4, 2, 5, 3, 6])
  }

  @Test func slicingConcatAndGather() {
    let t = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    #expect(t.rows(1..<3).scalars == [3, 4, 5, 6])
    #expect(t.slice(axis: 1, 1..<2).scalars == [2, 4, 6])
    let parts = t.split(axis: 1, sizes: [1, 1])
    #expect(Tensor.concat(parts, axis: 1) == t)
    #expect(t.gatherRows([2, 0]).scalars == [5, 6, 1, 2])
  }

  @Test func sameSeedSameDrawsDifferentSeedDifferentDraws() {
    var a = RandomGenerator(seed: 7)
    var b = RandomGenerator(seed: 7)
    var c = RandomGenerator(seed: 8)
    let x = Tensor.normal([100], using: &a)
    #expect(x == Tensor.normal([100], using: &b))
    #expect(x != Tensor.normal([100], using: &c))
  }

  @Test func normalDrawsHaveMeanZeroAndUnitVariance() {
    var rng = RandomGenerator(seed: 1)
    let n = 200_000
    let x = (0..<n).map { _ in Double(rng.normal()) }
    let mean = x.reduce(0, +) / Double(n)
    let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
    #expect(Swift.abs(mean) < 0.01)
    #expect(Swift.abs(variance - 1) < 0.02)
  }

  @Test func permutationIsAPermutation() {
    var rng = RandomGenerator(seed: 3)
    let p = rng.permutation(1000)
    #expect(p.sorted() == Array(0..<1000))
    #expect(p != Array(0..<1000))
  }

  @Test func uniformStaysInRange() {
    var rng = RandomGenerator(seed: 4)
    let u = (0..<10_000).map { _ in rng.uniform() }
    #expect(u.allSatisfy { $0 >= 0 && $0 < 1 })
  }
}
