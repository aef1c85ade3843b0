// The corruptions a denoising autoencoder learns to undo. x is (n, d), d = rows·cols pixels per
// image, values in [0, 1]; every corruption returns a new (n, d) tensor, values still in [0, 1]:
//
//   gaussian(σ)         x̃ = clip(x + σ·z, 0, 1), z ~ N(0, 1) independently per pixel
//   masking(ν)          per image, exactly round(ν·d) pixels chosen at random are set to 0
//                       ("zero-masking", Vincent, Larochelle, Bengio & Manzagol 2008)
//   saltAndPepper(s)    per image, exactly round(s·d) pixels chosen at random are each set to
//                       0 or to 1, with probability 1/2 each (Vincent et al. 2010)
//
// round() rounds halves away from zero; the pixels are chosen by a partial Fisher–Yates shuffle
// (RandomPixels.swift) and the Gaussian noise from a fast Box–Muller sampler (NormalSampler.swift).
//
// Randomness: `apply` first takes one generator per image from the caller's, in image order
// (rng.split(), n draws in all, whatever the corruption and level), and each image is corrupted
// with its own. So the same seed gives the same corrupted batch bit for bit, however many threads
// do the work, and the caller's generator moves on by the same n draws at every noise level.
import TensorCore

/// A way of corrupting images, with its strength: Gaussian noise, zero-masking or salt-and-pepper.
public enum Corruption: Sendable, Equatable, Hashable, CustomStringConvertible {
  /// Additive Gaussian noise of standard deviation σ ≥ 0, clipped to [0, 1].
  case gaussian(sigma: Float)
  /// Zero-masking: a fraction ν in [0, 1] of each image's pixels, chosen at random, set to 0.
  case masking(fraction: Float)
  /// Salt-and-pepper: a fraction s in [0, 1] of each image's pixels, chosen at random, each set
  /// to 0 or 1 with probability 1/2.
  case saltAndPepper(fraction: Float)

  /// The corruption's name as a metrics.json key: "gaussian", "masking" or "salt_and_pepper".
  public var kind: String {
    switch self {
    case .gaussian: "gaussian"
    case .masking: "masking"
    case .saltAndPepper: "salt_and_pepper"
    }
  }

  /// Its strength: σ, ν or s.
  public var level: Float {
    switch self {
    case .gaussian(let sigma): sigma
    case .masking(let fraction): fraction
    case .saltAndPepper(let fraction): fraction
    }
  }

  /// For captions: "Gaussian σ = 0.3", "masking ν = 0.5", "salt-and-pepper s = 0.2".
  public var description: String {
    let value = String(format: "%g", Double(level))
    switch self {
    case .gaussian: return "Gaussian σ = \(value)"
    case .masking: return "masking ν = \(value)"
    case .saltAndPepper: return "salt-and-pepper s = \(value)"
    }
  }

  /// Stops with a message unless the level is in range: σ finite and ≥ 0, fractions in [0, 1].
  func checkLevel() {
    switch self {
    case .gaussian(let sigma):
      check(
        sigma >= 0 && sigma.isFinite,
        "Corruption.gaussian: σ must be a finite number ≥ 0, got \(sigma)")
    case .masking(let fraction):
      check(
        fraction >= 0 && fraction <= 1,
        "Corruption.masking: the fraction ν must be in [0, 1], got \(fraction)")
    case .saltAndPepper(let fraction):
      check(
        fraction >= 0 && fraction <= 1,
        "Corruption.saltAndPepper: the fraction s must be in [0, 1], got \(fraction)")
    }
  }

  /// The fewest images worth a thread of their own. A training batch (128 images, about 0.2 ms
  /// of work) runs on the calling thread: splitting it would save a tenth of a millisecond, and
  /// the GEMM's helper threads are still spinning on the other cores right after a training
  /// step. The noisy test set (10,000 images) runs on every core.
  static let imagesPerThread = 128

  /// How many of an image's d pixels masking or salt-and-pepper corrupts: round(fraction · d).
  static func pixelCount(fraction: Float, of d: Int) -> Int {
    Int((Double(fraction) * Double(d)).rounded())
  }

  /// The corrupted copy of the batch `x` (n, d); `x` itself is left alone. Level 0 returns `x`
  /// unchanged (after the same n draws from `rng` as any other level).
  public func apply(to x: Tensor, using rng: inout RandomGenerator) -> Tensor {
    checkLevel()
    checkBatch(x, "Corruption.apply")
    let n = x.shape[0]
    let d = x.shape[1]
    var generators = (0..<n).map { _ in rng.split() }
    if level == 0 { return x }
    switch self {
    case .gaussian(let sigma):
      return Tensor(shape: x.shape) { out in
        x.withUnsafePointer { input in
          generators.withUnsafeMutableBufferPointer { generators in
            forEachImageChunk(count: n, minimumPerChunk: Corruption.imagesPerThread) { images in
              let noise = UnsafeMutableBufferPointer<Float>.allocate(capacity: d)
              defer { noise.deallocate() }
              for i in images {
                generators[i].fillStandardNormal(noise)
                let image = input + i * d
                let corrupted = out + i * d
                for p in 0..<d { corrupted[p] = min(max(image[p] + sigma * noise[p], 0), 1) }
              }
            }
          }
        }
      }
    case .masking(let fraction), .saltAndPepper(let fraction):
      let m = Corruption.pixelCount(fraction: fraction, of: d)
      let salt = if case .saltAndPepper = self { true } else { false }
      var result = x
      result.withUnsafeMutablePointer { out in
        generators.withUnsafeMutableBufferPointer { generators in
          forEachImageChunk(count: n, minimumPerChunk: Corruption.imagesPerThread) { images in
            let order = UnsafeMutableBufferPointer<Int>.allocate(capacity: d)
            defer { order.deallocate() }
            for i in images {
              let image = out + i * d
              if salt {
                // One more draw per chosen pixel for its colour, its top bit: salt (1) or
                // pepper (0).
                forEachRandomPixel(m, order: order, using: &generators[i]) { p, rng in
                  image[p] = Float(rng.next() >> 63)
                }
              } else {
                forEachRandomPixel(m, order: order, using: &generators[i]) { p, _ in image[p] = 0 }
              }
            }
          }
        }
      }
      return result
    }
  }
}
