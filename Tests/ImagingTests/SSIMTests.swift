import Foundation
import TensorCore
import Testing

@testable import Imaging

/// SSIM as the formula reads: the 11x11 Gaussian window built directly in 2-D (121 weights), the
/// five weighted sums at each valid position, the SSIM map, its mean. The library's separable
/// version must agree with it.
func referenceSSIM(_ a: [Float], _ b: [Float], rows: Int, cols: Int) -> Double {
  var window = [[Double]](repeating: [Double](repeating: 0, count: 11), count: 11)
  var total = 0.0
  for i in 0..<11 {
    for j in 0..<11 {
      window[i][j] = exp(-Double((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5))
      total += window[i][j]
    }
  }
  let (c1, c2) = (0.0001, 0.0009)
  var sum = 0.0
  for r in 0...(rows - 11) {
    for c in 0...(cols - 11) {
      var (ma, mb, aa, bb, ab) = (0.0, 0.0, 0.0, 0.0, 0.0)
      for i in 0..<11 {
        for j in 0..<11 {
          let w = window[i][j] / total
          let x = Double(a[(r + i) * cols + c + j])
          let y = Double(b[(r + i) * cols + c + j])
          ma += w * x
          mb += w * y
          aa += w * x * x
          bb += w * y * y
          ab += w * x * y
        }
      }
      let (va, vb, cov) = (aa - ma * ma, bb - mb * mb, ab - ma * mb)
      sum += (2 * ma * mb + c1) * (2 * cov + c2) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    }
  }
  return sum / Double((rows - 10) * (cols - 10))
}

@Suite("Structural similarity (SSIM)")
struct SSIMTests {
  @Test func identicalImagesScoreOne() {
    let x = randomImages(4, 784, seed: 7)
    let ssim = structuralSimilarity(x, x, rows: 28, cols: 28)
    #expect(ssim.allSatisfy { abs($0 - 1) < 1e-12 }, "\(ssim)")
    #expect(abs(meanSSIM(x, x, rows: 28, cols: 28) - 1) < 1e-12)
  }

  @Test(arguments: [(Float(0.3), Float(0.5)), (0.1, 0.2), (0.6, 0.1), (0, 0.25)])
  func flatImagesScoreTheirLuminanceTerm(a: Float, b: Float) {
    // No variation: σa = σb = σab = 0, the contrast-structure factor is C2 / C2 = 1, and SSIM is
    // the luminance term (2ab + C1) / (a² + b² + C1) at every position.
    let (x, y) = (Double(a), Double(b))
    let c1 = 0.01 * 0.01
    let expected = (2 * x * y + c1) / (x * x + y * y + c1)
    let ssim = structuralSimilarity(
      Tensor(repeating: a, shape: [1, 784]), Tensor(repeating: b, shape: [1, 784]), rows: 28,
      cols: 28)
    #expect(abs(ssim[0] - expected) < 1e-9, "\(ssim[0]) vs \(expected)")
  }

  @Test func symmetricInItsArguments() {
    let a = randomImages(6, 784, seed: 8)
    let b = randomImages(6, 784, seed: 9)
    let ab = structuralSimilarity(a, b, rows: 28, cols: 28)
    let ba = structuralSimilarity(b, a, rows: 28, cols: 28)
    for (x, y) in zip(ab, ba) { #expect(abs(x - y) < 1e-12) }
  }

  @Test func agreesWithTheDirect121TapFormulaOnNonSquareImages() {
    // 13 x 17 images: a 3 x 7 map of valid positions, which catches rows and columns swapped.
    let a = randomImages(3, 13 * 17, seed: 10)
    var rng = RandomGenerator(seed: 20)
    let b = Corruption.gaussian(sigma: 0.2).apply(to: a, using: &rng)
    let ssim = structuralSimilarity(a, b, rows: 13, cols: 17)
    for i in 0..<3 {
      let expected = referenceSSIM(
        image(a, i).scalars, image(b, i).scalars, rows: 13, cols: 17)
      #expect(abs(ssim[i] - expected) < 1e-12, "\(ssim[i]) vs \(expected)")
    }
    // On 28 x 28, the 18 x 18 map, and the smallest image, 11 x 11, a single position.
    let x = patternImage(rows: 28, cols: 28)
    let y = Corruption.masking(fraction: 0.3).apply(to: x, using: &rng)
    #expect(
      abs(
        structuralSimilarity(x, y, rows: 28, cols: 28)[0]
          - referenceSSIM(x.scalars, y.scalars, rows: 28, cols: 28)) < 1e-12)
    let small = randomImages(1, 121, seed: 11)
    let smallNoisy = Corruption.gaussian(sigma: 0.1).apply(to: small, using: &rng)
    #expect(
      abs(
        structuralSimilarity(small, smallNoisy, rows: 11, cols: 11)[0]
          - referenceSSIM(small.scalars, smallNoisy.scalars, rows: 11, cols: 11)) < 1e-12)
  }

  @Test func noisierImagesScoreLower() {
    let clean = patternImage(rows: 28, cols: 28)
    var scores = [Double]()
    for sigma: Float in [0.02, 0.05, 0.1, 0.2, 0.4] {
      var rng = RandomGenerator(seed: 21)
      let noisy = Corruption.gaussian(sigma: sigma).apply(to: clean, using: &rng)
      scores.append(structuralSimilarity(clean, noisy, rows: 28, cols: 28)[0])
    }
    #expect(zip(scores, scores.dropFirst()).allSatisfy { $0 > $1 }, "\(scores)")
    #expect(scores.allSatisfy { $0 < 1 && $0 > 0 }, "\(scores)")
  }

  @Test func aLargeBatchMatchesImageByImage() {
    let a = randomImages(500, 784, seed: 12)
    let b = randomImages(500, 784, seed: 13)
    let ssim = structuralSimilarity(a, b, rows: 28, cols: 28)
    for i in stride(from: 0, to: 500, by: 37) {
      #expect(structuralSimilarity(image(a, i), image(b, i), rows: 28, cols: 28) == [ssim[i]])
    }
  }

  @Test func anImageSmallerThanTheWindowStopsWithAMessage() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = structuralSimilarity(
        Tensor(zeros: [1, 280]), Tensor(zeros: [1, 280]), rows: 10, cols: 28)
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("11x11") && message.contains("10x28"), "\(message)")
  }
}
