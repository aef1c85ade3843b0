import Autodiff
import Testing

@testable import Layers
@testable import TensorCore

@Suite("Conv2D and ConvTranspose2D layers")
struct ConvLayerTests {
  @Test func shapesAndParameterCountsFollowTheArithmetic() {
    var rng = RandomGenerator(seed: 1)
    let conv = Conv2D(1, 32, kernel: 3, stride: 2, padding: 1, rng: &rng)
    let x = Variable(random([2, 1, 28, 28], seed: 2, low: 0, high: 1))
    let y = conv(x)
    #expect(y.shape == [2, 32, 14, 14])
    #expect(conv.parameterCount == 32 * 9 + 32)
    #expect(conv.namedParameters.map(\.name) == ["weight", "bias"])
    let up = ConvTranspose2D(32, 1, kernel: 3, stride: 2, padding: 1, outputPadding: 1, rng: &rng)
    #expect(up(y).shape == [2, 1, 28, 28])
    #expect(up.weight.shape == [32, 1, 3, 3])
    // The conv VAE's ends: 7x7 to 1x1 and back.
    let squeeze = Conv2D(64, 128, kernel: 7, rng: &rng)
    let z = squeeze(Variable(random([3, 64, 7, 7], seed: 3)))
    #expect(z.shape == [3, 128, 1, 1])
    #expect(ConvTranspose2D(128, 64, kernel: 7, rng: &rng)(z).shape == [3, 64, 7, 7])
  }

  @Test func heInitialisationHasTheDocumentedSpread() {
    var rng = RandomGenerator(seed: 4)
    let conv = Conv2D(32, 64, kernel: 3, rng: &rng)
    let w = conv.weight.value.scalars.map(Double.init)
    let variance = w.reduce(0) { $0 + $1 * $1 } / Double(w.count)
    // N(0, 2 / (32 · 9)): 18,432 draws, so the sample variance is within a few percent.
    #expect(abs(variance / (2.0 / 288) - 1) < 0.05, "variance \(variance)")
    #expect(conv.bias.value.scalars.allSatisfy { $0 == 0 })
  }
}
