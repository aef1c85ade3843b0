import Foundation
import TensorCore
import Testing

@testable import Data

/// Tests on the real Fashion-MNIST files from the Debian package `dataset-fashion-mnist`.
/// They are skipped (and reported as skipped) on a machine without the package.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: ImageDataset.systemDirectory.path)))
struct FashionMNISTTests {
  @Test func testSplitHasTenThousandBalancedImages() throws {
    let data = try ImageDataset.load(split: .test, from: ImageDataset.systemDirectory)
    #expect(data.count == 10_000)
    #expect(data.rows == 28 && data.cols == 28)
    #expect(data.images.count == 10_000 * 784)
    #expect(data.classCounts == [Int](repeating: 1_000, count: 10))
    #expect(data.classNames[9] == "Ankle boot")
    // Real photos use the whole grey range and are mostly dark background.
    #expect(data.images.min() == 0 && data.images.max() == 255)
    let meanPixel = Double(data.images.reduce(0) { $0 + Int($1) }) / Double(data.images.count)
    #expect(meanPixel > 50 && meanPixel < 90)  // Fashion-MNIST's mean is about 73
  }

  @Test func trainSplitHasSixtyThousandImages() throws {
    let data = try ImageDataset.load(split: .train, from: ImageDataset.systemDirectory)
    #expect(data.count == 60_000)
    #expect(data.classCounts == [Int](repeating: 6_000, count: 10))
    let slice = data.batch(Array(0..<100))
    #expect(slice.shape == [100, 784])
    #expect(slice.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
  }

  @Test func batchesOfRealImagesAreInTheUnitInterval() throws {
    let data = try ImageDataset.load(split: .test, from: ImageDataset.systemDirectory)
    var rng = RandomGenerator(seed: 3)
    let batches = data.batches(batchSize: 256, using: &rng)
    #expect(batches.flatMap { $0 }.sorted() == Array(0..<10_000))
    let x = data.batch(batches[0])
    #expect(x.shape == [256, 784])
    #expect(x.scalars.min()! >= 0 && x.scalars.max()! <= 1)
    #expect(x.scalars.max()! > 0.99)  // some pixel in 256 images is (near) white
    // Pixels really are the file's bytes over 255.
    let first = batches[0][0]
    #expect(x.scalars[100] == Float(data.images[first * 784 + 100]) / 255)
    #expect(data.labels(for: batches[0]).allSatisfy { (0..<10).contains($0) })
  }

  @Test func quickSubsetIsBalanced() throws {
    let data = try ImageDataset.load(split: .test, from: ImageDataset.systemDirectory)
    let quick = data.subset(perClass: 50)
    #expect(quick.count == 500)
    #expect(quick.classCounts == [Int](repeating: 50, count: 10))
    #expect(quick == data.subset(perClass: 50))  // deterministic
    let odd = data.subset(total: 1_003)
    #expect(odd.classCounts == [101, 101, 101] + [Int](repeating: 100, count: 7))
  }
}
