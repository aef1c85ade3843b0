import TensorCore
import Testing

@testable import Imaging

@Suite("Median filter")
struct MedianFilterTests {
  @Test func aFourByFiveImageByHand() {
    // Borders by edge replication: the window of the corner (0, 0) holds x[0,0] four times, x[0,1]
    // and x[1,0] twice each and x[1,1] once: {0.1 ×4, 0.2 ×2, 0.6 ×2, 0.7}, median 0.2.
    // Pixel (1, 0): rows 0–2, columns 0, 0, 1: {0.1, 0.1, 0.2, 0.6, 0.6, 0.7, 0, 0, 0}, median 0.1.
    // The bright 0.9 at (2, 2) sits among {0.7, 0.8, 0.9, 0, 0, 0.5, 0.5, 0.5}: median 0.5.
    let x = Tensor(
      shape: [1, 20],
      scalars: [
        0.1, 0.2, 0.3, 0.4, 0.5,
        0.6, 0.7, 0.8, 0.9, 1.0,
        0.0, 0.0, 0.9, 0.0, 0.0,
        0.5, 0.5, 0.5, 0.5, 0.5,
      ])
    let expected: [Float] = [
      0.2, 0.3, 0.4, 0.5, 0.5,
      0.1, 0.3, 0.4, 0.5, 0.5,
      0.5, 0.5, 0.5, 0.5, 0.5,
      0.5, 0.5, 0.5, 0.5, 0.5,
    ]
    #expect(medianFilter(x, rows: 4, cols: 5).scalars == expected)
    #expect(medianFilter(x, rows: 4, cols: 5, size: 3, method: .sorting).scalars == expected)
  }

  @Test(arguments: [(10, 12), (0, 0), (27, 13), (0, 27)])
  func aSingleSaltPixelIsRemovedCompletely(row: Int, col: Int) {
    // Even in a corner, where replication copies the salt pixel into 4 of the 9 window slots.
    var x = Tensor(repeating: 0.3, shape: [1, 784])
    x.scalars[row * 28 + col] = 1
    #expect(medianFilter(x, rows: 28, cols: 28).scalars.allSatisfy { $0 == 0.3 })
  }

  @Test func aStepEdgeSurvives() {
    // Left half 0, right half 1: every window is mostly on one side, so nothing changes.
    let pixels = (0..<784).map { Float($0 % 28 < 14 ? 0 : 1) }
    let x = Tensor(shape: [1, 784], scalars: pixels)
    #expect(medianFilter(x, rows: 28, cols: 28) == x)
  }

  @Test func theThreeByThreeShortcutEqualsSorting() {
    // Random images, and coarse ones with many ties (values in {0, 0.25, …, 1}).
    let fine = randomImages(20, 19 * 23, seed: 14)
    let coarse = Tensor(shape: fine.shape, scalars: fine.scalars.map { ($0 * 4).rounded() / 4 })
    for x in [fine, coarse] {
      #expect(
        medianFilter(x, rows: 19, cols: 23, size: 3, method: .threeByThree)
          == medianFilter(x, rows: 19, cols: 23, size: 3, method: .sorting))
    }
  }

  @Test func sizeOneIsTheIdentityAndSizeFiveUsesTwentyFivePixels() {
    let x = randomImages(3, 49, seed: 15)
    #expect(medianFilter(x, rows: 7, cols: 7, size: 1) == x)
    // The centre pixel of a 7x7 image under a 5x5 window: the 13th smallest of the middle 25.
    let y = medianFilter(x, rows: 7, cols: 7, size: 5)
    for i in 0..<3 {
      var window = [Float]()
      for r in 1...5 { for c in 1...5 { window.append(x.scalars[i * 49 + r * 7 + c]) } }
      #expect(y.scalars[i * 49 + 3 * 7 + 3] == window.sorted()[12])
    }
  }

  @Test func aLargeBatchMatchesImageByImage() {
    let x = randomImages(400, 784, seed: 16)
    let y = medianFilter(x, rows: 28, cols: 28)
    for i in stride(from: 0, to: 400, by: 31) {
      #expect(medianFilter(image(x, i), rows: 28, cols: 28) == image(y, i))
    }
  }
}
