import Foundation
import Testing

@testable import Data

@Suite struct ImageDatasetLoadingTests {
  @Test(arguments: [false, true])
  func loadsASplitWrittenByTheTest(gzip: Bool) throws {
    try withTemporaryDirectory { folder in
      try writeSplit(.test, count: 25, rows: 3, cols: 2, in: folder, gzip: gzip)
      let data = try ImageDataset.load(split: .test, from: folder)
      #expect(data.count == 25)
      #expect(data.rows == 3 && data.cols == 2)
      #expect(data.images.count == 25 * 6)
      #expect(data.labels == (0..<25).map { UInt8($0 % 10) })
      // writeSplit's pixel k of the file is (k / 6 + k) % 256: image 4, pixel 1 is k = 25 -> 29.
      #expect(data.images[25] == 29)
      #expect(data.classNames.first == "T-shirt/top")
    }
  }

  @Test func plainAndGzippedFilesMix() throws {
    try withTemporaryDirectory { folder in
      try writeSplit(.train, count: 12, in: folder, gzip: false)
      // Replace the labels with a gzipped copy.
      let plain = folder.appendingPathComponent(Split.train.labelsFileName)
      let labels = try IDXFile.read(from: plain)
      try FileManager.default.removeItem(at: plain)
      try labels.write(
        to: folder.appendingPathComponent(Split.train.labelsFileName + ".gz"), compressed: true)
      let data = try ImageDataset.load(split: .train, from: folder, labelNames: .digits)
      #expect(data.count == 12)
      #expect(data.classNames == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
    }
  }

  @Test func missingFolderSaysHowToFix() {
    let folder = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)")
    let error = dataError { _ = try ImageDataset.load(split: .test, from: folder) }
    #expect(error == .missingDirectory(folder))
    let message = error?.description ?? ""
    #expect(message.contains(folder.path))
    #expect(message.contains("sudo apt-get install dataset-fashion-mnist"))
    #expect(message.contains("--data-dir"))
    #expect(message.contains("BOTTLENECK_DATA_DIR"))
  }

  @Test func missingFileNamesTheFileAndTheFolder() throws {
    try withTemporaryDirectory { folder in
      try writeSplit(.test, count: 5, in: folder)
      try FileManager.default.removeItem(
        at: folder.appendingPathComponent(Split.test.labelsFileName))
      let error = dataError { _ = try ImageDataset.load(split: .test, from: folder) }
      #expect(error == .missingFile(name: "t10k-labels-idx1-ubyte", directory: folder))
      let message = error?.description ?? ""
      #expect(message.contains("t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz)"))
      #expect(message.contains(folder.path))
      #expect(message.contains("sudo apt-get install dataset-fashion-mnist"))
      // The other split is not there at all: its images are the first file looked for.
      #expect(
        dataError { _ = try ImageDataset.load(split: .train, from: folder) }
          == .missingFile(name: "train-images-idx3-ubyte", directory: folder))
    }
  }

  @Test(arguments: [false, true])
  func imageAndLabelCountsMustAgree(gzip: Bool) throws {
    try withTemporaryDirectory { folder in
      try writeSplit(.test, count: 8, in: folder, gzip: gzip)
      let suffix = gzip ? ".gz" : ""
      let labelsURL = folder.appendingPathComponent(Split.test.labelsFileName + suffix)
      try IDXFile(dims: [7], bytes: [UInt8](repeating: 1, count: 7)).write(
        to: labelsURL, compressed: gzip)
      let imagesURL = folder.appendingPathComponent(Split.test.imagesFileName + suffix)
      let error = dataError { _ = try ImageDataset.load(split: .test, from: folder) }
      #expect(
        error == .countMismatch(images: imagesURL, imageCount: 8, labels: labelsURL, labelCount: 7))
      #expect(error?.description.contains("8 images") == true)
      #expect(error?.description.contains("7 labels") == true)
    }
  }

  @Test func filesInTheWrongRoleAreRejected() throws {
    try withTemporaryDirectory { folder in
      try writeSplit(.test, count: 4, in: folder)
      // A labels file where the images belong: one dimension, not three.
      let imagesURL = folder.appendingPathComponent(Split.test.imagesFileName)
      try IDXFile(dims: [4], bytes: [0, 1, 2, 3]).write(to: imagesURL)
      let error = dataError { _ = try ImageDataset.load(split: .test, from: folder) }
      guard case .unexpectedShape(let url, let dims, _) = error else {
        Issue.record("expected unexpectedShape, got \(String(describing: error))")
        return
      }
      #expect(url == imagesURL && dims == [4])
    }
  }

  @Test func labelsBeyondTheClassNamesAreRejected() throws {
    try withTemporaryDirectory { folder in
      try writeSplit(.test, count: 3, in: folder)
      let labelsURL = folder.appendingPathComponent(Split.test.labelsFileName)
      try IDXFile(dims: [3], bytes: [0, 12, 1]).write(to: labelsURL)
      let error = dataError { _ = try ImageDataset.load(split: .test, from: folder) }
      #expect(error == .labelOutOfRange(labelsURL, index: 1, label: 12, classCount: 10))
    }
  }

  @Test func defaultDirectoryComesFromTheEnvironment() {
    #expect(
      ImageDataset.defaultDirectory(environment: ["BOTTLENECK_DATA_DIR": "/data/mnist"]).path
        == "/data/mnist")
    #expect(ImageDataset.defaultDirectory(environment: [:]) == ImageDataset.systemDirectory)
    #expect(
      ImageDataset.defaultDirectory(environment: ["BOTTLENECK_DATA_DIR": ""])
        == ImageDataset.systemDirectory)
    #expect(ImageDataset.systemDirectory.path == "/usr/share/datasets/fashion-mnist")
  }
}
