import TensorCore

/// A tensor of the given shape with elements uniform in [low, high), from a seeded generator.
func random(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
  var rng = RandomGenerator(seed: seed)
  return Tensor.uniform(shape, low: low, high: high, using: &rng)
}
