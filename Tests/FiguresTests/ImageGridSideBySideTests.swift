import Foundation
import TensorCore
import Testing

@testable import Figures

// tileA and tileB (2x2 grey tiles) are defined in ImageGridTests.swift.
private let a = PNGImage(grey: tileA, width: 2, height: 2)
private let b = PNGImage(grey: tileB, width: 2, height: 2)

@Suite("ImageGrid.sideBySide")
struct ImageGridSideBySideTests {
  @Test func rowsArePaddedSoTheRightGridStaysAligned() {
    let left = ImageGrid(rows: [[a, b], [a]], scale: 1, gap: 1, background: RGB(grey: 200))
    let right = ImageGrid(rows: [[b], [a], [b]], scale: 3, gap: 4, background: .black)
    let grid = ImageGrid.sideBySide(left, right)
    let blank = PNGImage(width: 2, height: 2, channels: 1, fill: RGB(grey: 200))
    // Row 0: the left row is full, one tile of separation. Row 1: the short left row is padded
    // too. Row 2: the left grid has no row 2, so its side is all blanks.
    #expect(grid.rows == [[a, b, blank, b], [a, blank, blank, a], [blank, blank, blank, b]])
    // Scale, gap and background are the left grid's.
    #expect(grid.scale == 1 && grid.gap == 1 && grid.background == RGB(grey: 200))
    #expect(grid.rowColors == nil)
  }

  @Test func aRightGridWithFewerRowsLeavesTheLeftRowsAlone() {
    let left = ImageGrid(rows: [[a, b, a], [a, b], [a]], background: .white)
    let right = ImageGrid(rows: [[b, b]], background: .white)
    let grid = ImageGrid.sideBySide(left, right, separation: 2)
    #expect(grid.rows.map(\.count) == [3 + 2 + 2, 2, 1])
    #expect(grid.rows[0][3] == PNGImage(width: 2, height: 2, channels: 1, fill: .white))
    #expect(grid.rows[0][5] == b && grid.rows[1] == [a, b] && grid.rows[2] == [a])
    // No separation: the right grid starts right after the left one's widest row.
    #expect(ImageGrid.sideBySide(left, right, separation: 0).rows[0] == [a, b, a, b, b])
  }

  @Test func blanksTakeAColouredBackgroundAndRowColoursAreDropped() {
    let teal = RGB(10, 120, 130)
    let left = ImageGrid(
      rows: [[a], []], scale: 1, gap: 1, background: teal, rowColors: [.black, .white])
    let right = ImageGrid(rows: [[b], [b]], rowColors: [.black, .white])
    let grid = ImageGrid.sideBySide(left, right)
    #expect(grid.rowColors == nil)
    #expect(grid.rows[1][0] == PNGImage(width: 2, height: 2, channels: 3, fill: teal))
    let image = grid.render()
    #expect(image.channels == 3)
    // x: 0 gap | 1...2 tile | 3 gap | 4...5 blank | 6 gap | 7...8 right tile | 9 gap
    #expect(image.width == 10 && image.height == 7)
    #expect(image[4, 1] == teal && image[2, 5] == teal && image[7, 1] == .black)
  }

