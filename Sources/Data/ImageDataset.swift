import TensorCore

/// A labelled set of small grey-scale images, such as Fashion-MNIST.
///
/// The pixels stay as bytes (0 = black ... 255 = white): 60,000 images of 28 × 28 take 47 MB this
/// way and would take four times as much as Float. They become Floats in [0, 1] only a mini-batch
/// at a time (see ImageDataset+Batches.swift).
public struct ImageDataset: Sendable, Equatable {
  /// All pixels, image after image, each image row after row: count × rows × cols bytes.
  public let images: [UInt8]
  /// The class of each image, 0..<classNames.count.
  public let labels: [UInt8]
  /// Image height in pixels.
  public let rows: Int
  /// Image width in pixels.
  public let cols: Int
  /// The name of each class, indexed by label.
  public let classNames: [String]

  /// Number of images.
  public var count: Int { labels.count }
  /// Pixels per image: the width of one row of a batch tensor.
  public var pixelsPerImage: Int { rows * cols }
  /// Number of classes.
  public var classCount: Int { classNames.count }

  /// A data set from pixels and labels held in memory. `images` must hold
  /// labels.count × rows × cols bytes and every label must name a class.
  public init(images: [UInt8], labels: [UInt8], rows: Int, cols: Int, classNames: [String]) {
    check(rows > 0 && cols > 0, "ImageDataset: image size \(rows)×\(cols) is empty")
    check(
      images.count == labels.count * rows * cols,
      "ImageDataset: \(images.count) pixels do not make \(labels.count) images of \(rows)×\(cols)")
    check(
      labels.allSatisfy { Int($0) < classNames.count },
      "ImageDataset: a label is outside 0..<\(classNames.count)")
    self.images = images
    self.labels = labels
    self.rows = rows
    self.cols = cols
    self.classNames = classNames
  }

  /// How many images each class has, indexed by label.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classCount)
    for label in labels { counts[Int(label)] += 1 }
    return counts
  }
}

extension ImageDataset: CustomStringConvertible {
  public var description: String {
    "ImageDataset(\(count) images of \(rows)×\(cols), \(classCount) classes)"
  }
}
