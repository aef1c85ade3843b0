import TensorCore

extension ImageDataset {
  /// The images at `indices`, in that order, as a tensor of shape (indices.count, rows·cols):
  /// one flattened image per row, each pixel x/255 in [0, 1].
  public func batch(_ indices: [Int]) -> Tensor {
    let width = pixelsPerImage
    return images.withUnsafeBufferPointer { pixels in
      Tensor(shape: [indices.count, width]) { out in
        for (row, index) in indices.enumerated() {
          check(index >= 0 && index < count, "batch: index \(index) is not in 0..<\(count)")
          let source = pixels.baseAddress! + index * width
          let destination = out + row * width
          // Dividing (not multiplying by 1/255) keeps 255 exactly 1.
          for p in 0..<width { destination[p] = Float(source[p]) / 255 }
        }
      }
    }
  }

  /// The labels at `indices`, in that order.
  public func labels(for indices: [Int]) -> [Int] {
    indices.map { Int(labels[$0]) }
  }

  /// Every image as one tensor of shape (count, rows·cols), pixels in [0, 1].
  public func tensor() -> Tensor { batch(Array(0..<count)) }

  /// Every label, as Ints.
  public func allLabels() -> [Int] { labels.map(Int.init) }

  /// One epoch of mini-batches in the data set's own order (for evaluation).
  public func batches(batchSize: Int, dropLast: Bool = false) -> [[Int]] {
    BatchSchedule.sequential(count: count, batchSize: batchSize, dropLast: dropLast)
  }

  /// One epoch of mini-batches in an order shuffled by `rng` (for training): the same generator
  /// state gives the same batches.
  public func batches(
    batchSize: Int, dropLast: Bool = false, using rng: inout RandomGenerator
  ) -> [[Int]] {
    BatchSchedule.shuffled(count: count, batchSize: batchSize, dropLast: dropLast, using: &rng)
  }
}
