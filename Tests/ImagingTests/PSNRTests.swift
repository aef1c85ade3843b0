import Foundation
import TensorCore
import Testing

@testable import Imaging

@Suite("Peak signal-to-noise ratio")
struct PSNRTests {
  @Test func identicalImagesScoreTheClampedHundredDecibels() {
    let x = randomImages(5, 784, seed: 4)
    let psnr = peakSignalToNoiseRatio(x, x)
    #expect(psnr.count == 5)
    #expect(psnr.allSatisfy { abs($0 - 100) < 1e-9 }, "\(psnr)")
    #expect(abs(meanPSNR(x, x) - 100) < 1e-9)
  }

  @Test func anErrorOfOneTenthEverywhereIsTwentyDecibels() {
    // 0.1 is not a Float: the offsets are Float(0.1) and Float(0.2) − Float(0.1), which is exactly
    // Float(0.1) = 0.1 + 1.5·10⁻⁹, so 10·log₁₀(1 / 0.1²) = 20 dB up to 1.3·10⁻⁷.
    let a = Tensor(shape: [2, 4], scalars: [0, 0, 0, 0, 0.2, 0.2, 0.2, 0.2])
    let b = Tensor(repeating: 0.1, shape: [2, 4])
    let psnr = peakSignalToNoiseRatio(a, b)
    #expect(psnr.allSatisfy { abs($0 - 20) < 1e-6 }, "\(psnr)")
  }

  @Test func twoPixelImagesByHand() {
    // Image 0: errors 0.5 and 0, MSE = 0.125, PSNR = 10·log₁₀ 8 = 9.0309 dB.
    // Image 1: errors 0.25 and 0.25, MSE = 0.0625, PSNR = 10·log₁₀ 16 = 12.0412 dB.
    let a = Tensor(shape: [2, 2], scalars: [0, 0.5, 1, 0])
    let b = Tensor(shape: [2, 2], scalars: [0.5, 0.5, 0.75, 0.25])
    let psnr = peakSignalToNoiseRatio(a, b)
    #expect(abs(psnr[0] - 9.030_899_869_919_435) < 1e-9)
    #expect(abs(psnr[1] - 12.041_199_826_559_248) < 1e-9)
    // The headline number is the mean of the per-image values, not the PSNR of the mean MSE
    // (which would be 10·log₁₀(1 / 0.09375) = 10.28 dB).
    #expect(abs(meanPSNR(a, b) - 10.536_049_848_239_342) < 1e-9)
    // peak 2 adds 10·log₁₀ 4 = 6.0206 dB; the arguments' order does not matter.
    #expect(
      abs(
        peakSignalToNoiseRatio(a, b, peak: 2)[0] - (9.030_899_869_919_435 + 6.020_599_913_279_624))
        < 1e-9)
    #expect(peakSignalToNoiseRatio(b, a) == psnr)
  }

  @Test func aLargeBatchMatchesImageByImage() {
    let a = randomImages(2000, 784, seed: 5)
    let b = randomImages(2000, 784, seed: 6)
    let psnr = peakSignalToNoiseRatio(a, b)
    for i in stride(from: 0, to: 2000, by: 97) {
      #expect(peakSignalToNoiseRatio(image(a, i), image(b, i)) == [psnr[i]])
    }
    // Two independent uniform images: MSE = 1/6, about 7.78 dB.
    #expect(abs(meanPSNR(a, b) - 10 * log10(6.0)) < 0.05)
  }
}
