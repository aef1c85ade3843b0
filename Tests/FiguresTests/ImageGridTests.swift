import TensorCore
import Testing

@testable import Figures

// Tiles of 2x2 pixels drawn at scale 2 (4x4 blocks) with a 1-pixel gap: the layout is
//   x: 0 gap | 1...4 tile 0 | 5 gap | 6...9 tile 1 | 10 gap   (width 11)
//   y: 0 gap | 1...4 row 0  | 5 gap | 6...9 row 1  | 10 gap   (height 11)

let tileA: [Float] = [0, 1, 0.5, 0.25]  // top-left black, top-right white, bottom row grey
let tileB: [Float] = [-3, 7, 1, 0]  // clamps to 0, 1, 1, 0

@Test func gridLayoutIsExact() {
  let grid = ImageGrid(
    rows: [[tileA, tileB], [tileB]], imageWidth: 2, imageHeight: 2, scale: 2, gap: 1,
    background: RGB(grey: 200))
  let image = grid.render()
  #expect(image.width == 11 && image.height == 11 && image.channels == 1)
  #expect(grid.origin(row: 0, column: 1) == (6, 1))
  #expect(grid.origin(row: 1, column: 0) == (1, 6))
  func level(_ x: Int, _ y: Int) -> UInt8 { image.pixels[y * 11 + x] }
  // Edges and gaps are background.
  for i in 0..<11 {
    #expect(level(i, 0) == 200 && level(0, i) == 200 && level(i, 10) == 200 && level(10, i) == 200)
    #expect(level(5, i) == 200 && level(i, 5) == 200)
  }
  // Tile A, each source pixel a 2x2 block.
  for (x, y) in [(1, 1), (2, 1), (1, 2), (2, 2)] { #expect(level(x, y) == 0) }
  for (x, y) in [(3, 1), (4, 1), (3, 2), (4, 2)] { #expect(level(x, y) == 255) }
  #expect(level(1, 3) == 128 && level(2, 4) == 128)  // 0.5 * 255 = 127.5 rounds to 128
  #expect(level(3, 3) == 64 && level(4, 4) == 64)  // 0.25 * 255 = 63.75
  // Tile B, clamped.
  #expect(level(6, 1) == 0 && level(8, 1) == 255 && level(6, 3) == 255 && level(9, 4) == 0)
  // Row 1 has one tile; the rest of the row is background.
  #expect(level(1, 6) == 0 && level(3, 6) == 255 && level(6, 6) == 200 && level(9, 9) == 200)
}

@Test func gridFromTensorsMatchesGridFromArrays() {
  let row0 = Tensor(shape: [2, 4], scalars: tileA + tileB)
  let row1 = Tensor(shape: [1, 2, 2], scalars: tileB)
  let fromTensors = ImageGrid(
    rows: [row0, row1], imageWidth: 2, imageHeight: 2, scale: 2, gap: 1,
    background: RGB(grey: 200))
  let fromArrays = ImageGrid(
    rows: [[tileA, tileB], [tileB]], imageWidth: 2, imageHeight: 2, scale: 2, gap: 1,
    background: RGB(grey: 200))
  #expect(fromTensors.render() == fromArrays.render())
}

@Test func rowColorsAddAStripAndMakeTheGridRGB() {
  let red = RGB(255, 0, 0)
  let blue = RGB(0, 0, 255)
  var grid = ImageGrid(
    rows: [[tileA], [tileB]], imageWidth: 2, imageHeight: 2, scale: 2, gap: 1,
    background: .white, rowColors: [red, blue])
  grid.stripWidth = 3
  let image = grid.render()
  // x: 0 gap | 1...3 strip | 4 gap | 5...8 tile | 9 gap
  #expect(image.channels == 3 && image.width == 10 && image.height == 11)
  #expect(grid.origin(row: 0, column: 0) == (5, 1))
  #expect(image[1, 1] == red && image[3, 4] == red && image[2, 6] == blue && image[3, 9] == blue)
  #expect(image[2, 5] == .white && image[4, 2] == .white && image[0, 0] == .white)
  #expect(image[5, 1] == .black && image[7, 1] == .white && image[8, 4] == RGB(grey: 64))
}

@Test func colouredBackgroundMakesTheGridRGB() {
  let grid = ImageGrid(
    rows: [[tileA]], imageWidth: 2, imageHeight: 2, scale: 1, gap: 2, background: RGB(10, 20, 30))
  let image = grid.render()
  #expect(image.channels == 3 && image.width == 6 && image.height == 6)
  #expect(image[0, 0] == RGB(10, 20, 30) && image[2, 2] == .black && image[3, 2] == .white)
}

@Test func filterGridUsesTheDivergingMap() {
  // Two units of 2x2 weights; the shared scale is 2, the largest |w|.
  let weights = Tensor(shape: [2, 4], scalars: [-2, 0, 2, 1, 0, 0, 0, -1])
  let grid = ImageGrid.filters(weights, columns: 1, imageWidth: 2, imageHeight: 2, scale: 1, gap: 1)
  let image = grid.render()
  // One column: x 0 gap, 1...2 tile, 3 gap; two rows: y 1...2 and 4...5.
  #expect(image.channels == 3 && image.width == 4 && image.height == 7)
  #expect(image[0, 0] == RGB(grey: 96))
  #expect(image[1, 1] == ColorMap.diverging(-2, scale: 2))  // full blue
  #expect(image[2, 1] == .white)
  #expect(image[1, 2] == ColorMap.diverging(2, scale: 2))  // full red
  #expect(image[2, 2] == ColorMap.diverging(1, scale: 2))  // half red
  #expect(image[2, 5] == ColorMap.diverging(-1, scale: 2))  // shared scale: -1 is half blue

  // Per-tile scale: unit 1's -1 is its largest |w|, so it gets the full blue.
  let own = ImageGrid.filters(
    weights, columns: 2, imageWidth: 2, imageHeight: 2, sharedScale: false, scale: 1, gap: 1
  ).render()
  #expect(own[5, 2] == ColorMap.diverging(-1, scale: 1))
}

@Test func gridOfNoRowsIsJustTheBorder() {
  let grid = ImageGrid(rows: [[PNGImage]](), gap: 3)
  #expect(grid.render().width == 3 && grid.render().height == 3)
}
