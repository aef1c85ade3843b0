import TensorCore

/// How one epoch over `count` samples is cut into mini-batches of indices.
///
/// Each epoch visits every sample once. When `count` is not a multiple of `batchSize` the last
/// batch is smaller; `dropLast: true` leaves it out, which keeps every step's batch the same size
/// (a few samples then sit out that epoch: different ones each epoch when shuffled).
public enum BatchSchedule {
  /// Batches of consecutive indices 0..<count.
  public static func sequential(count: Int, batchSize: Int, dropLast: Bool = false) -> [[Int]] {
    cut(Array(0..<count), batchSize: batchSize, dropLast: dropLast)
  }

  /// Batches of a random permutation of 0..<count drawn from `rng`.
  public static func shuffled(
    count: Int, batchSize: Int, dropLast: Bool = false, using rng: inout RandomGenerator
  ) -> [[Int]] {
    cut(rng.permutation(count), batchSize: batchSize, dropLast: dropLast)
  }

  /// `order` cut into consecutive pieces of `batchSize`.
  static func cut(_ order: [Int], batchSize: Int, dropLast: Bool) -> [[Int]] {
    check(batchSize > 0, "BatchSchedule: batch size \(batchSize) must be positive")
    return stride(from: 0, to: order.count, by: batchSize).compactMap { start in
      let end = min(start + batchSize, order.count)
      if dropLast && end - start < batchSize { return nil }
      return Array(order[start..<end])
    }
  }
}
