import Foundation
import TensorCore
import Testing

@testable import Imaging

@Suite("Gaussian blur")
struct GaussianBlurTests {
  @Test func sigmaZeroIsTheIdentity() {
    let x = randomImages(4, 784, seed: 17)
    #expect(gaussianBlur(x, rows: 28, cols: 28, sigma: 0) == x)
  }

  @Test func theWeightsByHand() {
    // σ = 1, radius ⌈3⌉ = 3: exp(−i²/2) for i = 0…3 is 1, 0.60653, 0.13534, 0.011109, which sum
    // (both sides) to 2.5059499; divided by it, the taps from i = −3 to 3:
    let expected = [
      0.004_433_048_175_243_745, 0.054_005_582_622_414_484, 0.242_036_229_376_114_3,
      0.399_050_279_652_454_9, 0.242_036_229_376_114_3, 0.054_005_582_622_414_484,
      0.004_433_048_175_243_745,
    ]
    let weights = gaussianKernel(sigma: 1, radius: 3)
    #expect(weights.count == 7)
    for (w, e) in zip(weights, expected) { #expect(abs(w - e) < 1e-15) }
    #expect(gaussianBlurRadius(sigma: 1) == 3)
    #expect(gaussianBlurRadius(sigma: 0.5) == 2)
    #expect(gaussianBlurRadius(sigma: 0.7) == 3)  // ⌈2.1⌉
    #expect(gaussianBlurRadius(sigma: 1.5) == 5)  // SSIM's window has the same 11 taps
  }

  @Test func aFlatImageStaysFlat() {
    let x = Tensor(repeating: 0.37, shape: [2, 784])
    for sigma: Float in [0.5, 1, 2.5] {
      #expect(
        gaussianBlur(x, rows: 28, cols: 28, sigma: sigma).scalars.allSatisfy {
          abs($0 - 0.37) < 1e-6
        })
    }
  }

  @Test func aBrightPixelSpreadsIntoTheOuterProductOfTheWeights() {
    var x = Tensor(zeros: [1, 784])
    x.scalars[14 * 28 + 14] = 1
    let y = gaussianBlur(x, rows: 28, cols: 28, sigma: 1)
    let w = gaussianKernel(sigma: 1, radius: 3)
    // Far from the borders the blur keeps the total, 1 (up to Float rounding).
    #expect(abs(y.scalars.map(Double.init).reduce(0, +) - 1) < 1e-5)
    for i in -4...4 {
      for j in -4...4 {
        let value = y.scalars[(14 + i) * 28 + 14 + j]
        let expected = abs(i) <= 3 && abs(j) <= 3 ? w[i + 3] * w[j + 3] : 0
        #expect(abs(Double(value) - expected) < 1e-7)
        // Symmetric: mirrored left-right, up-down and across the diagonal.
        #expect(value == y.scalars[(14 - i) * 28 + 14 + j])
        #expect(value == y.scalars[(14 + i) * 28 + 14 - j])
        #expect(abs(value - y.scalars[(14 + j) * 28 + 14 + i]) < 1e-9)
      }
    }
  }

  @Test func bordersByEdgeReplication() {
    // A 1x5 image [1, 0, 0, 0, 0], σ = 0.5 (radius 2, taps w₀ = 0.78657, w₁ = 0.10645,
    // w₂ = 0.00026387). Replication puts two more copies of the 1 to the left of pixel 0:
    //   y₀ = w₋₂ + w₋₁ + w₀ (all three land on pixel 0),  y₁ = w₋₂ + w₋₁,  y₂ = w₋₂,  y₃ = y₄ = 0.
    // (With one row, the vertical pass sums that row's weights: 1.)
    let x = Tensor(shape: [1, 5], scalars: [1, 0, 0, 0, 0])
    let y = gaussianBlur(x, rows: 1, cols: 5, sigma: 0.5).scalars.map(Double.init)
    let (w0, w1, w2) = (
      0.786_570_725_887_342_2, 0.106_450_771_973_591_51, 0.000_263_865_082_737_354_14
    )
    let expected = [w2 + w1 + w0, w2 + w1, w2, 0, 0]
    for (v, e) in zip(y, expected) { #expect(abs(v - e) < 1e-6, "\(y)") }
  }

  @Test func aLargeBatchMatchesImageByImage() {
    let x = randomImages(400, 784, seed: 18)
    let y = gaussianBlur(x, rows: 28, cols: 28, sigma: 1.2)
    for i in stride(from: 0, to: 400, by: 29) {
      #expect(gaussianBlur(image(x, i), rows: 28, cols: 28, sigma: 1.2) == image(y, i))
    }
  }
}
