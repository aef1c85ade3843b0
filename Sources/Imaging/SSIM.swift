// Structural similarity, SSIM (Wang, Bovik, Sheikh & Simoncelli 2004), one number per image.
// a and b are (n, rows·cols): n pairs of images.
//
// PSNR only sees the size of the pixel errors; SSIM compares what the eye notices, locally:
// brightness (the means μ), contrast (the standard deviations σ) and structure (the correlation).
// In a window around each position, with weights w summing to 1,
//
//   μa = Σ w·a      σa² = Σ w·a² − μa²      σab = Σ w·a·b − μa·μb      (μb, σb² likewise)
//
//   SSIM = (2·μa·μb + C1) / (μa² + μb² + C1)  ·  (2·σab + C2) / (σa² + σb² + C2)
//          └───────── luminance ──────────┘     └──── contrast and structure ────┘
//
// with C1 = (0.01·L)², C2 = (0.03·L)², L = 1 the range of pixel values: small constants that
// keep flat, dark windows (μ and σ near 0) from dividing by almost nothing. SSIM is 1 exactly when
// the windows are identical, symmetric in a and b, and at most 1.
//
// The window is the paper's: 11x11 Gaussian, σ = 1.5, valid positions. A Gaussian rather than a
// square window, so that SSIM changes smoothly as the window moves (a square one shows blocking
// artefacts); 11 pixels, so that it spans ±3.3σ; and "valid" positions only, where the whole
// window lies inside the image, as Wang's reference MATLAB code does (filter2(..., 'valid')):
// on 28x28 images an 18x18 map of SSIM values, whose mean is the image's SSIM. The window is the
// outer product of two 1-D Gaussians (GaussianKernel.swift), so each of the five weighted sums
// (of a, b, a², b², a·b) is a pass along the rows and then one along the columns, 22 multiply-adds
// per position instead of 121. Everything is in Double: σa² is a small difference of two numbers
// near μa², which Float would round away.
import TensorCore

/// The SSIM window's side (11 pixels) and its Gaussian's σ (1.5 pixels), as in Wang et al. 2004.
let ssimWindow = 11
let ssimWindowSigma = 1.5

/// SSIM of each image of `b` against the same row of `a`, both (n, rows·cols) with values in
/// [0, 1]: n numbers, each the mean of the SSIM map over every position where the 11x11 Gaussian
/// window (σ = 1.5) fits inside the image. Both sides must be at least 11 pixels.
public func structuralSimilarity(_ a: Tensor, _ b: Tensor, rows: Int, cols: Int) -> [Double] {
  checkBatch(a, rows: rows, cols: cols, "structuralSimilarity")
  checkSameShape(a, b, "structuralSimilarity")
  check(
    rows >= ssimWindow && cols >= ssimWindow,
    "structuralSimilarity: the \(ssimWindow)x\(ssimWindow) window does not fit in a \(rows)x\(cols)"
      + " image; SSIM needs images of at least \(ssimWindow)x\(ssimWindow)")
  let n = a.shape[0]
  let d = rows * cols
  let outRows = rows - ssimWindow + 1
  let outCols = cols - ssimWindow + 1
  let weights = gaussianKernel(sigma: ssimWindowSigma, radius: ssimWindow / 2)
  let c1 = 0.01 * 0.01
  let c2 = 0.03 * 0.03
  return [Double](unsafeUninitializedCapacity: n) { ssim, initialized in
    a.withUnsafePointer { a in
      b.withUnsafePointer { b in
        weights.withUnsafeBufferPointer { w in
          forEachImageChunk(count: n, minimumPerChunk: 64) { images in
            // After the pass along the rows: five (rows, outCols) maps, one after the other.
            let across = UnsafeMutableBufferPointer<Double>.allocate(capacity: 5 * rows * outCols)
            // After the pass along the columns, one output row at a time: five outCols rows.
            let window = UnsafeMutableBufferPointer<Double>.allocate(capacity: 5 * outCols)
            defer {
              across.deallocate()
              window.deallocate()
            }
            let plane = rows * outCols
            for i in images {
              let x = a + i * d
              let y = b + i * d
              // Along each row: the weighted sums of a, b, a², b², ab over 11 neighbours.
              for r in 0..<rows {
                let h = across.baseAddress! + r * outCols
                for j in 0..<outCols {
                  h[j] = 0
                  h[plane + j] = 0
                  h[2 * plane + j] = 0
                  h[3 * plane + j] = 0
                  h[4 * plane + j] = 0
                }
                for k in 0..<ssimWindow {
                  let weight = w[k]
                  let xs = x + r * cols + k
                  let ys = y + r * cols + k
                  for j in 0..<outCols {
                    let p = Double(xs[j])
                    let q = Double(ys[j])
                    h[j] += weight * p
                    h[plane + j] += weight * q
                    h[2 * plane + j] += weight * (p * p)
                    h[3 * plane + j] += weight * (q * q)
                    h[4 * plane + j] += weight * (p * q)
                  }
                }
              }
              // Along each column, then the SSIM formula at every position of the output row.
              var total: Double = 0
              let v = window.baseAddress!
              for r in 0..<outRows {
                for j in 0..<5 * outCols { v[j] = 0 }
                for k in 0..<ssimWindow {
                  let weight = w[k]
                  let h = across.baseAddress! + (r + k) * outCols
                  for j in 0..<outCols {
                    v[j] += weight * h[j]
                    v[outCols + j] += weight * h[plane + j]
                    v[2 * outCols + j] += weight * h[2 * plane + j]
                    v[3 * outCols + j] += weight * h[3 * plane + j]
                    v[4 * outCols + j] += weight * h[4 * plane + j]
                  }
                }
                for j in 0..<outCols {
                  let muA = v[j]
                  let muB = v[outCols + j]
                  let varianceA = v[2 * outCols + j] - muA * muA
                  let varianceB = v[3 * outCols + j] - muB * muB
                  let covariance = v[4 * outCols + j] - muA * muB
                  let luminance = (2 * (muA * muB) + c1) / (muA * muA + muB * muB + c1)
                  let structure = (2 * covariance + c2) / (varianceA + varianceB + c2)
                  total += luminance * structure
                }
              }
              ssim[i] = total / Double(outRows * outCols)
            }
          }
        }
      }
    }
    initialized = n
  }
}

/// The mean over images of structuralSimilarity(a, b, rows:, cols:): one number for a batch.
public func meanSSIM(_ a: Tensor, _ b: Tensor, rows: Int, cols: Int) -> Double {
  let ssim = structuralSimilarity(a, b, rows: rows, cols: cols)
  check(!ssim.isEmpty, "meanSSIM: the batches hold no images (shape \(a.shape))")
  return ssim.reduce(0, +) / Double(ssim.count)
}
