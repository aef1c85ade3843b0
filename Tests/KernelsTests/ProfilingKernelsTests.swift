import Testing

@testable import Kernels

@Suite("Profiling kernels")
struct ProfilingKernelsTests {
  @Test func passesCallsThroughAndCountsThem() {
    let profiling = ProfilingKernels(NaiveKernels())
    var rng = TestRandom(seed: 1)
    let a = rng.array(6)
    let b = rng.array(12)
    var viaProfile = [Float](repeating: 0, count: 8)
    var direct = [Float](repeating: 0, count: 8)
    for (kernels, out) in [(profiling as any KernelSet, 0), (NaiveKernels(), 1)] {
      var c = [Float](repeating: 0, count: 8)
      kernels.gemm(
        m: 2, n: 4, k: 3, a: a, transposeA: false, b: b, transposeB: false, c: &c,
        accumulate: false)
      kernels.unary(.relu, c, &c, count: 8)
      c[0] = Float(kernels.sumOfSquares(c, minus: nil, count: 8))
      if out == 0 { viaProfile = c } else { direct = c }
    }
    #expect(viaProfile == direct)
    let tally = Dictionary(uniqueKeysWithValues: profiling.tally.sorted.map { ($0.kind, $0.entry) })
    #expect(tally["gemm"]?.calls == 1)
    #expect(tally["gemm"].map { $0.flops == 48 } == true)
    #expect(tally["unary relu"]?.calls == 1)
    #expect(tally["sum of squares"]?.calls == 1)
    #expect(profiling.tally.totalSeconds >= 0)
    #expect(profiling.name == "naive")
  }
}
