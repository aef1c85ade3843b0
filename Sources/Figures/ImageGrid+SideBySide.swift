import TensorCore

// Two grids in one picture, left and right, to compare them tile for tile: the first-layer filters
// of a model trained on clean images (left) next to those of a denoising one (right), say.
//
// Output row r is the left grid's row r, padded with blank tiles to the left grid's widest row,
// then `separation` blank tiles, then the right grid's row r:
//
//   L L L L . R R R R        (separation 1; "." is a blank tile in the background colour)
//   L L . . . R R R R        a short left row is padded, so the right grid stays in its column
//   . . . . . R R R R        the left grid has run out of rows: a row of blanks on its side
//   L L L L                  the right grid has run out: nothing to align, so no blanks
//
// A blank tile is a tile of the background colour, so the result is an ordinary ImageGrid: it
// renders, saves and reports tile origins as any other.

extension ImageGrid {
  /// `left` and `right` next to each other, `separation` blank tiles apart, rows aligned (see
  /// above). Both grids' tiles must have the same size. The scale, gap, background and strip width
  /// are the left grid's. Row colours are dropped: one strip left of the picture could not say
  /// which of the two grids its colour belongs to.
  public static func sideBySide(_ left: ImageGrid, _ right: ImageGrid, separation: Int = 1)
    -> ImageGrid
  {
    check(separation >= 0, "ImageGrid.sideBySide: separation must be >= 0, not \(separation)")
    let problem = sideBySideProblem(left, right)
    check(problem == nil, problem ?? "")
    let tiles = (left.rows + right.rows).lazy.flatMap { $0 }
    guard let first = tiles.first else {
      return ImageGrid(
        rows: [], scale: left.scale, gap: left.gap, background: left.background,
        stripWidth: left.stripWidth)
    }
    // A grey blank for a grey background, so that a grid of grey tiles still renders grey.
    let blank = PNGImage(
      width: first.width, height: first.height, channels: left.background.isGrey ? 1 : 3,
      fill: left.background)
    let leftWidth = left.rows.map(\.count).max() ?? 0
    let rows = (0..<max(left.rows.count, right.rows.count)).map { r -> [PNGImage] in
      let leftRow = r < left.rows.count ? left.rows[r] : []
      let rightRow = r < right.rows.count ? right.rows[r] : []
      guard !rightRow.isEmpty else { return leftRow }
      let blanks = leftWidth - leftRow.count + separation
      return leftRow + Array(repeating: blank, count: blanks) + rightRow
    }
    return ImageGrid(
      rows: rows, scale: left.scale, gap: left.gap, background: left.background,
      stripWidth: left.stripWidth)
  }

  /// Why `left` and `right` cannot be placed side by side (tiles of different sizes), or nil when
  /// they can. A grid without tiles fits any other.
  static func sideBySideProblem(_ left: ImageGrid, _ right: ImageGrid) -> String? {
    guard let a = left.rows.lazy.flatMap({ $0 }).first,
      let b = right.rows.lazy.flatMap({ $0 }).first,
      a.width != b.width || a.height != b.height
    else { return nil }
    return "ImageGrid.sideBySide: the left grid's tiles are \(a.width)x\(a.height) but the right "
      + "grid's are \(b.width)x\(b.height); both grids need tiles of the same size"
  }

}
