import Foundation

/// The two halves of MNIST-style data: 60,000 training and 10,000 test images.
public enum Split: String, Sendable, CaseIterable {
  case train
  case test

  /// The standard file names, without `.gz` ("t10k" is the test set: ten thousand images).
  public var imagesFileName: String {
    self == .train ? "train-images-idx3-ubyte" : "t10k-images-idx3-ubyte"
  }
  public var labelsFileName: String {
    self == .train ? "train-labels-idx1-ubyte" : "t10k-labels-idx1-ubyte"
  }
}

extension ImageDataset {
  /// Where the Debian package `dataset-fashion-mnist` installs the data.
  public static let systemDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

  /// The folder to load from when none is given: $BOTTLENECK_DATA_DIR if it is set and not empty,
  /// else `systemDirectory`.
  public static func defaultDirectory(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> URL {
    if let path = environment["BOTTLENECK_DATA_DIR"], !path.isEmpty {
      return URL(fileURLWithPath: path)
    }
    return systemDirectory
  }

  /// Loads one split from `directory`, which holds the four standard IDX files, each plain or
  /// gzipped (`train-images-idx3-ubyte` or `train-images-idx3-ubyte.gz`, and so on).
  /// `labelNames` names the classes: `.fashion` for Fashion-MNIST, `.digits` for MNIST.
  public static func load(
    split: Split, from directory: URL = defaultDirectory(), labelNames: LabelNames = .fashion
  ) throws -> ImageDataset {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder),
      isFolder.boolValue
    else { throw DataError.missingDirectory(directory) }

    let imagesURL = try locate(split.imagesFileName, in: directory)
    let labelsURL = try locate(split.labelsFileName, in: directory)
    let images = try IDXFile.read(from: imagesURL)
    let labels = try IDXFile.read(from: labelsURL)

    guard images.dims.count == 3, images.dims[1] > 0, images.dims[2] > 0 else {
      throw DataError.unexpectedShape(
        imagesURL, dims: images.dims, expected: "[count, rows, cols] (three dimensions)")
    }
    guard labels.dims.count == 1 else {
      throw DataError.unexpectedShape(
        labelsURL, dims: labels.dims, expected: "[count] (one dimension)")
    }
    guard images.dims[0] == labels.dims[0] else {
      throw DataError.countMismatch(
        images: imagesURL, imageCount: images.dims[0], labels: labelsURL,
        labelCount: labels.dims[0])
    }
    let classNames = labelNames.classNames
    if let bad = labels.bytes.firstIndex(where: { Int($0) >= classNames.count }) {
      throw DataError.labelOutOfRange(
        labelsURL, index: bad, label: Int(labels.bytes[bad]), classCount: classNames.count)
    }
    return ImageDataset(
      images: images.bytes, labels: labels.bytes, rows: images.dims[1], cols: images.dims[2],
      classNames: classNames)
  }

  /// The file `name` in `directory`, else `name.gz`; the plain one wins if both are there.
  static func locate(_ name: String, in directory: URL) throws -> URL {
    for candidate in [name, name + ".gz"] {
      let url = directory.appendingPathComponent(candidate)
      if FileManager.default.fileExists(atPath: url.path) { return url }
    }
    throw DataError.missingFile(name: name, directory: directory)
  }
}
