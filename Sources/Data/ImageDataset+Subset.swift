import TensorCore

extension ImageDataset {
  /// The images at `indices`, in that order, as a data set of their own.
  public func subset(_ indices: [Int]) -> ImageDataset {
    let width = pixelsPerImage
    var pixels = [UInt8]()
    pixels.reserveCapacity(indices.count * width)
    for index in indices {
      check(index >= 0 && index < count, "subset: index \(index) is not in 0..<\(count)")
      pixels += images[(index * width)..<((index + 1) * width)]
    }
    return ImageDataset(
      images: pixels, labels: indices.map { labels[$0] }, rows: rows, cols: cols,
      classNames: classNames)
  }

  /// A small, class-balanced data set for quick runs: the first `perClass` images of each class,
  /// kept in the data set's own order (so classes stay mixed). No randomness: the same data give
  /// the same subset. A class with fewer images contributes all it has.
  public func subset(perClass: Int) -> ImageDataset {
    subset(stratifiedIndices(quota: [Int](repeating: perClass, count: classCount)))
  }

  /// Like `subset(perClass:)` with `total` images in all: total / classCount per class, and one
  /// more for each of the first total % classCount classes.
  public func subset(total: Int) -> ImageDataset {
    let share = total / classCount
    let extra = total % classCount
    return subset(stratifiedIndices(quota: (0..<classCount).map { share + ($0 < extra ? 1 : 0) }))
  }

  /// The indices, in order, of the first quota[c] images of each class c.
  func stratifiedIndices(quota: [Int]) -> [Int] {
    var remaining = quota
    var picked = [Int]()
    for (index, label) in labels.enumerated() where remaining[Int(label)] > 0 {
      remaining[Int(label)] -= 1
      picked.append(index)
    }
    return picked
  }
}
