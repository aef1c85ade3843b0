import AtomicWrites

// The errors a figure can run into. Each names the file and says what to do about it.

/// A failure reading or writing a figure file, or running gnuplot.
public enum FigureError: Error, Equatable, CustomStringConvertible {
  /// A file could not be created or written: missing folder, no permission, disk full.
  case cannotWrite(path: String, reason: String)
  /// A file could not be opened for reading.
  case cannotRead(path: String, reason: String)
  /// The file is not a PNG at all (wrong signature).
  case notPNG(path: String, reason: String)
  /// The file starts like a PNG but libpng could not decode it: truncated or corrupt.
  case damagedPNG(path: String, reason: String)
  /// The PNG's header claims an image larger than the reader accepts (256 MiB of pixels).
  case pngTooLarge(path: String, reason: String)
  /// gnuplot ran but exited with a non-zero status; `message` is what it printed to stderr.
  case gnuplotFailed(script: String, folder: String, status: Int32, message: String)

  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      return "cannot write \(path): \(reason). Check that the folder exists and is writable."
    case .cannotRead(let path, let reason):
      return "cannot read \(path): \(reason). Check the path."
    case .notPNG(let path, let reason):
      return "\(path) is not a PNG image: \(reason)."
    case .damagedPNG(let path, let reason):
      return "\(path) is a damaged PNG: \(reason). Write the image again."
    case .pngTooLarge(let path, let reason):
      return "\(path) is too large to read: \(reason). Scale the image down, or check that"
        + " the file is not damaged."
    case .gnuplotFailed(let script, let folder, let status, let message):
      let output = message.trimmingCharacters(in: .whitespacesAndNewlines)
      return "gnuplot failed on \(script) (exit status \(status)) in \(folder):\n\(output)\n"
        + "Edit \(script) and run `gnuplot \(script)` in that folder to see the error again."
    }
  }
}

extension FigureError {
  /// Runs a file write, turning AtomicFile's failure into `cannotWrite`.
  static func writing<T>(_ body: () throws(AtomicFile.Failure) -> T) throws(FigureError) -> T {
    do {
      return try body()
    } catch {
      throw .cannotWrite(path: error.path, reason: error.reason)
    }
  }
}
