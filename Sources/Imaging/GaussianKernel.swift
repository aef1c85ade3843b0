// The 1-D Gaussian kernel that the Gaussian blur and SSIM's window are made of:
//
//   wᵢ = exp(−i² / 2σ²) / Σⱼ exp(−j² / 2σ²)      for i, j in −radius … radius
//
// 2·radius + 1 taps that sum to 1, so a flat image stays flat. A 2-D Gaussian is the outer
// product of two of these, wᵢⱼ = wᵢ·wⱼ, which is why a 2-D Gaussian filter can run as a pass
// along the rows followed by a pass along the columns ("separable"): 2·(2r + 1) multiply-adds per
// pixel instead of (2r + 1)².
import Foundation

/// The normalised Gaussian weights w₋ᵣ … wᵣ (index i + radius holds wᵢ), computed in Double.
/// σ must be > 0 and radius ≥ 0.
func gaussianKernel(sigma: Double, radius: Int) -> [Double] {
  let weights = (-radius...radius).map { i in exp(-Double(i * i) / (2 * sigma * sigma)) }
  let total = weights.reduce(0, +)
  return weights.map { $0 / total }
}
