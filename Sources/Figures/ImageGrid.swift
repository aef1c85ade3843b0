import TensorCore

// Many small images in one picture: rows of tiles, the usual way to compare inputs with their
// reconstructions (row 1 the originals, row 2 what the autoencoder gives back) or to show what each
// hidden unit's weights look like.
//
// Layout, for `gap` g, tiles of w x h pixels drawn `scale` s times larger, and optional row colours:
//
//   g |strip| g |tile s*w| g |tile s*w| g      every row is s*h pixels tall;
//                                              g pixels above the first row, between rows and
//                                              below the last
//
// Everything that is not a tile or a strip is the background colour. Rows may hold different
// numbers of tiles; short rows leave background on the right.

/// Rows of equally sized images, upscaled and separated by a gap.
public struct ImageGrid: Sendable {
  /// The tiles, row by row. All must have the same width and height (grey or RGB may mix).
  public var rows: [[PNGImage]]
  /// Each tile pixel becomes a `scale` x `scale` block (nearest neighbour), so 28x28 digits are
  /// big enough to see.
  public var scale: Int
  /// Pixels of background between tiles and around the edge.
  public var gap: Int
  /// The colour of the gaps.
  public var background: RGB
  /// One colour per row, drawn as a strip left of the row (the class of each row, say); nil for
  /// no strips.
  public var rowColors: [RGB]?
  /// Width of the row-colour strip in pixels.
  public var stripWidth: Int

  public init(
    rows: [[PNGImage]], scale: Int = 3, gap: Int = 2, background: RGB = .white,
    rowColors: [RGB]? = nil, stripWidth: Int = 8
  ) {
    check(scale >= 1 && gap >= 0 && stripWidth >= 0, "ImageGrid: bad scale, gap or strip")
    if let first = rows.lazy.flatMap({ $0 }).first {
      check(
        rows.allSatisfy { $0.allSatisfy { $0.width == first.width && $0.height == first.height } },
        "ImageGrid: all tiles must be \(first.width)x\(first.height)")
    }
    check(
      rowColors == nil || rowColors!.count == rows.count,
      "ImageGrid: \(rowColors?.count ?? 0) row colours for \(rows.count) rows")
    self.rows = rows
    self.scale = scale
    self.gap = gap
    self.background = background
    self.rowColors = rowColors
    self.stripWidth = stripWidth
  }

  /// A grid of grey images: each tensor is one row of shape (n, imageHeight * imageWidth) (or any
  /// shape whose first dimension is n), values in [0, 1] (clamped).
  public init(
    rows: [Tensor], imageWidth: Int = 28, imageHeight: Int = 28, scale: Int = 3, gap: Int = 2,
    background: RGB = .white, rowColors: [RGB]? = nil
  ) {
    let tiles = rows.map { row -> [PNGImage] in
      let n = row.shape.first ?? 0
      let size = imageWidth * imageHeight
      check(
        row.rank >= 1 && row.count == n * size,
        "ImageGrid: a row of shape \(row.shape) is not n images of \(imageWidth)x\(imageHeight)")
      return (0..<n).map { i in
        PNGImage(
          grey: row.scalars[(i * size)..<((i + 1) * size)], width: imageWidth, height: imageHeight)
      }
    }
    self.init(
      rows: tiles, scale: scale, gap: gap, background: background, rowColors: rowColors)
  }

  /// A grid of grey images given as arrays: `rows[r][i]` is image i of row r, imageHeight *
  /// imageWidth values in [0, 1] (clamped), row-major.
  public init(
    rows: [[[Float]]], imageWidth: Int = 28, imageHeight: Int = 28, scale: Int = 3, gap: Int = 2,
    background: RGB = .white, rowColors: [RGB]? = nil
  ) {
    let tiles = rows.map { row in
      row.map { PNGImage(grey: $0, width: imageWidth, height: imageHeight) }
    }
    self.init(
      rows: tiles, scale: scale, gap: gap, background: background, rowColors: rowColors)
  }

  /// A grid of weight tiles: each row of `weights` (shape (units, imageHeight * imageWidth)) drawn
  /// in the diverging colour map, `columns` tiles per grid row. With `sharedScale` every tile uses
  /// the largest |w| of the whole matrix (colours comparable across units); without, each tile its
  /// own (shows the pattern of weak units too). The background is mid grey, so that white (zero)
  /// tiles stand out from it.
  public static func filters(
    _ weights: Tensor, columns: Int, imageWidth: Int = 28, imageHeight: Int = 28,
    sharedScale: Bool = true, scale: Int = 3, gap: Int = 2, background: RGB = RGB(grey: 96)
  ) -> ImageGrid {
    let size = imageWidth * imageHeight
    check(
      weights.rank == 2 && weights.shape[1] == size,
      "ImageGrid.filters: weights of shape \(weights.shape) are not (units, \(size))")
    check(columns >= 1, "ImageGrid.filters: columns must be >= 1")
    let units = weights.shape[0]
    let shared = weights.scalars.reduce(0) { max($0, abs($1)) }
    let tiles = (0..<units).map { unit in
      PNGImage(
        weights: weights.scalars[(unit * size)..<((unit + 1) * size)], width: imageWidth,
        height: imageHeight, scale: sharedScale ? shared : nil)
    }
    let rows = stride(from: 0, to: units, by: columns).map {
      Array(tiles[$0..<min($0 + columns, units)])
    }
    return ImageGrid(rows: rows, scale: scale, gap: gap, background: background)
  }

  /// Width and height of one tile after upscaling.
  public var tileSize: (width: Int, height: Int) {
    let first = rows.lazy.flatMap { $0 }.first
    return ((first?.width ?? 0) * scale, (first?.height ?? 0) * scale)
  }

  /// The x where tiles start: after the edge gap, and after the strip and its gap if present.
  private var tilesLeft: Int { rowColors == nil ? gap : gap + stripWidth + gap }

  /// The top-left pixel of tile `column` in row `row` of the rendered image.
  public func origin(row: Int, column: Int) -> (x: Int, y: Int) {
    let tile = tileSize
    return (tilesLeft + column * (tile.width + gap), gap + row * (tile.height + gap))
  }

  /// Size of the rendered image.
  public var size: (width: Int, height: Int) {
    let columns = rows.map(\.count).max() ?? 0
    let tile = tileSize
    return (tilesLeft + columns * (tile.width + gap), gap + rows.count * (tile.height + gap))
  }

  /// Draws the grid. The result is grey when every tile is grey, the background is a grey and
  /// there are no row colours; otherwise RGB.
  public func render() -> PNGImage {
    let grey =
      rowColors == nil && background.isGrey
      && rows.allSatisfy { $0.allSatisfy { $0.channels == 1 } }
    let (width, height) = size
    var image = PNGImage(width: width, height: height, channels: grey ? 1 : 3, fill: background)
    let tile = tileSize
    for (r, row) in rows.enumerated() {
      if let color = rowColors?[r] {
        let top = origin(row: r, column: 0).y
        for y in top..<(top + tile.height) {
          for x in gap..<(gap + stripWidth) { image[x, y] = color }
        }
      }
      for (c, source) in row.enumerated() {
        let (left, top) = origin(row: r, column: c)
        // Nearest neighbour: output pixel (x, y) of the tile shows source pixel (x / s, y / s).
        for y in 0..<tile.height {
          for x in 0..<tile.width {
            image[left + x, top + y] = source[x / scale, y / scale]
          }
        }
      }
    }
    return image
  }
}