  @Test func renderedPixelsSitWhereTheLayoutSays() {
    let left = ImageGrid(rows: [[a, b], [a]], scale: 1, gap: 1, background: RGB(grey: 200))
    let right = ImageGrid(rows: [[b], [a], [b]], scale: 2, gap: 3, background: .black)
    let grid = ImageGrid.sideBySide(left, right)
    let image = grid.render()
    // Four columns of 2-pixel tiles with 1-pixel gaps: tile column c starts at x = 1 + 3c, tile
    // row r at y = 1 + 3r.
    #expect(image.channels == 1 && image.width == 13 && image.height == 10)
    #expect(grid.origin(row: 2, column: 3) == (10, 7))
    func level(_ x: Int, _ y: Int) -> UInt8 { image.pixels[y * 13 + x] }
    // Row 0: a, b, blank, b.
    #expect(level(1, 1) == 0 && level(2, 1) == 255 && level(1, 2) == 128 && level(2, 2) == 64)
    #expect(level(4, 1) == 0 && level(5, 1) == 255 && level(4, 2) == 255 && level(5, 2) == 0)
    for (x, y) in [(7, 1), (8, 1), (7, 2), (8, 2)] { #expect(level(x, y) == 200) }
    #expect(level(10, 1) == 0 && level(11, 1) == 255 && level(10, 2) == 255 && level(11, 2) == 0)
    // Row 1: a, blank, blank, a.
    #expect(level(1, 4) == 0 && level(5, 5) == 200 && level(8, 4) == 200)
    #expect(level(10, 4) == 0 && level(11, 4) == 255 && level(10, 5) == 128)
    // Row 2: blanks on the left grid's side, b on the right.
    for x in 0..<10 { #expect(level(x, 7) == 200 && level(x, 8) == 200) }
    #expect(level(10, 7) == 0 && level(11, 7) == 255 && level(10, 8) == 255 && level(11, 8) == 0)
    // Gaps and edges are the left grid's background.
    for i in 0..<10 { #expect(level(0, i) == 200 && level(12, i) == 200 && level(9, i) == 200) }
  }

  @Test func anEmptyGridFitsAnyOther() {
    let empty = ImageGrid(rows: [] as [[PNGImage]], background: .white)
    let right = ImageGrid(rows: [[b]])
    #expect(ImageGrid.sideBySideProblem(empty, right) == nil)
    let blank = PNGImage(width: 2, height: 2, channels: 1, fill: .white)
    #expect(ImageGrid.sideBySide(empty, right).rows == [[blank, b]])
    #expect(ImageGrid.sideBySide(right, empty).rows == [[b]])
    #expect(ImageGrid.sideBySide(empty, empty).rows.isEmpty)
  }

  @Test func tilesOfDifferentSizesAreRefused() async {
    let small = ImageGrid(rows: [[a]])
    let big = ImageGrid(rows: [
      [PNGImage(grey: [Float](repeating: 0, count: 12), width: 4, height: 3)]
    ])
    #expect(ImageGrid.sideBySideProblem(small, small) == nil)
    #expect(
      ImageGrid.sideBySideProblem(small, big)
        == "ImageGrid.sideBySide: the left grid's tiles are 2x2 but the right grid's are 4x3; "
        + "both grids need tiles of the same size")
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      let small = ImageGrid(rows: [[PNGImage(width: 2, height: 2, channels: 1, fill: .white)]])
      let big = ImageGrid(rows: [[PNGImage(width: 4, height: 3, channels: 1, fill: .white)]])
      _ = ImageGrid.sideBySide(small, big)
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("tiles are 2x2 but the right grid's are 4x3"), "\(message)")
  }

  /// Two grids of 48 filters, 8 to a row, as the denoising chapter compares them: noisy weights
  /// (left) and smooth strokes (right). Written to /tmp/side-by-side-example.png to be looked at.
  @Test func drawsTheFiltersExample() throws {
    var rng = RandomGenerator(seed: 7)
    let noisy = (0..<(48 * 784)).map { _ in rng.uniform(-1, 1) }
    let smooth = (0..<48).flatMap { unit -> [Float] in
      let angle = Float(unit) * .pi / 12
      let frequency = 0.15 + 0.02 * Float(unit % 5)
      return (0..<784).map { p in
        let x = Float(p % 28) - 13.5
        let y = Float(p / 28) - 13.5
        let along = x * cos(angle) + y * sin(angle)
        return sin(frequency * along * 2) * exp(-(x * x + y * y) / 80)
      }
    }
    let left = ImageGrid.filters(Tensor(shape: [48, 784], scalars: noisy), columns: 8)
    let right = ImageGrid.filters(Tensor(shape: [48, 784], scalars: smooth), columns: 8)
    let grid = ImageGrid.sideBySide(left, right)
    #expect(grid.rows.count == 6 && grid.rows.allSatisfy { $0.count == 17 })
    let image = grid.render()
    // 17 tiles of 84 pixels and 18 gaps of 2 across; 6 rows down.
    #expect(image.width == 17 * 84 + 18 * 2 && image.height == 6 * 84 + 7 * 2)
    #expect(image[grid.origin(row: 0, column: 8).x + 40, 40] == RGB(grey: 96))
    try image.write(to: URL(fileURLWithPath: "/tmp/side-by-side-example.png"))
  }
}
