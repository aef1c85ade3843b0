// Gaussian blur, the classical denoiser a learned one has to beat on Gaussian noise.
// x is (n, rows·cols); the result is (n, rows·cols):
//
//   y[r, c] = Σᵢ Σⱼ wᵢ wⱼ x[r + i, c + j]      i, j in −R … R,  R = ⌈3σ⌉
//
// with wᵢ = exp(−i²/2σ²) / Σ exp(−j²/2σ²) (GaussianKernel.swift): weights that sum to 1, so a flat
// image stays flat and the blur keeps each image's total brightness away from the borders.
// Beyond 3σ a Gaussian holds 0.3% of its mass, so the truncation costs little. It runs as two 1-D
// passes, along each row and then along each column. At the borders the image is extended by
// edge replication: a pixel outside takes the value of the nearest pixel inside. σ is in pixels;
// σ = 0 returns x unchanged.
import TensorCore

/// The radius ⌈3σ⌉ of the blur's kernel, in pixels.
func gaussianBlurRadius(sigma: Float) -> Int { Int((3 * Double(sigma)).rounded(.up)) }

/// Each image of `x` (n, rows·cols) blurred by a Gaussian of standard deviation `sigma` pixels
/// (radius ⌈3σ⌉, weights normalised to sum 1, borders by edge replication). σ = 0 returns `x`.
public func gaussianBlur(_ x: Tensor, rows: Int, cols: Int, sigma: Float) -> Tensor {
  checkBatch(x, rows: rows, cols: cols, "gaussianBlur")
  check(
    sigma >= 0 && sigma.isFinite, "gaussianBlur: σ must be a finite number ≥ 0, got \(sigma)")
  if sigma == 0 { return x }
  let radius = gaussianBlurRadius(sigma: sigma)
  let weights = gaussianKernel(sigma: Double(sigma), radius: radius).map { Float($0) }
  let taps = weights.count
  let n = x.shape[0]
  let d = rows * cols
  return Tensor(shape: x.shape) { out in
    x.withUnsafePointer { input in
      weights.withUnsafeBufferPointer { w in
        forEachImageChunk(count: n, minimumPerChunk: 64) { images in
          // One row padded with `radius` copies of its edge pixels on each side, and the
          // image after the first (horizontal) pass.
          let padded = UnsafeMutableBufferPointer<Float>.allocate(capacity: cols + 2 * radius)
          let across = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
          defer {
            padded.deallocate()
            across.deallocate()
          }
          for i in images {
            let image = input + i * d
            // Along each row: across[r, c] = Σₖ w[k] · padded[c + k].
            for r in 0..<rows {
              let row = image + r * cols
              for q in 0..<cols + 2 * radius { padded[q] = row[min(max(q - radius, 0), cols - 1)] }
              let target = across.baseAddress! + r * cols
              for c in 0..<cols { target[c] = 0 }
              for k in 0..<taps {
                let weight = w[k]
                for c in 0..<cols { target[c] += weight * padded[c + k] }
              }
            }
            // Along each column: out[r, c] = Σₖ w[k] · across[r + k − radius (clamped), c].
            let blurred = out + i * d
            for r in 0..<rows {
              let target = blurred + r * cols
              for c in 0..<cols { target[c] = 0 }
              for k in 0..<taps {
                let weight = w[k]
                let source = across.baseAddress! + min(max(r + k - radius, 0), rows - 1) * cols
                for c in 0..<cols { target[c] += weight * source[c] }
              }
            }
          }
        }
      }
    }
  }
}
