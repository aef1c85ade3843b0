// Choosing m of an image's d pixels at random, all m distinct: a partial Fisher–Yates shuffle.
//
//   order = [0, 1, …, d − 1]
//   for j in 0 ..< m:  r = uniform integer in j ..< d;  swap order[j] and order[r];  pick order[j]
//
// After step j, order[0…j] is a uniformly random sequence of j + 1 distinct pixels, so the m
// picked are a uniformly random subset of size exactly m. (The full shuffle, m = d, is
// RandomGenerator.permutation.) The masking and salt-and-pepper corruptions use this to corrupt
// exactly round(fraction · d) pixels of every image, rather than each pixel independently with
// that probability, which would corrupt a different number of pixels in each image.
import TensorCore

extension RandomGenerator {
  /// A uniform integer in 0..<bound (bound ≥ 1), by Lemire's multiply-shift: the high 64 bits
  /// of next() · bound. One multiplication instead of a division; its bias, at most
  /// bound / 2⁶⁴ (4·10⁻¹⁷ for 784 pixels), is far below anything a test could see.
  @inline(__always)
  mutating func below(_ bound: Int) -> Int {
    Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
  }
}

/// Calls `body(pixel, &rng)` for `m` distinct pixels of 0..<`order.count`, chosen uniformly at
/// random by a partial Fisher–Yates shuffle; `body` may draw from `rng` too (salt-and-pepper
/// draws each pixel's colour). `order` is scratch space: it is reset to 0, 1, …, d − 1 first, so
/// the choice depends on the generator alone.
@inline(__always)
func forEachRandomPixel(
  _ m: Int, order: UnsafeMutableBufferPointer<Int>, using rng: inout RandomGenerator,
  _ body: (Int, inout RandomGenerator) -> Void
) {
  let d = order.count
  for p in 0..<d { order[p] = p }
  for j in 0..<m {
    let r = j + rng.below(d - j)
    order.swapAt(j, r)
    body(order[j], &rng)
  }
}
