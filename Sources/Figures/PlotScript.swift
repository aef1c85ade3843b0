import AtomicWrites
import Foundation

// A plot on disk is three files side by side in the output folder:
//   loss.gp   the gnuplot script (text the learner can read, edit and re-run)
//   loss.dat  the numbers, in blocks that the script picks with `index N`
//   loss.png  the picture gnuplot draws
// LinePlot, ScatterPlot and HistogramPlot each build a PlotScript; PlotScript writes and renders.

/// Something that can be turned into a gnuplot script with its data.
public protocol Plot: Sendable {
  /// The script and data for this plot; `name` is the base of the file names ("loss").
  func script(named name: String) -> PlotScript
}

extension Plot {
  /// Writes `name`.gp and its data into `folder`, and draws `name`.png when gnuplot is installed.
  /// Returns the PNG's URL, or nil when gnuplot was not found (the script is still written).
  @discardableResult
  public func render(named name: String, in folder: URL, gnuplot: URL? = Gnuplot.find()) throws
    -> URL?
  {
    try script(named: name).render(in: folder, gnuplot: gnuplot)
  }
}

/// Where the legend ("key") goes.
public enum KeyPosition: String, Sendable {
  case topRight = "top right"
  case topLeft = "top left"
  case bottomRight = "bottom right"
  case bottomLeft = "bottom left"
  /// Right of the plot area, outside it: never covers data, takes some width.
  case outsideRight = "outside right top"
  /// No legend.
  case none = "off"

  /// The `set key` line: inside positions get a white box so the legend stays readable over data.
  var command: String {
    switch self {
    case .none: return "set key off"
    case .outsideRight: return "set key outside right top vertical Left reverse samplen 2"
    default:
      return "set key \(rawValue) opaque box lc rgb '#bbbbbb' Left reverse samplen 2 spacing 1.2"
    }
  }
}

/// A gnuplot script and the data files it reads.
public struct PlotScript: Sendable, Equatable {
  /// A data file: its name in the output folder and its text.
  public struct DataFile: Sendable, Equatable {
    public var name: String
    public var contents: String

    public init(name: String, contents: String) {
      self.name = name
      self.contents = contents
    }
  }

  /// Base name: the script is `name`.gp and draws `name`.png.
  public var name: String
  /// The text of `name`.gp.
  public var script: String
  /// The files the script reads, e.g. `name`.dat.
  public var dataFiles: [DataFile]

  public init(name: String, script: String, dataFiles: [DataFile]) {
    self.name = name
    self.script = script
    self.dataFiles = dataFiles
  }

  public var scriptFileName: String { name + ".gp" }
  public var imageFileName: String { name + ".png" }

  /// Writes the script and its data files into `folder` (each atomically). Returns the script's URL.
  @discardableResult
  public func write(in folder: URL) throws -> URL {
    for file in dataFiles {
      try FigureError.writing { () throws(AtomicFile.Failure) in
        try AtomicFile.write(file.contents, to: folder.appendingPathComponent(file.name))
      }
    }
    let url = folder.appendingPathComponent(scriptFileName)
    try FigureError.writing { () throws(AtomicFile.Failure) in try AtomicFile.write(script, to: url)
    }
    return url
  }

  /// Writes the files, then runs `gnuplot` (when given; by default found on PATH) in `folder` to
  /// draw `name`.png. gnuplot draws into a temporary file that is renamed when it succeeds, so a
  /// failed run leaves no broken PNG. Returns the PNG's URL, or nil when there is no gnuplot: then
  /// one line on stderr (once per run) says how to install it and draw the script by hand.
  @discardableResult
  public func render(in folder: URL, gnuplot: URL? = Gnuplot.find()) throws -> URL? {
    try write(in: folder)
    guard let gnuplot else {
      Gnuplot.reportMissing(
        script: scriptFileName, dataFiles: dataFiles.map(\.name), folder: folder)
      return nil
    }
    let image = folder.appendingPathComponent(imageFileName)
    let temporary = AtomicFile.temporaryURL(for: image)
    do {
      // The script's first line reads `outfile` if it is set, else uses name.png.
      try Gnuplot.run(
        gnuplot, script: scriptFileName, in: folder,
        variables: ["outfile": temporary.lastPathComponent])
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
    guard FileManager.default.fileExists(atPath: temporary.path) else {
      throw FigureError.gnuplotFailed(
        script: scriptFileName, folder: folder.path, status: 0,
        message: "gnuplot finished but wrote no image (does the script use `set output outfile`?)")
    }
    try FigureError.writing { () throws(AtomicFile.Failure) in
      try AtomicFile.moveIntoPlace(temporary, image)
    }
    return image
  }

  /// The lines every script starts with: how to re-run it, the PNG terminal, a light grid.
  /// `size` is the picture in pixels.
  static func preamble(name: String, dataFiles: [String], size: (width: Int, height: Int))
    -> String
  {
    """
    # \(name).gp: a gnuplot script written by Bottleneck. To draw it again (after editing, say),
    # run `gnuplot \(name).gp` in this folder.
    # Reads \(dataFiles.joined(separator: ", ")); writes \(name).png.
    if (!exists("outfile")) outfile = \(Gnuplot.quote(name + ".png"))
    set encoding utf8
    set terminal pngcairo size \(size.width),\(size.height) noenhanced font 'sans,12' linewidth 1.2
    set output outfile
    set title font ',14'
    set grid lt 1 lc rgb '#e4e4e4' lw 1
    set format x '%g'
    set format y '%g'
    set border 3 lc rgb '#444444'
    set tics nomirror

    """
  }
}

/// Builds a data file of blocks (one per series), which a script selects with `index N`: gnuplot
/// separates blocks by two blank lines. Empty series get no block, so indices stay contiguous.
struct DataBlocks {
  private(set) var text: String
  private(set) var count = 0

  init(header: String) { text = header }

  /// Appends one block of rows (each row's columns separated by spaces) and returns its index,
  /// or nil when `rows` is empty.
  mutating func add(title: String, columns: String, rows: [[Double]]) -> Int? {
    guard !rows.isEmpty else { return nil }
    if count > 0 { text += "\n\n" }
    let oneLine = String(title.map { $0.isNewline ? " " : $0 })
    text += "# index \(count): \(oneLine)\n# \(columns)\n"
    for row in rows { text += row.map(Gnuplot.number).joined(separator: " ") + "\n" }
    count += 1
    return count - 1
  }
}

/// The `plot` command: `data` are the plotted data files, `extras` more items (legend-only
/// entries). gnuplot refuses to draw a frame with no data, so with none we fix the ranges and
/// say "no data" instead of failing.
func plotCommand(data: [String], extras: [String] = []) -> String {
  var text = ""
  var items = data + extras
  if data.isEmpty {
    text += "unset logscale\nset xrange [0:1]\nset yrange [0:1]\n"
    text += "set label 'no data' at graph 0.5, 0.5 center\n"
    items.append("NaN notitle")
  }
  return text + "plot " + items.joined(separator: ", \\\n     ") + "\n"
}
