// Peak signal-to-noise ratio, per image, in decibels. a and b are (n, d): n pairs of images.
//
//   MSEᵢ  = (1/d) Σₚ (aᵢₚ − bᵢₚ)²          (summed in Double)
//   PSNRᵢ = 10 · log₁₀(peak² / MSEᵢ)        peak = the largest possible pixel value, 1 here
//
// Higher is better: each halving of the MSE adds 10·log₁₀ 2 ≈ 3 dB, and an error of 0.1 at every
// pixel gives exactly 20 dB. Two identical images have MSE 0 and would score +∞, which would make
// any mean over images +∞ too; so the MSE is clamped below at 10⁻¹⁰, and no image scores more
// than 10·log₁₀(peak² / 10⁻¹⁰) (100 dB for peak 1). The chapter's headline number is meanPSNR:
// the mean over images of the per-image values (not the PSNR of the mean MSE).
import Foundation
import TensorCore

/// The smallest MSE that peakSignalToNoiseRatio uses, so that identical images score
/// 10·log₁₀(peak² / 10⁻¹⁰) (100 dB for peak 1) rather than +∞.
let psnrMinimumMSE: Double = 1e-10

/// PSNR in dB of each image of `b` against the same row of `a`, both (n, d): n numbers.
/// `peak` is the largest possible pixel value (1 for images in [0, 1]); MSE is clamped below at
/// 10⁻¹⁰, so identical images give 100 dB at peak 1.
public func peakSignalToNoiseRatio(_ a: Tensor, _ b: Tensor, peak: Float = 1) -> [Double] {
  checkBatch(a, "peakSignalToNoiseRatio")
  checkSameShape(a, b, "peakSignalToNoiseRatio")
  check(peak > 0 && peak.isFinite, "peakSignalToNoiseRatio: peak must be > 0, got \(peak)")
  let n = a.shape[0]
  let d = a.shape[1]
  let peakSquared = Double(peak) * Double(peak)
  return [Double](unsafeUninitializedCapacity: n) { psnr, initialized in
    a.withUnsafePointer { a in
      b.withUnsafePointer { b in
        forEachImageChunk(count: n, minimumPerChunk: 512) { images in
          for i in images {
            var sum: Double = 0
            for p in i * d..<(i + 1) * d {
              let difference = Double(a[p]) - Double(b[p])
              sum += difference * difference
            }
            let mse = max(sum / Double(d), psnrMinimumMSE)
            psnr[i] = 10 * log10(peakSquared / mse)
          }
        }
      }
    }
    initialized = n
  }
}

/// The mean over images of peakSignalToNoiseRatio(a, b, peak:): one number in dB for a batch.
public func meanPSNR(_ a: Tensor, _ b: Tensor, peak: Float = 1) -> Double {
  let psnr = peakSignalToNoiseRatio(a, b, peak: peak)
  check(!psnr.isEmpty, "meanPSNR: the batches hold no images (shape \(a.shape))")
  return psnr.reduce(0, +) / Double(psnr.count)
}
