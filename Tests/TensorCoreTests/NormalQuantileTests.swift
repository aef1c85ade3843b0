import Foundation
import Testing

@testable import TensorCore

@Suite("Normal quantile Φ⁻¹")
struct NormalQuantileTests {
  @Test func knownValues() {
    #expect(inverseNormalCDF(0.5) == 0)
    #expect(Swift.abs(inverseNormalCDF(0.975) - 1.959963984540054) < 1e-12)
    #expect(Swift.abs(inverseNormalCDF(0.8413447460685429) - 1) < 1e-12)
    #expect(Swift.abs(inverseNormalCDF(1e-10) - -6.361340902404056) < 1e-9)
  }

  @Test func invertsTheDistributionFunctionEverywhere() {
    // Across both tails and the centre (Acklam's three pieces meet at 0.02425 and 0.97575).
    for p in [
      1e-12, 1e-6, 0.001, 0.02, 0.02425, 0.0243, 0.1, 0.3, 0.6, 0.9, 0.97575, 0.99, 1 - 1e-9,
    ] {
      let z = inverseNormalCDF(p)
      #expect(Swift.abs(normalCDF(z) - p) < 1e-12 + 1e-9 * p, "p = \(p), z = \(z)")
      // (1 − p is rounded to 1e-16, which Φ⁻¹'s slope 1/φ(z) magnifies in the far tail.)
      if p >= 1e-9 {
        #expect(Swift.abs(inverseNormalCDF(1 - p) + z) < 1e-7, "symmetry at p = \(p)")
      }
    }
  }

  @Test func standardNormalTensorIsSeededAndShaped() {
    var a = RandomGenerator(seed: 5)
    var b = RandomGenerator(seed: 5)
    let x = Tensor.standardNormal([3, 7], using: &a)
    #expect(x.shape == [3, 7])
    #expect(x == Tensor.standardNormal([3, 7], using: &b))
    #expect(Tensor.standardNormal([0, 4], using: &a).count == 0)
  }
}
