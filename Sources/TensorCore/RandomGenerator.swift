import Foundation

/// A small, fast, seeded random number generator (SplitMix64, Steele, Lea & Flood 2014).
///
/// Every random draw in the package (initial weights, shuffles, dropout masks, noise) comes from one
/// of these, so the same seed gives the same run. It conforms to `RandomNumberGenerator`, so Swift's
/// own `shuffled(using:)` and `Float.random(in:using:)` work with it too.
public struct RandomGenerator: RandomNumberGenerator, Sendable {
  /// The generator's whole state: a checkpoint saves it, and `RandomGenerator(seed: state)`
  /// continues the stream exactly where it was (SplitMix64's seed *is* its state).
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A generator for a sub-task (one per layer, say) whose stream does not overlap this one's in
  /// practice; advances this generator by one step.
  public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }

  /// Uniform in [0, 1) with 24 random bits, the full precision of a Float's mantissa.
  public mutating func uniform() -> Float {
    Float(next() >> 40) * (1.0 / 16_777_216.0)
  }

  /// Uniform in [low, high).
  public mutating func uniform(_ low: Float, _ high: Float) -> Float {
    low + (high - low) * uniform()
  }

  /// A standard normal draw by the Box–Muller transform: for u1, u2 uniform in (0, 1],
  /// sqrt(−2 ln u1) · cos(2π u2) is N(0, 1). (The sine twin is discarded to keep the state simple.)
  public mutating func normal() -> Float {
    let u1 = Double((next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)  // (0, 1]
    let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
  }

  /// N(mean, std²).
  public mutating func normal(mean: Float, std: Float) -> Float { mean + std * normal() }

  /// A uniformly random permutation of 0..<n (Fisher–Yates).
  public mutating func permutation(_ n: Int) -> [Int] {
    var p = Array(0..<n)
    if n < 2 { return p }
    for i in stride(from: n - 1, to: 0, by: -1) {
      let j = Int(next() % UInt64(i + 1))
      p.swapAt(i, j)
    }
    return p
  }
}

extension Tensor {
  /// Elements drawn uniformly from [low, high).
  public static func uniform(
    _ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomGenerator
  ) -> Tensor {
    Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in rng.uniform(low, high) })
  }

  /// Elements drawn from N(mean, std²).
  public static func normal(
    _ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomGenerator
  ) -> Tensor {
    Tensor(
      shape: shape,
      scalars: (0..<shape.reduce(1, *)).map { _ in rng.normal(mean: mean, std: std) })
  }
}
